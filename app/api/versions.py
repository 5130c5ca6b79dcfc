"""Frozen versions."""

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.schemas import VersionIn, VersionOut
from app.errors import message
from app.services import access, signoff, stages, versions
from app.web.links import blocker_link


def version_out(version, state=None, positions=None) -> dict:
    """The version as VersionOut answers it; a list passes each one's state and ballot, read
    for the whole list at once."""
    return {
        "id": version.id,
        "paper_id": version.paper_id,
        "label": version.label,
        "sha256": version.sha256,
        "state": state or versions.version_state(version),
        "purpose": version.purpose,
        "override_reason": version.override_reason,
        "created_at": version.created_at,
        "signed_off_at": version.signed_off_at,
        "sections": version.sections,
        "positions": signoff.ballot(version) if positions is None else positions,
    }


@bp.post("/papers/<int:paper_id>/versions")
@bp.input(VersionIn, arg_name="data")
@bp.output(VersionOut, status_code=201)
@bp.doc(
    tags=["Versions"],
    summary="Freeze the current text of every section under a label, for review or signature",
    description="Freezing for signature is refused with 409 `signature_blocked` while a review "
    "round is open, a section is not approved, comments are open or alignment items the "
    "template expects have no decision; `details.blockers` lists every one (code, message, "
    "link). With `override_reason` the version is frozen anyway and the reason recorded.",
)
def freeze(paper_id: int, data):
    user = current_user()
    paper = access.get_paper(paper_id, user)
    try:
        version = versions.freeze_version(
            paper,
            user,
            data["label"],
            purpose=data["purpose"],
            override_reason=data.get("override_reason"),
        )
    except stages.SignatureBlocked as blocked:
        blocked.details = {"blockers": [blocker_out(b) for b in blocked.blockers]}
        raise
    return version_out(version)


def blocker_out(blocker: stages.Blocker) -> dict:
    """A blocker as the API shows it: its code, its sentence and where to settle it."""
    return {
        **blocker.as_details(),
        "message": message(blocker.error, "en"),
        "link": blocker_link(blocker, _external=True),
    }


@bp.get("/papers/<int:paper_id>/versions")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(VersionOut(many=True))
@bp.doc(tags=["Versions"])
def list_versions(paper_id: int, query):
    access.get_paper(paper_id, current_user())
    every = versions.list_versions(paper_id)
    listed, status, headers = pagination.page(every, query, lambda item: (item.id,))
    states, ballots = versions.version_states(every), signoff.ballots(listed)
    return [version_out(v, states[v.id], ballots[v.id]) for v in listed], status, headers


@bp.get("/versions/<int:version_id>")
@bp.output(VersionOut)
@bp.doc(tags=["Versions"], summary="Label, sha256, state (frozen | signed_off | superseded)")
def get_version(version_id: int):
    return version_out(versions.get_version(version_id, current_user()))
