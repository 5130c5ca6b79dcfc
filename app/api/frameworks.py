"""Reference frameworks."""

from app.api import bp, pagination
from app.api.pagination import PageQuery
from app.api.schemas import FrameworkOut
from app.services import reference


@bp.get("/frameworks")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(FrameworkOut(many=True))
@bp.doc(tags=["Frameworks"], summary="Every loaded framework with its items")
def list_frameworks(query):
    return pagination.page(
        reference.list_frameworks(), query, lambda item: (item.code, item.version)
    )
