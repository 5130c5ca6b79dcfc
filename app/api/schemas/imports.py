"""Schemas of imports: a returned Word file in, the report of every remark out."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from app.api.schemas import OneOf
from app.services.imports import MATCHES


class ImportIn(Schema):
    file = fields.File(required=True, metadata={"description": "the returned .docx"})
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "report what would come in; write nothing"}
    )
    round_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validators.Range(min=1),
        metadata={"description": "the review round the remarks belong to"},
    )
    match = fields.String(
        load_default="bookmarks",
        validate=OneOf(MATCHES),
        metadata={"description": "find sections by the export's bookmarks, or by headings"},
    )
    unplaced_as_section = fields.Boolean(
        load_default=False,
        metadata={"description": "remarks whose passage is gone become section-level comments"},
    )


class ImportItemOut(Schema):
    kind = fields.String(metadata={"description": "comment, reply or suggestion"})
    section_id = fields.Integer(allow_none=True)
    quote = fields.String(allow_none=True)
    author = fields.String(metadata={"description": "the author as the file names them"})
    user_id = fields.Integer(allow_none=True, metadata={"description": "who it is in Plume"})
    comment_id = fields.Integer(allow_none=True)
    reply_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "created, duplicate or unplaced"})
    reason = fields.String(allow_none=True)
    body = fields.String()
    proposed_text = fields.String(allow_none=True)


class ImportReportOut(Schema):
    paper_id = fields.Integer()
    version_id = fields.Integer(allow_none=True)
    export_id = fields.String()
    match = fields.String()
    dry_run = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(ImportItemOut))
