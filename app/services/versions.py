"""Versions: frozen snapshots of a whole paper, identified by the sha256 of their text."""

from __future__ import annotations

import enum
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.db import session
from app.models import (
    ActivityAction,
    Event,
    Paper,
    Revision,
    Role,
    Section,
    User,
    Version,
    VersionPurpose,
    VersionSection,
)
from app.services import access, activity, notifications, stages
from app.services.access import get_paper
from app.services.errors import BadInput, Conflict, NotFound


class VersionState(enum.StrEnum):
    FROZEN = "frozen"
    SIGNED_OFF = "signed_off"
    SUPERSEDED = "superseded"


def canonical_text(paper_title: str, entries: list[tuple[str, str, str]]) -> str:
    """The consolidated text a version's sha256 is taken over.

    `entries` are (number, title, body) in document order. Deterministic by construction:
    no dates, no labels, LF line endings, so the same texts always give the same hash.
    """
    parts = [f"# {paper_title}\n"]
    for number, title, body in entries:
        parts.append(f"\n## {number} {title}\n\n{body.replace(chr(13), '').rstrip()}\n")
    return "".join(parts)


def freeze_version(
    paper: Paper,
    actor: User,
    label: str,
    *,
    purpose: str = VersionPurpose.REVIEW,
    override_reason: str | None = None,
) -> Version:
    """Freeze the current revision of every section under a label (e.g. "v0.3"), for review
    or for signature. Freezing for signature is refused while anything stands in its way
    (`stages.signature_blockers`), unless the coordinator gives a reason to override.
    """
    access.permissions(actor, paper.id).require_role(Role.COORDINATOR, action="freeze versions")
    label = (label or "").strip()
    if not label or len(label) > 40:
        raise BadInput("version_label")
    if purpose not in set(VersionPurpose):
        raise BadInput("version_purpose", purpose=purpose)
    if session.scalar(
        select(Version.id).where(Version.paper_id == paper.id, Version.label == label)
    ):
        raise Conflict("version_label_taken", label=label)
    override_reason = (override_reason or "").strip() or None
    blockers = stages.signature_blockers(paper) if purpose == VersionPurpose.SIGNATURE else []
    if blockers and override_reason is None:
        raise stages.SignatureBlocked(blockers)
    if not blockers:
        override_reason = None  # nothing was overridden
    with stages.tracking(paper, actor):
        version = _freeze(paper, actor, label, purpose, override_reason, blockers)
    return version


def _freeze(
    paper: Paper,
    actor: User,
    label: str,
    purpose: str,
    override_reason: str | None,
    blockers: list[stages.Blocker],
) -> Version:
    previous = stages.latest_version(paper.id)

    sections = session.scalars(
        select(Section).where(Section.paper_id == paper.id).order_by(Section.position)
    ).all()
    latest = _latest_revisions([section.id for section in sections])
    snapshot, entries = [], []
    for position, section in enumerate(sections):
        revision = latest.get(section.id)
        title = section.title(paper.language)
        snapshot.append(
            VersionSection(
                section_id=section.id,
                revision_id=revision.id if revision else None,
                position=position,
                number=section.number,
                title=title,
            )
        )
        entries.append((section.number, title, revision.body if revision else ""))
    digest = hashlib.sha256(canonical_text(paper.title, entries).encode("utf-8")).hexdigest()
    version = Version(
        paper_id=paper.id,
        label=label,
        sha256=digest,
        created_by_id=actor.id,
        sections=snapshot,
        purpose=purpose,
        override_reason=override_reason,
    )
    session.add(version)
    session.flush()
    frozen = {"label": label, "sha256": digest, "sections": len(snapshot), "purpose": purpose}
    if override_reason:
        frozen["override_reason"] = override_reason
        frozen["overridden"] = [blocker.as_details() for blocker in blockers]
    activity.record(actor, ActivityAction.VERSION_FROZEN, version, paper_id=paper.id, after=frozen)
    if (
        previous is not None
        and previous.purpose == VersionPurpose.SIGNATURE
        and previous.signed_off_at is None
    ):
        # The text moved on: the older ballot closes, its positions kept as they were.
        activity.record(
            actor,
            ActivityAction.VERSION_SUPERSEDED,
            previous,
            paper_id=paper.id,
            after={"label": previous.label, "superseded_by": version.id},
        )
    if purpose == VersionPurpose.SIGNATURE:
        notifications.notify(
            Event.VERSION_FOR_SIGNATURE,
            actor,
            notifications.paper_members(paper.id, Role.SIGNATORY),
            paper_id=paper.id,
            link=f"/versions/{version.id}",
            params={"label": label},
        )
    return version


def _latest_revisions(section_ids: list[int]) -> dict[int, Revision]:
    """The newest revision of each section, in one query."""
    if not section_ids:
        return {}
    rows = session.scalars(
        select(Revision)
        .where(Revision.section_id.in_(section_ids))
        .order_by(Revision.section_id, Revision.number)
    )
    return {revision.section_id: revision for revision in rows}


def get_version(version_id: int, user: User | None) -> Version:
    """The version, if the user may read its paper (`None`: the command line)."""
    version = session.get(Version, version_id)
    if version is None:
        raise NotFound("version", id=version_id)
    get_paper(version.paper_id, user)
    return version


def list_versions(paper_id: int) -> list[Version]:
    """The paper's versions, oldest first, their frozen sections loaded with them."""
    return list(
        session.scalars(
            select(Version)
            .where(Version.paper_id == paper_id)
            .order_by(Version.id)
            .options(selectinload(Version.sections))
        )
    )


def version_states(paper_versions: list[Version]) -> dict[int, VersionState]:
    """{version id: its state} for every version of a paper, all of them given (as
    `list_versions` reads them): the later ones are in the list, so no statement."""
    states = {}
    later = later_signed = False
    for version in sorted(paper_versions, key=lambda v: v.id, reverse=True):
        states[version.id] = _state(version, later=later, later_signed=later_signed)
        later = True
        later_signed = later_signed or version.signed_off_at is not None
    return states


def _state(version: Version, *, later: bool, later_signed: bool) -> VersionState:
    if version.signed_off_at is not None:
        return VersionState.SUPERSEDED if later_signed else VersionState.SIGNED_OFF
    return VersionState.SUPERSEDED if later else VersionState.FROZEN


def version_state(version: Version) -> VersionState:
    """signed_off once signed; superseded when a later version of the paper exists."""
    if version.signed_off_at is not None:
        later_signed = session.scalar(
            select(Version.id).where(
                Version.paper_id == version.paper_id,
                Version.id > version.id,
                Version.signed_off_at.is_not(None),
            )
        )
        return _state(version, later=True, later_signed=bool(later_signed))
    later = session.scalar(
        select(Version.id).where(Version.paper_id == version.paper_id, Version.id > version.id)
    )
    return _state(version, later=bool(later), later_signed=False)


def frozen_texts(version: Version) -> list[tuple[VersionSection, Revision | None]]:
    """Each frozen section with the exact revision the version holds."""
    ids = [entry.revision_id for entry in version.sections if entry.revision_id]
    revisions = (
        {
            revision.id: revision
            for revision in session.scalars(select(Revision).where(Revision.id.in_(ids)))
        }
        if ids
        else {}
    )
    return [(entry, revisions.get(entry.revision_id)) for entry in version.sections]
