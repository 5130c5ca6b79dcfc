"""Schemas of a paper's people: its members and their roles, and my password."""

from __future__ import annotations

from apiflask import Schema, fields

from app.api.schemas import Length, OneOf, Strict
from app.models import Role

ROLES = [role.value for role in Role]


class MemberIn(Strict):
    email = fields.String(
        required=True, validate=Length(3, 320), metadata={"example": "a.author@unesco.org"}
    )
    role = fields.String(required=True, validate=OneOf(ROLES))


class MemberRoleIn(Strict):
    role = fields.String(required=True, validate=OneOf(ROLES))


class MemberOut(Schema):
    id = fields.Integer(metadata={"description": "the membership's id (one per role held)"})
    user_id = fields.Integer()
    name = fields.Function(lambda member: member.user.name)
    email = fields.Function(lambda member: member.user.email)
    sector = fields.Function(lambda member: member.user.sector.code)
    role = fields.String()
    since = fields.DateTime(attribute="created_at")


class RemovedMemberOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    former_member = fields.Boolean(
        metadata={
            "description": "true when the person holds no role on the paper any more: their "
            "revisions, comments and positions stay, shown as a former member's"
        }
    )


class PasswordIn(Strict):
    current_password = fields.String(required=True, validate=Length(0, 1000))
    new_password = fields.String(required=True, validate=Length(0, 1000))
