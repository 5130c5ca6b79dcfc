"""The activity log: every change, who made it, and the before and after."""

from __future__ import annotations

from sqlalchemy import select

from app.db import session
from app.models import Activity, ActivityAction, Section, User


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


def _section_of(target) -> int | None:
    """The section a changed record belongs to: the section itself, or its section_id."""
    if isinstance(target, Section):
        return target.id
    return getattr(target, "section_id", None)


def list_for_paper(paper_id: int, *, limit: int = 200, before_id: int | None = None):
    """The newest entries first; `before_id` pages back."""
    query = select(Activity).where(Activity.paper_id == paper_id)
    if before_id:
        query = query.where(Activity.id < before_id)
    return session.scalars(query.order_by(Activity.id.desc()).limit(limit)).all()
