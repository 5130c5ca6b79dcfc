"""The activity log: every change, who made it, and the before and after."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, insert, or_, select

from app.db import session
from app.models import Activity, ActivityAction, Comment, CommentReply, Section, Sector, User
from app.services.errors import BadInput


def record(
    actor: User | None,
    action: ActivityAction,
    target,
    *,
    paper_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> Activity:
    """Append one entry; `target` is the changed model instance (flushed, so it has an id)."""
    entry = Activity(
        paper_id=paper_id,
        actor_id=actor.id if actor else None,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=getattr(target, "id", None),
        section_id=_section_of(target),
        before=before,
        after=after,
    )
    session.add(entry)
    session.flush()
    return entry


def record_each(
    actor: User | None,
    action: ActivityAction,
    changes: list[tuple[object, dict | None, dict | None]],
    *,
    paper_id: int | None = None,
) -> None:
    """Append one entry per (flushed target, before, after) in one statement, as `record`
    would one by one."""
    _insert(
        actor,
        action,
        paper_id,
        [
            (type(target).__name__.lower(), getattr(target, "id", None), _section_of(target), *rest)
            for target, *rest in changes
        ],
    )


def record_many(
    actor: User | None,
    action: ActivityAction,
    target_type: str,
    changes: list[tuple[int, dict | None, dict | None]],
    *,
    paper_id: int | None = None,
    section_id: int | None = None,
) -> None:
    """Append one entry per (target id, before, after) in one statement: what a save does to
    hundreds of comments at once."""
    _insert(
        actor,
        action,
        paper_id,
        [(target_type, target_id, section_id, *rest) for target_id, *rest in changes],
    )


def _insert(actor: User | None, action: ActivityAction, paper_id: int | None, entries) -> None:
    """The entries, each (target type, target id, section id, before, after), in one INSERT."""
    if entries:
        session.execute(
            insert(Activity),
            [
                {
                    "paper_id": paper_id,
                    "actor_id": actor.id if actor else None,
                    "action": action,
                    "target_type": target_type,
                    "target_id": target_id,
                    "section_id": section_id,
                    "before": before,
                    "after": after,
                }
                for target_type, target_id, section_id, before, after in entries
            ],
        )


def _section_of(target) -> int | None:
    """The section a changed record belongs to: the section itself, or its section_id."""
    if isinstance(target, Section):
        return target.id
    return getattr(target, "section_id", None)


@dataclass(frozen=True)
class FeedFilters:
    """Which entries of a paper's feed to list: about one section, by one person, by the
    people of one sector, of some kinds, or "about me" (changes others made to the
    sections I lead, to my comments, or to comments and replies that mention me)."""

    section_id: int | None = None
    actor_id: int | None = None
    sector: str | None = None
    actions: tuple[str, ...] = ()
    about_me: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.section_id or self.actor_id or self.sector or self.actions or self.about_me
        )


def list_for_paper(
    paper_id: int,
    *,
    limit: int = 200,
    before_id: int | None = None,
    filters: FeedFilters = FeedFilters(),
    reader: User | None = None,
):
    """The newest entries first, in one statement; `before_id` pages back (a cursor)."""
    query = select(Activity).where(Activity.paper_id == paper_id)
    if before_id:
        query = query.where(Activity.id < before_id)
    if filters.section_id is not None:
        query = query.where(Activity.section_id == filters.section_id)
    if filters.actor_id is not None:
        query = query.where(Activity.actor_id == filters.actor_id)
    if filters.sector:
        in_sector = select(User.id).join(Sector, Sector.id == User.sector_id)
        query = query.where(
            Activity.actor_id.in_(in_sector.where(Sector.code == filters.sector.upper()))
        )
    if filters.actions:
        unknown = sorted(set(filters.actions) - {action.value for action in ActivityAction})
        if unknown:
            raise BadInput("unknown_actions", actions=unknown)
        query = query.where(Activity.action.in_(filters.actions))
    if filters.about_me and reader is not None:
        query = query.where(_about(reader))
    return session.scalars(query.order_by(Activity.id.desc()).limit(limit)).all()


def _about(reader: User):
    """Entries by others about the sections the reader leads, their comments, or comments
    and replies that mention them ("@Name" or "@email")."""
    mine = select(Section.id).where(Section.lead_author_id == reader.id)
    my_comments = select(Comment.id).where(Comment.author_id == reader.id)
    mentions = [_mention(reader.name), _mention(reader.email)]
    mentioning = select(Comment.id).where(
        or_(*[Comment.body.ilike(m, escape="\\") for m in mentions])
    )
    replied = select(CommentReply.comment_id).where(
        or_(*[CommentReply.body.ilike(m, escape="\\") for m in mentions])
    )
    on_comment = Activity.target_type == "comment"
    return and_(
        or_(Activity.actor_id.is_(None), Activity.actor_id != reader.id),
        or_(
            Activity.section_id.in_(mine),
            and_(on_comment, Activity.target_id.in_(my_comments)),
            and_(on_comment, Activity.target_id.in_(mentioning)),
            and_(on_comment, Activity.target_id.in_(replied)),
        ),
    )


def _mention(name: str) -> str:
    """A LIKE pattern for "@name" anywhere in a text."""
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%@{escaped}%"
