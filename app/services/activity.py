"""The activity log: every change, who made it, and the before and after."""

from __future__ import annotations

from sqlalchemy import insert, select

from app.db import session
from app.models import Activity, ActivityAction, User


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
        before=before,
        after=after,
    )
    session.add(entry)
    session.flush()
    return entry


def record_many(
    actor: User | None,
    action: ActivityAction,
    target_type: str,
    changes: list[tuple[int, dict | None, dict | None]],
    *,
    paper_id: int | None = None,
) -> None:
    """Append one entry per (target id, before, after) in one statement: what a save does to
    hundreds of comments at once."""
    if changes:
        session.execute(
            insert(Activity),
            [
                {
                    "paper_id": paper_id,
                    "actor_id": actor.id if actor else None,
                    "action": action,
                    "target_type": target_type,
                    "target_id": target_id,
                    "before": before,
                    "after": after,
                }
                for target_id, before, after in changes
            ],
        )


def list_for_paper(paper_id: int, *, limit: int = 200, before_id: int | None = None):
    """The newest entries first; `before_id` pages back."""
    query = select(Activity).where(Activity.paper_id == paper_id)
    if before_id:
        query = query.where(Activity.id < before_id)
    return session.scalars(query.order_by(Activity.id.desc()).limit(limit)).all()
