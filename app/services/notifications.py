"""Telling people: the one place that writes notifications, reads them and keeps the settings.

`notify()` is called by the other services inside the event's own transaction (a
transactional outbox): the rows commit or roll back with the event. It writes every
recipient's row in one INSERT … SELECT, whatever their number, leaves out the actor and
everyone who turned the category off, and records each person's chosen delivery. The
worker (app/worker.py) mails what is due after the commit; nothing else sends mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    and_,
    func,
    insert,
    literal,
    select,
    update,
)

from app.db import UTCDateTime, after_commit, session, utcnow
from app.models import (
    CATEGORY_OF,
    DEFAULT_DELIVERY,
    Category,
    Delivery,
    Event,
    Notification,
    NotificationSetting,
    Paper,
    PaperMember,
    Role,
    User,
)
from app.services.errors import BadInput

# Mail is on by default; tests and benchmarks switch it off (`enabled = False`) to measure
# what notifying costs.
ENABLED = {"notify": True}


def recipients(user_ids: Iterable[int]) -> Select:
    """A recipients query naming people by id."""
    return select(User.id).where(User.id.in_(sorted(set(user_ids))))


def paper_members(paper_id: int, *roles: Role, sector_ids: Iterable[int] | None = None) -> Select:
    """The paper's members (with one of `roles`, in one of `sector_ids`, when given)."""
    query = select(PaperMember.user_id).where(PaperMember.paper_id == paper_id)
    if roles:
        query = query.where(PaperMember.role.in_([str(role) for role in roles]))
    if sector_ids is not None:
        query = query.join(User, User.id == PaperMember.user_id).where(
            User.sector_id.in_(list(sector_ids))
        )
    return query


def notify(
    event: Event,
    actor: User | None,
    to: Select,
    *,
    paper_id: int | None,
    link: str,
    params: dict | None = None,
    thread_id: int | None = None,
) -> int:
    """Tell everyone `to` selects (but the actor) about `event`, in one statement. Returns
    how many were told. Call it inside the event's transaction; the mail follows its commit."""
    targets = select(
        User.id.label("user_id"),
        literal(link, String).label("link"),
        literal(thread_id, Integer).label("thread_id"),
    ).where(User.id.in_(to.scalar_subquery()))
    return notify_each(event, actor, targets, paper_id=paper_id, params=params)


def notify_each(
    event: Event,
    actor: User | None,
    targets: Select,
    *,
    paper_id: int | None,
    params: dict | None = None,
) -> int:
    """Like `notify`, with a link and a thread per recipient: `targets` selects the columns
    (user_id, link, thread_id), one row per person (a comment's author, for each comment)."""
    if not ENABLED["notify"]:
        return 0
    category = CATEGORY_OF[event]
    params = dict(params or {})
    if paper_id is not None and "paper" not in params:
        paper = session.get(Paper, paper_id)
        params["paper"] = paper.title if paper else ""
    if actor is not None and "actor" not in params:
        params["actor"] = actor.name
    target = targets.subquery()
    chosen = func.coalesce(NotificationSetting.delivery, str(DEFAULT_DELIVERY[category]))
    source = (
        select(
            User.id,
            literal(paper_id, Integer),
            literal(actor.id if actor else None, Integer),
            literal(str(event), String),
            literal(str(category), String),
            chosen,
            target.c.link,
            target.c.thread_id,
            literal(params, JSON),
            literal(utcnow(), UTCDateTime),
            literal(0, Integer),
        )
        .join(target, target.c.user_id == User.id)
        .outerjoin(
            NotificationSetting,
            and_(
                NotificationSetting.user_id == User.id,
                NotificationSetting.category == str(category),
            ),
        )
        .where(User.is_active.is_(True), chosen != str(Delivery.OFF))
    )
    if actor is not None:
        source = source.where(User.id != actor.id)
    result = session.execute(
        insert(Notification)
        .from_select(
            [
                "user_id",
                "paper_id",
                "actor_id",
                "event",
                "category",
                "delivery",
                "link",
                "thread_id",
                "params",
                "created_at",
                "mail_attempts",
            ],
            source,
        )
        .returning(Notification.id)
    )
    # Counted from RETURNING: a driver's rowcount for INSERT … SELECT is not reliable.
    told = len(result.all())
    if told and not session.info.get("plume.mail_nudged"):
        session.info["plume.mail_nudged"] = True
        after_commit(_nudge_worker)
    return told


def section_params(section) -> dict:
    """How a notification names a section, in both languages."""
    return {
        "section": f"{section.number} {section.title_en}".strip(),
        "section_fr": f"{section.number} {section.title_fr or section.title_en}".strip(),
    }


def excerpt(text: str, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


MENTION_MARK = "@"


def mentionable(paper_id: int, members: list[User] | None = None) -> list[dict]:
    """Who can be @mentioned on a paper: its members, by name (the comment form suggests them).
    `members`: the paper's members when the caller has read them already."""
    if members is not None:
        found = {(user.name, user.email) for user in members if user.is_active}
        return [{"name": name, "email": email} for name, email in sorted(found)]
    rows = session.execute(
        select(User.name, User.email)
        .join(PaperMember, PaperMember.user_id == User.id)
        .where(PaperMember.paper_id == paper_id, User.is_active.is_(True))
        .distinct()
        .order_by(User.name)
    ).all()
    return [{"name": name, "email": email} for name, email in rows]


def mentioned_in(paper_id: int, body: str) -> list[int]:
    """The members of the paper that `body` mentions: `@` followed by their e-mail or their
    name (any case). One statement, however many are mentioned."""
    if MENTION_MARK not in (body or ""):
        return []
    lowered = body.casefold()
    members = session.execute(
        select(User.id, User.name, User.email)
        .join(PaperMember, PaperMember.user_id == User.id)
        .where(PaperMember.paper_id == paper_id)
        .distinct()
    ).all()
    found = []
    for user_id, name, email in members:
        for handle in (email, name):
            if handle and f"{MENTION_MARK}{handle.casefold()}" in lowered:
                found.append(user_id)
                break
    return sorted(set(found))


def _nudge_worker() -> None:
    """Ask the worker to mail what just committed (its periodic sweep would find it anyway)."""
    session.info.pop("plume.mail_nudged", None)
    from app import worker

    worker.enqueue_delivery()


# --- reading -------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    """How many notifications the bell shows."""
    return session.scalar(unread_count_query(user.id))


def unread_count_query(user_id):
    """The statement of `unread_count` (`user_id` a value or a bound parameter), for a page
    that reads it with something else."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def list_for(user: User, *, unread_only: bool = False, limit: int = 200) -> list[Notification]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


@dataclass
class PaperGroup:
    paper: Paper | None
    notifications: list[Notification]


def grouped_by_paper(user: User, *, unread_only: bool = False) -> list[PaperGroup]:
    """The notifications page: one group per paper, the paper with the newest first."""
    items = list_for(user, unread_only=unread_only)
    papers = {
        paper.id: paper
        for paper in session.scalars(
            select(Paper).where(Paper.id.in_({n.paper_id for n in items if n.paper_id}))
        )
    }
    groups: dict[int | None, PaperGroup] = {}
    for item in items:
        group = groups.setdefault(item.paper_id, PaperGroup(papers.get(item.paper_id), []))
        group.notifications.append(item)
    return list(groups.values())


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications `ids` read, or all of them when `ids` is None."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        wanted = [int(i) for i in ids]
        if not wanted:
            return 0
        query = query.where(Notification.id.in_(wanted))
    return session.execute(query.values(read_at=utcnow())).rowcount or 0


def get_for(user: User, notification_id: int) -> Notification | None:
    """One of the user's notifications (None when it is someone else's)."""
    item = session.get(Notification, notification_id)
    return item if item is not None and item.user_id == user.id else None


# --- settings ------------------------------------------------------------------------------


def settings_of(user: User) -> dict[str, str]:
    """{category: delivery} for every category, the defaults filled in."""
    chosen = dict(
        session.execute(
            select(NotificationSetting.category, NotificationSetting.delivery).where(
                NotificationSetting.user_id == user.id
            )
        ).all()
    )
    return {str(c): chosen.get(str(c), str(DEFAULT_DELIVERY[c])) for c in Category}


def update_settings(user: User, changes: dict[str, str]) -> dict[str, str]:
    """Set some categories' delivery; the others keep theirs. Unknown names are refused."""
    unknown = sorted(set(changes) - {str(c) for c in Category})
    if unknown:
        raise BadInput("notification_categories", categories=unknown)
    bad = sorted(k for k, v in changes.items() if v not in {str(d) for d in Delivery})
    if bad:
        raise BadInput("notification_delivery", categories=bad)
    current = {
        row.category: row
        for row in session.scalars(
            select(NotificationSetting).where(NotificationSetting.user_id == user.id)
        )
    }
    for category, delivery in changes.items():
        row = current.get(category)
        if row is None:
            session.add(NotificationSetting(user_id=user.id, category=category, delivery=delivery))
        else:
            row.delivery = delivery
    session.flush()
    return settings_of(user)


def mailed(notification_ids: list[int], when: datetime | None = None) -> None:
    """Record that these notifications' mail went out."""
    session.execute(
        update(Notification)
        .where(Notification.id.in_(notification_ids))
        .values(mailed_at=when or utcnow())
    )
