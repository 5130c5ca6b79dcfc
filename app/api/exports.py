"""Exports of a version as Word, PDF or Markdown, and their checked downloads."""

from pathlib import Path

from apiflask.schemas import FileSchema
from flask import current_app, send_file

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.schemas.exports import ExportIn, ExportJobOut, ExportOut
from app.services import exports, versions

# A year: an export's bytes never change, so a browser need not ask again.
IMMUTABLE = 365 * 24 * 3600


def _exports_dir() -> Path:
    return Path(current_app.config["EXPORTS_DIR"])


@bp.post("/versions/<int:version_id>/exports")
@bp.input(ExportIn, arg_name="data")
@bp.output(ExportJobOut, status_code=202)
@bp.doc(
    tags=["Exports"],
    summary="Ask for an export as docx, pdf or md: the worker makes it",
    description="Any member of the paper may export, an observer too. The answer is the job: "
    "poll its `url` until `status` is `ready` (then `export_url` and `download_url` name the "
    "file; an identical export already made is reused) or `failed` (with the `reason`). "
    "Options the format cannot honour are refused at once.",
)
def create_export(version_id: int, data):
    user = current_user()
    version = versions.get_version(version_id, user)
    return exports.request_export(
        version,
        user,
        data["format"],
        toc=data["toc"],
        comments=data["comments"],
        redline_against=data["redline_against"],
    )


@bp.get("/export-jobs/<int:job_id>")
@bp.output(ExportJobOut)
@bp.doc(tags=["Exports"], summary="An export job: queued, running, ready or failed")
def get_export_job(job_id: int):
    return exports.get_export_job(job_id, current_user())


@bp.get("/versions/<int:version_id>/exports")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(ExportOut(many=True))
@bp.doc(tags=["Exports"], summary="The exports made from the version, oldest first")
def list_exports(version_id: int, query):
    version = versions.get_version(version_id, current_user())
    return pagination.page(exports.list_exports(version), query, lambda item: (item.id,))


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
    response = send_file(
        download.file,
        mimetype=download.media_type,
        as_attachment=True,
        download_name=download.name,
        etag=download.sha256,
        last_modified=made.created_at,
        max_age=IMMUTABLE,
    )
    # An export is of a frozen version and checked against its sha256: it never changes.
    response.cache_control.private = True
    response.cache_control.public = False
    response.cache_control.immutable = True
    return response
