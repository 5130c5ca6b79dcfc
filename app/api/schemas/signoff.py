"""Schemas of the sign-off: a signatory's position, and the ballot a version shows."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from app.api.schemas import Length, OneOf, Strict, VersionOut
from app.models import BallotPosition

POSITIONS = [position.value for position in BallotPosition]


class PositionIn(Strict):
    position = fields.String(required=True, validate=OneOf(POSITIONS))
    reason = fields.String(
        allow_none=True,
        validate=Length(0, 5000),
        metadata={"description": "required with block: what must change before you can approve"},
    )
    version_sha256 = fields.String(
        validate=validators.Regexp(r"^[0-9a-f]{64}$"),
        metadata={"description": "the hash of the text you read; refused (409) if it differs"},
    )


class PositionOut(Schema):
    id = fields.Integer()
    version_id = fields.Integer()
    signatory = fields.Function(
        lambda p: {"id": p.user.id, "name": p.user.name, "sector": p.user.sector.code}
    )
    position = fields.String()
    reason = fields.String(allow_none=True)
    version_sha256 = fields.String()
    recorded_at = fields.DateTime(attribute="created_at")


class BallotRowOut(Schema):
    """A required signatory and their current position; position null means "no record"."""

    user_id = fields.Integer(attribute="signatory.id")
    name = fields.String(attribute="signatory.name")
    sector = fields.String(attribute="signatory.sector.code")
    position = fields.String(
        allow_none=True,
        metadata={"enum": [*POSITIONS, None], "description": "null: no record"},
    )
    reason = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class RecordedPositionOut(Schema):
    position = fields.Nested(PositionOut)
    version = fields.Nested(VersionOut, metadata={"description": "the version after the vote"})
