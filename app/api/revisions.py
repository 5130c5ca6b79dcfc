"""Revisions of a section, and the word-level diff between two of them."""

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.schemas import DiffOut, DiffQuery, RevisionIn, RevisionOut
from app.services import revisions, sections


@bp.get("/sections/<int:section_id>/revisions")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(RevisionOut(many=True))
@bp.doc(tags=["Revisions"], summary="Every revision of the section, oldest first")
def list_revisions(section_id: int, query):
    section = sections.get_section(section_id, current_user())
    return pagination.page(revisions.list_revisions(section), query, lambda item: (item.id,))


@bp.post("/sections/<int:section_id>/revisions")
@bp.input(RevisionIn, arg_name="data")
@bp.output(RevisionOut, status_code=201)
@bp.doc(
    tags=["Revisions"],
    summary="Save new text on top of base_revision_id",
    responses={409: "The base is no longer the latest revision; details hold the current one"},
)
def create_revision(section_id: int, data):
    user = current_user()
    section = sections.get_section(section_id, user)
    return revisions.save_revision(
        section,
        user,
        body=data["body"],
        base_revision_id=data["base_revision_id"],
        summary=data["summary"],
    )


@bp.get("/sections/<int:section_id>/diff")
@bp.input(DiffQuery, location="query", arg_name="query")
@bp.output(DiffOut)
@bp.doc(tags=["Revisions"], summary="Word-level diff between two revisions of the section")
def diff(section_id: int, query):
    section = sections.get_section(section_id, current_user())
    ops = revisions.diff_revisions(section, query["from_"], query["to"])
    return {
        "from_": query["from_"],
        "to": query["to"],
        "ops": ops,
        "inserted_words": sum(len(op.text.split()) for op in ops if op.op == "insert"),
        "deleted_words": sum(len(op.text.split()) for op in ops if op.op == "delete"),
    }
