"""My queue."""

from app.api import bp, current_user
from app.api.schemas.reviews import QueueOut
from app.services import queue


@bp.get("/me/queue")
@bp.output(QueueOut)
@bp.doc(
    tags=["Me"],
    summary="What waits for me: sections I lead (overdue first), comments to resolve, "
    "rounds awaiting my sector, versions awaiting my signature",
)
def my_queue():
    return queue.my_queue(current_user())
