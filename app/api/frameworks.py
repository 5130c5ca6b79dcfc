"""Reference frameworks."""

from app.api import bp
from app.api.schemas import FrameworkOut
from app.services import reference


@bp.get("/frameworks")
@bp.output(FrameworkOut(many=True))
@bp.doc(tags=["Frameworks"], summary="Every loaded framework with its items")
def list_frameworks():
    return reference.list_frameworks()
