"""A last guard under the services: immutable records refuse updates and deletes.

The services have no update path for these; this listener makes a slip anywhere else
(a view, a script, a future service) fail loudly instead of rewriting history.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models.activity import Activity
from app.models.alignment import AlignmentDecision
from app.models.exports import Export
from app.models.reviews import CommentResolution, RoundCompletion
from app.models.sections import Revision
from app.models.signoff import Position, Version, VersionSection


class ImmutableRecordError(Exception):
    """Raised when code tries to change or delete a record that is never changed."""


IMMUTABLE = (
    Revision,
    Version,
    VersionSection,
    Position,
    Activity,
    Export,
    AlignmentDecision,
    CommentResolution,
    RoundCompletion,
)
# The one column set later, once: a version becomes signed off.
_SET_ONCE = {Version: {"signed_off_at"}}


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in session.dirty:
        if not isinstance(obj, IMMUTABLE) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        if changed and not _sets_once(type(obj), state, changed):
            raise ImmutableRecordError(f"{type(obj).__name__} {obj.id} is immutable")
    for obj in session.deleted:
        if isinstance(obj, IMMUTABLE):
            raise ImmutableRecordError(f"{type(obj).__name__} {obj.id} is never deleted")


def _sets_once(cls, state, changed: set[str]) -> bool:
    """True when every change fills a set-once column that was empty."""
    if not changed <= _SET_ONCE.get(cls, set()):
        return False
    return all(all(old is None for old in state.attrs[key].history.deleted) for key in changed)
