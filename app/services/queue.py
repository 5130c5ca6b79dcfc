"""My queue: what is waiting for me across every paper I take part in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import aliased, load_only, selectinload

from app.db import session, utcnow
from app.models import (
    Comment,
    CommentReply,
    CommentStatus,
    Paper,
    PaperMember,
    ReviewRound,
    Role,
    Section,
    SectionState,
    Sector,
    User,
    Version,
)
from app.services import rounds, signoff


@dataclass(frozen=True)
class LeadSection:
    section: Section
    paper: Paper
    overdue: bool


@dataclass(frozen=True)
class RoundToReview:
    round: ReviewRound
    paper: Paper
    version: Version
    my_sector_comments: int


@dataclass(frozen=True)
class Queue:
    sections: list[LeadSection]
    comments: list[Comment]
    rounds: list[RoundToReview]
    versions: list[Version]


def my_queue(user: User, *, today: date | None = None) -> Queue:
    today = today or utcnow().date()
    return Queue(
        sections=sections_i_lead(user, today),
        comments=comments_to_resolve(user),
        rounds=rounds_to_review(user),
        versions=signoff.versions_awaiting(user),
    )


def _i_lead(user_id) -> list:
    """Where a section I lead that is not approved: a coordinator may make themself a
    section's lead author, and they lead it as much as an author. (`user_id`: an id, or the
    parameter of a statement built once.)"""
    leads_in = select(PaperMember.paper_id).where(
        PaperMember.user_id == user_id, PaperMember.role.in_([Role.AUTHOR, Role.COORDINATOR])
    )
    return [
        Section.lead_author_id == user_id,
        Section.state != SectionState.APPROVED,
        Section.paper_id.in_(leads_in),
    ]


def _lead_order(overdue: bool, due_date: date | None, paper_id: int, position: int) -> tuple:
    """Overdue first, then by due date, undated last."""
    return (not overdue, due_date or date.max, paper_id, position)


def sections_i_lead(user: User, today: date) -> list[LeadSection]:
    """Sections I lead that are not approved: overdue first, then by due date, undated last."""
    rows = session.execute(
        select(Section, Paper)
        .join(Paper, Paper.id == Section.paper_id)
        .where(*_i_lead(user.id))
        # What a queue shows of a section: an author may lead hundreds, briefs and all.
        .options(
            load_only(
                Section.paper_id,
                Section.position,
                Section.number,
                Section.title_en,
                Section.title_fr,
                Section.lead_author_id,
                Section.due_date,
                Section.state,
            )
        )
    ).all()
    entries = [
        LeadSection(section, paper, section.due_date is not None and section.due_date < today)
        for section, paper in rows
    ]
    entries.sort(
        key=lambda entry: _lead_order(
            entry.overdue, entry.section.due_date, entry.paper.id, entry.section.position
        )
    )
    return entries


# The queue's long lists, built once with the user bound at execution: SQLAlchemy then
# neither rebuilds them nor computes their cache key on every request (on SQLite that took
# as long as running them).
_LEAD_ROWS = (
    select(
        Section.id,
        Section.paper_id,
        Paper.title.label("paper_title"),
        Paper.language,
        Section.position,
        Section.number,
        Section.title_en,
        Section.title_fr,
        Section.state,
        Section.due_date,
    )
    .join(Paper, Paper.id == Section.paper_id)
    .where(*_i_lead(bindparam("user_id")))
)


def section_rows_i_lead(user: User, today: date) -> list[dict]:
    """`sections_i_lead` as plain rows (id, paper_id, paper_title, number, title in the
    paper's language, state, due_date, overdue), in its order: one statement, no objects."""
    rows = session.connection().execute(_LEAD_ROWS, {"user_id": user.id}).all()
    entries = [
        {
            "id": row.id,
            "paper_id": row.paper_id,
            "paper_title": row.paper_title,
            "number": row.number,
            "title": (row.title_fr or row.title_en) if row.language == "fr" else row.title_en,
            "state": row.state,
            "due_date": row.due_date,
            "overdue": row.due_date is not None and row.due_date < today,
            "_order": (row.paper_id, row.position),
        }
        for row in rows
    ]
    entries.sort(key=lambda e: _lead_order(e["overdue"], e["due_date"], *e["_order"]))
    for entry in entries:
        del entry["_order"]
    return entries


def comments_to_resolve(user: User) -> list[Comment]:
    """Open comments on the sections I lead, and, on papers I coordinate, on sections that
    have no lead author (nobody else would answer them). Oldest first.
    """
    coordinated = select(PaperMember.paper_id).where(
        PaperMember.user_id == user.id, PaperMember.role == Role.COORDINATOR
    )
    authored = select(PaperMember.paper_id).where(
        PaperMember.user_id == user.id, PaperMember.role == Role.AUTHOR
    )
    query = (
        select(Comment)
        .join(Section, Section.id == Comment.section_id)
        .where(
            Comment.status == CommentStatus.OPEN,
            or_(
                (Section.lead_author_id == user.id) & Section.paper_id.in_(authored),
                Section.lead_author_id.is_(None) & Section.paper_id.in_(coordinated),
            ),
        )
        .options(selectinload(Comment.replies))
        .order_by(Comment.id)
    )
    return list(session.scalars(query))


def _comment_rows_statement():
    """The statement of `comment_rows_to_resolve`, the user bound at execution."""
    user_id = bindparam("user_id")
    coordinated = select(PaperMember.paper_id).where(
        PaperMember.user_id == user_id, PaperMember.role == Role.COORDINATOR
    )
    authored = select(PaperMember.paper_id).where(
        PaperMember.user_id == user_id, PaperMember.role == Role.AUTHOR
    )
    author, author_sector, sector = aliased(User), aliased(Sector), aliased(Sector)
    replies = (
        select(func.count())
        .where(CommentReply.comment_id == Comment.id)
        .correlate(Comment)
        .scalar_subquery()
    )
    return (
        select(
            Comment.id,
            Comment.section_id,
            Comment.round_id,
            Comment.author_id,
            Comment.type,
            Comment.body,
            Comment.quote_exact,
            Comment.orphaned,
            Comment.created_at,
            author.name.label("author_name"),
            author_sector.code.label("author_sector"),
            sector.code.label("sector"),
            replies.label("replies"),
        )
        .join(Section, Section.id == Comment.section_id)
        .join(author, author.id == Comment.author_id)
        .join(author_sector, author_sector.id == author.sector_id)
        .join(sector, sector.id == Comment.sector_id)
        .where(
            Comment.status == CommentStatus.OPEN,
            or_(
                (Section.lead_author_id == user_id) & Section.paper_id.in_(authored),
                Section.lead_author_id.is_(None) & Section.paper_id.in_(coordinated),
            ),
        )
        .order_by(Comment.id)
    )


_COMMENT_ROWS = _comment_rows_statement()


def comment_rows_to_resolve(user: User) -> list:
    """`comments_to_resolve` as plain rows (tuples, in the order selected), each with its
    author's name and sector, its sector's code and its count of replies: one statement,
    for a queue of thousands."""
    # Core, not the ORM's row loading: thousands of plain rows.
    return session.connection().execute(_COMMENT_ROWS, {"user_id": user.id}).all()


def rounds_to_review(user: User) -> list[RoundToReview]:
    """Open rounds that invite my sector, soonest deadline first, with what my sector sent."""
    awaiting = rounds.rounds_awaiting(user)
    counts = rounds.comment_counts([entry.id for entry in awaiting])
    return [
        RoundToReview(
            round=entry,
            paper=session.get(Paper, entry.paper_id),
            version=session.get(Version, entry.version_id),
            my_sector_comments=counts.get((entry.id, user.sector_id), 0),
        )
        for entry in awaiting
    ]
