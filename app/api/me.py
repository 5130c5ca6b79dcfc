"""The caller."""

from app.api import bp, current_user
from app.api.schemas import MeOut, MePatch
from app.services import access, users


@bp.get("/me")
@bp.output(MeOut)
@bp.doc(tags=["Me"], summary="The caller: id, email, name, sector, roles per paper")
def get_me():
    return _me(current_user())


@bp.patch("/me")
@bp.input(MePatch, arg_name="data")
@bp.output(MeOut)
@bp.doc(tags=["Me"], summary="Set my job title (printed under my name on a sign-off page)")
def patch_me(data):
    user = current_user()
    users.set_job_title(user, data["job_title"], actor=user)
    return _me(user)


def _me(user):
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "sector": user.sector.code,
        "sector_names": user.sector,
        "is_admin": user.is_admin,
        "job_title": user.job_title or "",
        "roles": access.roles_by_paper(user),
    }
