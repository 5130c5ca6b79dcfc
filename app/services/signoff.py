"""Sign-off: the signatories' positions on a frozen version, and the rule that signs it off.

Positions are append-only: changing one adds a row, and the newest per signatory counts.
Each position is bound to the sha256 of the text it was given on. Only a version frozen for
signature has a ballot. Once the rule is met the version is signed off for good: its
`signed_off_at` is set (once), and no further position is taken on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import aliased

from app.db import session, utcnow
from app.models import (
    ActivityAction,
    BallotPosition,
    Event,
    Paper,
    PaperMember,
    Position,
    Role,
    User,
    Version,
    VersionPurpose,
)
from app.services import access, activity, notifications, stages
from app.services.errors import BadInput, Conflict
from app.services.versions import VersionState, version_state

P = BallotPosition
SUPPORTING = {P.APPROVE, P.NO_OBJECTION}


def is_signed_off(positions: Iterable[str | None]) -> bool:
    """The ballot rule over each required signatory's current position (None: no record).

    Abstentions step out of the count: every other signatory must approve or not object
    (so no block stands and nobody is without a record), and at least one must approve.
    A ballot of abstentions alone signs nothing off, and neither does an empty one.
    """
    counted = [position for position in positions if position != P.ABSTAIN]
    return all(position in SUPPORTING for position in counted) and P.APPROVE in counted


@dataclass(frozen=True)
class BallotEntry:
    """A required signatory and their current position on a version (None: no record)."""

    signatory: User
    current: Position | None

    @property
    def position(self) -> str | None:
        return self.current.position if self.current else None

    @property
    def reason(self) -> str | None:
        return self.current.reason if self.current else None

    @property
    def recorded_at(self) -> datetime | None:
        return self.current.created_at if self.current else None


def required_signatories(paper_id: int) -> list[User]:
    """The paper's members with the signatory role, in the order they were added."""
    return list(
        session.scalars(
            select(User)
            .join(PaperMember, PaperMember.user_id == User.id)
            .where(PaperMember.paper_id == paper_id, PaperMember.role == Role.SIGNATORY)
            .order_by(PaperMember.id)
        )
    )


def ballot(version: Version) -> list[BallotEntry]:
    """Each required signatory with their newest position on the version.

    A signed-off ballot is the one that was signed: a signatory added to the paper later has
    no place on it (everyone required then had a record, or it would not be signed).
    """
    if version.purpose != VersionPurpose.SIGNATURE:
        return []  # a version frozen for review has no ballot
    return ballots([version])[version.id]


def ballots(paper_versions: list[Version]) -> dict[int, list[BallotEntry]]:
    """{version id: its ballot} for versions of one paper: two statements, whether a page of
    the list holds versions for signature or not."""
    for_signature = [v for v in paper_versions if v.purpose == VersionPurpose.SIGNATURE]
    found: dict[int, list[BallotEntry]] = {v.id: [] for v in paper_versions}
    if not paper_versions:
        return found
    newest: dict[int, dict[int, Position]] = {v.id: {} for v in for_signature}
    for position in session.scalars(
        select(Position)
        .where(Position.version_id.in_([v.id for v in for_signature]))
        .order_by(Position.id)
    ):
        newest[position.version_id][position.user_id] = position
    signatories = required_signatories(paper_versions[0].paper_id)
    for version in for_signature:
        signed = version.signed_off_at is not None
        found[version.id] = [
            BallotEntry(signatory, newest[version.id].get(signatory.id))
            for signatory in signatories
            if not signed or signatory.id in newest[version.id]
        ]
    return found


def position_history(version: Version) -> list[Position]:
    """Every position recorded on the version, oldest first, changed ones included."""
    return list(
        session.scalars(
            select(Position).where(Position.version_id == version.id).order_by(Position.id)
        )
    )


def record_position(
    version: Version,
    actor: User,
    position: str,
    *,
    reason: str | None = None,
    version_sha256: str | None = None,
) -> Position:
    """Record a signatory's position on a frozen version; signs the version off if that
    completes the ballot. `version_sha256`, when given, must be the hash the signatory read.
    """
    access.permissions(actor, version.paper_id).require_role(
        Role.SIGNATORY, action="record a position"
    )
    if version.purpose != VersionPurpose.SIGNATURE:
        raise Conflict("positions_need_signature_version", label=version.label)
    if position not in {p.value for p in P}:
        raise BadInput("unknown_position", position=position)
    reason = (reason or "").strip() or None
    if position == P.BLOCK and reason is None:
        raise BadInput("block_needs_reason")
    if version_sha256 is not None and version_sha256 != version.sha256:
        raise Conflict(
            "position_text_changed",
            {"version_sha256": version.sha256, "you_sent": version_sha256},
            label=version.label,
        )

    # Serialise the ballot of one version: two signatories completing it at once must
    # both see each other's position, and none may land after the sign-off.
    session.execute(
        select(Version)
        .where(Version.id == version.id)
        .with_for_update(of=Version)
        .execution_options(populate_existing=True)
    )
    if version.signed_off_at is not None:
        raise Conflict(
            "version_signed_off", label=version.label, day=f"{version.signed_off_at:%Y-%m-%d}"
        )
    if version_state(version) == VersionState.SUPERSEDED:
        raise Conflict("version_superseded", label=version.label)

    previous = next((e.current for e in ballot(version) if e.signatory.id == actor.id), None)
    recorded = Position(
        version_id=version.id,
        user_id=actor.id,
        position=position,
        reason=reason,
        version_sha256=version.sha256,
    )
    session.add(recorded)
    session.flush()
    activity.record(
        actor,
        ActivityAction.POSITION_RECORDED,
        recorded,
        paper_id=version.paper_id,
        before={"position": previous.position if previous else None},
        after={
            "version_id": version.id,
            "position": position,
            "reason": reason,
            "version_sha256": version.sha256,
        },
    )

    if position == P.BLOCK:
        _tell_ballot(version, actor, Event.VERSION_BLOCKED, reason=reason)
    entries = ballot(version)
    if is_signed_off(entry.position for entry in entries):
        with stages.tracking(session.get(Paper, version.paper_id), actor):
            _sign_off(version, actor, entries)
    return recorded


def _tell_ballot(version: Version, actor: User, event: Event, **params) -> None:
    """Tell the signatories and the coordinators how the ballot stands."""
    notifications.notify(
        event,
        actor,
        notifications.paper_members(version.paper_id, Role.SIGNATORY, Role.COORDINATOR),
        paper_id=version.paper_id,
        link=f"/versions/{version.id}",
        params={"label": version.label, **params},
    )


def _sign_off(version: Version, actor: User, entries: list[BallotEntry]) -> None:
    """Set the version's one set-once column (the paper's status follows from it)."""
    version.signed_off_at = utcnow()
    activity.record(
        actor,
        ActivityAction.VERSION_SIGNED_OFF,
        version,
        paper_id=version.paper_id,
        after={
            "label": version.label,
            "sha256": version.sha256,
            "positions": {entry.signatory.email: entry.position for entry in entries},
        },
    )
    # The last signatory is told too: their position completed it.
    _tell_ballot(version, None, Event.VERSION_SIGNED_OFF)


def _versions_awaiting_statement():
    """The statement of `versions_awaiting`, the user bound at execution."""
    later = aliased(Version)
    user_id = bindparam("user_id")
    signatory_of = select(PaperMember.paper_id).where(
        PaperMember.user_id == user_id, PaperMember.role == Role.SIGNATORY
    )
    return (
        select(Version)
        .where(
            Version.paper_id.in_(signatory_of),
            Version.purpose == VersionPurpose.SIGNATURE,
            Version.signed_off_at.is_(None),
            ~exists().where(later.paper_id == Version.paper_id, later.id > Version.id),
            ~exists().where(Position.version_id == Version.id, Position.user_id == user_id),
        )
        .order_by(Version.id)
    )


# Built once (every API queue asks it): SQLAlchemy neither rebuilds it nor computes its
# cache key per request.
_VERSIONS_AWAITING = _versions_awaiting_statement()


def versions_awaiting(user: User) -> list[Version]:
    """The versions awaiting the user's position: the latest version of each paper where they
    are a signatory, when it is frozen for signature, unsigned, and they have recorded nothing.
    """
    return list(session.scalars(_VERSIONS_AWAITING, {"user_id": user.id}))
