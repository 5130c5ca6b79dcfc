"""Sign-off: signatories record positions on a frozen version."""

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.schemas.signoff import PositionIn, PositionOut, RecordedPositionOut
from app.api.versions import version_out
from app.services import signoff, versions


# Listed before the POST, whose response nests PositionOut: the OpenAPI document must meet
# the schema at the top level first, or apispec registers it twice.
@bp.get("/versions/<int:version_id>/positions")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(PositionOut(many=True))
@bp.doc(tags=["Sign-off"], summary="Every position recorded on the version, oldest first")
def list_positions(version_id: int, query):
    version = versions.get_version(version_id, current_user())
    return pagination.page(signoff.position_history(version), query, lambda item: (item.id,))


@bp.post("/versions/<int:version_id>/positions")
@bp.input(PositionIn, arg_name="data")
@bp.output(RecordedPositionOut, status_code=201)
@bp.doc(
    tags=["Sign-off"],
    summary="Record my position: approve, no_objection, block (with a reason) or abstain",
    description="Only the paper's signatories vote. A new position replaces my previous one "
    "(both stay in the history). The vote that completes the ballot signs the version off; "
    "after that, or once a later version exists, positions are refused with 409.",
)
def record_position(version_id: int, data):
    user = current_user()
    version = versions.get_version(version_id, user)
    position = signoff.record_position(
        version,
        user,
        data["position"],
        reason=data.get("reason"),
        version_sha256=data.get("version_sha256"),
    )
    return {"position": position, "version": version_out(version)}
