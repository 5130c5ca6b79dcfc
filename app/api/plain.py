"""Long lists answered from plain rows, without Marshmallow.

Dumping 2,000 comments through their schema cost more than reading them. A list read as
rows (mappings) is shaped here into exactly what its schema documents and would answer:
tests/api/test_pagination.py compares the two.
"""

from __future__ import annotations

import orjson
from flask import current_app

from app.api.schemas.alignment import section_ref
from app.api.schemas.reviews import latest_revision_id

# What json.dumps(data, ensure_ascii=False, separators=(",", ":")) would write, dates and
# datetimes as marshmallow writes them (`isoformat()`), byte for byte, four times quicker.
# orjson's own RFC 3339 is isoformat() for every timestamp Plume holds (UTC, or naive), with
# or without microseconds; tests/api/test_pagination.py compares the answers with the schemas'.
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


def plain_json(data, status: int = 200, headers: dict | None = None):
    """`data` as the JSON response the API's schemas would have made of it."""
    body = orjson.dumps(data, option=_ORJSON_OPTIONS)
    return current_app.response_class(
        body, status=status, headers=headers, mimetype="application/json"
    )


def comments_out(rows) -> list[dict]:
    """Comment rows (app/services/reviews.py `comment_rows`, tuples) as CommentOut answers
    them. The section's latest revision, which says whether a comment is re-anchoring, is
    looked up once per section, not once per comment."""
    latest: dict[int, int | None] = {}
    replies, history = rows.replies, rows.history
    out = []
    for (
        comment_id,
        section_id,
        revision_id,
        round_id,
        author_id,
        author_name,
        author_sector,
        sector,
        type_,
        body,
        proposed_text,
        item_code,
        quote_exact,
        quote_prefix,
        quote_suffix,
        anchor_revision_id,
        anchor_start,
        anchor_end,
        orphaned,
        status,
        decision,
        rationale,
        resolved_at,
        created_at,
        edited_at,
    ) in rows.comments:
        quoted = quote_exact is not None
        reanchoring = False
        if quoted and not orphaned and status == "open":
            if section_id not in latest:
                latest[section_id] = latest_revision_id(section_id)
            reanchoring = anchor_revision_id != latest[section_id]
        out.append(
            {
                "id": comment_id,
                "section_id": section_id,
                "revision_id": revision_id,
                "round_id": round_id,
                "author": {"id": author_id, "name": author_name, "sector": author_sector},
                "sector": sector,
                "type": type_,
                "body": body,
                "proposed_text": proposed_text,
                "item_code": item_code,
                "quote": {"exact": quote_exact, "prefix": quote_prefix, "suffix": quote_suffix}
                if quoted
                else None,
                "anchor": {
                    "revision_id": anchor_revision_id,
                    "start": anchor_start,
                    "end": anchor_end,
                }
                if quoted and not orphaned
                else None,
                "orphaned": orphaned,
                "reanchoring": reanchoring,
                "status": status,
                "decision": decision,
                "rationale": rationale,
                "resolved_at": resolved_at,
                "created_at": created_at,
                "edited_at": edited_at,
                "replies": [
                    {
                        "id": reply_id,
                        "parent_id": parent_id,
                        "author": {"id": who, "name": name, "sector": code},
                        "body": reply_body,
                        "created_at": at,
                    }
                    for _, reply_id, parent_id, reply_body, at, who, name, code in replies.get(
                        comment_id, ()
                    )
                ],
                "history": [
                    {
                        "id": entry_id,
                        "action": action,
                        "decision": entry_decision,
                        "rationale": entry_rationale,
                        "applied_revision_id": applied,
                        "actor": {"id": who, "name": name, "sector": code},
                        "created_at": at,
                    }
                    for (
                        _,
                        entry_id,
                        action,
                        entry_decision,
                        entry_rationale,
                        applied,
                        at,
                        who,
                        name,
                        code,
                    ) in history.get(comment_id, ())
                ],
            }
        )
    return out


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


def sections_out(rows, sectors: dict) -> list[dict]:
    """Section rows (app/services/sections.py `section_rows`, tuples) as SectionRowOut
    answers them."""
    return [
        {
            "id": section_id,
            "paper_id": paper_id,
            "parent_id": parent_id,
            "position": position,
            "number": number,
            "title_en": title_en,
            "title_fr": title_fr,
            "brief": brief,
            "brief_fr": brief_fr,
            "expected_items": expected_items,
            "lead_author_id": lead,
            "due_date": due_date,
            "state": state,
            "open_comments": open_comments,
            "lead_author": {"id": lead, "name": lead_name} if lead else None,
            "contributing_sectors": sectors.get(section_id, []),
        }
        for (
            section_id,
            paper_id,
            parent_id,
            position,
            number,
            title_en,
            title_fr,
            brief,
            brief_fr,
            expected_items,
            lead,
            due_date,
            state,
            open_comments,
            lead_name,
        ) in rows
    ]


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
                "decided_at": cell.decision.created_at,
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


def queue_comments_out(rows) -> list[dict]:
    """Comments to resolve (app/services/queue.py `comment_rows_to_resolve`, tuples) as
    QueueCommentOut answers them."""
    return [
        {
            "id": comment_id,
            "section_id": section_id,
            "round_id": round_id,
            "sector": sector,
            "author": {"id": author_id, "name": author_name, "sector": author_sector},
            "type": type_,
            "body": body,
            "passage": quote_exact,
            "orphaned": orphaned,
            "replies": replies,
            "created_at": created_at,
        }
        for (
            comment_id,
            section_id,
            round_id,
            author_id,
            type_,
            body,
            quote_exact,
            orphaned,
            created_at,
            author_name,
            author_sector,
            sector,
            replies,
        ) in rows
    ]
