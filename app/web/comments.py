"""What the section page shows of its review: the text with its commented passages, each
comment's thread, and which forms the reader gets.

The rules (who may comment, resolve, reopen, edit) are in app/services/reviews.py and
app/services/rounds.py; this module asks them and arranges the answers for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup

from app.models import Comment, CommentReply, CommentStatus, Paper, Revision, Role, Section, User
from app.services import reviews, rounds
from app.services.errors import DomainError
from app.web import render


@dataclass
class ReplyNode:
    reply: CommentReply
    children: list[ReplyNode] = field(default_factory=list)


@dataclass
class CommentEntry:
    comment: Comment
    thread: list[ReplyNode]
    highlighted: bool
    # The passage as it reads now, when the text moved on and it was found changed.
    now_reads: str | None
    may_resolve: bool
    may_change: bool
    # A save left it for later: it is being carried onto the current text.
    reanchoring: bool = False


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


def label(comment: Comment) -> str:
    """A comment's number, as people cite it ("comment 12")."""
    return str(comment.id)


def threaded(replies: list[CommentReply]) -> list[ReplyNode]:
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
    paper: Paper, section: Section, user: User, roles: set[str], current: Revision | None
) -> SectionReview:
    """The section's text with its open comments' passages marked, and its comments."""
    all_comments = reviews.list_comments(section)
    passages = [
        render.Passage(
            comment.id,
            comment.anchor_start,
            comment.anchor_end,
            label(comment),
            _("Comment %(number)s", number=label(comment)),
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
        text, highlighted = render.markdown_with_passages(current.body, passages)

    may_resolve = reviews.may_resolve_in(section, user)
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
        (orphaned if comment.orphaned else entries).append(entry)

    may_comment = current is not None and bool(roles & set(reviews.COMMENTERS))
    every_round = rounds.list_rounds(paper)
    return SectionReview(
        text=text,
        comments=entries,
        orphaned=orphaned,
        open_count=sum(1 for c in all_comments if c.status == CommentStatus.OPEN),
        rounds=[r for r in every_round if may_comment and _may_comment_in(r, user)],
        rounds_by_id={r.id: r for r in every_round},
        may_comment=may_comment,
        may_reply=bool(roles & set(reviews.REPLIERS)),
        may_reopen=Role.COORDINATOR in roles,
        items=[(framework, list(framework.items)) for framework in paper.frameworks],
    )
