"""Schemas of alignment: decisions, the traceability matrix, coverage, position decisions,
and the frameworks a paper is checked against."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from app.api.pagination import PageQuery
from app.api.schemas import ALIGNMENT_STATUSES, Length, OneOf, Strict
from app.services.reference import framework_label


def _person(user) -> dict:
    return {"id": user.id, "name": user.name, "sector": user.sector.code}


def section_ref(section) -> dict | None:
    if section is None:
        return None
    return {
        "id": section.id,
        "number": section.number,
        "title_en": section.title_en,
        "title_fr": section.title_fr,
    }


class AlignmentQuoteIn(Strict):
    exact = fields.String(required=True, validate=Length(1, 5000))
    prefix = fields.String(load_default="", validate=Length(0, 500))
    suffix = fields.String(load_default="", validate=Length(0, 500))


class AlignmentQuoteOut(Schema):
    exact = fields.String()
    prefix = fields.String()
    suffix = fields.String()


class PaperAlignmentIn(Strict):
    item_code = fields.String(
        required=True, validate=Length(1, 60), metadata={"example": "REC2021.P7"}
    )
    status = fields.String(required=True, validate=OneOf(ALIGNMENT_STATUSES))
    rationale = fields.String(required=True, validate=Length(1, 20_000))
    comment_ids = fields.List(
        fields.Integer(),
        load_default=list,
        metadata={"description": "the comments on this paper that the decision answers"},
    )


class SectionAlignmentIn(PaperAlignmentIn):
    quote = fields.Nested(
        AlignmentQuoteIn,
        allow_none=True,
        metadata={"description": "the passage that supports the decision, in the current text"},
    )


class AlignmentHistoryQuery(PageQuery):
    item = fields.String(
        validate=Length(1, 60), metadata={"description": "only the decisions on this item code"}
    )


class FrameworkItemRef(Schema):
    code = fields.String()
    kind = fields.String()
    framework = fields.Function(lambda item: framework_label(item.framework))
    title_en = fields.String()
    title_fr = fields.String()


class AlignmentDecisionOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer()
    section_id = fields.Integer(allow_none=True, metadata={"description": "null: the whole paper"})
    item = fields.Nested(FrameworkItemRef)
    status = fields.String(metadata={"enum": ALIGNMENT_STATUSES})
    rationale = fields.String()
    revision_id = fields.Integer(
        allow_none=True, metadata={"description": "the revision the decision was taken on"}
    )
    quote = fields.Nested(
        AlignmentQuoteOut,
        allow_none=True,
        metadata={"description": "the supporting passage, or null"},
    )
    comment_ids = fields.List(fields.Integer())
    decided_by = fields.Function(lambda entry: _person(entry.decided_by))
    decided_at = fields.DateTime(attribute="created_at")
    current = fields.Boolean()
    superseded_by = fields.Integer(
        allow_none=True, metadata={"description": "the decision that replaced this one"}
    )


class AlignmentMatrixQuery(Strict):
    framework = fields.String(
        validate=Length(1, 81),
        metadata={"description": "one of the paper's frameworks: CODE or CODE@VERSION"},
    )


class AlignmentCounts(Schema):
    aligned = fields.Integer()
    partial = fields.Integer()
    gap = fields.Integer()
    conflict = fields.Integer()
    not_applicable = fields.Integer()
    none = fields.Integer(metadata={"description": "cells with no decision"})


class FrameworkRef(Schema):
    code = fields.String()
    version = fields.String()
    label = fields.Function(framework_label, metadata={"example": "REC2021@2021"})
    title_en = fields.String()
    title_fr = fields.String()


class AlignmentMatrixRowOut(Schema):
    section = fields.Function(lambda row: section_ref(row.section))
    level = fields.Function(lambda row: row.section.level if row.section else 0)
    cells = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True),
        metadata={"description": "item code -> the current status, or null"},
    )


class AlignmentMatrixOut(Schema):
    paper_id = fields.Integer(attribute="paper.id")
    frameworks = fields.List(fields.Nested(FrameworkRef))
    items = fields.List(fields.Nested(FrameworkItemRef))
    whole_paper = fields.Nested(
        AlignmentMatrixRowOut, metadata={"description": "the decisions on the whole paper"}
    )
    rows = fields.List(
        fields.Nested(AlignmentMatrixRowOut), metadata={"description": "in document order"}
    )
    counts = fields.Nested(
        AlignmentCounts, metadata={"description": "every cell, the whole-paper row included"}
    )
    item_counts = fields.Dict(keys=fields.String(), values=fields.Nested(AlignmentCounts))


class AlignmentConflictOut(Schema):
    section = fields.Function(
        lambda cell: section_ref(cell.section), metadata={"description": "null: whole paper"}
    )
    item = fields.String(attribute="item.code")
    decision_id = fields.Integer(attribute="decision.id")
    rationale = fields.String(attribute="decision.rationale")
    decided_by = fields.Function(
        lambda cell: {
            "id": cell.decision.decided_by.id,
            "name": cell.decision.decided_by.name,
            "sector": cell.decision.decided_by.sector,
        }
    )
    decided_at = fields.DateTime(attribute="decision.created_at")


class MissingExpectedItemsOut(Schema):
    section = fields.Function(lambda entry: section_ref(entry.section))
    items = fields.Function(lambda entry: [item.code for item in entry.items])


class AlignmentCoverageOut(Schema):
    paper_id = fields.Integer(attribute="matrix.paper.id")
    frameworks = fields.List(fields.Nested(FrameworkRef), attribute="matrix.frameworks")
    unaddressed_items = fields.List(
        fields.Nested(FrameworkItemRef),
        metadata={"description": "items no cell marks aligned or partial"},
    )
    conflicts = fields.List(fields.Nested(AlignmentConflictOut))
    sections_without_decisions = fields.Function(
        lambda coverage: [section_ref(s) for s in coverage.sections_without_decisions]
    )
    expected_without_decision = fields.List(
        fields.Nested(MissingExpectedItemsOut),
        metadata={"description": "items a section's template expects that have no decision"},
    )


class PositionDecisionIn(Strict):
    question = fields.String(required=True, validate=Length(1, 5000))
    options = fields.List(
        fields.String(validate=Length(1, 5000)), required=True, validate=Length(1, 50)
    )
    decision = fields.String(required=True, validate=Length(1, 20_000))
    rationale = fields.String(required=True, validate=Length(1, 20_000))
    sectors = fields.List(
        fields.String(validate=Length(1, 16)),
        required=True,
        validate=Length(1, 50),
        metadata={"description": "codes of the sectors consulted", "example": ["CLT", "SHS"]},
    )
    comment_ids = fields.List(fields.Integer(), load_default=list)
    section_id = fields.Integer(
        allow_none=True, metadata={"description": "the section the question is about, if one"}
    )


class PositionDecisionOut(Schema):
    id = fields.Integer()
    paper_id = fields.Integer()
    section_id = fields.Integer(allow_none=True)
    question = fields.String()
    options = fields.List(fields.String())
    decision = fields.String()
    rationale = fields.String()
    sectors = fields.Function(lambda entry: [sector.code for sector in entry.sectors])
    comment_ids = fields.List(fields.Integer())
    decided_by = fields.Function(lambda entry: _person(entry.decided_by))
    decided_at = fields.DateTime(attribute="created_at")


class PaperFrameworksIn(Strict):
    frameworks = fields.List(
        fields.String(validate=[Length(1, 81), validators.Regexp(r"^[^\s@]+(@.+)?$")]),
        required=True,
        metadata={
            "description": "CODE (the newest loaded version) or CODE@VERSION",
            "example": ["REC2021", "OECD-AI@2024"],
        },
    )
