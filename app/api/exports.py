"""Exports of a version as Word, PDF or Markdown, and their checked downloads."""

from pathlib import Path

from apiflask.schemas import FileSchema
from flask import current_app, send_file

from app.api import bp, current_user
from app.api.schemas.exports import ExportIn, ExportOut
from app.services import exports, versions


def _exports_dir() -> Path:
    return Path(current_app.config["EXPORTS_DIR"])


@bp.post("/versions/<int:version_id>/exports")
@bp.input(ExportIn, arg_name="data")
@bp.output(ExportOut, status_code=201)
@bp.doc(
    tags=["Exports"],
    summary="Export the version as docx, pdf or md",
    description="Any member of the paper may export, an observer too. The same version and "
    "options give the same bytes: when an identical export exists it is returned with 200.",
    responses={
        200: {
            "description": "An identical export already existed; it is returned",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportOut"}}},
        }
    },
)
def create_export(version_id: int, data):
    user = current_user()
    version = versions.get_version(version_id, user)
    made, created = exports.create_export(
        version,
        user,
        data["format"],
        exports_dir=_exports_dir(),
        toc=data["toc"],
        comments=data["comments"],
        redline_against=data["redline_against"],
    )
    return made, 201 if created else 200


@bp.get("/versions/<int:version_id>/exports")
@bp.output(ExportOut(many=True))
@bp.doc(tags=["Exports"], summary="The exports made from the version, oldest first")
def list_exports(version_id: int):
    return exports.list_exports(versions.get_version(version_id, current_user()))


@bp.get("/exports/<int:export_id>")
@bp.output(ExportOut)
@bp.doc(tags=["Exports"])
def get_export(export_id: int):
    return exports.get_export(export_id, current_user())


@bp.get("/exports/<int:export_id>/download")
@bp.output(
    FileSchema(type="string", format="binary"),
    content_type="application/octet-stream",
    description="The file, as an attachment (docx, pdf or md)",
)
@bp.doc(
    tags=["Exports"],
    summary="Download the file, after checking it still has its recorded sha256 (else 409)",
)
def download_export(export_id: int):
    made = exports.get_export(export_id, current_user())
    download = exports.open_download(made, _exports_dir())
    return send_file(
        download.file,
        mimetype=download.media_type,
        as_attachment=True,
        download_name=download.name,
        etag=download.sha256,
        max_age=0,
    )
