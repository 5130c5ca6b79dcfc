"""The activity log in words: who did what to which section, and what changed.

Entries store ids and raw values (lead_author_id: 7, state: "in_review"); the feed says
"lead author: Jordan Mensah → Aiko Tanaka", "state: Drafting → In review", in the reader's
language, with a link to what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from app.models import Activity, Paper, Section, User
from app.services import reviews, revisions, sections, users
from app.services.errors import NotFound
from app.web import i18n
from app.web.templating import when

FIELDS = {
    "lead_author_id": (_l("lead author"), "user"),
    "due_date": (_l("due date"), "date"),
    "state": (_l("state"), "section_state"),
    "contributing_sectors": (_l("sectors"), "list"),
    "status": (_l("status"), "paper_status"),
    "position": (_l("position"), "position"),
    "reason": (_l("reason"), "text"),
    "label": (_l("label"), "text"),
    "role": (_l("role"), "role"),
    "user": (_l("person"), "text"),
    "decision": (_l("decision"), "decision"),
    "rationale": (_l("rationale"), "text"),
    "number": (_l("revision"), "text"),
    "title": (_l("title"), "text"),
    "untranslated_sections": (_l("sections that start in another language"), "list"),
    "document_symbol": (_l("document symbol"), "text"),
    "disclaimer": (_l("disclaimer page"), "switch"),
    "numbered_paragraphs": (_l("numbered paragraphs"), "switch"),
}


@dataclass
class FeedEntry:
    entry: Activity
    what: str
    link: str | None = None
    target: str | None = None
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)


def _value(kind: str, value) -> str:
    if value is None or value == []:
        return "—"
    if kind == "user":
        try:
            return users.get_user(int(value)).name
        except NotFound:
            return str(value)
    if kind == "date":
        return when(date.fromisoformat(value))
    if kind == "list":
        return ", ".join(map(str, value))
    if kind == "switch":
        return pgettext("setting", "on") if value else pgettext("setting", "off")
    if kind in i18n.LABELS:
        return i18n.label(value, kind)
    return str(value)


def _target(entry: Activity, paper: Paper, reader: User) -> tuple[str | None, str | None]:
    """A short name for the changed record, and where to see it."""
    try:
        if entry.target_type == "section":
            section = sections.get_section(entry.target_id, reader)
            return _name(section, paper), url_for("web.section", section_id=section.id)
        if entry.target_type == "revision":
            revision = revisions.get_revision(entry.target_id)
            section = sections.get_section(revision.section_id, reader)
            return _name(section, paper), url_for(
                "web.section_history", section_id=section.id, to=revision.id
            )
        if entry.target_type == "comment":
            comment = reviews.get_comment(entry.target_id, reader)
            section = sections.get_section(comment.section_id, reader)
            return _name(section, paper), url_for(
                "web.section", section_id=section.id, _anchor=f"comment-{comment.id}"
            )
    except NotFound:
        return None, None
    if entry.target_type == "reviewround":
        return _("Round %(id)s", id=entry.target_id), url_for(
            "web.review_round", round_id=entry.target_id
        )
    if entry.target_type == "version":
        label = (entry.after or {}).get("label")
        return label, url_for("web.version", version_id=entry.target_id)
    return None, None


def _name(section: Section, paper: Paper) -> str:
    return f"{section.number} {section.title(paper.language)}"


def describe(entries: list[Activity], paper: Paper, reader: User) -> list[FeedEntry]:
    """Each entry as the feed shows it to `reader`."""
    described = []
    for entry in entries:
        target, link = _target(entry, paper, reader)
        changes = []
        before, after = entry.before or {}, entry.after or {}
        for key, (label, kind) in FIELDS.items():
            if key not in after:
                continue
            old = _value(kind, before[key]) if before.get(key) is not None else None
            new = _value(kind, after[key])
            if new != old and not (old is None and after[key] in (None, "", [])):
                changes.append((str(label), old, new))
        described.append(
            FeedEntry(entry, i18n.label(entry.action, "action"), link, target, changes)
        )
    return described
