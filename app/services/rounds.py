"""Review rounds and the comment resolution matrix.

The coordinator opens a round on a frozen version for a set of sectors, with a deadline.
Reviewers of an invited sector comment within it until the deadline, which the coordinator
may extend. The matrix lists a round's (or a whole paper's) comments one per row, in the
columns standards bodies use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.db import session, utcnow
from app.export import comment_matrix_csv, comment_matrix_docx
from app.export.document import MatrixRow
from app.models import (
    ActivityAction,
    Comment,
    CommentResolution,
    CommentStatus,
    CommentType,
    Decision,
    Paper,
    PaperMember,
    ResolutionAction,
    ReviewRound,
    Role,
    Section,
    Sector,
    User,
    Version,
)
from app.services import activity
from app.services.access import get_paper, require_role, roles_on
from app.services.alignment import markdown_cell
from app.services.errors import BadInput, Conflict, Forbidden, Invalid, NotFound


def get_round(round_id: int, user: User) -> ReviewRound:
    review_round = session.get(ReviewRound, round_id)
    if review_round is None:
        raise NotFound(f"round {round_id} does not exist")
    get_paper(review_round.paper_id, user)
    return review_round


def list_rounds(paper: Paper) -> list[ReviewRound]:
    return list(
        session.scalars(
            select(ReviewRound).where(ReviewRound.paper_id == paper.id).order_by(ReviewRound.id)
        )
    )


def is_open(review_round: ReviewRound, now: datetime | None = None) -> bool:
    return (now or utcnow()) <= _aware(review_round.deadline)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _future_deadline(deadline: datetime) -> datetime:
    if not isinstance(deadline, datetime):
        raise BadInput("deadline must be a date and time")
    deadline = _aware(deadline)
    if deadline <= utcnow():
        raise Invalid("the deadline must be in the future", {"deadline": deadline.isoformat()})
    return deadline


def open_round(
    paper: Paper, actor: User, *, version_id: int, sectors: list[str], deadline: datetime
) -> ReviewRound:
    """The coordinator invites sectors to review a frozen version until the deadline."""
    require_role(actor, paper.id, Role.COORDINATOR, action="open review rounds")
    version = session.get(Version, version_id)
    if version is None or version.paper_id != paper.id:
        raise Invalid(f"version {version_id} is not a version of this paper")
    codes = sorted({code.strip().upper() for code in sectors if code and code.strip()})
    if not codes:
        raise BadInput("a round invites at least one sector")
    found = list(session.scalars(select(Sector).where(Sector.code.in_(codes))))
    unknown = sorted(set(codes) - {sector.code for sector in found})
    if unknown:
        raise Invalid(f"unknown sectors: {', '.join(unknown)}", {"sectors": unknown})
    review_round = ReviewRound(
        paper_id=paper.id,
        version_id=version.id,
        deadline=_future_deadline(deadline),
        opened_by_id=actor.id,
        sectors=sorted(found, key=lambda sector: sector.code),
    )
    session.add(review_round)
    session.flush()
    activity.record(
        actor,
        ActivityAction.ROUND_OPENED,
        review_round,
        paper_id=paper.id,
        after={
            "version_id": version.id,
            "sectors": codes,
            "deadline": review_round.deadline.isoformat(),
        },
    )
    return review_round


def extend_round(review_round: ReviewRound, actor: User, deadline: datetime) -> ReviewRound:
    """The coordinator moves the deadline later (a round can be reopened this way too)."""
    require_role(actor, review_round.paper_id, Role.COORDINATOR, action="extend review rounds")
    deadline = _future_deadline(deadline)
    before = _aware(review_round.deadline)
    if deadline <= before:
        raise Invalid(
            "a round's deadline can only move later",
            {"deadline": before.isoformat()},
        )
    review_round.deadline = deadline
    activity.record(
        actor,
        ActivityAction.ROUND_EXTENDED,
        review_round,
        paper_id=review_round.paper_id,
        before={"deadline": before.isoformat()},
        after={"deadline": deadline.isoformat()},
    )
    return review_round


def require_may_comment(review_round: ReviewRound, user: User) -> None:
    """Only reviewers of an invited sector comment in a round, and only before its deadline."""
    roles = roles_on(user, review_round.paper_id)
    if Role.REVIEWER not in roles and Role.COORDINATOR not in roles:
        raise Forbidden("only reviewers comment in a review round")
    if user.sector_id not in {sector.id for sector in review_round.sectors}:
        invited = ", ".join(sector.code for sector in review_round.sectors)
        raise Forbidden(
            f"your sector ({user.sector.code}) is not invited to this round; invited: {invited}"
        )
    if not is_open(review_round):
        raise Conflict(
            f"this round closed on {_aware(review_round.deadline):%Y-%m-%d %H:%M} UTC; "
            "ask the coordinator to extend it",
            {"deadline": _aware(review_round.deadline).isoformat()},
        )


def comment_counts(round_ids: list[int]) -> dict[tuple[int, int], int]:
    """{(round id, sector id): number of comments} for the given rounds."""
    if not round_ids:
        return {}
    rows = session.execute(
        select(Comment.round_id, Comment.sector_id, func.count())
        .where(Comment.round_id.in_(round_ids), Comment.status != CommentStatus.WITHDRAWN)
        .group_by(Comment.round_id, Comment.sector_id)
    )
    return {(round_id, sector_id): count for round_id, sector_id, count in rows}


def rounds_awaiting(user: User) -> list[ReviewRound]:
    """Open rounds that invite the user's sector, on papers where they review."""
    reviewer_of = select(PaperMember.paper_id).where(
        PaperMember.user_id == user.id, PaperMember.role == Role.REVIEWER
    )
    return list(
        session.scalars(
            select(ReviewRound)
            .where(
                ReviewRound.paper_id.in_(reviewer_of),
                ReviewRound.sectors.any(Sector.id == user.sector_id),
                ReviewRound.deadline >= utcnow(),
            )
            .order_by(ReviewRound.deadline)
        )
    )


# --- the comment resolution matrix ----------------------------------------------------


@dataclass(frozen=True)
class MatrixFilters:
    round_id: int | None = None
    sector: str | None = None
    section_id: int | None = None
    type: str | None = None
    decision: str | None = None  # a Decision, or "open" for comments not yet resolved


@dataclass(frozen=True)
class MatrixEntry:
    comment_id: int
    round_id: int | None
    sector: str
    section_id: int
    section_number: str
    section_title: str
    passage: str
    type: str
    comment: str
    proposed_change: str
    status: str
    decision: str
    rationale: str
    orphaned: bool


def check_filters(filters: MatrixFilters) -> MatrixFilters:
    if filters.type is not None and filters.type not in set(CommentType):
        raise BadInput(f"type must be one of {', '.join(CommentType)}")
    allowed = {*Decision, "open"}
    if filters.decision is not None and filters.decision not in allowed:
        raise BadInput(f"decision must be one of {', '.join(sorted(allowed))}")
    return filters


def matrix(
    paper: Paper, filters: MatrixFilters = MatrixFilters(), *, as_of: datetime | None = None
) -> list[MatrixEntry]:
    """One row per comment (withdrawn ones left out), in document order.

    `as_of` gives the matrix as it stood then: the comments made by that time, with the
    decision each had then (a version's export shows the review as it was when frozen).
    """
    check_filters(filters)
    query = (
        select(Comment, Section.number, Section.title_en, Section.title_fr, Sector.code)
        .join(Section, Section.id == Comment.section_id)
        .join(Sector, Sector.id == Comment.sector_id)
        .where(Section.paper_id == paper.id, Comment.status != CommentStatus.WITHDRAWN)
    )
    if filters.round_id is not None:
        query = query.where(Comment.round_id == filters.round_id)
    if filters.sector:
        query = query.where(Sector.code == filters.sector.upper())
    if filters.section_id is not None:
        query = query.where(Comment.section_id == filters.section_id)
    if filters.type:
        query = query.where(Comment.type == filters.type)
    if filters.decision == "open":
        query = query.where(Comment.status == CommentStatus.OPEN)
    elif filters.decision:
        query = query.where(Comment.decision == filters.decision)
    if as_of is not None:
        query = query.where(Comment.created_at <= as_of)
    query = query.order_by(Section.position, Comment.id)
    # The comment's author and sector are joined eagerly by the model; nothing else is read.
    rows = session.execute(query).unique().all()
    then = _decisions_as_of([row[0].id for row in rows], as_of) if as_of else {}
    entries = []
    for comment, number, title_en, title_fr, sector in rows:
        decision, rationale = (
            then.get(comment.id, ("", ""))
            if as_of
            else (
                comment.decision or "",
                comment.rationale or "",
            )
        )
        entries.append(
            MatrixEntry(
                comment_id=comment.id,
                round_id=comment.round_id,
                sector=sector,
                section_id=comment.section_id,
                section_number=number,
                section_title=(title_fr or title_en) if paper.language == "fr" else title_en,
                passage=comment.quote_exact or "",
                type=comment.type,
                comment=comment.body,
                proposed_change=comment.proposed_text or "",
                status=("resolved" if decision else "open") if as_of else comment.status,
                decision=decision,
                rationale=rationale,
                orphaned=comment.orphaned,
            )
        )
    return entries


def export_rows(entries: list[MatrixEntry]) -> list[MatrixRow]:
    """The matrix's rows as the export package writes them to CSV and Word."""
    return [
        MatrixRow(
            sector=entry.sector,
            section_number=entry.section_number,
            section_title=entry.section_title,
            passage=entry.passage,
            type=entry.type,
            comment=entry.comment,
            proposed_change=entry.proposed_change,
            decision=entry.decision,
            rationale=entry.rationale,
        )
        for entry in entries
    ]


MATRIX_MEDIA_TYPES = {
    "csv": "text/csv",  # werkzeug adds the one charset
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class MatrixFile:
    data: bytes
    media_type: str
    filename: str


def matrix_file(
    paper: Paper, review_round: ReviewRound | None, entries: list[MatrixEntry], fmt: str
) -> MatrixFile:
    """The matrix as the CSV or Word file that the API and the web UI both serve."""
    rows = export_rows(entries)
    if fmt == "csv":
        data = comment_matrix_csv(rows, paper.language)
    elif fmt == "docx":
        data = comment_matrix_docx(rows, matrix_title(paper, review_round), paper.language)
    else:
        raise BadInput(f"a matrix file is csv or docx, not {fmt!r}")
    name = f"comment-matrix-{paper.id}" + (f"-round-{review_round.id}" if review_round else "")
    return MatrixFile(data, MATRIX_MEDIA_TYPES[fmt], f"{name}.{fmt}")


def _decisions_as_of(comment_ids: list[int], as_of: datetime) -> dict[int, tuple[str, str]]:
    """{comment id: (decision, rationale)} for the comments resolved at `as_of`."""
    if not comment_ids:
        return {}
    history = session.execute(
        select(
            CommentResolution.comment_id,
            CommentResolution.action,
            CommentResolution.decision,
            CommentResolution.rationale,
        )
        .where(
            CommentResolution.created_at <= as_of,
            CommentResolution.comment_id.in_(comment_ids),
        )
        .order_by(CommentResolution.id)
    )
    state: dict[int, tuple[str, str]] = {}
    for comment_id, action, decision, rationale in history:
        if action == ResolutionAction.RESOLVED:
            state[comment_id] = (decision, rationale or "")
        else:
            state.pop(comment_id, None)
    return state


_ANNEX_COLUMNS = {
    "en": [
        "Sector",
        "Section",
        "Passage",
        "Type",
        "Comment",
        "Proposed change",
        "Decision",
        "Rationale",
    ],
    "fr": [
        "Secteur",
        "Section",
        "Passage",
        "Type",
        "Commentaire",
        "Modification proposée",
        "Décision",
        "Justification",
    ],
}


def matrix_annex_markdown(paper: Paper, language: str, *, as_of: datetime | None = None) -> str:
    """The whole paper's matrix as a Markdown pipe table, for an export's annex ("" when
    there is no comment)."""
    entries = matrix(paper, as_of=as_of)
    if not entries:
        return ""
    columns = _ANNEX_COLUMNS["fr" if language == "fr" else "en"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for entry in entries:
        cells = [
            entry.sector,
            f"{entry.section_number} {entry.section_title}",
            entry.passage,
            entry.type,
            entry.comment,
            entry.proposed_change,
            entry.decision,
            entry.rationale,
        ]
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


_TITLES = {
    "en": ("Comment resolution matrix", "round"),
    "fr": ("Matrice de résolution des commentaires", "cycle"),
}


def matrix_title(paper: Paper, review_round: ReviewRound | None) -> str:
    """The matrix's title in the paper's language."""
    name, round_word = _TITLES.get(paper.language, _TITLES["en"])
    if review_round is None:
        return f"{paper.title}: {name}"
    version = session.get(Version, review_round.version_id)
    return f"{paper.title}: {name}, {round_word} {review_round.id} ({version.label})"
