"""A reviewer's returned .docx becomes comments, replies and suggestions, on the right passages.

The file is read by app/docx_import (which refuses hostile files before parsing). Its identity
names the paper and the version it was exported from; each remark is placed on the text of
that version (the exact revision each section held), then carried to the section's current
revision by the re-anchoring every save uses (reviews.reanchor_open_comments). A comment on a
heading, across sections or without a range becomes a section-level comment that keeps the
quoted text; a passage no longer found is reported "unplaced", never dropped, and becomes a
section-level comment on request.

Idempotent: each remark is keyed by the file's identity (paper, version) and its own author,
date, text and passage (not Word's comment id: Word and LibreOffice renumber comments on every
save), so the same file twice, or a later file that still holds earlier remarks, brings
nothing twice. A dry run answers the full report and writes nothing; a real import is all or
nothing (the caller commits once, or rolls back).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, insert, select, text

from app import docx_import
from app.db import session, utcnow
from app.models import (
    ActivityAction,
    Comment,
    CommentReply,
    CommentStatus,
    CommentType,
    Decision,
    ImportedItem,
    ImportKind,
    Paper,
    PaperMember,
    ReviewRound,
    Revision,
    Section,
    User,
    Version,
)
from app.services import access, activity, reviews, rounds, search_index
from app.services.access import get_paper
from app.services.errors import BadInput, Invalid, TooLarge
from app.services.versions import frozen_texts
from app.text import passages

MATCHES = ("bookmarks", "headings")
# Refusals of the file itself that are not "malformed" (400) but "not this paper's" (422).
_UNPROCESSABLE = {
    "import_not_plume",
    "import_other_paper",
    "import_unknown_version",
    "import_version_mismatch",
}
# An unknown author's remark is the uploader's, with the Word author's name kept, in the
# paper's language (it is part of the comment's text, not of a page).
_FROM = {"en": "from {name} (Word)", "fr": "de {name} (Word)"}
_SECTOR_IN_NAME = re.compile(r"^(?P<name>.*?)\s*\((?P<sector>[^()]*)\)\s*$")


@dataclass
class ReportItem:
    """What became of one remark of the file."""

    kind: str  # comment | reply | suggestion
    section_id: int | None
    quote: str | None
    author: str
    user_id: int | None
    comment_id: int | None
    status: str  # created | duplicate | unplaced
    reason: str | None = None
    body: str = ""
    proposed_text: str | None = None
    reply_id: int | None = None


@dataclass
class ImportReport:
    paper_id: int
    version_id: int | None
    export_id: str
    match: str
    dry_run: bool
    items: list[ReportItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(item.status for item in self.items)
        return {status: found.get(status, 0) for status in ("created", "duplicate", "unplaced")}

    def to_json(self) -> dict:
        return {
            "paper_id": self.paper_id,
            "version_id": self.version_id,
            "export_id": self.export_id,
            "match": self.match,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "items": [asdict(item) for item in self.items],
        }


@dataclass
class _Target:
    """A section of the paper as the file's version holds it."""

    section: Section
    revision: Revision | None


@dataclass
class _Plan:
    """One remark, placed: what would be written."""

    item: docx_import.Item
    report: ReportItem
    key: str
    target: _Target | None = None
    author: User | None = None
    body: str = ""
    anchor: tuple[int, int] | None = None
    row: dict | None = None  # the comments row written
    parent: _Plan | None = None


def import_docx(
    paper_id: int,
    actor: User,
    data: bytes,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    round_id: int | None = None,
    match: str = "bookmarks",
    unplaced_as_section: bool = False,
    max_bytes: int = 20 * docx_import.safety.MIB,
) -> ImportReport:
    """Read a returned .docx and bring its remarks in (or, dry, say what would come in)."""
    paper = get_paper(paper_id, actor)
    access.permissions(actor, paper.id).require_role(
        *reviews.COMMENTERS, action="import a Word file"
    )
    if match not in MATCHES:
        raise BadInput("import_match", match=match, choices=list(MATCHES))
    if filename and filename.lower().endswith((".docm", ".dotm")):
        raise BadInput("import_macros", name=filename)
    try:
        found = docx_import.read_docx(
            data,
            limits=docx_import.Limits(max_bytes=max_bytes),
            by_headings=match == "headings",
        )
    except docx_import.Refused as refused:
        raise _error(refused.reason, **refused.params) from None
    review_round = _round(round_id, paper, actor)
    version = _version(found.identity, paper, review_round, match)
    targets = _targets(found, version, match)

    report = ImportReport(
        paper_id=paper.id,
        version_id=version.id,
        export_id=found.identity.export_id,
        match=match,
        dry_run=dry_run,
    )
    authors = _Authors(paper, actor)
    plans = _plan(found, version, targets, authors, actor, paper, review_round, report)
    _place(plans, unplaced_as_section)
    _check_duplicates(paper, plans)
    if not dry_run and report.counts["created"]:
        # A file that brings nothing new writes nothing, not even an entry saying so.
        _write(paper, version, plans, actor, review_round)
    return report


def _error(reason: str, **params):
    if reason == "import_too_large":
        return TooLarge(reason, **params)
    if reason in _UNPROCESSABLE:
        return Invalid(reason, **params)
    return BadInput(reason, **params)


def _round(round_id: int | None, paper: Paper, actor: User) -> ReviewRound | None:
    if round_id is None:
        return None
    review_round = rounds.get_round(round_id, actor)
    if review_round.paper_id != paper.id:
        raise Invalid("import_round_paper", round=round_id)
    return review_round


def _version(identity, paper: Paper, review_round: ReviewRound | None, match: str) -> Version:
    """The version whose text the file holds."""
    if identity.is_plume:
        if identity.paper_id != paper.id:
            raise Invalid("import_other_paper", found=identity.paper_id, paper=paper.id)
        version = session.get(Version, identity.version_id)
        if version is None or version.paper_id != paper.id:
            raise Invalid("import_unknown_version", version=identity.version_id)
        if identity.version_sha256 and identity.version_sha256 != version.sha256:
            raise Invalid("import_version_mismatch", label=version.label)
        return version
    if match != "headings":
        raise Invalid("import_not_plume")
    if review_round is not None:
        return session.get(Version, review_round.version_id)
    version = session.scalar(
        select(Version).where(Version.paper_id == paper.id).order_by(Version.id.desc()).limit(1)
    )
    if version is None:
        raise Invalid("import_no_version")
    return version


def _targets(found, version: Version, match: str) -> list[_Target | None]:
    """For each section of the file, the paper's section (None: not one of the version's)."""
    frozen = frozen_texts(version)
    sections = {
        section.id: section
        for section in session.scalars(
            select(Section).where(Section.id.in_([entry.section_id for entry, _ in frozen]))
        )
    }
    by_id = {entry.section_id: _Target(sections[entry.section_id], rev) for entry, rev in frozen}
    by_heading: dict[str, _Target] = {}
    for entry, _ in frozen:
        target = by_id[entry.section_id]
        by_heading.setdefault(_heading(f"{entry.number} {entry.title}"), target)
        by_heading.setdefault(_heading(entry.title), target)
    targets: list[_Target | None] = []
    for section in found.sections:
        if match == "headings" or section.key is None:
            targets.append(by_heading.get(_heading(section.heading)))
        else:
            key = int(section.key) if section.key.isdigit() else None
            targets.append(by_id.get(key))
    if match == "headings" and found.sections and not any(targets):
        raise Invalid("import_no_sections")
    return targets


def _heading(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.replace("\u00a0", " ").split()).rstrip(".:")


class _Authors:
    """A Word author (a name, "Name (SECTOR)", an e-mail or initials) matched to a member."""

    def __init__(self, paper: Paper, uploader: User) -> None:
        self.uploader = uploader
        rows = session.execute(
            select(User, PaperMember.role)
            .join(PaperMember, PaperMember.user_id == User.id)
            .where(PaperMember.paper_id == paper.id, User.is_active.is_(True))
        ).all()
        self.roles: dict[int, set[str]] = {}
        self.users: dict[int, User] = {}
        for user, role in rows:
            self.users[user.id] = user
            self.roles.setdefault(user.id, set()).add(role)

    def match(self, name: str, initials: str) -> User | None:
        name = " ".join(name.split())
        sector = None
        parts = _SECTOR_IN_NAME.match(name)
        if parts:
            name, sector = parts.group("name").strip(), parts.group("sector").strip().casefold()
        wanted = name.casefold()
        candidates = [
            user
            for user in self.users.values()
            if wanted
            and (
                " ".join(user.name.split()).casefold() == wanted or user.email.casefold() == wanted
            )
        ]
        if sector:
            candidates = [u for u in candidates if u.sector.code.casefold() == sector] or candidates
        if not candidates and initials:
            candidates = [
                user for user in self.users.values() if _initials(user.name) == initials.casefold()
            ]
        if len(candidates) != 1:
            return None
        user = candidates[0]
        return user if self.roles[user.id] & set(reviews.COMMENTERS) else None

    def may_reply(self, user: User) -> bool:
        return bool(self.roles.get(user.id, set()) & set(reviews.REPLIERS))


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word).casefold()


def _plan(found, version, targets, authors, actor, paper, review_round, report) -> list[_Plan]:
    """One plan per remark, its report line, its key and its author."""
    plans: list[_Plan] = []
    seen: Counter[str] = Counter()
    by_word_id: dict[str, _Plan] = {}
    for item in found.items:
        if item.kind == "reply":
            continue
        target = targets[item.section] if item.section is not None else None
        plan = _new_plan(item, target, version, authors, actor, paper, seen)
        by_word_id[item.word_id] = plan if item.kind == "comment" else by_word_id.get(item.word_id)
        plans.append(plan)
    for item in found.items:
        if item.kind != "reply":
            continue
        parent = by_word_id.get(item.parent or "")
        target = parent.target if parent is not None else None
        plan = _new_plan(item, target, version, authors, actor, paper, seen, parent=parent)
        plans.append(plan)
    for plan in plans:
        _check_round(plan, review_round)
        report.items.append(plan.report)
    return plans


def _new_plan(item, target, version, authors, actor, paper, seen, parent=None) -> _Plan:
    user = authors.match(item.author, item.initials)
    if item.kind == "reply" and user is not None and not authors.may_reply(user):
        user = None
    body = item.body if item.kind != "suggestion" else _change(item)
    if user is None:
        attribution = _FROM.get(paper.language, _FROM["en"]).format(name=item.author or "?")
        body = f"{body}\n\n— {attribution}" if body else f"— {attribution}"
    identity = {
        "paper": paper.id,
        "version": version.id,
        "kind": item.kind,
        "author": item.author,
        "date": item.date_text,
        "text": item.body,
        "quote": item.exact,
        "proposed": item.proposed,
        "parent": parent.key if parent is not None else None,
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()
    seen[digest] += 1  # the same remark twice in one file: the second is its own item
    key = hashlib.sha256(f"{digest}:{seen[digest]}".encode()).hexdigest()
    report = ReportItem(
        kind=item.kind,
        section_id=target.section.id if target is not None else None,
        quote=item.exact,
        author=item.author,
        user_id=(user or actor).id,
        comment_id=None,
        status="created",
        body=body.strip() or "—",
        proposed_text=item.proposed if item.kind == "suggestion" else None,
    )
    return _Plan(
        item=item,
        report=report,
        key=key,
        target=target,
        author=user or actor,
        body=report.body,
        parent=parent,
    )


def _change(item: docx_import.Item) -> str:
    """A suggestion's text: the passage and what replaces it, in no language at all."""
    return f"“{item.exact or ''}” → “{item.proposed or ''}”"


def _check_round(plan: _Plan, review_round: ReviewRound | None) -> None:
    """In a round, only an invited sector's reviewers comment, before the deadline."""
    if review_round is None or plan.report.status != "created" or plan.item.kind == "reply":
        return
    if not rounds.is_open(review_round):
        _unplaced(plan, "round_closed")
    elif plan.author.sector_id not in {sector.id for sector in review_round.sectors}:
        _unplaced(plan, "round_sector")


def _unplaced(plan: _Plan, reason: str) -> None:
    plan.report.status, plan.report.reason = "unplaced", reason


def _place(plans: list[_Plan], unplaced_as_section: bool) -> None:
    """Find each remark's passage on the text of the file's version."""
    for plan in plans:
        if plan.report.status != "created":
            continue
        item = plan.item
        if item.kind == "reply":
            if plan.parent is None:
                _unplaced(plan, "no_parent")
            continue
        if plan.target is None:
            _unplaced(plan, "outside_sections" if item.section is None else "unknown_section")
            continue
        if plan.target.revision is None:
            _unplaced(plan, "section_empty")
            continue
        if item.where == "passage":
            plan.anchor = _find(plan.target.revision.body, item)
            if plan.anchor is not None:
                continue
            if not unplaced_as_section:
                _unplaced(plan, "passage_not_found")
                continue
            plan.report.reason = "passage_not_found"
        elif item.where in ("heading", "across"):
            plan.report.reason = f"on_{item.where}"
        elif item.where == "section":
            plan.report.reason = "no_passage" if item.kind == "comment" else "insertion_alone"
            if item.kind == "suggestion" and not unplaced_as_section:
                _unplaced(plan, "insertion_alone")
                continue
        # A section-level comment keeps the passage it was about, quoted.
        if item.exact:
            quoted = "\n".join(f"> {line}" for line in item.exact.splitlines())
            plan.body = f"{quoted}\n\n{plan.body}"
            plan.report.body = plan.body


def _find(body: str, item: docx_import.Item) -> tuple[int, int] | None:
    """The passage on the section's Markdown: verbatim, else the same words with only
    markup between them (the export shows the text without its Markdown)."""
    quote = passages.Quote(item.exact or "", item.prefix, item.suffix)
    found = passages.locate(body, quote)
    if found is not None and found.exact:
        return found.start, found.end
    return passages.source_passage(body, item.exact or "", item.prefix, item.suffix)


def _check_duplicates(paper: Paper, plans: list[_Plan]) -> None:
    """Remarks an earlier import brought in: one statement for the whole file."""
    keys = [plan.key for plan in plans]
    rows = (
        session.execute(
            select(ImportedItem.key, ImportedItem.comment_id, ImportedItem.reply_id).where(
                ImportedItem.paper_id == paper.id, ImportedItem.key.in_(keys)
            )
        ).all()
        if keys
        else []
    )
    known = {row.key: row for row in rows}
    exported = _exported_comments(plans)
    for plan in plans:
        row = known.get(plan.key)
        plume_comment = exported.get(id(plan))
        if row is not None:
            plan.report.status, plan.report.reason = "duplicate", None
            plan.report.comment_id, plan.report.reply_id = row.comment_id, row.reply_id
        elif plume_comment is not None:
            # A comment Plume wrote into the export (with comments): already here; the
            # replies the reviewer wrote under it join its thread.
            plan.report.status, plan.report.reason = "duplicate", "from_plume"
            plan.report.comment_id = plume_comment
        elif (
            plan.item.kind == "reply"
            and plan.parent is not None
            and plan.parent.report.status == "unplaced"
        ):
            _unplaced(plan, "parent_unplaced")


def _exported_comments(plans: list[_Plan]) -> dict[int, int]:
    """{id(plan): comment id} for the file's comments that are Plume's own open comments,
    written into the export as Word comments: the same section, the same text (the export
    adds the proposed text after it). One statement for the whole file."""
    candidates = [
        plan
        for plan in plans
        if plan.item.kind == "comment" and plan.target is not None and plan.item.body
    ]
    if not candidates:
        return {}
    rows = session.execute(
        select(Comment.id, Comment.section_id, Comment.body).where(
            Comment.section_id.in_({plan.target.section.id for plan in candidates}),
            Comment.status == CommentStatus.OPEN,
        )
    ).all()
    by_section: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        by_section.setdefault(row.section_id, []).append((row.id, " ".join(row.body.split())))
    found = {}
    for plan in candidates:
        said = " ".join(plan.item.body.split())
        for comment_id, body in by_section.get(plan.target.section.id, []):
            if said == body or said.startswith(body + " "):
                found[id(plan)] = comment_id
                break
    return found


# --- writing ------------------------------------------------------------------------------


def _write(paper: Paper, version: Version, plans: list[_Plan], actor: User, review_round) -> None:
    """Write every created remark in bulk: a few statements per kind of row, whatever the
    number of remarks (Core inserts; the search index is fed in one upsert per kind)."""
    new_comments = [p for p in plans if p.report.status == "created" and p.item.kind != "reply"]
    # The import's own entry first: its write takes SQLite's write lock before ids are taken.
    report = ImportReport(paper.id, version.id, "", "", False, [p.report for p in plans])
    activity.record(
        actor,
        ActivityAction.IMPORT_MADE,
        paper,
        paper_id=paper.id,
        after={"version_id": version.id, "counts": report.counts},
    )
    rows = [_comment_row(plan, review_round) for plan in new_comments]
    if rows:
        for plan, comment_id, row in zip(
            new_comments, _reserve_ids(Comment, len(rows)), rows, strict=True
        ):
            row["id"] = plan.report.comment_id = comment_id
            plan.row = row
        session.execute(insert(Comment), rows)

    new_replies = [p for p in plans if p.report.status == "created" and p.item.kind == "reply"]
    reply_rows = [
        {
            "comment_id": plan.parent.report.comment_id,
            "parent_id": None,
            "author_id": plan.author.id,
            "body": plan.body[: reviews.MAX_BODY_CHARS],
            "created_at": utcnow(),
        }
        for plan in new_replies
    ]
    if reply_rows:
        ids = _reserve_ids(CommentReply, len(reply_rows))
        for plan, reply_id, row in zip(new_replies, ids, reply_rows, strict=True):
            row["id"] = plan.report.reply_id = reply_id
            plan.report.comment_id = plan.parent.report.comment_id
        session.execute(insert(CommentReply), reply_rows)

    created = new_comments + new_replies
    if created:
        session.execute(
            insert(ImportedItem),
            [
                {
                    "paper_id": paper.id,
                    "key": plan.key,
                    "kind": ImportKind(plan.item.kind).value,
                    "version_id": version.id,
                    "comment_id": plan.report.comment_id,
                    "reply_id": plan.report.reply_id,
                    "created_by_id": actor.id,
                    "created_at": utcnow(),
                }
                for plan in created
            ],
        )
    search_index.index_comments_and_replies(
        session.connection(),
        [plan.report.comment_id for plan in new_comments],
        [plan.report.reply_id for plan in new_replies],
    )
    _log(paper, actor, new_comments, new_replies)
    _carry_to_current(new_comments, actor)
    _resolve_done_threads(new_comments, actor)


def _comment_row(plan: _Plan, review_round: ReviewRound | None) -> dict:
    revision = plan.target.revision
    suggestion = plan.item.kind == "suggestion"
    row = {
        "section_id": plan.target.section.id,
        "revision_id": revision.id,
        "round_id": review_round.id if review_round is not None else None,
        "author_id": plan.author.id,
        "sector_id": plan.author.sector_id,
        "type": CommentType.EDITORIAL if suggestion else CommentType.SUBSTANTIVE,
        "body": plan.body[: reviews.MAX_BODY_CHARS],
        # A section-level remark has no passage for a proposed text to replace.
        "proposed_text": plan.item.proposed if suggestion and plan.anchor else None,
        "item_code": None,
        "quote_exact": None,
        "quote_prefix": "",
        "quote_suffix": "",
        "anchor_revision_id": None,
        "anchor_start": None,
        "anchor_end": None,
        "orphaned": False,
        "status": CommentStatus.OPEN,
        "created_at": utcnow(),
    }
    if plan.anchor is not None:
        start, end = plan.anchor
        text = revision.body
        row.update(
            quote_exact=text[start:end],
            quote_prefix=text[max(0, start - reviews.CONTEXT_CHARS) : start],
            quote_suffix=text[end : end + reviews.CONTEXT_CHARS],
            anchor_revision_id=revision.id,
            anchor_start=start,
            anchor_end=end,
        )
    return row


def _log(paper, actor, new_comments, new_replies) -> None:
    """One activity entry per remark (one statement per section and kind), and the import's."""
    by_section: dict[int, list[tuple[int, dict | None, dict | None]]] = {}
    for plan in new_comments:
        row = plan.row
        snapshot = {
            "status": row["status"],
            "type": row["type"],
            "body": row["body"],
            "proposed_text": row["proposed_text"],
            "decision": None,
            "rationale": None,
            "orphaned": False,
            "imported": True,
        }
        by_section.setdefault(row["section_id"], []).append(
            (plan.report.comment_id, None, snapshot)
        )
    for section_id, changes in by_section.items():
        activity.record_many(
            actor,
            ActivityAction.COMMENT_CREATED,
            "comment",
            changes,
            paper_id=paper.id,
            section_id=section_id,
        )
    replies: dict[int, list] = {}
    for plan in new_replies:
        replies.setdefault(plan.parent.target.section.id, []).append(
            (
                plan.report.comment_id,
                None,
                {"reply_id": plan.report.reply_id, "body": plan.body, "imported": True},
            )
        )
    for section_id, changes in replies.items():
        activity.record_many(
            actor,
            ActivityAction.COMMENT_REPLIED,
            "comment",
            changes,
            paper_id=paper.id,
            section_id=section_id,
        )


def _reserve_ids(model, count: int) -> list[int]:
    """`count` ids for rows written in one executemany (no RETURNING, which SQLite can only
    pair with its rows one statement per row). PostgreSQL: from the table's sequence;
    SQLite: above the largest, safe as this transaction holds the database's write lock."""
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(f"SELECT nextval('{table.name}_id_seq') FROM generate_series(1, :n)"),
                {"n": count},
            )
        )
    top = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(top + 1, top + count + 1))


def _carry_to_current(new_comments: list[_Plan], actor: User) -> None:
    """Comments placed on the version's text, carried to each section's current revision by
    the re-anchoring a save does (one diff per section whose text moved on since)."""
    sections = {
        plan.target.section.id: plan.target for plan in new_comments if plan.anchor is not None
    }
    if not sections:
        return
    newest = (
        select(Revision.section_id, func.max(Revision.number).label("number"))
        .where(Revision.section_id.in_(list(sections)))
        .group_by(Revision.section_id)
        .subquery()
    )
    current = session.scalars(
        select(Revision).join(
            newest,
            (Revision.section_id == newest.c.section_id) & (Revision.number == newest.c.number),
        )
    ).all()
    for revision in current:
        target = sections[revision.section_id]
        if target.revision is None or revision.id != target.revision.id:
            reviews.reanchor_open_comments(target.section, revision, actor, budget=None)


def _resolve_done_threads(new_comments: list[_Plan], actor: User) -> None:
    """A thread marked done in Word is resolved as noted, if the uploader resolves comments
    here; otherwise it stays open, and the report says so."""
    for plan in new_comments:
        if not plan.item.resolved:
            continue
        comment = session.get(Comment, plan.report.comment_id)
        if reviews.may_resolve(comment, actor):
            reviews.resolve(comment, actor, decision=Decision.NOTED)
            plan.report.reason = "resolved_in_word"
        else:
            plan.report.reason = "resolved_in_word_left_open"


def first_coordinator(paper_id: int) -> User | None:
    """The paper's first coordinator: who the command line imports as, unless told."""
    return session.scalar(
        select(User)
        .join(PaperMember, PaperMember.user_id == User.id)
        .where(PaperMember.paper_id == paper_id, PaperMember.role == "coordinator")
        .order_by(PaperMember.id)
        .limit(1)
    )
