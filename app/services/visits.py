"""What changed since I last looked: each reader's last visit to each section, and what is
new to them since.

Opening a section's page records what the reader saw (its newest revision, comment and
reply: high-water marks) in one upsert. Anything newer that someone else wrote is new to
them: the paper's overview and the dashboard count it in one statement each, whatever the
paper's size. A section never opened is unread as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, case, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.db import session, utcnow
from app.models import (
    Comment,
    CommentReply,
    CommentStatus,
    Revision,
    Section,
    SectionVisit,
    User,
)


@dataclass(frozen=True)
class SectionNews:
    """What is new to a reader in one section since their last visit."""

    section_id: int
    visited: bool
    seen_at: datetime | None
    seen_revision_id: int | None
    new_revisions: int
    new_comments: int
    new_replies: int

    @property
    def text_changed(self) -> bool:
        return self.new_revisions > 0

    @property
    def anything(self) -> bool:
        return bool(self.new_revisions or self.new_comments or self.new_replies)


@dataclass(frozen=True)
class PaperNews:
    """What is new to a reader in a paper: sections whose text changed, comments, replies."""

    sections: int = 0
    comments: int = 0
    replies: int = 0

    @property
    def total(self) -> int:
        return self.sections + self.comments + self.replies


def last_visit(user: User, section: Section) -> SectionVisit | None:
    return session.get(SectionVisit, (user.id, section.id))


def record_visit(
    user: User,
    section: Section,
    *,
    revision_id: int | None,
    comment_id: int | None,
    reply_id: int | None,
) -> None:
    """Remember what the reader has just seen of the section: one upsert, no read."""
    remember_visit(user.id, section.id, revision_id, comment_id, reply_id)


def remember_visit(
    user_id: int,
    section_id: int,
    revision_id: int | None,
    comment_id: int | None,
    reply_id: int | None,
) -> None:
    """`record_visit` by ids, for a page that records it after its answer (`db.after_commit`)."""
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    values = {
        "revision_id": revision_id,
        "comment_id": comment_id,
        "reply_id": reply_id,
        "seen_at": utcnow(),
    }
    statement = insert(SectionVisit).values(user_id=user_id, section_id=section_id, **values)
    session.execute(
        statement.on_conflict_do_update(index_elements=["user_id", "section_id"], set_=values)
    )


def _news_per_section(reader, *conditions, brief: bool = False, among=None):
    """One row per section: its visit and the counts of what others wrote since.

    Each count is one grouped pass over its table joined to the reader's visits, not a
    subquery per section: at 1,000 sections the correlated form scanned the whole primary
    key once per section (8 s).

    `brief`: of a section the reader never opened, only whether others wrote anything there
    (each count 0 or 1, from an EXISTS that stops at the first row), which is all the paper
    overview shows ("New"); counting every comment of sections never opened was most of the
    overview's SQL on a paper of 20,000 comments.

    `reader`: the reader's id, as a value or a bound parameter. `among`: a statement giving
    the ids of the sections that `conditions` select (the overview's page); the counts then
    take their sections from it rather than from the sections table again (a statement
    simpler to plan).
    """
    visit = SectionVisit

    def seen(section_id):
        return and_(visit.section_id == section_id, visit.user_id == reader)

    def joined(statement, section_id):
        # brief: the counts only where the reader has been (their visits lead the join).
        if brief:
            return statement.join(visit, seen(section_id))
        return statement.outerjoin(visit, seen(section_id))

    def of_sections(statement, section_id):
        if among is not None:
            return statement.where(section_id.in_(among))
        return statement.join(Section, Section.id == section_id).where(*conditions)

    new_revisions = (
        joined(
            of_sections(
                select(Revision.section_id.label("section_id"), func.count().label("n")),
                Revision.section_id,
            ),
            Revision.section_id,
        )
        .where(
            Revision.id > func.coalesce(visit.revision_id, 0),
            Revision.author_id != reader,
        )
        .group_by(Revision.section_id)
        .subquery()
    )
    new_comments = (
        joined(
            of_sections(
                select(Comment.section_id.label("section_id"), func.count().label("n")),
                Comment.section_id,
            ),
            Comment.section_id,
        )
        .where(
            Comment.id > func.coalesce(visit.comment_id, 0),
            Comment.author_id != reader,
            Comment.status != CommentStatus.WITHDRAWN,
        )
        .group_by(Comment.section_id)
        .subquery()
    )
    new_replies = (
        joined(
            of_sections(
                select(Comment.section_id.label("section_id"), func.count().label("n"))
                .select_from(CommentReply)
                .join(Comment, Comment.id == CommentReply.comment_id),
                Comment.section_id,
            ),
            Comment.section_id,
        )
        .where(
            CommentReply.id > func.coalesce(visit.reply_id, 0),
            CommentReply.author_id != reader,
        )
        .group_by(Comment.section_id)
        .subquery()
    )
    return (
        select(
            Section.id.label("section_id"),
            Section.paper_id,
            visit.user_id.label("visitor"),
            visit.seen_at,
            visit.revision_id,
            _count_or_any(brief, visit, new_revisions.c.n, _any_revision(reader)).label(
                "new_revisions"
            ),
            _count_or_any(brief, visit, new_comments.c.n, _any_comment(reader)).label(
                "new_comments"
            ),
            _count_or_any(brief, visit, new_replies.c.n, _any_reply(reader)).label("new_replies"),
        )
        .outerjoin(visit, seen(Section.id))
        .outerjoin(new_revisions, new_revisions.c.section_id == Section.id)
        .outerjoin(new_comments, new_comments.c.section_id == Section.id)
        .outerjoin(new_replies, new_replies.c.section_id == Section.id)
        .where(*conditions)
    )


def news_for_paper(
    user: User, paper_id: int, section_ids: list[int] | None = None, *, brief: bool = False
) -> dict[int, SectionNews]:
    """{section id: what is new to the reader there} (in those sections), in one statement.

    `brief`: for a section never opened, each count is 0 or 1 (whether others wrote anything
    there), as the overview shows it; the counts of visited sections are exact either way."""
    params = {"reader": user.id, "paper_id": paper_id}
    if section_ids is not None:
        params["section_ids"] = section_ids
    rows = session.execute(_news_statement(brief, section_ids is not None), params)
    return {row.section_id: section_news(row) for row in rows}


def section_news(row) -> SectionNews:
    """A section's news from a row with the columns of `news_subquery`."""
    return SectionNews(
        section_id=row.section_id,
        visited=row.visitor is not None,
        seen_at=row.seen_at,
        seen_revision_id=row.revision_id,
        new_revisions=row.new_revisions,
        new_comments=row.new_comments,
        new_replies=row.new_replies,
    )


def news_subquery(reader, *conditions, brief: bool = False, among=None):
    """`news_for_paper`'s rows (section_id, visitor, seen_at, revision_id, new_revisions,
    new_comments, new_replies) for the sections meeting `conditions` (whose ids `among`
    gives, if it is given), as a subquery that another statement joins to its sections:
    their news comes in the same statement."""
    return (
        _news_per_section(reader, *conditions, brief=brief, among=among)
        .cte("news")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


@cache
def _news_statement(brief: bool, some_sections: bool):
    """`news_for_paper`'s statement, built once with bound parameters (reader, paper_id,
    section_ids): building and compiling it anew cost more than running it."""
    conditions = [Section.paper_id == bindparam("paper_id")]
    if some_sections:
        conditions.append(Section.id.in_(bindparam("section_ids", expanding=True)))
    return _news_per_section(bindparam("reader"), *conditions, brief=brief)


def _count_or_any(brief: bool, visit, count, anything):
    """A section's count of new things; brief and never visited: 1 if there is anything."""
    if not brief:
        return func.coalesce(count, 0)
    return case(
        (visit.user_id.is_(None), case((anything, 1), else_=0)), else_=func.coalesce(count, 0)
    )


def _any_revision(reader):
    return exists().where(Revision.section_id == Section.id, Revision.author_id != reader)


def _any_comment(reader):
    return exists().where(
        Comment.section_id == Section.id,
        Comment.author_id != reader,
        Comment.status != CommentStatus.WITHDRAWN,
    )


def _any_reply(reader):
    return (
        exists()
        .where(Comment.section_id == Section.id, CommentReply.comment_id == Comment.id)
        .where(CommentReply.author_id != reader)
    )


def news_by_paper(user: User, paper_ids: list[int]) -> dict[int, PaperNews]:
    """{paper id: what is new to the reader there}, for all the papers in one statement."""
    if not paper_ids:
        return {}
    per_section = _news_per_section(user.id, Section.paper_id.in_(paper_ids)).subquery()
    rows = session.execute(
        select(
            per_section.c.paper_id,
            func.count().filter(per_section.c.new_revisions > 0),
            func.coalesce(func.sum(per_section.c.new_comments), 0),
            func.coalesce(func.sum(per_section.c.new_replies), 0),
        ).group_by(per_section.c.paper_id)
    )
    return {
        paper_id: PaperNews(int(sections), int(comments), int(replies))
        for paper_id, sections, comments, replies in rows
    }


def mark_seen(user: User, section: Section) -> None:
    """Record a visit from what the section holds now (the API's "I have read it")."""
    newest = session.execute(
        select(
            select(func.max(Revision.id))
            .where(Revision.section_id == section.id)
            .scalar_subquery(),
            select(func.max(Comment.id)).where(Comment.section_id == section.id).scalar_subquery(),
            select(func.max(CommentReply.id))
            .join(Comment, Comment.id == CommentReply.comment_id)
            .where(Comment.section_id == section.id)
            .scalar_subquery(),
        )
    ).one()
    record_visit(user, section, revision_id=newest[0], comment_id=newest[1], reply_id=newest[2])
