"""The activity log of a paper."""

from flask import url_for

from app.api import bp, current_user
from app.api.schemas import ActivityOut, ActivityQuery
from app.services import access, activity


@bp.get("/papers/<int:paper_id>/activity")
@bp.input(ActivityQuery, location="query", arg_name="query")
@bp.output(ActivityOut(many=True))
@bp.doc(
    tags=["Activity"],
    summary="Every change to the paper, newest first, filtered",
    description="A full page carries the cursor of the next one in `X-Next-Cursor` (pass it "
    "as `before_id`) and in a `Link` header with rel=next.",
)
def list_activity(paper_id: int, query):
    user = current_user()
    access.get_paper(paper_id, user)
    filters = activity.FeedFilters(
        section_id=query.get("section_id"),
        actor_id=query.get("actor_id"),
        sector=query.get("sector"),
        actions=tuple(query.get("action") or ()),
        about_me=query["about_me"],
    )
    limit = query["limit"]
    entries = activity.list_for_paper(
        paper_id,
        limit=limit + 1,
        before_id=query.get("before_id"),
        filters=filters,
        reader=user,
    )
    headers = {}
    if len(entries) > limit:
        cursor = entries[limit - 1].id
        args = {k: v for k, v in query.items() if k != "before_id"}
        link = url_for(
            "api.list_activity", paper_id=paper_id, **args, before_id=cursor, _external=True
        )
        headers = {"X-Next-Cursor": str(cursor), "Link": f'<{link}>; rel="next"'}
    return entries[:limit], 200, headers
