"""Sections: assignment, due dates, contributing sectors and the state machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, case, func, select, tuple_
from sqlalchemy.orm import joinedload, subqueryload

from app.db import session
from app.models import (
    ActivityAction,
    Comment,
    CommentStatus,
    Event,
    Paper,
    Role,
    Section,
    SectionState,
    Sector,
    User,
)
from app.models.sections import section_sectors
from app.services import access, activity, notifications, visits
from app.services.access import get_paper
from app.services.errors import BadInput, InvalidTransition, NotFound
from app.services.users import get_sector

S = SectionState
# The only moves a section's state can make, and who may make each one. The coordinator
# may make any allowed move; the lead author only the ones that hand work on.
TRANSITIONS: dict[SectionState, set[SectionState]] = {
    S.NOT_STARTED: {S.DRAFTING},
    S.DRAFTING: {S.IN_REVIEW},
    S.IN_REVIEW: {S.CHANGES_REQUESTED, S.APPROVED},
    S.CHANGES_REQUESTED: {S.DRAFTING, S.IN_REVIEW},
    S.APPROVED: {S.DRAFTING},
}
LEAD_AUTHOR_MOVES: set[tuple[SectionState, SectionState]] = {
    (S.NOT_STARTED, S.DRAFTING),
    (S.DRAFTING, S.IN_REVIEW),
    (S.CHANGES_REQUESTED, S.DRAFTING),
    (S.CHANGES_REQUESTED, S.IN_REVIEW),
}


def get_section(section_id: int, user: User) -> Section:
    """The section, if the user may read its paper."""
    section = session.get(Section, section_id)
    if section is None:
        raise NotFound("section", id=section_id)
    get_paper(section.paper_id, user)
    return section


def get_section_and_paper(section_id: int, user: User) -> tuple[Section, Paper]:
    """The section (with its contributing sectors) and its paper, if the user may read it,
    in one statement: a page that shows them all reads each once."""
    row = (
        session.execute(
            select(Section, Paper)
            .join(Paper, Paper.id == Section.paper_id)
            .where(Section.id == section_id)
            .options(joinedload(Section.contributing_sectors))
        )
        .unique()
        .first()
    )
    if row is None:
        raise NotFound("section", id=section_id)
    section, paper = row
    if user is not None:
        access.permissions(user, paper.id).require_read()
    return section, paper


@dataclass(frozen=True)
class SectionRow:
    """A section as the overview lists it: the section's own fields plus its open comments."""

    section: Section
    open_comments: int

    def __getattr__(self, name):
        return getattr(self.section, name)


def list_sections(
    paper_id: int,
    user: User,
    *,
    after: tuple[int, int] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[SectionRow]:
    """The paper's sections in document order (position, then id), each with its count of
    open comments; `after` (a section's (position, id)), `limit` and `offset` take a page."""
    get_paper(paper_id, user)
    query = select(Section).where(Section.paper_id == paper_id)
    if after is not None:
        query = query.where(tuple_(Section.position, Section.id) > tuple_(*after))
    query = query.order_by(Section.position, Section.id).offset(offset or None).limit(limit)
    # Joined, not selectinload: that sends its ids in chunks of 500 (a statement per chunk).
    sections = session.scalars(
        query.options(joinedload(Section.lead_author), subqueryload(Section.contributing_sectors))
    ).all()
    counted = select(Comment.section_id, func.count()).where(Comment.status == CommentStatus.OPEN)
    if limit is None:
        counted = counted.join(Section, Section.id == Comment.section_id).where(
            Section.paper_id == paper_id
        )
    else:  # a page of 50 need not count the paper's 20,000 comments
        counted = counted.where(Comment.section_id.in_([section.id for section in sections]))
    counts = dict(session.execute(counted.group_by(Comment.section_id)).all())
    return [SectionRow(section, counts.get(section.id, 0)) for section in sections]


@dataclass(frozen=True)
class OverviewPage:
    """A page of the paper's sections as the overview shows them, and the whole paper's
    counts of sections by state (the progress bar's)."""

    rows: list
    counts: dict[str, int]
    page: int
    pages: int


def overview_page(paper_id: int, user: User, *, page: int, size: int) -> OverviewPage:
    """Page `page` (from 1; past the end, the last one) of the paper's sections in document
    order, `size` to a page, with the paper's {state: sections in it}, in one statement
    whatever the paper's size (three when asked past the end).

    Each row holds id, paper_id, number, title_en, title_fr, state, lead_author_id,
    due_date, lead_name, lead_sector, open_comments, and what is new there to the reader
    (the columns of `visits.news_subquery`, in brief). It answers what `allowed_moves` and
    the assignment form ask of a section without loading it, its lead author and its
    sectors as objects."""
    get_paper(paper_id, user)
    page = max(1, page)
    rows = _overview_rows(paper_id, user, (page - 1) * size, size)
    if rows:
        counts = {state.value: rows[0]._mapping[f"in_{state.value}"] for state in SectionState}
        counts = {state: count for state, count in counts.items() if count}
    else:  # an empty paper, or a page past the end
        counts = state_counts(paper_id)
    pages = max(1, -(-sum(counts.values()) // size))
    if page > pages:
        page = pages
        rows = _overview_rows(paper_id, user, (page - 1) * size, size)
    return OverviewPage(rows, counts, page, pages)


def _overview_rows(paper_id: int, user: User, offset: int, limit: int) -> list:
    return (
        session.connection()
        .execute(
            _overview_query(),
            {"paper_id": paper_id, "offset": offset, "limit": limit, "reader": user.id},
        )
        .all()
    )


NEWS_COLUMNS = (
    "section_id",
    "visitor",
    "seen_at",
    "revision_id",
    "new_revisions",
    "new_comments",
    "new_replies",
)


@cache
def _overview_query():
    """`overview_rows`' statement, built once (building it cost more than running it)."""
    # The page first (a CTE: the news below reads it too), then its columns: the open
    # comments are counted for its rows only, not for the rows an offset skips.
    page = (
        select(
            Section.id,
            Section.position,
            # The whole paper's sections in each state, counted before the page is taken.
            *(
                func.sum(case((Section.state == state.value, 1), else_=0))
                .over()
                .label(f"in_{state.value}")
                for state in SectionState
            ),
        )
        .where(Section.paper_id == bindparam("paper_id"))
        .order_by(Section.position, Section.id)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .cte("page")
    )
    open_comments = (
        select(func.count())
        .where(Comment.section_id == Section.id, Comment.status == CommentStatus.OPEN)
        .correlate(Section)
        .scalar_subquery()
    )
    news = visits.news_subquery(
        bindparam("reader"),
        Section.id.in_(select(page.c.id)),
        brief=True,
        among=select(page.c.id),
    )
    return (
        select(
            Section.id,
            Section.paper_id,
            Section.number,
            Section.title_en,
            Section.title_fr,
            Section.state,
            Section.lead_author_id,
            Section.due_date,
            User.name.label("lead_name"),
            Sector.code.label("lead_sector"),
            open_comments.label("open_comments"),
            *(news.c[name] for name in NEWS_COLUMNS),
            *(page.c[f"in_{state.value}"] for state in SectionState),
        )
        .join(page, page.c.id == Section.id)
        .join(news, news.c.section_id == Section.id)
        .outerjoin(User, User.id == Section.lead_author_id)
        .outerjoin(Sector, Sector.id == User.sector_id)
        .order_by(page.c.position, page.c.id)
    )


@dataclass(frozen=True)
class SectionRows:
    """A page of the paper's sections as plain rows (the section's columns, its lead
    author's name and its open comments), with the codes of each one's contributing
    sectors by section id."""

    sections: list
    sectors: dict[int, list[str]]


@cache
def _section_rows_statements(after: bool, limited: bool):
    """The statements of `section_rows` (with `after`, the page after :after_position,
    :after_id; with `limited`, :limit rows), built once with their values bound at execution:
    SQLAlchemy then neither rebuilds them nor computes their cache key on every request."""
    open_comments = (
        select(func.count())
        .where(Comment.section_id == Section.id, Comment.status == CommentStatus.OPEN)
        .correlate(Section)
        .scalar_subquery()
    )
    # Plain tuples, through Core (no ORM row loading), in the order app/api/plain.py
    # `sections_out` unpacks them.
    rows = (
        select(
            Section.id,
            Section.paper_id,
            Section.parent_id,
            Section.position,
            Section.number,
            Section.title_en,
            Section.title_fr,
            Section.brief,
            Section.brief_fr,
            Section.expected_items,
            Section.lead_author_id,
            Section.due_date,
            Section.state,
            open_comments.label("open_comments"),
            User.name.label("lead_author_name"),
        )
        .outerjoin(User, User.id == Section.lead_author_id)
        .where(Section.paper_id == bindparam("paper_id"))
    )
    if after:
        rows = rows.where(
            tuple_(Section.position, Section.id)
            > tuple_(bindparam("after_position"), bindparam("after_id"))
        )
    rows = rows.order_by(Section.position, Section.id)
    if limited:
        rows = rows.limit(bindparam("limit"))
    sectors = (
        select(section_sectors.c.section_id, Sector.code)
        .join(Sector, Sector.id == section_sectors.c.sector_id)
        .join(Section, Section.id == section_sectors.c.section_id)
        .where(
            Section.paper_id == bindparam("paper_id"),
            tuple_(Section.position, Section.id)
            <= tuple_(bindparam("last_position"), bindparam("last_id")),
        )
        .order_by(Sector.code)
    )
    return rows, sectors


def section_rows(
    paper_id: int,
    user: User,
    *,
    after: tuple[int, int] | None = None,
    limit: int | None = None,
) -> SectionRows:
    """`list_sections` as plain rows, in three statements whatever the paper's size."""
    # Reading them asks nothing more than whether the user may read the paper.
    access.get_paper_to_read(paper_id, user)
    rows_statement, sectors_statement = _section_rows_statements(
        after is not None, limit is not None
    )
    params = {"paper_id": paper_id, "limit": limit}
    if after is not None:
        params["after_position"], params["after_id"] = after
    connection = session.connection()
    rows = connection.execute(rows_statement, params).all()
    sectors: dict[int, list[str]] = {}
    if rows:
        params = {
            "paper_id": paper_id,
            "last_position": rows[-1].position,
            "last_id": rows[-1].id,
        }
        for section_id, code in connection.execute(sectors_statement, params):
            sectors.setdefault(section_id, []).append(code)
    return SectionRows(rows, sectors)


def section_count(paper_id: int) -> int:
    return session.scalar(select(func.count()).where(Section.paper_id == paper_id))


def state_counts(paper_id: int) -> dict[str, int]:
    """{state: how many of the paper's sections are in it}, in one statement."""
    return {
        str(state): count
        for state, count in session.execute(
            select(Section.state, func.count())
            .where(Section.paper_id == paper_id)
            .group_by(Section.state)
        )
    }


def change_state(section: Section, to: str, actor: User) -> None:
    """Move the section along an allowed transition, or refuse naming the allowed ones."""
    try:
        target = SectionState(to)
    except ValueError:
        raise BadInput(
            "unknown_state",
            {"states": [state.value for state in SectionState]},
            state=to,
            states=[state.value for state in SectionState],
        ) from None
    current = SectionState(section.state)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        raise InvalidTransition(
            "section_move",
            {"from": current, "to": target, "allowed": sorted(allowed)},
            from_state=current,
            to_state=target,
            allowed_states=sorted(allowed),
        )
    perms = access.permissions(actor, section.paper_id)
    perms.require(
        perms.may_move(section, current, target),
        "section_move_forbidden",
        from_state=current,
        to_state=target,
    )
    section.state = target


def allowed_moves(section: Section, actor: User) -> list[SectionState]:
    """The states this user may move the section to now, in workflow order."""
    return _allowed_moves(section, access.permissions(actor, section.paper_id))


def allowed_moves_by_section(sections, actor: User, paper_id: int) -> dict:
    """{section id: `allowed_moves`} for these sections of one paper (a page of the
    overview), the reader's permissions asked once."""
    perms = access.permissions(actor, paper_id)
    return {section.id: _allowed_moves(section, perms) for section in sections}


def _allowed_moves(section, perms: access.PaperPermissions) -> list[SectionState]:
    if not perms.may_edit_sections:  # only coordinators and authors move sections
        return []
    current = SectionState(section.state)
    return [
        target
        for target in SectionState
        if target in TRANSITIONS[current] and perms.may_move(section, current, target)
    ]


def update_section(section: Section, actor: User, **changes) -> Section:
    """Apply a coordinator's or lead author's changes: lead author, due date, sectors, state."""
    perms = access.permissions(actor, section.paper_id)
    perms.require_role(Role.COORDINATOR, Role.AUTHOR, action="change sections")
    before = _snapshot(section)
    assignment = {"lead_author_id", "due_date", "contributing_sectors"} & changes.keys()
    perms.require(not assignment or perms.may_assign, "assign_sections")
    if "lead_author_id" in changes:
        previous_lead = section.lead_author_id
        section.lead_author_id = _check_lead_author(section, changes["lead_author_id"])
        if section.lead_author_id and section.lead_author_id != previous_lead:
            notifications.notify(
                Event.SECTION_ASSIGNED,
                actor,
                notifications.recipients([section.lead_author_id]),
                paper_id=section.paper_id,
                link=f"/sections/{section.id}",
                params=notifications.section_params(section),
            )
    if "due_date" in changes:
        due = changes["due_date"]
        if due is not None and not isinstance(due, date):
            raise BadInput("due_date_format", field="due_date")
        section.due_date = due
    if "contributing_sectors" in changes:
        codes = sorted({code.upper() for code in changes["contributing_sectors"]})
        section.contributing_sectors = [get_sector(code) for code in codes]
    if changes.get("state") is not None:
        change_state(section, changes["state"], actor)
    session.flush()
    after = _snapshot(section)
    if after != before:
        activity.record(
            actor,
            ActivityAction.SECTION_UPDATED,
            section,
            paper_id=section.paper_id,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return section


def _check_lead_author(section: Section, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not access.permissions(user, section.paper_id).has(
        Role.AUTHOR, Role.COORDINATOR
    ):
        raise BadInput("lead_not_author", user_id=user_id)
    return user_id


def _snapshot(section: Section) -> dict:
    return {
        "lead_author_id": section.lead_author_id,
        "due_date": section.due_date.isoformat() if section.due_date else None,
        "contributing_sectors": [sector.code for sector in section.contributing_sectors],
        "state": str(section.state),
    }
