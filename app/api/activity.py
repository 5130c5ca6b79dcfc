"""The activity log of a paper."""

from app.api import bp, current_user
from app.api.schemas import ActivityOut, ActivityQuery
from app.services import access, activity


@bp.get("/papers/<int:paper_id>/activity")
@bp.input(ActivityQuery, location="query", arg_name="query")
@bp.output(ActivityOut(many=True))
@bp.doc(tags=["Activity"], summary="Every change to the paper, newest first")
def list_activity(paper_id: int, query):
    access.get_paper(paper_id, current_user())
    return activity.list_for_paper(paper_id, limit=query["limit"], before_id=query.get("before_id"))
