"""Review rounds and the comment resolution matrix.

The coordinator opens a round on a frozen version for a set of sectors, with a deadline.
Reviewers of an invited sector comment within it until the deadline, which the coordinator
may extend. The matrix lists a round's (or a whole paper's) comments one per row, in the
columns standards bodies use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Bundle

from app.db import session, utcnow
from app.export import comment_matrix_csv, comment_matrix_docx
from app.export.document import MatrixRow
from app.models import (
    ActivityAction,
    Comment,
    CommentResolution,
    CommentStatus,
    CommentType,
    CompletionAction,
    Decision,
    Event,
    Paper,
    PaperMember,
    ResolutionAction,
    ReviewRound,
    Role,
    RoundCompletion,
    Section,
    Sector,
    User,
    Version,
)
from app.services import access, activity, notifications, stages
from app.services.access import get_paper
from app.services.errors import BadInput, Conflict, Forbidden, Invalid, NotFound


def get_round(round_id: int, user: User) -> ReviewRound:
    review_round = session.get(ReviewRound, round_id)
    if review_round is None:
        raise NotFound("round")
    get_paper(review_round.paper_id, user)
    return review_round


def list_rounds(paper: Paper) -> list[ReviewRound]:
    return list(
        session.scalars(
            select(ReviewRound).where(ReviewRound.paper_id == paper.id).order_by(ReviewRound.id)
        )
    )


def is_open(review_round: ReviewRound, now: datetime | None = None) -> bool:
    """Open until its deadline, unless the coordinator closed it sooner."""
    return review_round.closed_at is None and (now or utcnow()) <= review_round.deadline


def ends_at(review_round: ReviewRound) -> datetime:
    """When the round closed (or will): the coordinator's closing, else its deadline."""
    return review_round.closed_at or review_round.deadline


def _future_deadline(deadline: datetime) -> datetime:
    if not isinstance(deadline, datetime):
        raise BadInput("deadline_required")
    if deadline.tzinfo is None:  # a deadline typed without its zone is UTC's
        deadline = deadline.replace(tzinfo=UTC)
    if deadline <= utcnow():
        raise Invalid("deadline_past", {"deadline": deadline.isoformat()})
    return deadline


def open_round(
    paper: Paper, actor: User, *, version_id: int, sectors: list[str], deadline: datetime
) -> ReviewRound:
    """The coordinator invites sectors to review a frozen version until the deadline."""
    access.permissions(actor, paper.id).require_role(Role.COORDINATOR, action="open review rounds")
    version = session.get(Version, version_id)
    if version is None or version.paper_id != paper.id:
        raise Invalid("round_version", version=version_id)
    codes = sorted({code.strip().upper() for code in sectors if code and code.strip()})
    if not codes:
        raise BadInput("round_sectors")
    found = list(session.scalars(select(Sector).where(Sector.code.in_(codes))))
    unknown = sorted(set(codes) - {sector.code for sector in found})
    if unknown:
        raise Invalid("unknown_sectors", {"sectors": unknown}, sectors=unknown)
    review_round = ReviewRound(
        paper_id=paper.id,
        version_id=version.id,
        deadline=_future_deadline(deadline),
        opened_by_id=actor.id,
        sectors=sorted(found, key=lambda sector: sector.code),
    )
    with stages.tracking(paper, actor):
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
    _tell_sectors(review_round, Event.ROUND_OPENED, actor, version.label)
    return review_round


def _tell_sectors(review_round: ReviewRound, event: Event, actor: User | None, label: str) -> int:
    """Tell the paper's members from the round's sectors (one statement, however many)."""
    return notifications.notify(
        event,
        actor,
        notifications.paper_members(
            review_round.paper_id, sector_ids=[sector.id for sector in review_round.sectors]
        ),
        paper_id=review_round.paper_id,
        link=f"/rounds/{review_round.id}",
        params={
            "actor": actor.name if actor else "",
            "label": label,
            "deadline": review_round.deadline.isoformat(),
        },
    )


def extend_round(review_round: ReviewRound, actor: User, deadline: datetime) -> ReviewRound:
    """The coordinator moves the deadline later (a round can be reopened this way too)."""
    access.permissions(actor, review_round.paper_id).require_role(
        Role.COORDINATOR, action="extend review rounds"
    )
    deadline = _future_deadline(deadline)
    before = review_round.deadline
    if deadline <= before:
        raise Invalid("deadline_earlier", {"deadline": before.isoformat()})
    with stages.tracking(session.get(Paper, review_round.paper_id), actor):
        review_round.deadline = deadline
        # A later deadline reopens a round the coordinator had closed.
        review_round.closed_at = review_round.closed_by_id = None
    activity.record(
        actor,
        ActivityAction.ROUND_EXTENDED,
        review_round,
        paper_id=review_round.paper_id,
        before={"deadline": before.isoformat()},
        after={"deadline": deadline.isoformat()},
    )
    version = session.get(Version, review_round.version_id)
    _tell_sectors(review_round, Event.ROUND_EXTENDED, actor, version.label)
    return review_round


def require_may_comment(review_round: ReviewRound, user: User) -> None:
    """Only reviewers of an invited sector comment in a round, and only before its deadline."""
    perms = access.permissions(user, review_round.paper_id)
    perms.require(perms.may_comment_in_rounds, "round_reviewers_only")
    if user.sector_id not in {sector.id for sector in review_round.sectors}:
        invited = [sector.code for sector in review_round.sectors]
        raise Forbidden("sector_not_invited", sector=user.sector.code, invited=invited)
    if not is_open(review_round):
        raise Conflict(
            "round_closed",
            {"deadline": review_round.deadline.isoformat()},
            round=review_round.id,
            closed=f"{ends_at(review_round):%Y-%m-%d %H:%M}",
        )


# --- a sector's word on its review --------------------------------------------------------


@dataclass(frozen=True)
class SectorReview:
    """Where an invited sector's review of a round stands: complete, no_comments or no_record,
    with who said so, when and their note."""

    sector: Sector
    state: str
    by: User | None = None
    at: datetime | None = None
    note: str = ""


def completion_history(review_round: ReviewRound) -> list[RoundCompletion]:
    """Every completion and withdrawal recorded in the round, oldest first."""
    return list(
        session.scalars(
            select(RoundCompletion)
            .where(RoundCompletion.round_id == review_round.id)
            .order_by(RoundCompletion.id)
        )
    )


def sector_reviews(review_round: ReviewRound) -> list[SectorReview]:
    """Each invited sector's review, by its newest record (a withdrawal is "no record")."""
    newest = {record.sector_id: record for record in completion_history(review_round)}
    found = []
    for sector in review_round.sectors:
        record = newest.get(sector.id)
        if record is None or record.action == CompletionAction.WITHDRAWN:
            found.append(SectorReview(sector, "no_record"))
        else:
            found.append(
                SectorReview(sector, record.action, record.user, record.created_at, record.note)
            )
    return found


def _require_sector_reviewer(review_round: ReviewRound, actor: User, sector: str) -> Sector:
    """The actor reviews for `sector` (their own), which the round invites, while it is open."""
    perms = access.permissions(actor, review_round.paper_id)
    perms.require(perms.may_complete_review, "completion_reviewers_only")
    code = (sector or "").strip().upper()
    if code != actor.sector.code:
        raise Forbidden("completion_own_sector", sector=code, own=actor.sector.code)
    invited = {s.code: s for s in review_round.sectors}
    if code not in invited:
        raise Conflict("sector_not_invited", sector=code, invited=sorted(invited))
    if not is_open(review_round):
        raise Conflict(
            "round_closed", round=review_round.id, closed=f"{ends_at(review_round):%Y-%m-%d %H:%M}"
        )
    return invited[code]


def mark_complete(
    review_round: ReviewRound,
    actor: User,
    *,
    sector: str,
    note: str = "",
    no_comments: bool = False,
) -> RoundCompletion:
    """A sector's reviewer says the sector's review is complete, or that it has no comments."""
    found = _require_sector_reviewer(review_round, actor, sector)
    note = (note or "").strip()
    if len(note) > 4000:
        raise BadInput("completion_note_too_long")
    if no_comments and comment_counts([review_round.id]).get((review_round.id, found.id)):
        raise Conflict("no_comments_but_commented", sector=found.code)
    record = RoundCompletion(
        round_id=review_round.id,
        sector_id=found.id,
        user_id=actor.id,
        action=CompletionAction.NO_COMMENTS if no_comments else CompletionAction.COMPLETE,
        note=note,
    )
    session.add(record)
    session.flush()
    activity.record(
        actor,
        ActivityAction.ROUND_COMPLETION_RECORDED,
        review_round,
        paper_id=review_round.paper_id,
        after={"sector": found.code, "state": record.action, "note": note},
    )
    return record


def withdraw_completion(review_round: ReviewRound, actor: User, *, sector: str) -> RoundCompletion:
    """Take back a sector's completion, until the round closes."""
    found = _require_sector_reviewer(review_round, actor, sector)
    current = next(entry for entry in sector_reviews(review_round) if entry.sector.id == found.id)
    if current.state == "no_record":
        raise Conflict("completion_nothing_to_withdraw", sector=found.code)
    record = RoundCompletion(
        round_id=review_round.id,
        sector_id=found.id,
        user_id=actor.id,
        action=CompletionAction.WITHDRAWN,
    )
    session.add(record)
    session.flush()
    activity.record(
        actor,
        ActivityAction.ROUND_COMPLETION_WITHDRAWN,
        review_round,
        paper_id=review_round.paper_id,
        before={"sector": found.code, "state": current.state},
        after={"sector": found.code, "state": "no_record"},
    )
    return record


def close_round(review_round: ReviewRound, actor: User) -> ReviewRound:
    """The coordinator closes the round before its deadline; each sector's final state is
    recorded with the closing."""
    access.permissions(actor, review_round.paper_id).require_role(
        Role.COORDINATOR, action="close review rounds"
    )
    if not is_open(review_round):
        raise Conflict(
            "round_closed", round=review_round.id, closed=f"{ends_at(review_round):%Y-%m-%d %H:%M}"
        )
    with stages.tracking(session.get(Paper, review_round.paper_id), actor):
        review_round.closed_at = utcnow()
        review_round.closed_by_id = actor.id
    activity.record(
        actor,
        ActivityAction.ROUND_CLOSED,
        review_round,
        paper_id=review_round.paper_id,
        after={
            "closed_at": review_round.closed_at.isoformat(),
            "sectors": {
                entry.sector.code: {
                    "state": entry.state,
                    "by": entry.by.name if entry.by else None,
                    "at": entry.at.isoformat() if entry.at else None,
                }
                for entry in sector_reviews(review_round)
            },
        },
    )
    version = session.get(Version, review_round.version_id)
    _tell_sectors(review_round, Event.ROUND_CLOSED, actor, version.label)
    return review_round


def section_comment_counts(review_round: ReviewRound, sector_id: int) -> dict[int, int]:
    """{section id: number of the sector's comments in the round} (withdrawn ones left out)."""
    rows = session.execute(
        select(Comment.section_id, func.count())
        .where(
            Comment.round_id == review_round.id,
            Comment.sector_id == sector_id,
            Comment.status != CommentStatus.WITHDRAWN,
        )
        .group_by(Comment.section_id)
    )
    return dict(rows.all())


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


def _rounds_awaiting_statement():
    """The statement of `rounds_awaiting`: the user, their sector and the time bound at
    execution."""
    reviewer_of = select(PaperMember.paper_id).where(
        PaperMember.user_id == bindparam("user_id"), PaperMember.role == Role.REVIEWER
    )
    return (
        select(ReviewRound)
        .where(
            ReviewRound.paper_id.in_(reviewer_of),
            ReviewRound.sectors.any(Sector.id == bindparam("sector_id")),
            ReviewRound.deadline >= bindparam("now", type_=ReviewRound.deadline.type),
            ReviewRound.closed_at.is_(None),
        )
        .order_by(ReviewRound.deadline)
    )


# Built once (every API queue asks it): SQLAlchemy neither rebuilds it nor computes its
# cache key per request.
_ROUNDS_AWAITING = _rounds_awaiting_statement()


def rounds_awaiting(user: User) -> list[ReviewRound]:
    """Open rounds that invite the user's sector, on papers where they review."""
    params = {"user_id": user.id, "sector_id": user.sector_id, "now": utcnow()}
    return list(session.scalars(_ROUNDS_AWAITING, params))


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
    author: str = ""
    created_at: datetime | None = None


def check_filters(filters: MatrixFilters) -> MatrixFilters:
    if filters.type is not None and filters.type not in set(CommentType):
        raise BadInput(
            "field_choice", field="type", allowed=", ".join(CommentType), value=filters.type
        )
    allowed = {*Decision, "open"}
    if filters.decision is not None and filters.decision not in allowed:
        raise BadInput(
            "field_choice",
            field="decision",
            allowed=", ".join(sorted(allowed)),
            value=filters.decision,
        )
    return filters


def _matrix_filtered(query, paper: Paper, filters: MatrixFilters, as_of: datetime | None):
    """`query` (of comments joined to their section and sector) cut to the paper's matrix
    under `filters`, in document order."""
    check_filters(filters)
    query = query.where(Section.paper_id == paper.id, Comment.status != CommentStatus.WITHDRAWN)
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
    return query.order_by(Section.position, Comment.id)


def matrix(
    paper: Paper, filters: MatrixFilters = MatrixFilters(), *, as_of: datetime | None = None
) -> list[MatrixEntry]:
    """One row per comment (withdrawn ones left out), in document order.

    `as_of` gives the matrix as it stood then: the comments made by that time, with the
    decision each had then (a version's export shows the review as it was when frozen).
    """
    query = (
        select(
            # Columns, not Comment objects: at 20,000 comments loading them was most of it.
            Bundle(
                "comment",
                Comment.id,
                Comment.round_id,
                Comment.section_id,
                Comment.quote_exact,
                Comment.type,
                Comment.body,
                Comment.proposed_text,
                Comment.status,
                Comment.decision,
                Comment.rationale,
                Comment.orphaned,
                Comment.created_at,
                User.name.label("author"),
            ),
            Section.number,
            Section.title_en,
            Section.title_fr,
            Sector.code,
        )
        .join(Section, Section.id == Comment.section_id)
        .join(Sector, Sector.id == Comment.sector_id)
        .join(User, User.id == Comment.author_id)
    )
    rows = session.execute(_matrix_filtered(query, paper, filters, as_of)).all()
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
                author=comment.author,
                created_at=comment.created_at,
            )
        )
    return entries


def matrix_rows(paper: Paper, filters: MatrixFilters = MatrixFilters()) -> list:
    """The matrix as its file's rows (MatrixRow's columns), read as tuples in their order
    (None for an empty cell): what a CSV of 20,000 comments needs, and no more."""
    title = (
        func.coalesce(func.nullif(Section.title_fr, ""), Section.title_en)
        if paper.language == "fr"
        else Section.title_en
    )
    columns = [
        Sector.code,
        Section.number,
        title,
        Comment.quote_exact,
        Comment.type,
        Comment.body,
        Comment.proposed_text,
        Comment.decision,
        Comment.rationale,
    ]
    query = (
        select(*columns)
        .join(Section, Section.id == Comment.section_id)
        .join(Sector, Sector.id == Comment.sector_id)
    )
    # Through Core: the ORM's processing of 20,000 result rows cost as much as the query.
    session.flush()
    return session.connection().execute(_matrix_filtered(query, paper, filters, None)).all()


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
    paper: Paper, review_round: ReviewRound | None, filters: MatrixFilters, fmt: str
) -> MatrixFile:
    """The matrix as the CSV or Word file that the API and the web UI both serve."""
    if fmt == "csv":
        # The few cells a spreadsheet would run as a formula are guarded as the CSV is written:
        # guarding them in the query made the database work out a CASE on every cell of
        # 20,000 rows, which cost more.
        rows = matrix_rows(paper, filters)
        data = comment_matrix_csv(rows, paper.language)
    elif fmt == "docx":
        rows = [MatrixRow(*row) for row in matrix_rows(paper, filters)]
        data = comment_matrix_docx(rows, matrix_title(paper, review_round), paper.language)
    else:
        raise BadInput("matrix_format", format=fmt)
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
