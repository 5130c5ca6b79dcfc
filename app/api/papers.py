"""Papers."""

from flask import current_app

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.plain import paper_out, plain_json, sections_out
from app.api.schemas import PaperDetailOut, PaperIn, PaperOut, PaperSettingsPatch, SectionRowOut
from app.services import access, papers, sections, stages
from app.services.errors import BadInput
from app.services.templates import template_path


@bp.get("/papers")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(PaperOut(many=True))
@bp.doc(tags=["Papers"], summary="The papers I am a member of")
def list_papers(query):
    listed, status, headers = pagination.page(
        papers.list_papers(current_user()), query, lambda item: (item.id,)
    )
    statuses = stages.paper_statuses([paper.id for paper in listed])
    return plain_json([paper_out(p, statuses[p.id]) for p in listed], status, headers)


@bp.post("/papers")
@bp.input(PaperIn, arg_name="data")
@bp.output(PaperDetailOut, status_code=201)
@bp.doc(tags=["Papers"], summary="Create a paper, blank or from a template; I become coordinator")
def create_paper(data):
    template = data.get("template")
    if not template and not data.get("title"):
        raise BadInput("paper_title")
    folder = template_path(current_app.config["DRAFTS_DIR"], template) if template else None
    return papers.create_paper(
        current_user(), title=data.get("title"), language=data["language"], template_dir=folder
    )


@bp.get("/papers/<int:paper_id>")
@bp.output(PaperDetailOut)
@bp.doc(tags=["Papers"])
def get_paper(paper_id: int):
    return access.get_paper(paper_id, current_user())


@bp.patch("/papers/<int:paper_id>")
@bp.input(PaperSettingsPatch, arg_name="data")
@bp.output(PaperDetailOut)
@bp.doc(
    tags=["Papers"],
    summary="Change the document settings: symbol, disclaimer page, numbered paragraphs",
    description="The coordinator does; each change is recorded in the activity feed. Exports "
    "made afterwards use the new settings and record them in their options.",
)
def patch_paper(paper_id: int, data):
    user = current_user()
    return papers.update_settings(access.get_paper(paper_id, user), user, **data)


@bp.get("/papers/<int:paper_id>/sections")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(SectionRowOut(many=True))
@bp.doc(
    tags=["Sections"],
    summary="Sections in order, with state, assignee, due date, open comments",
    description="In document order (position, then id)." + pagination.DESCRIPTION,
)
def list_sections(paper_id: int, query):
    rows = sections.section_rows(
        paper_id, current_user(), after=pagination.after_key(query, 2), limit=query["limit"] + 1
    )
    page, status, headers = pagination.answer(
        rows.sections, query, lambda row: (row.position, row.id)
    )
    return plain_json(sections_out(page, rows.sectors), status, headers)
