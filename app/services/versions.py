"""Versions: frozen snapshots of a whole paper, identified by the sha256 of their text."""

from __future__ import annotations

import enum
import hashlib

from sqlalchemy import select

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
    VersionSection,
)
from app.services import activity, notifications
from app.services.access import get_paper, require_role
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


def freeze_version(paper: Paper, actor: User, label: str) -> Version:
    """Freeze the current revision of every section under a label (e.g. "v0.3")."""
    require_role(actor, paper.id, Role.COORDINATOR, action="freeze versions")
    label = (label or "").strip()
    if not label or len(label) > 40:
        raise BadInput("a version needs a label of 1 to 40 characters, e.g. v0.3")
    if session.scalar(
        select(Version.id).where(Version.paper_id == paper.id, Version.label == label)
    ):
        raise Conflict(f"this paper already has a version labelled {label}")

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
        paper_id=paper.id, label=label, sha256=digest, created_by_id=actor.id, sections=snapshot
    )
    session.add(version)
    session.flush()
    activity.record(
        actor,
        ActivityAction.VERSION_FROZEN,
        version,
        paper_id=paper.id,
        after={"label": label, "sha256": digest, "sections": len(snapshot)},
    )
    # Every frozen version carries a ballot today; once versions have purposes, only a
    # version for signature is sent to the signatories.
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


def get_version(version_id: int, user: User) -> Version:
    version = session.get(Version, version_id)
    if version is None:
        raise NotFound(f"version {version_id} does not exist")
    get_paper(version.paper_id, user)
    return version


def list_versions(paper_id: int) -> list[Version]:
    return list(
        session.scalars(select(Version).where(Version.paper_id == paper_id).order_by(Version.id))
    )


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
        return VersionState.SUPERSEDED if later_signed else VersionState.SIGNED_OFF
    later = session.scalar(
        select(Version.id).where(Version.paper_id == version.paper_id, Version.id > version.id)
    )
    return VersionState.SUPERSEDED if later else VersionState.FROZEN


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
