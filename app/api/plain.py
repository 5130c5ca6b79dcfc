"""Long lists answered from plain rows, without Marshmallow.

Dumping 2,000 comments through their schema cost more than reading them. A list read as
rows (mappings) is shaped here into exactly what its schema documents and would answer:
tests/api/test_pagination.py compares the two.
"""

from __future__ import annotations

import json
from datetime import date

from flask import current_app

from app.api.schemas.alignment import section_ref
from app.api.schemas.reviews import reanchoring


def _default(value):
    if isinstance(value, date):  # datetimes too: marshmallow's iso format
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def plain_json(data, status: int = 200, headers: dict | None = None):
    """`data` as the JSON response the API's schemas would have made of it."""
    body = json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(
        body + "\n", status=status, headers=headers, mimetype="application/json"
    )


def _person(row, name: str = "name", code: str = "code", key: str = "author_id") -> dict:
    return {"id": row[key], "name": row[name], "sector": row[code]}


def comment_out(row, rows) -> dict:
    """A comment row (app/services/reviews.py `comment_rows`) as CommentOut answers it."""
    comment_id = row["id"]
    quoted = row["quote_exact"] is not None
    return {
        "id": comment_id,
        "section_id": row["section_id"],
        "revision_id": row["revision_id"],
        "round_id": row["round_id"],
        "author": _person(row, "author_name", "author_sector"),
        "sector": row["sector"],
        "type": row["type"],
        "body": row["body"],
        "proposed_text": row["proposed_text"],
        "item_code": row["item_code"],
        "quote": {
            "exact": row["quote_exact"],
            "prefix": row["quote_prefix"],
            "suffix": row["quote_suffix"],
        }
        if quoted
        else None,
        "anchor": {
            "revision_id": row["anchor_revision_id"],
            "start": row["anchor_start"],
            "end": row["anchor_end"],
        }
        if quoted and not row["orphaned"]
        else None,
        "orphaned": row["orphaned"],
        "reanchoring": reanchoring(
            row["section_id"],
            row["anchor_revision_id"],
            quoted=quoted,
            orphaned=row["orphaned"],
            status=row["status"],
        ),
        "status": row["status"],
        "decision": row["decision"],
        "rationale": row["rationale"],
        "resolved_at": row["resolved_at"],
        "created_at": row["created_at"],
        "edited_at": row["edited_at"],
        "replies": [
            {
                "id": reply["id"],
                "parent_id": reply["parent_id"],
                "author": _person(reply),
                "body": reply["body"],
                "created_at": reply["created_at"],
            }
            for reply in rows.replies.get(comment_id, ())
        ],
        "history": [
            {
                "id": entry["id"],
                "action": entry["action"],
                "decision": entry["decision"],
                "rationale": entry["rationale"],
                "applied_revision_id": entry["applied_revision_id"],
                "actor": _person(entry, key="actor_id"),
                "created_at": entry["created_at"],
            }
            for entry in rows.history.get(comment_id, ())
        ],
    }


def paper_out(paper, status) -> dict:
    """A paper with its status (app/services/stages.py `paper_statuses`, read for a whole
    list at once) as PaperOut answers it."""
    return {
        "id": paper.id,
        "title": paper.title,
        "description": paper.description,
        "language": paper.language,
        "status": status.value,
        "template": paper.template,
        "frameworks": [f"{f.code}@{f.version}" for f in paper.frameworks],
        "created_at": paper.created_at,
    }


SECTION_COLUMNS = (
    "id",
    "paper_id",
    "parent_id",
    "position",
    "number",
    "title_en",
    "title_fr",
    "brief",
    "brief_fr",
    "expected_items",
    "lead_author_id",
    "due_date",
    "state",
    "open_comments",
)


def section_out(row, sectors: dict) -> dict:
    """A section row (app/services/sections.py `section_rows`) as SectionRowOut answers it."""
    out = {name: row[name] for name in SECTION_COLUMNS}
    lead = row["lead_author_id"]
    out["lead_author"] = {"id": lead, "name": row["lead_author_name"]} if lead else None
    out["contributing_sectors"] = sectors.get(row["id"], [])
    return out


def _framework_ref(framework) -> dict:
    from app.services.reference import framework_label

    return {
        "code": framework.code,
        "version": framework.version,
        "label": framework_label(framework),
        "title_en": framework.title_en,
        "title_fr": framework.title_fr,
    }


def _item_ref(item) -> dict:
    from app.services.reference import framework_label

    return {
        "code": item.code,
        "kind": item.kind,
        "framework": framework_label(item.framework),
        "title_en": item.title_en,
        "title_fr": item.title_fr,
    }


def coverage_out(coverage) -> dict:
    """The coverage report (app/services/alignment.py `Coverage`) as AlignmentCoverageOut
    answers it: a section or a person listed a thousand times is shaped once."""
    people: dict[int, dict] = {}
    sections: dict[int, dict] = {}

    def person(who) -> dict:
        if who.id not in people:
            people[who.id] = {"id": who.id, "name": who.name, "sector": who.sector}
        return people[who.id]

    def section(where) -> dict | None:
        if where is None:
            return None
        if where.id not in sections:
            sections[where.id] = section_ref(where)
        return sections[where.id]

    return {
        "paper_id": coverage.matrix.paper.id,
        "frameworks": [_framework_ref(f) for f in coverage.matrix.frameworks],
        "unaddressed_items": [_item_ref(item) for item in coverage.unaddressed_items],
        "conflicts": [
            {
                "section": section(cell.section),
                "item": cell.item.code,
                "decision_id": cell.decision.id,
                "rationale": cell.decision.rationale,
                "decided_by": person(cell.decision.decided_by),
                "decided_at": cell.decision.created_at.isoformat(),
            }
            for cell in coverage.conflicts
        ],
        "sections_without_decisions": [
            section(where) for where in coverage.sections_without_decisions
        ],
        "expected_without_decision": [
            {"section": section(entry.section), "items": [i.code for i in entry.items]}
            for entry in coverage.expected_without_decision
        ],
    }


def matrix_out(matrix) -> dict:
    """The alignment matrix (app/services/alignment.py `Matrix`) as AlignmentMatrixOut
    answers it: 1,000 rows of 33 cells are dicts already."""

    def row_out(row) -> dict:
        section = row.section
        return {
            "section": section_ref(section),
            "level": section.number.count(".") + 1 if section else 0,
            "cells": row.cells,
        }

    return {
        "paper_id": matrix.paper.id,
        "frameworks": [_framework_ref(f) for f in matrix.frameworks],
        "items": [_item_ref(item) for item in matrix.items],
        "whole_paper": row_out(matrix.whole_paper),
        "rows": [row_out(row) for row in matrix.rows],
        "counts": matrix.counts,
        "item_counts": matrix.item_counts,
    }


def queue_comment_out(row) -> dict:
    """A comment to resolve (app/services/queue.py `comment_rows_to_resolve`) as
    QueueCommentOut answers it."""
    return {
        "id": row["id"],
        "section_id": row["section_id"],
        "round_id": row["round_id"],
        "sector": row["sector"],
        "author": _person(row, "author_name", "author_sector"),
        "type": row["type"],
        "body": row["body"],
        "passage": row["quote_exact"],
        "orphaned": row["orphaned"],
        "replies": row["replies"],
        "created_at": row["created_at"],
    }
