"""Schemas of the review: comments, replies, resolutions, rounds, the matrix and my queue."""

from __future__ import annotations

from apiflask import Schema, fields
from flask import request

from app.api.pagination import PageQuery
from app.api.schemas import Length, OneOf, Strict
from app.models import CommentStatus, CommentType, Decision
from app.services import reviews, revisions, rounds

COMMENT_TYPES = [kind.value for kind in CommentType]
DECISIONS = [decision.value for decision in Decision]


def _person(user) -> dict:
    return {"id": user.id, "name": user.name, "sector": user.sector.code}


class QuoteIn(Strict):
    exact = fields.String(required=True, validate=Length(1, reviews.MAX_QUOTE_CHARS))
    prefix = fields.String(load_default="", validate=Length(0, 500))
    suffix = fields.String(load_default="", validate=Length(0, 500))
    start = fields.Integer(
        metadata={"description": "where the passage starts in the text (TextPositionSelector)"}
    )


class CommentIn(Strict):
    body = fields.String(required=True, validate=Length(1, reviews.MAX_BODY_CHARS))
    type = fields.String(required=True, validate=OneOf(COMMENT_TYPES))
    quote = fields.Nested(
        QuoteIn,
        allow_none=True,
        load_default=None,
        metadata={"description": "the passage, verbatim from the text; none: the whole section"},
    )
    proposed_text = fields.String(
        allow_none=True, load_default=None, validate=Length(0, reviews.MAX_BODY_CHARS)
    )
    round_id = fields.Integer(allow_none=True, load_default=None)
    item_code = fields.String(
        allow_none=True,
        load_default=None,
        validate=Length(1, 60),
        metadata={"description": "for an alignment comment: the framework item it is about"},
    )


class CommentPatch(Strict):
    body = fields.String(validate=Length(1, reviews.MAX_BODY_CHARS))
    type = fields.String(validate=OneOf(COMMENT_TYPES))
    proposed_text = fields.String(allow_none=True, validate=Length(0, reviews.MAX_BODY_CHARS))
    status = fields.String(
        validate=OneOf([CommentStatus.WITHDRAWN.value]),
        metadata={"description": "withdrawn: take the comment back"},
    )


class CommentQuery(PageQuery):
    status = fields.String(validate=OneOf([status.value for status in CommentStatus]))
    round_id = fields.Integer()


class ReplyIn(Strict):
    body = fields.String(required=True, validate=Length(1, reviews.MAX_BODY_CHARS))
    parent_id = fields.Integer(allow_none=True, load_default=None)


class ReplyOut(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author = fields.Function(lambda reply: _person(reply.author))
    body = fields.String()
    created_at = fields.DateTime()


class ResolutionIn(Strict):
    decision = fields.String(required=True, validate=OneOf(DECISIONS))
    rationale = fields.String(load_default="", validate=Length(0, 20_000))
    apply_suggestion = fields.Boolean(load_default=False)


class ReopenIn(Strict):
    rationale = fields.String(load_default="", validate=Length(0, 20_000))


class ResolutionOut(Schema):
    id = fields.Integer()
    action = fields.String()
    decision = fields.String(allow_none=True)
    rationale = fields.String()
    applied_revision_id = fields.Integer(allow_none=True)
    actor = fields.Function(lambda entry: _person(entry.actor))
    created_at = fields.DateTime()


def latest_revision_id(section_id: int) -> int | None:
    """The section's latest revision id, read once per request however many comments."""
    known = request.environ.setdefault("plume.latest_revision_ids", {})
    if section_id not in known:
        known[section_id] = revisions.latest_id(section_id)
    return known[section_id]


def reanchoring(
    section_id: int, anchor_revision_id: int | None, *, quoted: bool, orphaned: bool, status: str
) -> bool:
    """An open quoted comment not yet carried onto its section's latest text: a save left
    its re-anchoring to the worker (what `CommentOut.reanchoring` and the plain rows say)."""
    if not quoted or orphaned or status != "open":
        return False
    return anchor_revision_id != latest_revision_id(section_id)


class CommentOut(Schema):
    id = fields.Integer()
    section_id = fields.Integer()
    revision_id = fields.Integer(metadata={"description": "the revision the comment was made on"})
    round_id = fields.Integer(allow_none=True)
    author = fields.Function(lambda comment: _person(comment.author))
    sector = fields.Function(lambda comment: comment.sector.code)
    type = fields.String()
    body = fields.String()
    proposed_text = fields.String(allow_none=True)
    item_code = fields.String(allow_none=True)
    quote = fields.Method("_quote", allow_none=True)
    anchor = fields.Method("_anchor", allow_none=True)
    orphaned = fields.Boolean()
    reanchoring = fields.Method(
        "_reanchoring",
        metadata={
            "type": "boolean",
            "description": "true while a save's re-anchoring, left to the worker, has not yet "
            "carried the passage onto the section's current text",
        },
    )
    status = fields.String()
    decision = fields.String(allow_none=True)
    rationale = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    replies = fields.List(fields.Nested(ReplyOut))
    history = fields.List(fields.Nested(ResolutionOut), attribute="resolutions")

    def _quote(self, comment):
        if comment.quote_exact is None:
            return None
        return {
            "exact": comment.quote_exact,
            "prefix": comment.quote_prefix,
            "suffix": comment.quote_suffix,
        }

    def _reanchoring(self, comment) -> bool:
        return reanchoring(
            comment.section_id,
            comment.anchor_revision_id,
            quoted=comment.quote_exact is not None,
            orphaned=comment.orphaned,
            status=comment.status,
        )

    def _anchor(self, comment):
        if comment.quote_exact is None or comment.orphaned:
            return None
        # A plain dict: building a schema per comment cost a quarter of a 2,000-comment list.
        return {
            "revision_id": comment.anchor_revision_id,
            "start": comment.anchor_start,
            "end": comment.anchor_end,
        }


class RoundIn(Strict):
    version_id = fields.Integer(required=True)
    sectors = fields.List(
        fields.String(validate=Length(1, 16)),
        required=True,
        validate=Length(1, 50),
        metadata={"example": ["SHS", "CI", "LA"]},
    )
    deadline = fields.AwareDateTime(
        required=True, default_timezone=None, metadata={"example": "2027-01-31T17:00:00Z"}
    )


class RoundPatch(Strict):
    deadline = fields.AwareDateTime(required=True)


class RoundOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer()
    version_id = fields.Integer()
    sectors = fields.Function(lambda entry: [sector.code for sector in entry.sectors])
    deadline = fields.DateTime()
    open = fields.Function(rounds.is_open)
    opened_by_id = fields.Integer()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    sector_reviews = fields.Function(
        lambda entry: SectorReviewOut(many=True).dump(rounds.sector_reviews(entry)),
        metadata={
            "description": "each invited sector: complete | no_comments | no_record, by whom, "
            "when, with the note"
        },
    )


class SectorReviewOut(Schema):
    sector = fields.Function(lambda entry: entry.sector.code)
    state = fields.String(metadata={"description": "complete | no_comments | no_record"})
    by = fields.Function(
        lambda entry: {"id": entry.by.id, "name": entry.by.name} if entry.by else None
    )
    at = fields.DateTime(allow_none=True)
    note = fields.String()


class CompletionIn(Strict):
    sector = fields.String(
        required=True,
        validate=Length(1, 16),
        metadata={"description": "the code of my sector", "example": "SHS"},
    )
    note = fields.String(load_default="", validate=Length(max=4000))
    no_comments = fields.Boolean(
        load_default=False, metadata={"description": "the sector has no comments to make"}
    )


class MatrixQuery(Strict):
    format = fields.String(load_default="json", validate=OneOf(["json", "csv", "docx"]))
    sector = fields.String(validate=Length(1, 16))
    section_id = fields.Integer()
    type = fields.String(validate=OneOf(COMMENT_TYPES))
    decision = fields.String(
        validate=OneOf([*DECISIONS, "open"]),
        metadata={"description": "a decision, or open for comments not yet resolved"},
    )


class CommentMatrixRowOut(Schema):
    comment_id = fields.Integer()
    round_id = fields.Integer(allow_none=True)
    sector = fields.String()
    section_id = fields.Integer()
    section_number = fields.String()
    section_title = fields.String()
    passage = fields.String()
    type = fields.String()
    comment = fields.String()
    proposed_change = fields.String()
    status = fields.String()
    decision = fields.String()
    rationale = fields.String()
    orphaned = fields.Boolean()


class MatrixOut(Schema):
    title = fields.String()
    rows = fields.List(fields.Nested(CommentMatrixRowOut))


class QueueSectionOut(Schema):
    id = fields.Function(lambda entry: entry.section.id)
    paper_id = fields.Function(lambda entry: entry.paper.id)
    paper_title = fields.Function(lambda entry: entry.paper.title)
    number = fields.Function(lambda entry: entry.section.number)
    title = fields.Function(lambda entry: entry.section.title(entry.paper.language))
    state = fields.Function(lambda entry: entry.section.state)
    due_date = fields.Date(attribute="section.due_date", allow_none=True)
    overdue = fields.Boolean()


class QueueRoundOut(Schema):
    id = fields.Function(lambda entry: entry.round.id)
    paper_id = fields.Function(lambda entry: entry.paper.id)
    paper_title = fields.Function(lambda entry: entry.paper.title)
    version_id = fields.Function(lambda entry: entry.version.id)
    version_label = fields.Function(lambda entry: entry.version.label)
    deadline = fields.DateTime(attribute="round.deadline")
    my_sector_comments = fields.Integer()


class QueueCommentOut(Schema):
    """A comment waiting for my decision (GET /comments/{id} has the whole thread)."""

    id = fields.Integer()
    section_id = fields.Integer()
    round_id = fields.Integer(allow_none=True)
    sector = fields.Function(lambda comment: comment.sector.code)
    author = fields.Function(lambda comment: _person(comment.author))
    type = fields.String()
    body = fields.String()
    passage = fields.String(attribute="quote_exact", allow_none=True)
    orphaned = fields.Boolean()
    replies = fields.Function(lambda comment: len(comment.replies))
    created_at = fields.DateTime()


class QueueVersionOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer()
    label = fields.String()
    sha256 = fields.String()
    created_at = fields.DateTime()


class QueueOut(Schema):
    sections = fields.List(fields.Nested(QueueSectionOut))
    comments = fields.List(fields.Nested(QueueCommentOut))
    rounds = fields.List(fields.Nested(QueueRoundOut))
    versions = fields.List(fields.Nested(QueueVersionOut))
