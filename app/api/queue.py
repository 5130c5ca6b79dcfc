"""My queue."""

from app.api import bp, current_user
from app.api.plain import plain_json, queue_comments_out
from app.api.schemas.reviews import QueueOut
from app.db import utcnow
from app.services import queue, signoff


@bp.get("/me/queue")
@bp.output(QueueOut)
@bp.doc(
    tags=["Me"],
    summary="What waits for me: sections I lead (overdue first), comments to resolve, "
    "rounds awaiting my sector, versions awaiting my signature",
)
def my_queue():
    user = current_user()
    today = utcnow().date()
    # Sections and comments are hundreds and thousands at scale: answered from plain rows
    # (their schemas' fields), the rest by its schema.
    waiting = queue.Queue(
        sections=[],
        comments=[],
        rounds=queue.rounds_to_review(user),
        versions=signoff.versions_awaiting(user),
    )
    out = QueueOut().dump(waiting)
    out["sections"] = queue.section_rows_i_lead(user, today)
    out["comments"] = queue_comments_out(queue.comment_rows_to_resolve(user))
    return plain_json(out)
