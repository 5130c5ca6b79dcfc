"""Alignment: how each section, and the whole paper, stands against the items of the
frameworks the paper is checked against; the traceability matrix and the coverage report.

Decisions are append-only. The newest decision on a cell (paper, section or the whole
paper, item) is the current one; the older ones stay as its history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import NamedTuple

from sqlalchemy import Table, and_, bindparam, case, func, insert, select, type_coerce
from sqlalchemy.orm import contains_eager
from sqlalchemy.types import NullType

from app.db import session
from app.models import (
    ActivityAction,
    AlignmentDecision,
    AlignmentStatus,
    Comment,
    Framework,
    FrameworkItem,
    Paper,
    Role,
    Section,
    Sector,
    User,
)
from app.models.alignment import alignment_decision_comments
from app.models.papers import paper_frameworks
from app.services import access, activity, revisions
from app.services.errors import BadInput, Invalid
from app.services.reference import find_framework, framework_label

STATUSES = [status.value for status in AlignmentStatus]
# An item counts as addressed where some cell says it is aligned or partly aligned.
ADDRESSING = {AlignmentStatus.ALIGNED, AlignmentStatus.PARTIAL}


# --- recording decisions ---------------------------------------------------------------


@dataclass(frozen=True)
class DecisionEntry:
    """A decision as its history lists it: superseded_by is the next decision on its cell."""

    decision: AlignmentDecision
    comment_ids: list[int]
    superseded_by: int | None = None

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    @property
    def quote(self) -> dict[str, str] | None:
        """The supporting passage as a TextQuoteSelector, or None."""
        if self.decision.quote_exact is None:
            return None
        return {
            "exact": self.decision.quote_exact,
            "prefix": self.decision.quote_prefix,
            "suffix": self.decision.quote_suffix,
        }

    def __getattr__(self, name):
        return getattr(self.decision, name)


def may_decide(section: Section, user: User) -> bool:
    """The coordinator and the section's lead author record decisions on a section."""
    return access.permissions(user, section.paper_id).may_decide_alignment(section)


def record_section_decision(
    section: Section,
    actor: User,
    *,
    item_code: str,
    status: str,
    rationale: str,
    quote: Mapping[str, str] | None = None,
    comment_ids: Iterable[int] = (),
) -> DecisionEntry:
    """Record how the section stands against one item; supersedes the cell's previous decision.

    A quote must be found in the section's latest revision, the one the decision is taken on.
    """
    perms = access.permissions(actor, section.paper_id)
    perms.require(
        perms.may_decide_alignment(section),
        "decide_alignment",
        {"required_roles": [Role.COORDINATOR, "lead author"], "your_roles": sorted(perms.roles)},
    )
    paper = session.get(Paper, section.paper_id)
    revision = revisions.latest(section.id)
    quoted = _check_quote(quote, revision.body if revision else None)
    return _record(
        paper,
        section,
        actor,
        item_code=item_code,
        status=status,
        rationale=rationale,
        revision_id=revision.id if revision else None,
        quote=quoted,
        comment_ids=comment_ids,
    )


def record_paper_decision(
    paper: Paper,
    actor: User,
    *,
    item_code: str,
    status: str,
    rationale: str,
    comment_ids: Iterable[int] = (),
) -> DecisionEntry:
    """Record how the whole paper stands against one item. The coordinator alone may."""
    access.permissions(actor, paper.id).require_role(
        Role.COORDINATOR, action="record whole-paper decisions"
    )
    return _record(
        paper,
        None,
        actor,
        item_code=item_code,
        status=status,
        rationale=rationale,
        revision_id=None,
        quote=None,
        comment_ids=comment_ids,
    )


def _record(
    paper: Paper,
    section: Section | None,
    actor: User,
    *,
    item_code: str,
    status: str,
    rationale: str,
    revision_id: int | None,
    quote: tuple[str, str, str] | None,
    comment_ids: Iterable[int],
) -> DecisionEntry:
    """Check and append one decision on a cell (section None: the whole paper), and log it."""
    if status not in STATUSES:
        raise BadInput("unknown_alignment_status", status=status, statuses=list(STATUSES))
    rationale = (rationale or "").strip()
    if not rationale:
        raise BadInput("alignment_rationale_required", {"field": "rationale"})
    item = paper_item(paper, item_code)
    comment_ids = paper_comment_ids(paper.id, comment_ids)
    section_id = section.id if section else None
    previous = current_decision(paper.id, section_id, item.id)

    exact, prefix, suffix = quote or (None, "", "")
    decision = AlignmentDecision(
        paper_id=paper.id,
        section_id=section_id,
        item_id=item.id,
        status=status,
        rationale=rationale,
        revision_id=revision_id,
        quote_exact=exact,
        quote_prefix=prefix,
        quote_suffix=suffix,
        decided_by_id=actor.id,
    )
    session.add(decision)
    session.flush()
    link_comments(alignment_decision_comments, decision.id, comment_ids)
    activity.record(
        actor,
        ActivityAction.ALIGNMENT_DECIDED,
        decision,
        paper_id=paper.id,
        before={"decision_id": previous.id, "status": previous.status} if previous else None,
        after={
            "decision_id": decision.id,
            "section_id": section_id,
            "item": item.code,
            "status": status,
            "comment_ids": comment_ids,
        },
    )
    return DecisionEntry(decision, comment_ids)


def paper_item(paper: Paper, item_code: str) -> FrameworkItem:
    """The item of that code in one of the frameworks the paper is checked against."""
    item = session.scalar(
        select(FrameworkItem)
        .join(paper_frameworks, paper_frameworks.c.framework_id == FrameworkItem.framework_id)
        .where(paper_frameworks.c.paper_id == paper.id, FrameworkItem.code == item_code)
    )
    if item is None:
        names = [framework_label(f) for f in paper.frameworks]
        raise Invalid(
            "item_not_in_frameworks" if names else "item_no_frameworks",
            {"item_code": item_code, "frameworks": names},
            item_code=item_code,
            frameworks=names,
        )
    return item


def paper_comment_ids(paper_id: int, comment_ids: Iterable[int]) -> list[int]:
    """The given comment ids, sorted and once each, if every one is a comment on the paper."""
    wanted = sorted(set(comment_ids))
    if not wanted:
        return []
    found = set(
        session.scalars(
            select(Comment.id)
            .join(Section, Section.id == Comment.section_id)
            .where(Comment.id.in_(wanted), Section.paper_id == paper_id)
        )
    )
    missing = [cid for cid in wanted if cid not in found]
    if missing:
        raise Invalid("comments_not_on_paper", {"comment_ids": missing}, comments=missing)
    return wanted


def _check_quote(quote: Mapping[str, str] | None, text: str | None) -> tuple[str, str, str] | None:
    """(exact, prefix, suffix) of a quote found in the text, or None without a quote."""
    if quote is None:
        return None
    exact = quote.get("exact") or ""
    prefix, suffix = quote.get("prefix") or "", quote.get("suffix") or ""
    if not exact.strip():
        raise BadInput("quote_exact_required")
    if text is None:
        raise Invalid("quote_no_text")
    # Verbatim, as for a new comment: a decision quotes the text as it is now.
    if exact not in text:
        raise Invalid("quote_not_in_current_text", {"exact": exact})
    return exact, prefix, suffix


def _on_section(section_id: int | None):
    """The SQL condition for decisions on a section, or with None on the whole paper."""
    if section_id is None:
        return AlignmentDecision.section_id.is_(None)
    return AlignmentDecision.section_id == section_id


def current_decision(
    paper_id: int, section_id: int | None, item_id: int
) -> AlignmentDecision | None:
    """The newest decision on one cell, or None."""
    return session.scalar(
        select(AlignmentDecision)
        .where(
            AlignmentDecision.paper_id == paper_id,
            _on_section(section_id),
            AlignmentDecision.item_id == item_id,
        )
        .order_by(AlignmentDecision.id.desc())
        .limit(1)
    )


def decision_history(
    paper: Paper, section: Section | None = None, *, item_code: str | None = None
) -> list[DecisionEntry]:
    """Every decision on the section (None: on the whole paper), oldest first, superseded
    ones included, each knowing whether it is current and what superseded it."""
    query = select(AlignmentDecision).where(
        AlignmentDecision.paper_id == paper.id, _on_section(section.id if section else None)
    )
    if item_code is not None:
        query = query.join(FrameworkItem).where(FrameworkItem.code == item_code)
    decisions = list(session.scalars(query.order_by(AlignmentDecision.id)))
    links = linked_comment_ids(alignment_decision_comments, [d.id for d in decisions])
    next_on_cell: dict[int, int] = {}
    last_on_item: dict[int, AlignmentDecision] = {}
    for decision in decisions:
        if decision.item_id in last_on_item:
            next_on_cell[last_on_item[decision.item_id].id] = decision.id
        last_on_item[decision.item_id] = decision
    return [DecisionEntry(d, links.get(d.id, []), next_on_cell.get(d.id)) for d in decisions]


def link_comments(table: Table, decision_id: int, comment_ids: list[int]) -> None:
    """Record the comments a decision answers (alignment or position decision link table)."""
    if comment_ids:
        session.execute(
            insert(table), [{"decision_id": decision_id, "comment_id": c} for c in comment_ids]
        )


def linked_comment_ids(table: Table, decision_ids: list[int]) -> dict[int, list[int]]:
    """{decision id: the ids of the comments it answers} from a link table, in one query."""
    if not decision_ids:
        return {}
    rows = session.execute(
        select(table.c.decision_id, table.c.comment_id)
        .where(table.c.decision_id.in_(decision_ids))
        .order_by(table.c.comment_id)
    )
    links: dict[int, list[int]] = {}
    for decision_id, comment_id in rows:
        links.setdefault(decision_id, []).append(comment_id)
    return links


# --- the frameworks a paper is checked against -------------------------------------------


def choose_frameworks(paper: Paper, actor: User, names: list[str]) -> Paper:
    """Set the frameworks the paper is checked against ("CODE" or "CODE@VERSION" each).

    Decisions on the items of a framework left out stay in the history; the matrix shows
    only the chosen frameworks.
    """
    access.permissions(actor, paper.id).require_role(
        Role.COORDINATOR, action="choose the paper's frameworks"
    )
    chosen = [find_framework(name) for name in names]
    codes = [framework.code for framework in chosen]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        raise BadInput("framework_twice", {"frameworks": twice}, frameworks=twice)
    before = [framework_label(f) for f in paper.frameworks]
    paper.frameworks = sorted(chosen, key=lambda framework: framework.code)
    session.flush()
    after = [framework_label(f) for f in paper.frameworks]
    if after != before:
        activity.record(
            actor,
            ActivityAction.PAPER_FRAMEWORKS_CHANGED,
            paper,
            paper_id=paper.id,
            before={"frameworks": before},
            after={"frameworks": after},
        )
    return paper


# --- the traceability matrix -----------------------------------------------------------


class MatrixSection(NamedTuple):
    """What a row of the matrix shows of its section, read as columns: a thousand rows need
    neither a thousand ORM objects nor their briefs (and a tuple is made from a row in a
    tenth of a frozen dataclass's time)."""

    id: int
    paper_id: int
    parent_id: int | None
    position: int
    number: str
    title_en: str
    title_fr: str | None
    expected_items: list[str]
    lead_author_id: int | None
    state: str

    # The same rules as a Section's (one rule, one place).
    level = Section.level
    title = Section.title


MATRIX_SECTION_COLUMNS = [getattr(Section, name) for name in MatrixSection._fields]


@dataclass(frozen=True, slots=True)
class AlignmentRow:
    """One row of the matrix: a section (None: the whole paper) and its cells by item code."""

    section: MatrixSection | None
    cells: dict[str, str | None]

    @property
    def section_id(self) -> int | None:
        return self.section.id if self.section else None

    @property
    def decided(self) -> bool:
        return any(status is not None for status in self.cells.values())


class CurrentDecisions(Mapping):
    """The current decision behind each filled cell, by (section id or None, item code),
    read from the database the first time one is asked for; `load` reads only some."""

    def __init__(
        self,
        ids: dict[tuple[int | None, str], int],
        paper_id: int,
        as_of: datetime | None,
        item_ids: list[int],
    ):
        self._ids = ids
        self._paper_id, self._as_of = paper_id, as_of  # whose decisions, taken by when
        self._item_ids = item_ids  # the matrix's items (one framework's, when filtered)
        self._loaded: dict[int, AlignmentDecision] = {}

    def load(self, *conditions) -> None:
        """Read the current decisions that meet the conditions, in one statement."""
        for decision in session.scalars(
            select(AlignmentDecision).where(*self.conditions(), *conditions)
        ):
            self._loaded[decision.id] = decision

    def conditions(self) -> list:
        """The SQL conditions that keep the current decisions on the matrix's items."""
        newest = select(func.max(AlignmentDecision.id)).where(
            AlignmentDecision.paper_id == self._paper_id
        )
        if self._as_of is not None:
            newest = newest.where(AlignmentDecision.created_at <= self._as_of)
        newest = newest.group_by(AlignmentDecision.section_id, AlignmentDecision.item_id)
        return [
            AlignmentDecision.id.in_(newest),
            AlignmentDecision.item_id.in_(self._item_ids),
        ]

    def id_of(self, key: tuple[int | None, str]) -> int:
        """The id of the current decision on a filled cell, without reading it."""
        return self._ids[key]

    def __getitem__(self, key):
        decision_id = self._ids[key]
        if decision_id not in self._loaded:
            self.load()
        return self._loaded[decision_id]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self):
        return len(self._ids)


@dataclass(frozen=True)
class Matrix:
    """Sections × items, each cell the current status or None.

    The counts cover every cell, the whole-paper row included; "none" counts empty cells.
    """

    paper: Paper
    frameworks: list[Framework]
    items: list[FrameworkItem]
    sections: list[MatrixSection]
    # The filled cells only, by section id (None: the whole paper) then item code: what the
    # counts, the coverage report and the rows are read from, rather than every empty cell.
    filled: dict[int | None, dict[str, str]]
    # The current decision behind each filled cell, by (section id or None, item code).
    decisions: CurrentDecisions
    counts: dict[str, int]
    item_counts: dict[str, dict[str, int]]

    def row(self, section: MatrixSection | None) -> AlignmentRow:
        """A section's row (None: the whole paper's), every item's cell in it."""
        cells = self._empty.copy()
        cells.update(self.filled.get(section.id if section else None, ()))
        return AlignmentRow(section, cells)

    @cached_property
    def _empty(self) -> dict[str, None]:
        return dict.fromkeys(item.code for item in self.items)

    @cached_property
    def whole_paper(self) -> AlignmentRow:
        return self.row(None)

    @cached_property
    def rows(self) -> list[AlignmentRow]:
        """Every section's row, in document order (a page of the grid asks `row` for its own)."""
        return [self.row(section) for section in self.sections]


def _counts(
    codes: list[str], filled: dict[int | None, dict[str, str]], rows: int
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """(every cell's statuses counted, each item's): from the filled cells, the empty ones
    being what is left of `rows` cells per item."""
    by_item = {code: dict.fromkeys([*STATUSES, "none"], 0) for code in codes}
    for cells in filled.values():
        for code, status in cells.items():
            by_item[code][status] += 1
    total = dict.fromkeys([*STATUSES, "none"], 0)
    for counts in by_item.values():
        counts["none"] = rows - sum(counts.values())
        for status, n in counts.items():
            total[status] += n
    return total, by_item


def alignment_matrix(
    paper: Paper, *, framework: str | None = None, as_of: datetime | None = None
) -> Matrix:
    """The paper's traceability matrix, in three SQL statements whatever its size.

    `framework` ("CODE" or "CODE@VERSION") keeps one of the paper's frameworks; `as_of`
    counts only the decisions taken by then (an export shows the matrix of its version).
    Callers check that the reader may see the paper.
    """
    return _matrix(paper, framework, as_of)[0]


# The matrix's statements, built once with their parameters bound at execution: SQLAlchemy
# then neither rebuilds them nor computes their cache key on every request, which on SQLite
# took as long as running them.
_ITEMS = (
    select(FrameworkItem)
    .join(FrameworkItem.framework)
    .join(paper_frameworks, paper_frameworks.c.framework_id == Framework.id)
    .where(paper_frameworks.c.paper_id == bindparam("paper_id"))
    .options(contains_eager(FrameworkItem.framework))
    .order_by(Framework.code, FrameworkItem.position)
)
_SECTIONS = (
    select(*MATRIX_SECTION_COLUMNS)
    .where(Section.paper_id == bindparam("paper_id"))
    .order_by(Section.position)
)


@cache
def _statuses(as_of: bool, conflicts: bool):
    """The statement reading the current decisions' statuses (and with `conflicts`, who
    decided each conflict and why), taken by :as_of if `as_of`, on the :item_ids."""
    newest = select(func.max(AlignmentDecision.id)).where(
        AlignmentDecision.paper_id == bindparam("paper_id")
    )
    if as_of:
        newest = newest.where(AlignmentDecision.created_at <= bindparam("as_of"))
    newest = newest.group_by(AlignmentDecision.section_id, AlignmentDecision.item_id)
    query = select(
        AlignmentDecision.id,
        AlignmentDecision.section_id,
        AlignmentDecision.item_id,
        AlignmentDecision.status,
    ).where(
        AlignmentDecision.id.in_(newest),
        AlignmentDecision.item_id.in_(bindparam("item_ids", expanding=True)),
    )
    if conflicts:
        conflict = AlignmentDecision.status == AlignmentStatus.CONFLICT
        query = (
            query.add_columns(
                # Only the conflicts' (the report shows those): NULL for the other rows. The
                # time is read raw, and made a timestamp for the conflicts only (_matrix):
                # its type's conversion, called on every row, cost more than the query.
                case((conflict, AlignmentDecision.rationale)),
                type_coerce(case((conflict, AlignmentDecision.created_at)), NullType),
                User.id,
                User.name,
                Sector.code,
            )
            .outerjoin(User, and_(conflict, User.id == AlignmentDecision.decided_by_id))
            .outerjoin(Sector, Sector.id == User.sector_id)
        )
    return query


def _matrix(
    paper: Paper, framework: str | None, as_of: datetime | None, *, conflicts: bool = False
) -> tuple[Matrix, dict[tuple[int | None, str], ConflictDecision]]:
    """The matrix, and with `conflicts` the decision behind each conflicting cell, read in
    the same statement as the statuses."""
    params = {"paper_id": paper.id}
    items = list(session.scalars(_ITEMS, params))
    if framework is not None:
        items = _keep_framework(items, framework)
    frameworks = list(dict.fromkeys(item.framework for item in items))
    connection = _core()
    sections = list(map(MatrixSection._make, connection.execute(_SECTIONS, params).all()))

    codes = {item.id: item.code for item in items}
    params["item_ids"] = list(codes)
    if as_of is not None:
        params["as_of"] = as_of
    # The cells need a status each, not 7,000 decision objects: those are read when asked.
    rows = connection.execute(_statuses(as_of is not None, conflicts), params).all()
    if conflicts:
        dialect = connection.dialect
        timestamp = AlignmentDecision.created_at.type.dialect_impl(dialect).result_processor(
            dialect, None
        )
    shown = {section.id for section in sections}
    shown.add(None)
    filled: dict[int | None, dict[str, str]] = {}
    ids = {}
    why = {}
    conflict = AlignmentStatus.CONFLICT
    # Read by index, not unpacked: 7,000 rows are a loop whose every step counts.
    for row in rows:
        section_id = row[1]
        if section_id in shown:
            code, status = codes[row[2]], row[3]
            cells = filled.get(section_id)
            if cells is None:
                cells = filled[section_id] = {}
            cells[code] = status
            key = (section_id, code)
            ids[key] = row[0]
            if conflicts and status == conflict:
                rationale, at, user_id, name, sector = row[4:]
                if timestamp is not None:
                    at = timestamp(at)
                why[key] = ConflictDecision(row[0], rationale, Person(user_id, name, sector), at)
    counts, item_counts = _counts(list(codes.values()), filled, len(sections) + 1)
    matrix = Matrix(
        paper=paper,
        frameworks=frameworks,
        items=items,
        sections=sections,
        filled=filled,
        decisions=CurrentDecisions(ids, paper.id, as_of, list(codes)),
        counts=counts,
        item_counts=item_counts,
    )
    return matrix, why


def _core():
    """The session's connection: the matrix's statements select columns, so they skip the
    ORM's execution layer, which took longer than PostgreSQL to read 7,000 decisions. (Read
    their rows with `all()`: iterating a result fetches them one at a time.)"""
    return session.connection()


def _keep_framework(items: list[FrameworkItem], name: str) -> list[FrameworkItem]:
    """The items of the framework named "CODE" or "CODE@VERSION", which must be among them."""
    code, _, version = name.partition("@")
    kept = [
        item
        for item in items
        if item.framework.code == code and version in ("", item.framework.version)
    ]
    if not kept:
        names = [framework_label(f) for f in dict.fromkeys(item.framework for item in items)]
        raise Invalid(
            "framework_not_chosen" if names else "framework_none_chosen",
            {"frameworks": names},
            name=name,
            frameworks=names,
        )
    return kept


# --- the coverage report ---------------------------------------------------------------


class Person(NamedTuple):
    """Who took a decision, as the coverage report names them."""

    id: int
    name: str
    sector: str  # the sector's code


class ConflictDecision(NamedTuple):
    """What the coverage report shows of the decision behind a conflict (a thousand of them
    are made per report: tuples, quicker to make than frozen dataclasses)."""

    id: int
    rationale: str
    decided_by: Person
    created_at: datetime


class Cell(NamedTuple):
    """A filled cell of the matrix: where (section None: the whole paper), what, and why
    (a tuple too: a report lists hundreds)."""

    section: MatrixSection | None
    item: FrameworkItem
    decision: ConflictDecision


class MissingExpected(NamedTuple):
    """A section and the items its template expected it to address that have no decision."""

    section: MatrixSection
    items: list[FrameworkItem]


@dataclass(frozen=True)
class Coverage:
    """Where the paper falls short: what nothing addresses, what conflicts, what is undecided."""

    matrix: Matrix
    unaddressed_items: list[FrameworkItem]
    conflicts: list[Cell]
    sections_without_decisions: list[MatrixSection]
    expected_without_decision: list[MissingExpected]


def coverage_report(paper: Paper, *, framework: str | None = None) -> Coverage:
    """The coverage report, read off the matrix's filled cells, in as many statements.

    An item is addressed where any cell, the whole paper's included, is aligned or partial.
    Expected items outside the paper's frameworks are left out: nobody could decide on them.
    """
    matrix, why = _matrix(paper, framework, None, conflicts=True)
    filled, counts = matrix.filled, matrix.item_counts
    by_code = {item.code: item for item in matrix.items}
    position = {item.code: n for n, item in enumerate(matrix.items)}
    # Each section's conflicts in the order of the items (no two share a position).
    conflicting: dict[int | None, list] = {}
    for (section_id, code), decision in why.items():
        conflicting.setdefault(section_id, []).append((position[code], code, decision))
    conflicts = []
    for section in [None, *matrix.sections]:
        for _position, code, decision in sorted(conflicting.get(section and section.id, ())):
            conflicts.append(Cell(section, by_code[code], decision))
    missing = []
    for section in matrix.sections:
        cells = filled.get(section.id, ())
        undecided = [
            by_code[code]
            for code in section.expected_items
            if code in by_code and code not in cells
        ]
        if undecided:
            missing.append(MissingExpected(section, undecided))
    return Coverage(
        matrix=matrix,
        unaddressed_items=[
            item
            for item in matrix.items
            if not any(counts[item.code][status] for status in ADDRESSING)
        ],
        conflicts=conflicts,
        sections_without_decisions=[s for s in matrix.sections if s.id not in filled],
        expected_without_decision=missing,
    )


# --- the annex of an export ------------------------------------------------------------


def has_decisions(paper: Paper, *, as_of: datetime | None = None) -> bool:
    """Whether anyone had recorded an alignment decision on the paper (by `as_of`)."""
    query = select(AlignmentDecision.id).where(AlignmentDecision.paper_id == paper.id)
    if as_of is not None:
        query = query.where(AlignmentDecision.created_at <= as_of)
    return session.scalar(query.limit(1)) is not None
