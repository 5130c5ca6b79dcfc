"""What the section page shows of its review: the text with its commented passages, each
comment's thread, and which forms the reader gets.

The rules (who may comment, resolve, reopen, edit) are in app/services/reviews.py and
app/services/rounds.py; this module asks them and arranges the answers for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.models import Comment, CommentStatus, Paper, Revision, Section, User
from app.services import access, reviews, rounds
from app.services.errors import DomainError
from app.web import render

# Comments a section page shows at first, and how many more each "more" link adds.
COMMENT_PAGE = 50


@dataclass
class ReplyNode:
    reply: reviews.ReplyRow
    children: list[ReplyNode] = field(default_factory=list)


@dataclass
class CommentEntry:
    comment: reviews.CommentThread  # read as rows, with Comment's attribute names
    thread: list[ReplyNode]
    highlighted: bool
    # The passage as it reads now, when the text moved on and it was found changed.
    now_reads: str | None
    may_resolve: bool
    may_change: bool
    # Since the reader's last visit: a new comment, the ids of new replies, a new decision.
    new: bool = False
    new_replies: frozenset = frozenset()
    decided_since: bool = False
    # A save left it for later: it is being carried onto the current text.
    reanchoring: bool = False


@dataclass(frozen=True)
class CommentFilters:
    """What the reader chose to see of the comments (kept in the page's URL)."""

    hide_resolved: bool = False
    only_open: bool = False
    mine: bool = False
    my_sector: bool = False

    @classmethod
    def from_args(cls, args) -> CommentFilters:
        return cls(**{name: args.get(name) in ("1", "on", "true") for name in cls.NAMES})

    NAMES = ("hide_resolved", "only_open", "mine", "my_sector")

    @property
    def args(self) -> dict[str, str]:
        """The chosen filters as the page's URL carries them."""
        return {name: "1" for name in self.NAMES if getattr(self, name)}

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in self.NAMES)

    def keeps(self, comment: Comment, user: User) -> bool:
        if self.hide_resolved and comment.status == CommentStatus.RESOLVED:
            return False
        if self.only_open and comment.status != CommentStatus.OPEN:
            return False
        if self.mine and comment.author_id != user.id:
            return False
        return not (self.my_sector and comment.sector_id != user.sector_id)


@dataclass(frozen=True)
class SinceLastVisit:
    """What the reader saw last time: the high-water marks of their previous visit."""

    seen_at: object
    revision_id: int | None
    comment_id: int
    reply_id: int


@dataclass
class SectionReview:
    text: Markup | None
    comments: list[CommentEntry]
    orphaned: list[CommentEntry]
    open_count: int
    rounds: list  # the open rounds the reader may comment in
    rounds_by_id: dict
    may_comment: bool
    may_reply: bool
    may_reopen: bool
    items: list  # (framework, its items) for an alignment comment
    filters: CommentFilters = CommentFilters()
    hidden: int = 0  # comments the filters leave out
    more: int = 0  # comments kept by the filters beyond this page
    shown: int = 0  # how many comments the page shows at most
    newest_comment_id: int | None = None
    newest_reply_id: int | None = None
    new_count: int = 0
    member_ids: frozenset[int] = frozenset()  # people holding a role on the paper now
    # The fixed sentences of review/_macros.html's comment, translated once per page.
    texts: dict = field(default_factory=dict)


# The sentences every comment on the page repeats (review/_macros.html): translated once per page
# instead of once per comment and form (2,000 comments, each with its header, forms and labels).
_COMMENT_TEXTS = {
    "typed_still_here": _l("What you typed is still here."),
    "reply": _l("Reply"),
    "your_reply": _l("Your reply"),
    "send_reply": _l("Send the reply"),
    "new": _l("New"),
    "comment_number": _l("Comment %(number)s"),
    "round_number": _l("Round %(id)s"),
    "show_passage": _l("Show the passage in the text"),
    "former_member": _l("former member"),
    "edited": _l("(edited)"),
    "decided_since": _l("Decided since your visit"),
    "passage_gone": _l("Its passage is no longer in the text. It was made on:"),
    "reanchoring": _l("Re-anchoring… its passage is being looked for in the new text."),
    "whole_section": _l("On the whole section"),
    "proposed_text": _l("Proposed text"),
    "framework_item": _l("Framework item"),
    "history": _l("History"),
    "suggestion_applied": _l("suggestion applied"),
    "resolve": _l("Resolve"),
    "decision": _l("Decision"),
    "choose": _l("Choose…"),
    "rationale": _l("Rationale"),
    "rationale_hint": _l("Needed to reject, or to accept with changes."),
    "apply_suggestion": _l("Apply the suggestion: its text replaces the passage in a new revision"),
    "reopen": _l("Reopen"),
    "why_optional": _l("Why (optional)"),
    "edit_or_withdraw": _l("Edit or withdraw"),
    "type": _l("Type"),
    "comment": _l("Comment"),
    "proposed_optional": _l("Proposed text (optional)"),
    "save_changes": _l("Save the changes"),
    "withdraw": _l("Withdraw the comment"),
}


# {(locale, timezone): {(timestamp, style): as templating.when writes it}}: a comment's date
# reads the same on every page in one locale and zone, so it is worked out once per process
# (babel applying its patterns to each of a page's 50 comments, their replies and history,
# was a tenth of the page). Bounded: emptied when it grows past DATES_KEPT.
_DATES: dict[tuple[str, str], dict] = {}
DATES_KEPT = 50_000


def comment_texts() -> dict:
    """{name: sentence} in the reader's language, safe as the template's own _() gives it;
    with `label` and `when`, the i18n label and the date of templating.when, each worked out
    once per value and page (dates once per locale and zone)."""
    from flask_babel import get_locale, get_timezone

    from app.web import i18n, templating

    texts: dict = {name: Markup(str(sentence)) for name, sentence in _COMMENT_TEXTS.items()}
    texts["lang"] = i18n.current_language()
    labels: dict = {}
    dates = _DATES.setdefault((str(get_locale()), str(get_timezone())), {})
    if len(dates) > DATES_KEPT:
        dates.clear()

    def label_of(value, kind: str) -> str:
        key = (value, kind)
        if key not in labels:
            labels[key] = i18n.label(value, kind)
        return labels[key]

    def when(value, style: str = "medium") -> str:
        key = (value, style)
        if key not in dates:
            dates[key] = templating.when(value, style)
        return dates[key]

    texts["label"], texts["when"] = label_of, when
    return texts


def label(comment: Comment) -> str:
    """A comment's number, as people cite it ("comment 12")."""
    return str(comment.id)


def threaded(replies: list[reviews.ReplyRow]) -> list[ReplyNode]:
    """Replies as a tree: each under the reply it answers, oldest first."""
    nodes = {reply.id: ReplyNode(reply) for reply in replies}
    roots = []
    for reply in replies:
        parent = nodes.get(reply.parent_id) if reply.parent_id else None
        (parent.children if parent else roots).append(nodes[reply.id])
    return roots


def _may_comment_in(review_round, user: User) -> bool:
    try:
        rounds.require_may_comment(review_round, user)
    except DomainError:
        return False
    return True


def section_review(
    paper: Paper,
    section: Section,
    user: User,
    perms: access.PaperPermissions,
    current: Revision | None,
    *,
    filters: CommentFilters = CommentFilters(),
    since: SinceLastVisit | None = None,
    shown: int = COMMENT_PAGE,
) -> SectionReview:
    """The section's text with its shown open comments' passages marked, and its comments
    (those the filters keep), each saying what is new since the reader's last visit."""
    every_comment, newest_reply_id = reviews.comment_heads(section)
    kept = [c for c in every_comment if filters.keeps(c, user)] if filters.any else every_comment
    # Open comments first (they wait for an answer), each group oldest first; the page shows
    # the first `shown` and links to more: 2,000 comments are more than a page can lay out,
    # and only the shown ones are read whole. (Two passes over the rows, not a sort with a
    # key called per comment.)
    opened = [c.id for c in kept if c.status == CommentStatus.OPEN]
    shown_ids = opened[:shown]
    if len(shown_ids) < shown:
        others = (c.id for c in kept if c.status != CommentStatus.OPEN)
        shown_ids.extend(islice(others, shown - len(shown_ids)))
    all_comments = reviews.comments_with_thread(section, shown_ids)
    comment_number = str(_COMMENT_TEXTS["comment_number"])  # translated once, not per passage
    passages = [
        render.Passage(
            comment.id,
            comment.anchor_start,
            comment.anchor_end,
            label(comment),
            comment_number % {"number": label(comment)},
        )
        for comment in all_comments
        if current is not None
        and comment.status == CommentStatus.OPEN
        and comment.quote_exact is not None
        and not comment.orphaned
        and comment.anchor_revision_id == current.id
    ]
    text, highlighted = (None, set())
    if current is not None:
        text, highlighted = render.markdown_with_passages(
            current.body,
            passages,
            download_url=url_for("web.section_markdown", section_id=section.id),
        )

    may_resolve = perms.may_resolve_in(section)
    entries, orphaned = [], []
    for comment in all_comments:
        now = reviews.anchored_text(comment) if comment.quote_exact is not None else None
        entry = CommentEntry(
            comment=comment,
            thread=threaded(comment.replies),
            highlighted=comment.id in highlighted,
            now_reads=now if now is not None and now != comment.quote_exact else None,
            may_resolve=comment.status == CommentStatus.OPEN and may_resolve,
            may_change=comment.status == CommentStatus.OPEN and reviews.may_change(comment, user),
            reanchoring=reviews.reanchoring(comment, current),
        )
        if since is not None:
            _mark_news(entry, since, user)
        (orphaned if comment.orphaned else entries).append(entry)

    may_comment = current is not None and perms.may_comment
    every_round = rounds.list_rounds(paper)
    return SectionReview(
        text=text,
        comments=entries,
        orphaned=orphaned,
        open_count=len(opened)
        if kept is every_comment
        else sum(1 for c in every_comment if c.status == CommentStatus.OPEN),
        rounds=[r for r in every_round if may_comment and _may_comment_in(r, user)],
        rounds_by_id={r.id: r for r in every_round},
        may_comment=may_comment,
        may_reply=perms.may_reply,
        may_reopen=perms.may_reopen,
        items=reviews.alignment_comment_items(paper) if may_comment else [],
        filters=filters,
        hidden=len(every_comment) - len(kept),
        more=len(kept) - min(len(kept), shown),
        shown=shown,
        newest_comment_id=every_comment[-1].id if every_comment else None,  # oldest first
        newest_reply_id=newest_reply_id,
        new_count=sum(
            1 for e in [*entries, *orphaned] if e.new or e.new_replies or e.decided_since
        ),
        member_ids=frozenset(member.user_id for member in perms.members),
        texts=comment_texts(),
    )


def _mark_news(entry: CommentEntry, since: SinceLastVisit, user: User) -> None:
    """What others added to the comment since the reader's last visit."""
    comment = entry.comment
    entry.new = comment.id > since.comment_id and comment.author_id != user.id
    entry.new_replies = frozenset(
        reply.id
        for reply in comment.replies
        if reply.id > since.reply_id and reply.author_id != user.id
    )
    entry.decided_since = any(
        step.created_at > since.seen_at and step.actor_id != user.id for step in comment.resolutions
    )
