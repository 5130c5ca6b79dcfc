"""A reviewer's returned Word file, uploaded from a round's page or a version's page.

The answer is the report of every remark (created, already there, or unplaced); a dry run
shows the same report and writes nothing. The file is read in memory and never stored.
"""

from __future__ import annotations

from flask import current_app, render_template, request

from app.services import access, imports, sections
from app.services.errors import BadInput
from app.web import bp, forms
from app.web.auth import me


@bp.post("/papers/<int:paper_id>/imports")
def import_docx(paper_id: int):
    user = me()
    paper = access.get_paper(paper_id, user)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadInput("import_no_file")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    round_id = forms.optional_int("round_id")
    report = imports.import_docx(
        paper.id,
        user,
        upload.read(limit + 1),
        filename=upload.filename,
        dry_run=forms.checked("dry_run"),
        round_id=round_id,
        match="headings" if forms.checked("by_headings") else "bookmarks",
        unplaced_as_section=forms.checked("unplaced_as_section"),
        max_bytes=limit,
    )
    numbered = {
        row.section.id: f"{row.section.number} {row.section.title(paper.language)}"
        for row in sections.list_sections(paper.id, user)
    }
    return render_template(
        "review/import_report.html",
        section_names=numbered,
        paper=paper,
        roles=access.permissions(user, paper).roles,
        active_tab="web.reviews",
        report=report,
        filename=upload.filename,
        round_id=round_id,
    )
