"""Position decisions: how the coordinator settled divergent sector views on one question.

Not to be confused with a signatory's position on a version (app/services/signoff.py).
A position decision is a record: it is never edited; a question settled again gets a new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import session
from app.models import ActivityAction, Paper, PositionDecision, Role, Section, User
from app.models.alignment import position_decision_comments
from app.services import access, activity
from app.services.alignment import link_comments, linked_comment_ids, paper_comment_ids
from app.services.errors import BadInput, Invalid
from app.services.users import get_sector


@dataclass(frozen=True)
class PositionDecisionEntry:
    """A position decision with the ids of the comments it settles."""

    record: PositionDecision
    comment_ids: list[int]

    def __getattr__(self, name):
        return getattr(self.record, name)


def record_position_decision(
    paper: Paper,
    actor: User,
    *,
    question: str,
    options: Iterable[str],
    decision: str,
    rationale: str,
    sectors: Iterable[str],
    comment_ids: Iterable[int] = (),
    section_id: int | None = None,
) -> PositionDecisionEntry:
    """Record the question, the options considered, the decision, why, the sectors consulted
    and the comments it settles; optionally about one section. The coordinator alone may."""
    access.permissions(actor, paper.id).require_role(
        Role.COORDINATOR, action="record position decisions"
    )
    texts = {
        "question": (question or "").strip(),
        "decision": (decision or "").strip(),
        "rationale": (rationale or "").strip(),
    }
    blank = [name for name, text in texts.items() if not text]
    if blank:
        raise BadInput("position_decision_missing", {"missing": blank}, missing=blank)
    options = list(dict.fromkeys(option.strip() for option in options if option.strip()))
    if not options:
        raise BadInput("position_options_required")
    codes = sorted({code.strip().upper() for code in sectors if code.strip()})
    if not codes:
        raise BadInput("position_sectors_required")
    consulted = [get_sector(code) for code in codes]
    if section_id is not None:
        _check_section(paper, section_id)
    comment_ids = paper_comment_ids(paper.id, comment_ids)

    record = PositionDecision(
        paper_id=paper.id,
        section_id=section_id,
        options=options,
        decided_by_id=actor.id,
        sectors=consulted,
        **texts,
    )
    session.add(record)
    session.flush()
    link_comments(position_decision_comments, record.id, comment_ids)
    activity.record(
        actor,
        ActivityAction.POSITION_DECISION_RECORDED,
        record,
        paper_id=paper.id,
        after={
            "question": texts["question"],
            "decision": texts["decision"],
            "section_id": section_id,
            "sectors": codes,
            "comment_ids": comment_ids,
        },
    )
    return PositionDecisionEntry(record, comment_ids)


def _check_section(paper: Paper, section_id: int) -> None:
    found = session.scalar(
        select(Section.id).where(Section.id == section_id, Section.paper_id == paper.id)
    )
    if found is None:
        raise Invalid("section_not_of_paper", section=section_id)


def list_position_decisions(
    paper: Paper, section: Section | None = None
) -> list[PositionDecisionEntry]:
    """The paper's position decisions (or one section's), oldest first."""
    query = select(PositionDecision).where(PositionDecision.paper_id == paper.id)
    if section is not None:
        query = query.where(PositionDecision.section_id == section.id)
    records = list(
        session.scalars(
            query.options(selectinload(PositionDecision.sectors)).order_by(PositionDecision.id)
        )
    )
    links = linked_comment_ids(position_decision_comments, [r.id for r in records])
    return [PositionDecisionEntry(r, links.get(r.id, [])) for r in records]
