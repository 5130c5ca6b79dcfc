"""Where a paper stands: its status, read off the work, and what stands in a signature's way.

The status is never stored. It follows from the versions, the rounds and the comments:

    drafting → in_review (a round is open) → consolidating (rounds closed, their comments
    still open) → in_signature (the latest version is frozen for signature) → signed_off
    (that version is signed off).

Freezing a newer version after a sign-off returns the paper to drafting; the signed version
stays signed and exportable. A round's deadline passing moves the paper on by itself, which
is why nothing here is written down but the changes the services make themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from app.db import session
from app.models import (
    ActivityAction,
    Comment,
    CommentStatus,
    Paper,
    PaperStatus,
    ReviewRound,
    Section,
    SectionState,
    User,
    Version,
    VersionPurpose,
)
from app.services import activity, notifications
from app.services.errors import Conflict
from app.services.notifications import unread_count_query


def latest_version(paper_id: int) -> Version | None:
    return session.scalar(
        select(Version).where(Version.paper_id == paper_id).order_by(Version.id.desc()).limit(1)
    )


def paper_status(paper: Paper) -> PaperStatus:
    """The paper's status as the work says it is now (see the module's docstring)."""
    return paper_statuses([paper.id])[paper.id]


def paper_statuses(paper_ids: list[int]) -> dict[int, PaperStatus]:
    """{paper id: its status} for these papers, in two statements however many."""
    from app.services.rounds import is_open

    found: dict[int, PaperStatus] = {}
    if not paper_ids:
        return found
    newest = (
        select(func.max(Version.id))
        .where(Version.paper_id.in_(paper_ids))
        .group_by(Version.paper_id)
    )
    # Columns, not objects: a version or a round loaded whole brings its joined people and
    # sectors along, on every paper page (the banner asks).
    for paper_id, purpose, signed_off_at in session.execute(
        select(Version.paper_id, Version.purpose, Version.signed_off_at).where(
            Version.id.in_(newest)
        )
    ):
        if purpose == VersionPurpose.SIGNATURE:
            signed = signed_off_at is not None
            found[paper_id] = PaperStatus.SIGNED_OFF if signed else PaperStatus.IN_SIGNATURE
    open_comments = (
        select(Comment.id)
        .where(Comment.round_id == ReviewRound.id, Comment.status == CommentStatus.OPEN)
        .exists()
    )
    consolidating = set()
    for review_round in session.execute(
        select(
            ReviewRound.paper_id,
            ReviewRound.closed_at,
            ReviewRound.deadline,
            open_comments.label("has_open_comments"),
        ).where(ReviewRound.paper_id.in_(paper_ids))
    ):
        if is_open(review_round):  # the row has the round's closed_at and deadline
            found.setdefault(review_round.paper_id, PaperStatus.IN_REVIEW)
        elif review_round.has_open_comments:
            consolidating.add(review_round.paper_id)
    for paper_id in consolidating:
        found.setdefault(paper_id, PaperStatus.CONSOLIDATING)
    return {paper_id: found.get(paper_id, PaperStatus.DRAFTING) for paper_id in paper_ids}


def _status_and_unread_statement():
    """The statement of `paper_status_and_unread`, paper and user bound at execution."""
    paper_id = bindparam("paper_id")
    newest = select(func.max(Version.id)).where(Version.paper_id == paper_id).scalar_subquery()
    open_comments = (
        select(Comment.id)
        .where(Comment.round_id == ReviewRound.id, Comment.status == CommentStatus.OPEN)
        .exists()
    )
    return (
        select(
            Version.purpose,
            Version.signed_off_at,
            ReviewRound.id.label("round_id"),
            ReviewRound.closed_at,
            ReviewRound.deadline,
            open_comments.label("has_open_comments"),
            unread_count_query(bindparam("user_id")).scalar_subquery().label("unread"),
        )
        .select_from(Paper)
        .outerjoin(Version, Version.id == newest)
        .outerjoin(ReviewRound, ReviewRound.paper_id == Paper.id)
        .where(Paper.id == paper_id)
    )


# Built once: every page of a paper asks it, and building it cost more than running it.
_STATUS_AND_UNREAD = _status_and_unread_statement()


def paper_status_and_unread(paper_id: int, user: User) -> tuple[PaperStatus, int]:
    """The paper's status (`paper_status`) and the user's count of unread notifications, in
    one statement: every page of a paper shows both, in its banner and its bell."""
    from app.services.rounds import is_open

    rows = session.execute(_STATUS_AND_UNREAD, {"paper_id": paper_id, "user_id": user.id}).all()
    if not rows:
        return PaperStatus.DRAFTING, notifications.unread_count(user)
    first = rows[0]
    rounds = [row for row in rows if row.round_id is not None]
    if first.purpose == VersionPurpose.SIGNATURE:  # as in `paper_statuses`
        signed = first.signed_off_at is not None
        status = PaperStatus.SIGNED_OFF if signed else PaperStatus.IN_SIGNATURE
    elif any(is_open(row) for row in rounds):  # the row has the round's closed_at and deadline
        status = PaperStatus.IN_REVIEW
    elif any(row.has_open_comments for row in rounds):
        status = PaperStatus.CONSOLIDATING
    else:
        status = PaperStatus.DRAFTING
    return status, first.unread


@contextmanager
def tracking(paper: Paper, actor: User | None) -> Iterator[None]:
    """Record a `paper.status_changed` entry when the work done inside changes the status."""
    before = paper_status(paper)
    yield
    session.flush()
    after = paper_status(paper)
    if after != before:
        activity.record(
            actor,
            ActivityAction.PAPER_STATUS_CHANGED,
            paper,
            paper_id=paper.id,
            before={"status": before},
            after={"status": after},
        )


# --- what stands in the way of a signature ----------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """One thing that would make a signature meaningless. `reason` names its sentence in
    app/errors.py MESSAGES; `params` fill it; `round_id` / `section_id` say where to go."""

    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    round_id: int | None = None
    section_id: int | None = None
    paper_id: int | None = None

    @property
    def error(self) -> Conflict:
        """The blocker as a refusal of its own, to be put into words at the edge."""
        return Conflict(self.reason, **self.params)

    def as_details(self) -> dict[str, Any]:
        where = {
            name: value
            for name, value in (
                ("round_id", self.round_id),
                ("section_id", self.section_id),
                ("paper_id", self.paper_id),
            )
            if value is not None
        }
        return {"code": self.reason, **where, **self.params}


class SignatureBlocked(Conflict):
    """Freezing for signature was refused: every blocker is listed in `blockers`."""

    def __init__(self, blockers: list[Blocker]):
        self.blockers = blockers
        super().__init__(
            "signature_blocked",
            details={"blockers": [blocker.as_details() for blocker in blockers]},
            count=len(blockers),
        )


def signature_blockers(paper: Paper) -> list[Blocker]:
    """Everything that stands in the way of freezing the paper for signature, in this order:
    open review rounds, sections not approved, open comments (per section), and alignment
    items the template expects of a section with no decision.
    """
    from app.services.alignment import coverage_report
    from app.services.rounds import is_open

    found: list[Blocker] = []
    for review_round in session.scalars(
        select(ReviewRound).where(ReviewRound.paper_id == paper.id).order_by(ReviewRound.id)
    ):
        if is_open(review_round):
            version = session.get(Version, review_round.version_id)
            found.append(
                Blocker(
                    "blocker_open_round",
                    {
                        "round": review_round.id,
                        "version": version.label,
                        "deadline": f"{review_round.deadline:%Y-%m-%d %H:%M} UTC",
                    },
                    round_id=review_round.id,
                )
            )
    sections = list(
        session.scalars(
            select(Section).where(Section.paper_id == paper.id).order_by(Section.position)
        )
    )
    for section in sections:
        if section.state != SectionState.APPROVED:
            found.append(
                Blocker(
                    "blocker_section_not_approved",
                    {
                        "number": section.number,
                        "title": section.title(paper.language),
                        "state": section.state,
                    },
                    section_id=section.id,
                )
            )
    open_counts = dict(
        session.execute(
            select(Comment.section_id, func.count())
            .join(Section, Section.id == Comment.section_id)
            .where(Section.paper_id == paper.id, Comment.status == CommentStatus.OPEN)
            .group_by(Comment.section_id)
        ).all()
    )
    for section in sections:
        if open_counts.get(section.id):
            found.append(
                Blocker(
                    "blocker_open_comments",
                    {
                        "number": section.number,
                        "title": section.title(paper.language),
                        "count": open_counts[section.id],
                    },
                    section_id=section.id,
                )
            )
    if paper.frameworks:
        for missing in coverage_report(paper).expected_without_decision:
            found.append(
                Blocker(
                    "blocker_expected_alignment",
                    {
                        "number": missing.section.number,
                        "title": missing.section.title(paper.language),
                        "items": [item.code for item in missing.items],
                    },
                    section_id=missing.section.id,
                    paper_id=paper.id,
                )
            )
    return found
