"""What is new to me since my last visit to each section, and saying I have seen one."""

from apiflask import Schema, fields

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.services import access, sections, visits


class SectionNewsOut(Schema):
    section_id = fields.Integer()
    visited = fields.Boolean(metadata={"description": "false: never opened, all of it is new"})
    seen_at = fields.DateTime(allow_none=True)
    seen_revision_id = fields.Integer(allow_none=True)
    text_changed = fields.Boolean()
    new_revisions = fields.Integer(metadata={"description": "by others, since my visit"})
    new_comments = fields.Integer()
    new_replies = fields.Integer()


@bp.get("/papers/<int:paper_id>/news")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(SectionNewsOut(many=True))
@bp.doc(
    tags=["Sections"],
    summary="Per section, what others changed since my last visit",
    description="A visit is recorded when I open the section's page, or by "
    "POST /sections/{id}/visit. The diff since my visit is "
    "GET /sections/{id}/diff?from={seen_revision_id}&to={the latest}.",
)
def paper_news(paper_id: int, query):
    user = current_user()
    access.get_paper(paper_id, user)
    news = sorted(visits.news_for_paper(user, paper_id).values(), key=lambda n: n.section_id)
    return pagination.page(news, query, lambda item: (item.section_id,))


@bp.post("/sections/<int:section_id>/visit")
@bp.output({}, status_code=204)
@bp.doc(tags=["Sections"], summary="I have seen the section as it is now")
def visit_section(section_id: int):
    user = current_user()
    visits.mark_seen(user, sections.get_section(section_id, user))
    return ""
