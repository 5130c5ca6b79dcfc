"""Revisions: every save of a section's text is a new immutable record.

A save names the revision it was based on; if that is no longer the latest, the save is
refused with the current revision, so nobody overwrites a colleague's work unseen.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import session
from app.models import ActivityAction, Revision, Role, Section, SectionState, User
from app.services import access, activity
from app.services.errors import BadInput, Conflict, NotFound

MAX_BODY_CHARS = 500_000


class StaleBase(Conflict):
    """The save was based on a revision that is no longer the latest."""

    code = "stale_base"

    def __init__(self, current: Revision | None):
        super().__init__("stale_base", {"current_revision_id": current.id if current else None})
        self.current = current


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest(section_id: int) -> Revision | None:
    return session.scalar(
        select(Revision)
        .where(Revision.section_id == section_id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def latest_id(section_id: int) -> int | None:
    """The id of the section's latest revision, without reading its text."""
    return session.scalar(
        select(Revision.id)
        .where(Revision.section_id == section_id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def get_revision(revision_id: int, section: Section | None = None) -> Revision:
    revision = session.get(Revision, revision_id)
    if revision is None or (section is not None and revision.section_id != section.id):
        raise NotFound("revision", id=revision_id)
    return revision


def list_revisions(section: Section) -> list[Revision]:
    return list(
        session.scalars(
            select(Revision).where(Revision.section_id == section.id).order_by(Revision.number)
        )
    )


def may_write(user: User, section: Section) -> bool:
    """The coordinator, the lead author, and authors from a contributing sector may write."""
    return access.permissions(user, section.paper_id).may_write(section)


def save_revision(
    section: Section,
    author: User,
    *,
    body: str,
    base_revision_id: int | None,
    summary: str = "",
    check_access: bool = True,
) -> Revision:
    """Save new text for a section on top of `base_revision_id` (None for the first save)."""
    if check_access:
        perms = access.permissions(author, section.paper_id)
        perms.require_role(Role.COORDINATOR, Role.AUTHOR, action="edit sections")
        perms.require(perms.may_write(section), "write_section")
    if len(body) > MAX_BODY_CHARS:
        raise BadInput("section_text_too_long", limit=MAX_BODY_CHARS)
    if section.state == SectionState.APPROVED:
        raise Conflict("section_approved")

    # Serialise saves of one section: on PostgreSQL the row lock makes concurrent savers
    # wait here and then see the new latest revision; SQLite serialises writers anyway.
    session.execute(select(Section.id).where(Section.id == section.id).with_for_update())
    current = latest(section.id)
    if (current.id if current else None) != base_revision_id:
        raise StaleBase(current)

    revision = Revision(
        section_id=section.id,
        number=(current.number + 1) if current else 1,
        base_id=base_revision_id,
        body=body,
        summary=summary.strip()[:500],
        sha256=sha256_text(body),
        author_id=author.id,
    )
    try:
        with session.begin_nested():
            session.add(revision)
            session.flush()
    except IntegrityError as exc:
        # The unique (section, number) constraint caught a concurrent save.
        session.expire_all()
        raise StaleBase(latest(section.id)) from exc

    before_state = section.state
    if section.state == SectionState.NOT_STARTED:
        section.state = SectionState.DRAFTING
    activity.record(
        author,
        ActivityAction.REVISION_SAVED,
        revision,
        paper_id=section.paper_id,
        before={"revision_id": base_revision_id, "state": before_state},
        after={
            "revision_id": revision.id,
            "number": revision.number,
            "sha256": revision.sha256,
            "state": section.state,
        },
    )
    for listener in _after_save:
        listener(section, revision, author)
    return revision


def open_sections(openings: list[tuple[Section, str, str]], author: User) -> list[Revision]:
    """The first revisions of sections just created, from (section, body, summary): what
    save_revision records for each, in a few statements for them all. A new section has no
    revision to be stale against and no comment to re-anchor (a template's opening texts)."""
    if any(len(body) > MAX_BODY_CHARS for _section, body, _summary in openings):
        raise BadInput("section_text_too_long", limit=MAX_BODY_CHARS)
    saved = [
        Revision(
            section_id=section.id,
            number=1,
            base_id=None,
            body=body,
            summary=summary.strip()[:500],
            sha256=sha256_text(body),
            author_id=author.id,
        )
        for section, body, summary in openings
    ]
    sections = {section.id: section for section, _body, _summary in openings}
    states = {section_id: section.state for section_id, section in sections.items()}
    for section, _body, _summary in openings:
        if section.state == SectionState.NOT_STARTED:
            section.state = SectionState.DRAFTING
    session.add_all(saved)
    session.flush()
    activity.record_each(
        author,
        ActivityAction.REVISION_SAVED,
        [
            (
                revision,
                {"revision_id": None, "state": states[revision.section_id]},
                {
                    "revision_id": revision.id,
                    "number": 1,
                    "sha256": revision.sha256,
                    "state": sections[revision.section_id].state,
                },
            )
            for revision in saved
        ],
        paper_id=openings[0][0].paper_id if openings else None,
    )
    return saved


# Other services (comment re-anchoring) register here to react to a new revision
# without this module knowing about them.
_after_save: list = []


def on_revision_saved(listener):
    _after_save.append(listener)
    return listener


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class DiffOp:
    op: str  # "equal" | "insert" | "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffOp]:
    """A word-level diff (difflib over word, space and punctuation tokens)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops: list[DiffOp] = []

    def emit(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        text = "".join(tokens)
        if ops and ops[-1].op == op:
            ops[-1] = DiffOp(op, ops[-1].text + text)
        else:
            ops.append(DiffOp(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            emit("equal", a[i1:i2])
        else:
            emit("delete", a[i1:i2])
            emit("insert", b[j1:j2])
    return ops


def diff_revisions(section: Section, from_id: int, to_id: int) -> list[DiffOp]:
    """The word-level changes from one revision of the section to another."""
    return word_diff(get_revision(from_id, section).body, get_revision(to_id, section).body)
