"""The caller."""

from app.api import bp, current_user
from app.api.schemas import MeOut
from app.services import access


@bp.get("/me")
@bp.output(MeOut)
@bp.doc(tags=["Me"], summary="The caller: id, email, name, sector, roles per paper")
def get_me():
    user = current_user()
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "sector": user.sector.code,
        "sector_names": user.sector,
        "is_admin": user.is_admin,
        "roles": access.roles_by_paper(user),
    }
