"""Frozen versions."""

from app.api import bp, current_user
from app.api.schemas import VersionIn, VersionOut
from app.services import access, signoff, versions


def version_out(version) -> dict:
    return {
        "id": version.id,
        "paper_id": version.paper_id,
        "label": version.label,
        "sha256": version.sha256,
        "state": versions.version_state(version),
        "created_at": version.created_at,
        "signed_off_at": version.signed_off_at,
        "sections": version.sections,
        "positions": signoff.ballot(version),
    }


@bp.post("/papers/<int:paper_id>/versions")
@bp.input(VersionIn, arg_name="data")
@bp.output(VersionOut, status_code=201)
@bp.doc(tags=["Versions"], summary="Freeze the current text of every section under a label")
def freeze(paper_id: int, data):
    user = current_user()
    paper = access.get_paper(paper_id, user)
    return version_out(versions.freeze_version(paper, user, data["label"]))


@bp.get("/papers/<int:paper_id>/versions")
@bp.output(VersionOut(many=True))
@bp.doc(tags=["Versions"])
def list_versions(paper_id: int):
    access.get_paper(paper_id, current_user())
    return [version_out(version) for version in versions.list_versions(paper_id)]


@bp.get("/versions/<int:version_id>")
@bp.output(VersionOut)
@bp.doc(tags=["Versions"], summary="Label, sha256, state (frozen | signed_off | superseded)")
def get_version(version_id: int):
    return version_out(versions.get_version(version_id, current_user()))
