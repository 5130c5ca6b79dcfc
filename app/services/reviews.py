"""Comments on passages, their replies and their resolution.

A comment is made on a section revision by a reviewer on behalf of their sector. It may quote
the passage it is about (a TextQuoteSelector) and propose replacement text. Each new revision
of the section re-anchors every open comment to its passage (app/text/passages.py); a
comment whose passage is gone is orphaned: still listed, still resolvable, never lost.

The section's lead author or the coordinator resolves a comment with a decision; the
coordinator may reopen it. Every resolution and reopening stays in the comment's history.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    inspect,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased, joinedload, subqueryload

from app.db import after_commit, session, utcnow
from app.models import (
    ActivityAction,
    Comment,
    CommentReply,
    CommentResolution,
    CommentStatus,
    CommentType,
    Decision,
    Event,
    Framework,
    FrameworkItem,
    Paper,
    ResolutionAction,
    ReviewRound,
    Revision,
    Role,
    Section,
    Sector,
    User,
    VersionSection,
)
from app.models.papers import paper_frameworks
from app.services import access, activity, alignment, notifications, revisions, rounds
from app.services.errors import BadInput, Conflict, Forbidden, Invalid, NotFound
from app.text import passages

MAX_BODY_CHARS = 20_000
MAX_QUOTE_CHARS = 5_000
# How much text around a passage is kept as its prefix and suffix when the caller sends none.
CONTEXT_CHARS = 32
# Decisions that need a rationale: saying no, or yes-but, needs a reason.
RATIONALE_REQUIRED = {Decision.REJECTED, Decision.ACCEPTED_MODIFIED}
APPLICABLE = {Decision.ACCEPTED, Decision.ACCEPTED_MODIFIED}
# Who may start a comment, and who may take part in its thread.
COMMENTERS = access.COMMENTERS
REPLIERS = access.REPLIERS


# --- reading ---------------------------------------------------------------------------


def get_comment(comment_id: int, user: User) -> Comment:
    """The comment, if the user may read its paper."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("comment", id=comment_id)
    section = session.get(Section, comment.section_id)
    require_member(user, section)
    return comment


def require_member(user: User, section: Section) -> access.PaperPermissions:
    perms = access.permissions(user, section.paper_id)
    if not perms.may_read:
        raise NotFound("section", id=section.id)
    return perms


def _with_thread(query):
    """Load replies and resolution history in one statement each, whatever the count.

    Not selectinload: it sends its ids in chunks of 500, so 2,000 comments would take
    four statements per collection.
    """
    return query.options(
        subqueryload(Comment.replies),
        subqueryload(Comment.resolutions),
    )


def list_comments(
    section: Section,
    *,
    status: str | None = None,
    round_id: int | None = None,
) -> list[Comment]:
    """The section's comments, oldest first, with their replies and history."""
    query = select(Comment).where(Comment.section_id == section.id)
    if status is not None:
        query = query.where(Comment.status == status)
    if round_id is not None:
        query = query.where(Comment.round_id == round_id)
    return list(session.scalars(_with_thread(query.order_by(Comment.id))))


# Aliases made once: a new alias per call costs more than building the rest of the statement
# (its columns are proxied anew, and its cache key worked out anew).
_REPLIED = aliased(Comment)
_PERSON, _PERSON_SECTOR, _SECTOR = aliased(User), aliased(Sector), aliased(Sector)


def comment_heads(section: Section) -> tuple[list, int | None]:
    """What a page needs of every comment of the section to choose which to show (id,
    status, author, sector) as rows, oldest first, and the newest reply's id: two
    statements, however many comments, none loaded as objects."""
    # Through Core: 2,000 rows read by the ORM cost more than the statement.
    session.flush()
    connection = session.connection()
    # The newest reply's id rides along on each row (worked out once by the database): one
    # round trip instead of two. No comment, no reply.
    replied = _REPLIED  # not correlated with the outer comments
    newest_reply = (
        select(func.max(CommentReply.id))
        .join(replied, replied.id == CommentReply.comment_id)
        .where(replied.section_id == section.id)
        .scalar_subquery()
    )
    heads = connection.execute(
        select(
            Comment.id,
            Comment.status,
            Comment.author_id,
            Comment.sector_id,
            newest_reply.label("newest_reply_id"),
        )
        .where(Comment.section_id == section.id)
        .order_by(Comment.id)
    ).all()
    return heads, heads[-1].newest_reply_id if heads else None


class SectorRef(NamedTuple):
    """A sector as a page names it: its code, and its name in a language."""

    id: int
    code: str
    name_en: str
    name_fr: str

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


class PersonRef(NamedTuple):
    """Who wrote a comment or a reply, or resolved one: their id, name and sector."""

    id: int
    name: str
    sector: SectorRef


class ReplyRow(NamedTuple):
    id: int
    comment_id: int
    parent_id: int | None
    author_id: int
    body: str
    created_at: object
    author: PersonRef


class ResolutionRow(NamedTuple):
    id: int
    comment_id: int
    action: str
    decision: str | None
    rationale: str
    applied_revision_id: int | None
    actor_id: int
    created_at: object
    actor: PersonRef


@dataclass(slots=True)
class CommentThread:
    """A comment as a page shows it, read as rows, not loaded as an object: its columns under
    the names of `Comment`'s, its author and sector, its replies and history oldest first."""

    id: int
    section_id: int
    revision_id: int
    round_id: int | None
    author_id: int
    sector_id: int
    type: str
    body: str
    proposed_text: str | None
    item_code: str | None
    quote_exact: str | None
    quote_prefix: str
    quote_suffix: str
    anchor_revision_id: int | None
    anchor_start: int | None
    anchor_end: int | None
    orphaned: bool
    status: str
    decision: str | None
    rationale: str | None
    resolved_by_id: int | None
    resolved_at: object
    created_at: object
    edited_at: object
    author: PersonRef
    sector: SectorRef
    replies: list = field(default_factory=list)
    resolutions: list = field(default_factory=list)


# The comment's columns, in CommentThread's order.
_THREAD_COLUMNS = (
    Comment.id,
    Comment.section_id,
    Comment.revision_id,
    Comment.round_id,
    Comment.author_id,
    Comment.sector_id,
    Comment.type,
    Comment.body,
    Comment.proposed_text,
    Comment.item_code,
    Comment.quote_exact,
    Comment.quote_prefix,
    Comment.quote_suffix,
    Comment.anchor_revision_id,
    Comment.anchor_start,
    Comment.anchor_end,
    Comment.orphaned,
    Comment.status,
    Comment.decision,
    Comment.rationale,
    Comment.resolved_by_id,
    Comment.resolved_at,
    Comment.created_at,
    Comment.edited_at,
)


@cache
def _thread_statements():
    """`comments_with_thread`'s two statements, built once with the section and the ids
    bound at execution: building them (a union of two joins) and keying them anew for each
    page cost more than running them."""
    person, person_sector, sector = _PERSON, _PERSON_SECTOR, _SECTOR
    where = (
        Comment.section_id == bindparam("section_id"),
        Comment.id.in_(bindparam("ids", expanding=True)),
    )
    person_columns = (
        person.id,
        person.name,
        person_sector.id,
        person_sector.code,
        person_sector.name_en,
        person_sector.name_fr,
    )
    comments = (
        select(*_THREAD_COLUMNS, *person_columns, sector.code, sector.name_en, sector.name_fr)
        .join(person, person.id == Comment.author_id)
        .join(person_sector, person_sector.id == person.sector_id)
        .join(sector, sector.id == Comment.sector_id)
        .where(*where)
    )
    thread_person = [  # named apart from the reply's or entry's own columns
        column.label(f"person_{n}") for n, column in enumerate(person_columns)
    ]
    # Replies and history in one round trip: a union of the two, told apart by `kind`, each
    # oldest first: (kind, id, comment_id, parent_id, action, decision, text, applied revision,
    # person id, created_at, *person).
    replies = select(
        literal(0).label("kind"),
        CommentReply.id.label("entry_id"),
        CommentReply.comment_id,
        CommentReply.parent_id,
        null(),
        null(),
        CommentReply.body,
        null(),
        CommentReply.author_id,
        CommentReply.created_at,
        *thread_person,
    ).join(person, person.id == CommentReply.author_id)
    history = select(
        literal(1),
        CommentResolution.id,
        CommentResolution.comment_id,
        null(),
        CommentResolution.action,
        CommentResolution.decision,
        CommentResolution.rationale,
        CommentResolution.applied_revision_id,
        CommentResolution.actor_id,
        CommentResolution.created_at,
        *thread_person,
    ).join(person, person.id == CommentResolution.actor_id)
    thread = union_all(
        *(
            part.join(person_sector, person_sector.id == person.sector_id)
            .join(Comment, Comment.id == table.comment_id)
            .where(*where)
            for part, table in ((replies, CommentReply), (history, CommentResolution))
        )
    ).order_by(literal_column("kind"), literal_column("entry_id"))
    return comments, thread


def comments_with_thread(section: Section, ids: list[int]) -> list[CommentThread]:
    """The section's comments with these ids, with replies and history, in the ids' order:
    read as rows in two statements (no object loading), as a page shows them."""
    if not ids:
        return []
    sectors: dict[int, SectorRef] = {}
    people: dict[int, PersonRef] = {}

    def sector_ref(sector_id, code, name_en, name_fr) -> SectorRef:
        if sector_id not in sectors:
            sectors[sector_id] = SectorRef(sector_id, code, name_en, name_fr)
        return sectors[sector_id]

    def person_ref(person_id, name, *in_sector) -> PersonRef:
        if person_id not in people:
            people[person_id] = PersonRef(person_id, name, sector_ref(*in_sector))
        return people[person_id]

    session.flush()  # the rows are read through Core, past the session's autoflush
    connection = session.connection()
    comments, thread = _thread_statements()
    params = {"section_id": section.id, "ids": list(ids)}
    found: dict[int, CommentThread] = {}
    n = len(_THREAD_COLUMNS)
    for row in connection.execute(comments, params):
        found[row[0]] = CommentThread(
            *row[:n],
            author=person_ref(*row[n : n + 6]),
            sector=sector_ref(row[5], *row[n + 6 :]),
        )
    for (
        kind,
        id_,
        comment_id,
        parent_id,
        action,
        decision,
        text,
        applied,
        who,
        at,
        *who_is,
    ) in connection.execute(thread, params):
        if kind == 0:
            found[comment_id].replies.append(
                ReplyRow(id_, comment_id, parent_id, who, text, at, person_ref(who, *who_is[1:]))
            )
        else:
            found[comment_id].resolutions.append(
                ResolutionRow(
                    id_,
                    comment_id,
                    action,
                    decision,
                    text,
                    applied,
                    who,
                    at,
                    person_ref(who, *who_is[1:]),
                )
            )
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class CommentRows:
    """A page of a section's comments as plain rows, for a list too long to load as objects:
    each comment's columns with its author's and sector's names, and its replies and
    resolution history by comment id: tuples, in the order of `comment_rows`' selects."""

    comments: list
    replies: dict[int, list]
    history: dict[int, list]


def comment_rows(
    section: Section,
    *,
    status: str | None = None,
    round_id: int | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> CommentRows:
    """The section's comments after `after_id`, oldest first, at most `limit`, in three
    statements whatever their number."""
    author, author_sector, sector = _PERSON, _PERSON_SECTOR, _SECTOR
    where = [Comment.section_id == section.id]
    if status is not None:
        where.append(Comment.status == status)
    if round_id is not None:
        where.append(Comment.round_id == round_id)
    if after_id is not None:
        where.append(Comment.id > after_id)
    # Plain tuples in the order app/api/plain.py `comments_out` unpacks them: a list of
    # 2,000 comments is read without a mapping per row, and through Core, not the ORM's
    # row loading.
    connection = session.connection()
    comments = connection.execute(
        select(
            Comment.id,
            Comment.section_id,
            Comment.revision_id,
            Comment.round_id,
            Comment.author_id,
            author.name.label("author_name"),
            author_sector.code.label("author_sector"),
            sector.code.label("sector"),
            Comment.type,
            Comment.body,
            Comment.proposed_text,
            Comment.item_code,
            Comment.quote_exact,
            Comment.quote_prefix,
            Comment.quote_suffix,
            Comment.anchor_revision_id,
            Comment.anchor_start,
            Comment.anchor_end,
            Comment.orphaned,
            Comment.status,
            Comment.decision,
            Comment.rationale,
            Comment.resolved_at,
            Comment.created_at,
            Comment.edited_at,
        )
        .join(author, author.id == Comment.author_id)
        .join(author_sector, author_sector.id == author.sector_id)
        .join(sector, sector.id == Comment.sector_id)
        .where(*where)
        .order_by(Comment.id)
        .limit(limit)
    ).all()
    if not comments:
        return CommentRows([], {}, {})
    where.append(Comment.id <= comments[-1].id)

    def by_comment(table, actor_column, *columns):
        # (comment_id, *columns, actor's id, name, sector code) by comment id
        grouped: dict[int, list] = {}
        rows = connection.execute(
            select(table.comment_id, *columns, author.id, author.name, author_sector.code)
            .join(Comment, Comment.id == table.comment_id)
            .join(author, author.id == actor_column)
            .join(author_sector, author_sector.id == author.sector_id)
            .where(*where)
            .order_by(table.id)
        )
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        return grouped

    return CommentRows(
        comments,
        by_comment(
            CommentReply,
            CommentReply.author_id,
            CommentReply.id,
            CommentReply.parent_id,
            CommentReply.body,
            CommentReply.created_at,
        ),
        by_comment(
            CommentResolution,
            CommentResolution.actor_id,
            CommentResolution.id,
            CommentResolution.action,
            CommentResolution.decision,
            CommentResolution.rationale,
            CommentResolution.applied_revision_id,
            CommentResolution.created_at,
        ),
    )


def comments_by_id(paper_id: int, ids) -> dict[int, Comment]:
    """The paper's comments with these ids, in one statement (others are left out)."""
    if not ids:
        return {}
    rows = session.scalars(
        select(Comment)
        .join(Section, Section.id == Comment.section_id)
        .where(Section.paper_id == paper_id, Comment.id.in_(list(ids)))
    )
    return {comment.id: comment for comment in rows}


def alignment_comment_items(paper: Paper) -> list[tuple[Framework, list[FrameworkItem]]]:
    """(framework, its items) for each framework the paper is checked against, by code:
    what an alignment comment may name, read in one statement."""
    frameworks = session.scalars(
        select(Framework)
        .join(paper_frameworks, paper_frameworks.c.framework_id == Framework.id)
        .where(paper_frameworks.c.paper_id == paper.id)
        .options(joinedload(Framework.items))
        .order_by(Framework.code)
    ).unique()
    return [(framework, list(framework.items)) for framework in frameworks]


def anchored_text(comment: Comment) -> str | None:
    """The passage as it stands where the comment is anchored now (None if orphaned)."""
    if comment.quote_exact is None or comment.orphaned or comment.anchor_revision_id is None:
        return None
    revision = session.get(Revision, comment.anchor_revision_id)
    return revision.body[comment.anchor_start : comment.anchor_end]


# --- commenting ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewComment:
    body: str
    type: str
    quote: Mapping | None = None
    proposed_text: str | None = None
    round_id: int | None = None
    item_code: str | None = None


def create_comment(section: Section, author: User, new: NewComment) -> Comment:
    """A comment by `author` for their sector, on the section's current text (or, in a
    review round, on the text of the round's version, or today's if the quote is there).
    """
    access.permissions(author, section.paper_id).require_role(
        *COMMENTERS, action="comment on sections"
    )
    body = _text(new.body, "body", MAX_BODY_CHARS)
    kind = _enum(CommentType, new.type, "type")
    proposed = _optional_text(new.proposed_text, "proposed_text", MAX_BODY_CHARS)
    item_code = _item_code(section, kind, new.item_code)

    review_round = None
    if new.round_id is not None:
        review_round = rounds.get_round(new.round_id, author)
        if review_round.paper_id != section.paper_id:
            raise Invalid("round_not_of_paper", round=new.round_id)
        rounds.require_may_comment(review_round, author)
        revision = _round_revision(review_round, section)
    else:
        revision = revisions.latest(section.id)
    if revision is None:
        raise Invalid("comment_no_text")

    comment = Comment(
        section_id=section.id,
        revision_id=revision.id,
        round_id=review_round.id if review_round else None,
        author_id=author.id,
        sector_id=author.sector_id,
        type=kind,
        body=body,
        proposed_text=proposed,
        item_code=item_code,
        status=CommentStatus.OPEN,
    )
    if new.quote is not None:
        try:
            _quote(comment, revision, new.quote)
        except Invalid:
            # The reviewer may be reading today's text rather than the round's frozen one.
            current = revisions.latest(section.id)
            if review_round is None or current.id == revision.id:
                raise
            _quote(comment, current, new.quote)
            comment.revision_id = current.id
    session.add(comment)
    session.flush()
    # A round comment quotes the frozen text: carry its anchor onto today's text.
    current = revisions.latest(section.id)
    if comment.quote_exact is not None and current.id != revision.id:
        reanchor(comment, revision.body, current)
    activity.record(
        author,
        ActivityAction.COMMENT_CREATED,
        comment,
        paper_id=section.paper_id,
        after=_snapshot(comment),
    )
    _tell_about_comment(section, comment, author)
    return comment


def _comment_link(section_id: int, comment_id: int, reply_id: int | None = None) -> str:
    anchor = f"reply-{reply_id}" if reply_id else f"comment-{comment_id}"
    return f"/sections/{section_id}#{anchor}"


def _tell_about_comment(section: Section, comment: Comment, author: User) -> None:
    """The section's lead (the coordinators when it has none) and whoever is @mentioned."""
    params = {
        **notifications.section_params(section),
        "excerpt": notifications.excerpt(comment.body),
    }
    link = _comment_link(section.id, comment.id)
    if section.lead_author_id:
        leads = notifications.recipients([section.lead_author_id])
    else:
        leads = notifications.paper_members(section.paper_id, Role.COORDINATOR)
    notifications.notify(
        Event.COMMENT_ON_MY_SECTION,
        author,
        leads,
        paper_id=section.paper_id,
        link=link,
        params=params,
        thread_id=comment.id,
    )
    _tell_mentioned(section, comment.body, author, link, comment.id, params)


def _tell_mentioned(section, body, author, link, thread_id, params) -> None:
    mentioned = notifications.mentioned_in(section.paper_id, body)
    if mentioned:
        notifications.notify(
            Event.MENTIONED,
            author,
            notifications.recipients(mentioned),
            paper_id=section.paper_id,
            link=link,
            params=params,
            thread_id=thread_id,
        )


def _round_revision(review_round: ReviewRound, section: Section) -> Revision | None:
    frozen = session.scalar(
        select(VersionSection).where(
            VersionSection.version_id == review_round.version_id,
            VersionSection.section_id == section.id,
        )
    )
    if frozen is None:
        raise Invalid("round_section_missing")
    return session.get(Revision, frozen.revision_id) if frozen.revision_id else None


def _quote(comment: Comment, revision: Revision, quote: Mapping) -> None:
    """Check the quote against the revision's text and anchor the comment on it."""
    exact = quote.get("exact") or ""
    if not exact.strip():
        raise BadInput("quote_exact_required")
    if len(exact) > MAX_QUOTE_CHARS:
        raise BadInput("quote_too_long", limit=MAX_QUOTE_CHARS)
    selector = passages.Quote(exact, quote.get("prefix") or "", quote.get("suffix") or "")
    hint = quote.get("start")
    found = _exact_anchor(revision.body, selector, hint)
    if found is None:
        # A passage copied from the page reads without the Markdown's markup (`machine
        # learning` for `*machine learning*`): the same words with only markup between them.
        span = passages.source_passage(revision.body, exact, selector.prefix, selector.suffix)
        if span is not None:
            exact = revision.body[span[0] : span[1]]
            # The page's context is not the source's: take the source's.
            selector = passages.Quote(exact)
            found = passages.Anchor(span[0], span[1], True)
    if found is None:
        raise Invalid(
            "quote_not_found",
            {"exact": exact, "revision_id": revision.id},
            revision=revision.number,
        )
    text = revision.body
    # The passage as the text has it: a quote typed with plain spaces where the text has
    # no-break ones (French typography) is found, and kept with the text's own spaces.
    comment.quote_exact = text[found.start : found.end]
    # Keep the context the client saw, or take it from the text when it sent none.
    before = text[max(0, found.start - CONTEXT_CHARS) : found.start]
    comment.quote_prefix = selector.prefix or before
    comment.quote_suffix = selector.suffix or text[found.end : found.end + CONTEXT_CHARS]
    comment.anchor_revision_id = revision.id
    comment.anchor_start, comment.anchor_end = found.start, found.end
    comment.orphaned = False


def _exact_anchor(text: str, selector: passages.Quote, hint) -> passages.Anchor | None:
    """The verbatim occurrence the selector means: a new comment's quote must be in the
    text as it is; prefix, suffix and position choose between repeated passages.
    """
    if hint is not None and not isinstance(hint, int):
        raise BadInput("quote_start")
    found = passages.locate(text, selector, hint=hint)
    return found if found is not None and found.exact else None


def _item_code(section: Section, kind: str, code: str | None) -> str | None:
    """An `alignment` comment may name the framework item it is about: an item of one of
    the frameworks the section's paper is checked against."""
    if code is None or not code.strip():
        return None
    if kind != CommentType.ALIGNMENT:
        raise Invalid("item_needs_alignment_type")
    return alignment.paper_item(session.get(Paper, section.paper_id), code.strip()).code


def edit_comment(comment: Comment, actor: User, *, body=None, type=None, proposed_text=...):
    """The author changes their comment, while nobody has answered or resolved it."""
    _require_own_and_untouched(comment, actor, "edit")
    before = _snapshot(comment)
    if body is not None:
        comment.body = _text(body, "body", MAX_BODY_CHARS)
    if type is not None:
        comment.type = _enum(CommentType, type, "type")
    if proposed_text is not ...:
        comment.proposed_text = _optional_text(proposed_text, "proposed_text", MAX_BODY_CHARS)
    comment.edited_at = utcnow()
    activity.record(
        actor,
        ActivityAction.COMMENT_EDITED,
        comment,
        paper_id=_paper_id(comment),
        before=before,
        after=_snapshot(comment),
    )
    return comment


def withdraw_comment(comment: Comment, actor: User) -> Comment:
    """The author takes their comment back, while nobody has answered or resolved it."""
    _require_own_and_untouched(comment, actor, "withdraw")
    before = _snapshot(comment)
    comment.status = CommentStatus.WITHDRAWN
    activity.record(
        actor,
        ActivityAction.COMMENT_WITHDRAWN,
        comment,
        paper_id=_paper_id(comment),
        before=before,
        after=_snapshot(comment),
    )
    return comment


def may_change(comment: Comment, user: User) -> bool:
    """Whether the user may still edit or withdraw the comment: their own, untouched."""
    return comment.author_id == user.id and _untouched(comment)


def _untouched(comment: Comment) -> bool:
    return comment.status == CommentStatus.OPEN and not comment.replies and not comment.resolutions


def _require_own_and_untouched(comment: Comment, actor: User, verb: str) -> None:
    withdraw = verb == "withdraw"
    if comment.author_id != actor.id:
        raise Forbidden("comment_withdraw_own" if withdraw else "comment_edit_own")
    if not _untouched(comment):
        raise Conflict("comment_answered_withdraw" if withdraw else "comment_answered_edit")


def reply(comment: Comment, actor: User, body: str, *, parent_id: int | None = None):
    """A reply in the comment's thread (to the comment, or to another reply)."""
    section = session.get(Section, comment.section_id)
    access.permissions(actor, section.paper_id).require_role(*REPLIERS, action="reply to comments")
    if comment.status == CommentStatus.WITHDRAWN:
        raise Conflict("comment_withdrawn")
    if parent_id is not None and parent_id not in {entry.id for entry in comment.replies}:
        raise Invalid("reply_not_in_thread", reply=parent_id)
    entry = CommentReply(
        comment_id=comment.id,
        parent_id=parent_id,
        author_id=actor.id,
        body=_text(body, "body", MAX_BODY_CHARS),
    )
    session.add(entry)
    session.flush()
    session.refresh(comment, ["replies"])
    activity.record(
        actor,
        ActivityAction.COMMENT_REPLIED,
        comment,
        paper_id=section.paper_id,
        after={"reply_id": entry.id, "body": entry.body, "parent_id": parent_id},
    )
    params = {**notifications.section_params(section), "excerpt": notifications.excerpt(entry.body)}
    link = _comment_link(section.id, comment.id, entry.id)
    # Everyone who wrote in the thread: the comment's author and the earlier repliers.
    writers = {comment.author_id} | {earlier.author_id for earlier in comment.replies}
    notifications.notify(
        Event.REPLY_IN_MY_THREAD,
        actor,
        notifications.recipients(writers),
        paper_id=section.paper_id,
        link=link,
        params=params,
        thread_id=comment.id,
    )
    _tell_mentioned(section, entry.body, actor, link, comment.id, params)
    return entry


# --- resolution ------------------------------------------------------------------------


def may_resolve(comment: Comment, user: User) -> bool:
    return may_resolve_in(session.get(Section, comment.section_id), user)


def may_resolve_in(section: Section, user: User) -> bool:
    """Whether the user resolves the section's comments: its lead author, or the coordinator."""
    return access.permissions(user, section.paper_id).may_resolve_in(section)


def resolve(
    comment: Comment,
    actor: User,
    *,
    decision: str,
    rationale: str = "",
    apply_suggestion: bool = False,
) -> CommentResolution:
    """Decide on a comment; with `apply_suggestion`, its proposed text replaces the passage
    in a new revision of the section.
    """
    section = session.get(Section, comment.section_id)
    perms = require_member(actor, section)
    perms.require(perms.may_resolve_in(section), "resolve_comments")
    decision = _enum(Decision, decision, "decision")
    rationale = (rationale or "").strip()
    if decision in RATIONALE_REQUIRED and not rationale:
        raise Invalid("rationale_required", {"field": "rationale"}, decision=decision)
    if comment.status == CommentStatus.RESOLVED:
        raise Conflict("comment_already_resolved")
    if comment.status == CommentStatus.WITHDRAWN:
        raise Conflict("comment_withdrawn")

    before = _snapshot(comment)
    applied = _apply(comment, section, actor, decision) if apply_suggestion else None
    comment.status = CommentStatus.RESOLVED
    comment.decision = decision
    comment.rationale = rationale
    comment.resolved_by_id = actor.id
    comment.resolved_at = utcnow()
    entry = CommentResolution(
        comment_id=comment.id,
        action=ResolutionAction.RESOLVED,
        decision=decision,
        rationale=rationale,
        applied_revision_id=applied.id if applied else None,
        actor_id=actor.id,
    )
    session.add(entry)
    session.flush()
    activity.record(
        actor,
        ActivityAction.COMMENT_RESOLVED,
        comment,
        paper_id=section.paper_id,
        before=before,
        after={**_snapshot(comment), "applied_revision_id": entry.applied_revision_id},
    )
    notifications.notify(
        Event.DECISION_ON_MY_COMMENT,
        actor,
        notifications.recipients([comment.author_id]),
        paper_id=section.paper_id,
        link=_comment_link(section.id, comment.id),
        params={
            **notifications.section_params(section),
            "decision": decision,
            "excerpt": notifications.excerpt(rationale),
        },
        thread_id=comment.id,
    )
    return entry


def _apply(comment: Comment, section: Section, actor: User, decision: str) -> Revision:
    """A new revision in which the comment's proposed text replaces its passage."""
    if decision not in APPLICABLE:
        raise Invalid("apply_needs_accepted")
    if comment.proposed_text is None:
        raise Invalid("apply_no_proposal")
    if comment.quote_exact is None:
        raise Invalid("apply_no_quote")
    current = revisions.latest(section.id)
    if comment.orphaned or comment.anchor_revision_id != current.id:
        raise Conflict("apply_passage_gone", {"current_revision_id": current.id})
    body = (
        current.body[: comment.anchor_start]
        + comment.proposed_text
        + current.body[comment.anchor_end :]
    )
    start = comment.anchor_start
    applied = revisions.save_revision(
        section,
        actor,
        body=body,
        base_revision_id=current.id,
        summary=f"Applied the suggestion of comment {comment.id} ({comment.sector.code})",
    )
    # The comment now points at the text it brought in, not at a passage that is gone.
    comment.anchor_revision_id = applied.id
    comment.anchor_start, comment.anchor_end = start, start + len(comment.proposed_text)
    comment.orphaned = False
    return applied


def reopen(comment: Comment, actor: User, rationale: str = "") -> CommentResolution:
    """The coordinator reopens a resolved comment; its earlier resolution stays in history."""
    section = session.get(Section, comment.section_id)
    access.permissions(actor, section.paper_id).require_role(
        Role.COORDINATOR, action="reopen comments"
    )
    if comment.status != CommentStatus.RESOLVED:
        raise Conflict("reopen_not_resolved")
    before = _snapshot(comment)
    comment.status = CommentStatus.OPEN
    comment.decision = None
    comment.rationale = None
    comment.resolved_by_id = None
    comment.resolved_at = None
    entry = CommentResolution(
        comment_id=comment.id,
        action=ResolutionAction.REOPENED,
        rationale=(rationale or "").strip(),
        actor_id=actor.id,
    )
    session.add(entry)
    session.flush()
    # The section may have moved on while the comment was resolved.
    current = revisions.latest(section.id)
    if comment.quote_exact is not None and comment.anchor_revision_id != current.id:
        reanchor(comment, session.get(Revision, comment.anchor_revision_id).body, current)
    activity.record(
        actor,
        ActivityAction.COMMENT_REOPENED,
        comment,
        paper_id=section.paper_id,
        before=before,
        after=_snapshot(comment),
    )
    return entry


# --- re-anchoring ----------------------------------------------------------------------


def reanchor(comment: Comment, old_body: str, new: Revision) -> None:
    """Find the comment's passage in the new revision, or mark it orphaned.

    `old_body` is the text of the revision the comment is anchored on now.
    """
    quote = passages.Quote(comment.quote_exact, comment.quote_prefix, comment.quote_suffix)
    if comment.anchor_start is None:
        found = passages.locate(new.body, quote)
    else:
        edit = passages.Edit(old_body, new.body)
        found = passages.relocate(edit, quote, comment.anchor_start, comment.anchor_end)
    if found is None:
        # Keep the last place it was found: the comment still shows the text it was made on.
        comment.orphaned = True
        return
    comment.orphaned = False
    comment.anchor_revision_id = new.id
    comment.anchor_start, comment.anchor_end = found.start, found.end


# How long a save may spend looking for touched passages; the worker finishes the rest
# after the save has answered (comments show "re-anchoring…" meanwhile, and the API
# `"reanchoring": true`), so no save nears a timeout.
SEARCH_SECONDS = 0.2
# A save carries at most this many open comments itself: each is a row rewritten (its
# anchor names the new revision), about 0.1 ms on PostgreSQL on a busy machine, so a
# section with 2,000 comments cost 300 ms of row updates on top of the save. Beyond it the
# save leaves them all to the worker, as it leaves a search that ran out of time.
INLINE_COMMENTS = 300
# And looks for at most this many passages its edit touched: each found or orphaned one
# costs its own row, activity entry and notification (40 of them cost as much as the rest
# of the save); past it they wait for the worker, the untouched ones still moved at once.
INLINE_SEARCHES = 25


@revisions.on_revision_saved
def _reanchor_open_comments(section: Section, revision: Revision, author: User) -> None:
    reanchor_open_comments(
        section,
        revision,
        author,
        budget=SEARCH_SECONDS,
        most=INLINE_COMMENTS,
        most_searched=INLINE_SEARCHES,
    )


def _nudge_reanchoring(section_id: int, author_id: int | None) -> None:
    from app import worker

    worker.enqueue_reanchoring(section_id, author_id)


def sections_left_reanchoring() -> list[tuple[int, int | None]]:
    """(section id, author of its latest revision) for each section with comments in the
    re-anchoring state: what the worker's sweep finishes when a nudge was lost."""
    latest = (
        select(Revision.id)
        .where(Revision.section_id == Comment.section_id)
        .order_by(Revision.number.desc())
        .limit(1)
        .correlate(Comment)
        .scalar_subquery()
    )
    waiting = (
        select(Comment.section_id)
        .where(
            Comment.status == CommentStatus.OPEN,
            Comment.quote_exact.is_not(None),
            Comment.orphaned.is_(False),
            or_(Comment.anchor_revision_id.is_(None), Comment.anchor_revision_id != latest),
        )
        .distinct()
    )
    section_ids = list(session.scalars(waiting))
    authors = {}
    for section_id in section_ids:
        current = revisions.latest(section_id)
        authors[section_id] = current.author_id if current else None
    return [(section_id, authors[section_id]) for section_id in section_ids]


def finish_reanchoring(section_id: int, author_id: int | None) -> None:
    """Re-anchor the comments a save left for later onto the section's latest revision
    (the worker's task, and its sweep)."""
    session.execute(select(Section.id).where(Section.id == section_id).with_for_update())
    section = session.get(Section, section_id)
    current = revisions.latest(section_id)
    if section is not None and current is not None:
        author = session.get(User, author_id) if author_id else None
        reanchor_open_comments(section, current, author, budget=None)


def reanchoring(comment: Comment, current: Revision | None) -> bool:
    """Whether the comment waits to be carried onto the current text (a save left it)."""
    return (
        current is not None
        and comment.status == CommentStatus.OPEN
        and comment.quote_exact is not None
        and not comment.orphaned
        and comment.anchor_revision_id != current.id
    )


def reanchor_open_comments(
    section: Section,
    revision: Revision,
    author: User | None,
    *,
    budget: float | None,
    most: int | None = None,
    most_searched: int | None = None,
) -> None:
    """Carry every open comment's anchor onto `revision`, at the cost of the edit.

    The save is diffed once per revision the comments are anchored on (nearly always one:
    the revision it replaces). A passage the edit did not touch only moves: those comments
    are read as a few numbers each and moved by one statement per revision they were on,
    which names the edit's unchanged runs, not the comments. Only the touched ones are read
    whole and looked for (app/text/passages.py), and only those whose state changes are
    logged. The search stops after `budget` seconds: the comments not reached stay where
    they were and the worker finishes them (`finish_reanchoring`, app/worker.py). A section
    with more than `most` open comments is left to the worker whole, and so are the touched
    passages when there are more than `most_searched` of them.
    """
    waiting = (
        Comment.section_id == section.id,
        Comment.status == CommentStatus.OPEN,
        Comment.quote_exact.is_not(None),
    )
    # Comments stored before they were anchored fall back to the revision they were made on.
    anchored = func.coalesce(Comment.anchor_revision_id, Comment.revision_id)
    rows = session.execute(
        select(
            Comment.id,
            anchored.label("anchored_on"),
            Comment.anchor_revision_id,
            Comment.anchor_start,
            Comment.anchor_end,
            Comment.orphaned,
        )
        .where(*waiting)
        .limit(None if most is None else most + 1)
    ).all()
    if not rows:
        return
    if most is not None and len(rows) > most:
        # They keep their anchors (the "re-anchoring" state is the record) until the worker,
        # nudged once this commits, carries them; its sweep finds them if the nudge is lost.
        after_commit(_nudge_reanchoring, section.id, author.id if author else None)
        return
    bodies = dict(
        session.execute(
            select(Revision.id, Revision.body).where(
                Revision.id.in_({row.anchored_on for row in rows})
            )
        ).all()
    )
    edits = {rid: passages.Edit(body, revision.body) for rid, body in bodies.items()}

    # Revision anchored on -> {the unchanged run of its text that holds a moved passage, as
    # old (start, end): how far the passages in it moved}.
    moved: dict[int, dict[tuple[int, int], int]] = {}
    touched = []
    for row in rows:
        if row.anchor_revision_id == revision.id and not row.orphaned:
            continue  # already there
        # An empty span could sit at the edge of two runs; it is looked for instead.
        if (
            row.anchor_start is not None
            and not row.orphaned
            and row.anchor_end > row.anchor_start
            and row.anchored_on != revision.id
        ):
            run = edits[row.anchored_on].run_of(row.anchor_start, row.anchor_end)
            if run is not None:
                old, new, length = run
                moved.setdefault(row.anchored_on, {})[(old, old + length)] = new - old
                continue
        touched.append(row)

    # The moved comments by where they are, not by id: the statement's parameters are the
    # edit's unchanged runs that hold comments, however many comments they hold. It matches
    # exactly the comments the loop above found inside those runs (the same conditions).
    for anchored_on, runs in moved.items():
        inside = {
            run: and_(Comment.anchor_start >= run[0], Comment.anchor_end <= run[1]) for run in runs
        }
        shifts = set(runs.values())
        if len(shifts) == 1:
            shift = next(iter(shifts))
        else:
            shift = case(*((inside[run], by) for run, by in runs.items() if by), else_=0)
        session.execute(
            update(Comment)
            .where(
                *waiting,
                Comment.orphaned.is_(False),
                anchored == anchored_on,
                Comment.anchor_end > Comment.anchor_start,
                or_(*inside.values()),
            )
            .values(
                anchor_revision_id=revision.id,
                anchor_start=Comment.anchor_start + shift,
                anchor_end=Comment.anchor_end + shift,
            )
            .execution_options(synchronize_session=False)
        )

    left = False
    if most_searched is not None and len(touched) > most_searched:
        touched, left = [], True
    quotes = {}
    if touched:
        quotes = {
            row.id: passages.Quote(row.quote_exact, row.quote_prefix, row.quote_suffix)
            for row in session.execute(
                select(
                    Comment.id, Comment.quote_exact, Comment.quote_prefix, Comment.quote_suffix
                ).where(_among(Comment.id, [row.id for row in touched]))
            )
        }
    found: list[dict] = []
    orphaned: list[int] = []
    deadline = None if budget is None else time.monotonic() + budget
    for row in touched:
        if deadline is not None and time.monotonic() > deadline:
            left = True
            break
        quote = quotes[row.id]
        if row.anchor_start is None:
            anchor = passages.locate(revision.body, quote)
        else:
            anchor = passages.relocate(
                edits[row.anchored_on], quote, row.anchor_start, row.anchor_end
            )
        if anchor is None:
            if not row.orphaned:
                orphaned.append(row.id)
            continue
        found.append(
            {
                "id": row.id,
                "anchor_revision_id": revision.id,
                "anchor_start": anchor.start,
                "anchor_end": anchor.end,
                "orphaned": False,
                "was_orphaned": row.orphaned,
            }
        )

    if found:
        session.execute(
            update(Comment),
            [{k: v for k, v in entry.items() if k != "was_orphaned"} for entry in found],
        )
    if orphaned:
        session.execute(
            update(Comment)
            .where(_among(Comment.id, orphaned))
            .values(orphaned=True)
            .execution_options(synchronize_session=False)
        )
    # Comments this session holds read their new anchor again when next used.
    fields = ["anchor_revision_id", "anchor_start", "anchor_end", "orphaned"]
    for held in list(session.identity_map.values()):
        # Read without loading: an expired attribute would cost a statement.
        if isinstance(held, Comment) and inspect(held).dict.get("section_id") in (None, section.id):
            session.expire(held, fields)

    if orphaned:
        # Each author of a comment that lost its passage, with a link to that comment.
        notifications.notify_each(
            Event.MY_COMMENT_ORPHANED,
            author,
            select(
                Comment.author_id.label("user_id"),
                (literal(f"/sections/{section.id}#comment-") + cast(Comment.id, String)).label(
                    "link"
                ),
                Comment.id.label("thread_id"),
            ).where(_among(Comment.id, orphaned)),
            paper_id=section.paper_id,
            params=notifications.section_params(section),
        )
    after = {"revision_id": revision.id}
    activity.record_many(
        author,
        ActivityAction.COMMENT_ORPHANED,
        "comment",
        [(cid, None, {**after, "orphaned": True}) for cid in orphaned],
        paper_id=section.paper_id,
        section_id=section.id,
    )
    activity.record_many(
        author,
        ActivityAction.COMMENT_REANCHORED,
        "comment",
        [(e["id"], None, {**after, "orphaned": False}) for e in found if e["was_orphaned"]],
        paper_id=section.paper_id,
        section_id=section.id,
    )
    if left:
        # The comments keep their old anchor (the "re-anchoring" state is the record); the
        # worker is nudged once this commits, and its sweep finds them if the nudge is lost.
        after_commit(_nudge_reanchoring, section.id, author.id if author else None)


# --- helpers ---------------------------------------------------------------------------


def _among(column, ids: list[int]):
    """`column IN (ids)` with the ids written into the statement as numbers: hundreds of
    bound parameters cost psycopg more to parse than PostgreSQL takes to run the statement."""
    return column.in_(
        bindparam("ids", [int(i) for i in ids], expanding=True, literal_execute=True, unique=True)
    )


def _paper_id(comment: Comment) -> int:
    return session.get(Section, comment.section_id).paper_id


def _snapshot(comment: Comment) -> dict:
    return {
        "status": comment.status,
        "type": comment.type,
        "body": comment.body,
        "proposed_text": comment.proposed_text,
        "decision": comment.decision,
        "rationale": comment.rationale,
        "orphaned": comment.orphaned,
    }


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput("field_empty", field=field)
    if len(value) > limit:
        raise BadInput("field_too_long", field=field, limit=limit)
    return value.strip()


def _optional_text(value, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput("field_not_text", field=field)
    if len(value) > limit:
        raise BadInput("field_too_long", field=field, limit=limit)
    return value


def _enum(kind, value, field: str):
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise BadInput(
            "field_choice", {field: value}, field=field, allowed=allowed, value=value
        ) from None
