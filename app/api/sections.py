"""Sections."""

from app.api import bp, current_user
from app.api.schemas import SectionOut, SectionPatch
from app.services import sections


@bp.get("/sections/<int:section_id>")
@bp.output(SectionOut)
@bp.doc(tags=["Sections"])
def get_section(section_id: int):
    return sections.get_section(section_id, current_user())


@bp.patch("/sections/<int:section_id>")
@bp.input(SectionPatch, arg_name="data")
@bp.output(SectionOut)
@bp.doc(tags=["Sections"], summary="Assign, set the due date or sectors, or move the state")
def patch_section(section_id: int, data):
    user = current_user()
    return sections.update_section(sections.get_section(section_id, user), user, **data)
