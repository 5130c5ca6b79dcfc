"""A reviewer's returned Word file, brought in as comments, replies and suggestions."""

from flask import current_app

from app.api import bp, current_user
from app.api.schemas.imports import ImportIn, ImportReportOut
from app.services import imports


@bp.post("/papers/<int:paper_id>/imports")
@bp.input(ImportIn, location="form_and_files", arg_name="data")
@bp.output(ImportReportOut)
@bp.doc(
    tags=["Review"],
    summary="Import a reviewer's returned .docx: comments, replies, tracked changes",
    description="Each remark is placed on the text of the version the file was exported "
    "from, then carried to today's text. The answer reports every remark: created, "
    "duplicate (an earlier import brought it) or unplaced (its passage is gone; send "
    "`unplaced_as_section=true` to make those section-level comments). `dry_run=true` "
    "writes nothing. A real import is all or nothing. A hostile or damaged file is refused "
    "before parsing (400, 413); a file from another paper, or not a Plume export without "
    "`match=headings`, is 422.",
)
def import_docx(paper_id: int, data):
    upload = data["file"]
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    content = upload.read(limit + 1)
    report = imports.import_docx(
        paper_id,
        current_user(),
        content,
        filename=upload.filename,
        dry_run=data["dry_run"],
        round_id=data["round_id"],
        match=data["match"],
        unplaced_as_section=data["unplaced_as_section"],
        max_bytes=limit,
    )
    return report.to_json()
