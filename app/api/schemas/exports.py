"""Schemas of exports: what to render, and the file that was made."""

from __future__ import annotations

from apiflask import Schema, fields, validators
from flask import url_for

from app.api.schemas import OneOf, Strict
from app.services.exports import DOCUMENT_FORMATS, SOURCE_KEY


class ExportIn(Strict):
    format = fields.String(required=True, validate=OneOf(DOCUMENT_FORMATS))
    toc = fields.Boolean(load_default=False, metadata={"description": "a table of contents"})
    comments = fields.Boolean(
        load_default=False,
        metadata={"description": "docx only: the open comments as native Word comments"},
    )
    redline_against = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validators.Range(min=1),
        metadata={"description": "docx only: an earlier version's id; changes as tracked changes"},
    )


class ExportOut(Schema):
    id = fields.Integer()
    version_id = fields.Integer()
    format = fields.String()
    options = fields.Function(
        lambda e: {k: v for k, v in (e.options or {}).items() if k != SOURCE_KEY},
        metadata={"type": "object"},
    )
    sha256 = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    download_url = fields.Function(lambda e: url_for("api.download_export", export_id=e.id))


class ExportJobOut(Schema):
    id = fields.Integer()
    version_id = fields.Integer()
    format = fields.String()
    options = fields.Dict()
    status = fields.String(metadata={"description": "queued | running | ready | failed"})
    reason = fields.String(allow_none=True, metadata={"description": "why it failed"})
    export_id = fields.Integer(allow_none=True, metadata={"description": "when ready"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda job: url_for("api.get_export_job", job_id=job.id))
    export_url = fields.Function(
        lambda job: url_for("api.get_export", export_id=job.export_id) if job.export_id else None
    )
    download_url = fields.Function(
        lambda job: (
            url_for("api.download_export", export_id=job.export_id) if job.export_id else None
        )
    )
