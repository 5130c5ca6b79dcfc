"""Request and response schemas. They validate input and generate the OpenAPI document."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from app.models import AlignmentStatus, Language, SectionState
from app.services import stages

OneOf = validators.OneOf
Length = validators.Length


class Strict(Schema):
    """Unknown fields are errors: a misspelt field should not be silently ignored."""

    class Meta:
        unknown = "raise"


class SectorOut(Schema):
    code = fields.String()
    name_en = fields.String()
    name_fr = fields.String()


class MeOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    sector = fields.String(metadata={"description": "the code of the caller's sector"})
    sector_names = fields.Nested(SectorOut)
    is_admin = fields.Boolean()
    job_title = fields.String(
        metadata={"description": "printed under the caller's name on a sign-off page"}
    )
    roles = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "paper id -> the caller's roles on it"},
    )


class MePatch(Strict):
    job_title = fields.String(
        required=True,
        metadata={
            "description": 'one line, at most 200 characters; "" clears it',
            "example": "Programme Specialist",
        },
    )


class PaperIn(Strict):
    template = fields.String(validate=Length(1, 100), metadata={"example": "ai-and-culture"})
    title = fields.String(validate=Length(1, 300))
    language = fields.String(load_default="en", validate=OneOf([lang.value for lang in Language]))


class PaperOut(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    language = fields.String()
    status = fields.Function(
        lambda paper: stages.paper_status(paper).value,
        metadata={
            "description": "drafting | in_review | consolidating | in_signature | signed_off, "
            "read off the work"
        },
    )
    template = fields.String(allow_none=True)
    frameworks = fields.Function(lambda paper: [f"{f.code}@{f.version}" for f in paper.frameworks])
    created_at = fields.DateTime()


class PaperDetailOut(PaperOut):
    document_symbol = fields.String(metadata={"description": 'e.g. CLT/2027/PP/1; "": none'})
    disclaimer = fields.Boolean(metadata={"description": "a disclaimer page after the cover"})
    numbered_paragraphs = fields.Boolean(
        metadata={"description": "body paragraphs numbered 1, 2, 3... across the paper"}
    )
    members = fields.Function(
        lambda paper: [
            {"user_id": m.user_id, "name": m.user.name, "email": m.user.email, "role": m.role}
            for m in paper.members
        ]
    )


class StrictBoolean(fields.Boolean):
    """true or false, nothing else (not 1, "yes" or "on")."""

    def _deserialize(self, value, attr, data, **kwargs):  # noqa: ARG002 (marshmallow's)
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PaperSettingsPatch(Strict):
    document_symbol = fields.String(
        metadata={
            "description": "the UN document symbol printed on the cover and in the header: "
            'at most 60 letters, digits, single spaces and / . - ( ); "" removes it',
            "example": "CLT/2027/PP/1",
        }
    )
    disclaimer = StrictBoolean(metadata={"description": "a disclaimer page after the cover"})
    numbered_paragraphs = StrictBoolean(
        metadata={"description": "body paragraphs numbered 1, 2, 3... across the paper"},
    )


class SectionOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    position = fields.Integer()
    number = fields.String()
    title_en = fields.String()
    title_fr = fields.String()
    brief = fields.String()
    brief_fr = fields.String()
    expected_items = fields.List(fields.String())
    lead_author_id = fields.Integer(allow_none=True)
    lead_author = fields.Function(
        lambda s: {"id": s.lead_author.id, "name": s.lead_author.name} if s.lead_author else None
    )
    due_date = fields.Date(allow_none=True)
    state = fields.String()
    contributing_sectors = fields.Function(lambda s: [x.code for x in s.contributing_sectors])


class SectionRowOut(SectionOut):
    open_comments = fields.Integer()


class SectionPatch(Strict):
    lead_author_id = fields.Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    state = fields.String(validate=OneOf([state.value for state in SectionState]))
    contributing_sectors = fields.List(fields.String(validate=Length(1, 16)))


class RevisionIn(Strict):
    body = fields.String(required=True)
    base_revision_id = fields.Integer(required=True, allow_none=True)
    summary = fields.String(load_default="", validate=Length(0, 500))


class RevisionOut(Schema):
    id = fields.Integer()
    section_id = fields.Integer()
    number = fields.Integer()
    base_id = fields.Integer(allow_none=True)
    body = fields.String()
    summary = fields.String()
    sha256 = fields.String()
    author = fields.Function(lambda r: {"id": r.author.id, "name": r.author.name})
    created_at = fields.DateTime()


class DiffQuery(Strict):
    from_ = fields.Integer(required=True, data_key="from")
    to = fields.Integer(required=True)


class DiffOpOut(Schema):
    op = fields.String()
    text = fields.String()


class DiffOut(Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    ops = fields.List(fields.Nested(DiffOpOut))
    inserted_words = fields.Integer()
    deleted_words = fields.Integer()


class ItemOut(Schema):
    code = fields.String()
    kind = fields.String()
    title_en = fields.String()
    title_fr = fields.String()


class FrameworkOut(Schema):
    id = fields.Integer()
    code = fields.String()
    version = fields.String()
    title_en = fields.String()
    title_fr = fields.String()
    items = fields.List(fields.Nested(ItemOut))


class VersionIn(Strict):
    label = fields.String(required=True, validate=Length(1, 40))
    purpose = fields.String(
        load_default="review",
        validate=OneOf(["review", "signature"]),
        metadata={"description": "review (the default) or signature: only the latter has a ballot"},
    )
    override_reason = fields.String(
        validate=Length(max=4000),
        metadata={
            "description": "for signature: why to freeze although something stands in the way "
            "(without it, the blockers are refused with 409, each in details.blockers)"
        },
    )


class VersionSectionOut(Schema):
    section_id = fields.Integer()
    revision_id = fields.Integer(allow_none=True)
    number = fields.String()
    title = fields.String()


class VersionOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer()
    label = fields.String()
    sha256 = fields.String()
    state = fields.String()
    purpose = fields.String(metadata={"description": "review | signature"})
    override_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    signed_off_at = fields.DateTime(allow_none=True)
    sections = fields.List(fields.Nested(VersionSectionOut))
    # Each required signatory's current position (app/api/schemas/signoff.py).
    positions = fields.List(fields.Nested("BallotRowOut"))


class ActivityOut(Schema):
    id = fields.Integer()
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    actor = fields.Function(lambda a: {"id": a.actor.id, "name": a.actor.name} if a.actor else None)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    created_at = fields.DateTime()


class ActivityQuery(Strict):
    limit = fields.Integer(load_default=100, validate=validators.Range(1, 500))
    before_id = fields.Integer(
        metadata={"description": "the cursor: entries older than this id (X-Next-Cursor)"}
    )
    section_id = fields.Integer(metadata={"description": "changes about this section"})
    actor_id = fields.Integer(metadata={"description": "changes by this person"})
    sector = fields.String(
        validate=Length(1, 16), metadata={"description": "changes by people of this sector"}
    )
    action = fields.List(
        fields.String(validate=Length(1, 60)),
        metadata={"description": "kinds of change (repeat the parameter for several)"},
    )
    about_me = fields.Boolean(
        load_default=False,
        metadata={
            "description": "changes others made to sections I lead, to my comments, or to "
            "comments and replies that mention me (@name or @email)"
        },
    )


ALIGNMENT_STATUSES = [status.value for status in AlignmentStatus]
