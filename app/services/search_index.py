"""Keeping the search index in step: one search document per searchable record.

Whatever writes a section's text, a comment, a reply or a decision (a service, the demo,
an import), the mapper events below upsert its search document in the same flush, on the
same connection, so the index never lags behind nor forgets a path. The database then
does the rest: PostgreSQL recomputes the generated `tsv` column, SQLite's triggers feed
the FTS5 table (app/models/search.py). `reindex` rebuilds the documents of whole papers
in a few statements (a command, the benchmark).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import and_, bindparam, delete, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.db import utcnow
from app.models import (
    AlignmentDecision,
    Comment,
    CommentReply,
    FrameworkItem,
    Paper,
    PositionDecision,
    Revision,
    SearchDocument,
    SearchSource,
    Section,
    User,
)
from app.models.search import KIND_OF_SOURCE
from app.services.search_text import stored_text, terms
from app.text.plain import plain_text

S = SearchSource
DOCUMENTS = SearchDocument.__table__
# What a comment's document is made of: a change to anything else (re-anchoring) is no
# change to the index.
COMMENT_FIELDS = ("body", "proposed_text", "rationale", "status", "item_code")


def document(
    dialect: str,
    *,
    source: SearchSource,
    source_id: int,
    paper_id: int,
    language: str,
    heading: str = "",
    body: str = "",
    section_id: int | None = None,
    author_id: int | None = None,
    sector_id: int | None = None,
    status: str | None = None,
) -> dict:
    """One row of search_documents; on SQLite with the stems FTS5 indexes. The body is kept
    as its page shows it (no Markdown), so snippets read cleanly and markup is never found."""
    heading, body = stored_text(heading), stored_text(plain_text(body))
    stems = dialect == "sqlite"
    return {
        "paper_id": paper_id,
        "kind": KIND_OF_SOURCE[source].value,
        "source": source.value,
        "source_id": source_id,
        "section_id": section_id,
        "author_id": author_id,
        "sector_id": sector_id,
        "language": language,
        "status": status,
        "heading": heading,
        "body": body,
        "heading_terms": terms(heading, language) if stems else None,
        "body_terms": terms(body, language) if stems else None,
        "updated_at": utcnow(),
    }


def upsert(connection: Connection, rows: list[dict]) -> None:
    """Insert the documents, or replace the ones of the same records."""
    if rows:
        connection.execute(_upsert_statement(connection.dialect.name), rows)


@lru_cache(maxsize=2)
def _upsert_statement(dialect: str):
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement = insert(DOCUMENTS)
    keep = {"id", "source", "source_id"}
    return statement.on_conflict_do_update(
        index_elements=["source", "source_id"],
        set_={c.name: statement.excluded[c.name] for c in DOCUMENTS.c if c.name not in keep},
    )


# --- what each record's document says ---------------------------------------------------


def section_heading(title_en: str, title_fr: str) -> str:
    return title_en if not title_fr or title_fr == title_en else f"{title_en} · {title_fr}"


def comment_body(body: str, proposed_text: str | None, rationale: str | None) -> str:
    """The comment, the text it proposes and the rationale of its resolution."""
    return "\n\n".join(part for part in (body, proposed_text, rationale) if part)


def item_heading(code: str, title_en: str, title_fr: str) -> str:
    return " · ".join(dict.fromkeys(part for part in (code, title_en, title_fr) if part))


def position_body(decision: str, rationale: str, options: list[str] | None) -> str:
    return "\n\n".join(part for part in (decision, rationale, "; ".join(options or [])) if part)


def _latest_revisions():
    """Each section's newest revision id."""
    return (
        select(Revision.section_id, func.max(Revision.id).label("revision_id"))
        .group_by(Revision.section_id)
        .subquery()
    )


_SECTION_COLUMNS = (
    Section.id,
    Section.paper_id,
    Section.title_en,
    Section.title_fr,
    Paper.language,
    Revision.body,
    Revision.author_id,
    User.sector_id,
)


def _section_rows(connection: Connection, section_filter) -> list[dict]:
    latest = _latest_revisions()
    rows = connection.execute(
        select(*_SECTION_COLUMNS)
        .join(Paper, Paper.id == Section.paper_id)
        .outerjoin(latest, latest.c.section_id == Section.id)
        .outerjoin(Revision, Revision.id == latest.c.revision_id)
        .outerjoin(User, User.id == Revision.author_id)
        .where(section_filter)
    )
    return _section_documents(connection.dialect.name, rows)


def _one_section_rows(connection: Connection, section_id: int) -> list[dict]:
    """One section's document, as every save needs it: a statement built once, which reads
    that section's revisions only (not the newest of every section's)."""
    rows = connection.execute(_one_section_statement(), {"section_id": section_id})
    return _section_documents(connection.dialect.name, rows)


@lru_cache(maxsize=1)
def _one_section_statement():
    newest = (
        select(func.max(Revision.id))
        .where(Revision.section_id == bindparam("section_id"))
        .scalar_subquery()
    )
    return (
        select(*_SECTION_COLUMNS)
        .join(Paper, Paper.id == Section.paper_id)
        .outerjoin(Revision, Revision.id == newest)
        .outerjoin(User, User.id == Revision.author_id)
        .where(Section.id == bindparam("section_id"))
    )


def _section_documents(dialect: str, rows) -> list[dict]:
    return [
        document(
            dialect,
            source=S.SECTION,
            source_id=row.id,
            paper_id=row.paper_id,
            language=row.language,
            heading=section_heading(row.title_en, row.title_fr),
            body=row.body or "",
            section_id=row.id,
            author_id=row.author_id,
            sector_id=row.sector_id,
        )
        for row in rows
    ]


def _comment_rows(connection: Connection, comment_filter) -> list[dict]:
    rows = connection.execute(
        select(
            Comment.id,
            Comment.section_id,
            Comment.author_id,
            Comment.sector_id,
            Comment.body,
            Comment.proposed_text,
            Comment.rationale,
            Comment.status,
            Comment.item_code,
            Section.paper_id,
            Paper.language,
        )
        .join(Section, Section.id == Comment.section_id)
        .join(Paper, Paper.id == Section.paper_id)
        .where(comment_filter)
    )
    dialect = connection.dialect.name
    return [_comment_document(dialect, row, row.paper_id, row.language) for row in rows]


def _comment_document(dialect: str, comment, paper_id: int, language: str) -> dict:
    """`comment`: a Comment, or a row of its columns."""
    return document(
        dialect,
        source=S.COMMENT,
        source_id=comment.id,
        paper_id=paper_id,
        language=language,
        heading=comment.item_code or "",
        body=comment_body(comment.body, comment.proposed_text, comment.rationale),
        section_id=comment.section_id,
        author_id=comment.author_id,
        sector_id=comment.sector_id,
        status=comment.status,
    )


def _reply_rows(connection: Connection, reply_filter) -> list[dict]:
    rows = connection.execute(
        select(
            CommentReply.id,
            CommentReply.body,
            CommentReply.author_id,
            Comment.section_id,
            Section.paper_id,
            Paper.language,
            User.sector_id,
        )
        .join(Comment, Comment.id == CommentReply.comment_id)
        .join(Section, Section.id == Comment.section_id)
        .join(Paper, Paper.id == Section.paper_id)
        .join(User, User.id == CommentReply.author_id)
        .where(reply_filter)
    )
    dialect = connection.dialect.name
    return [
        document(
            dialect,
            source=S.REPLY,
            source_id=row.id,
            paper_id=row.paper_id,
            language=row.language,
            body=row.body,
            section_id=row.section_id,
            author_id=row.author_id,
            sector_id=row.sector_id,
        )
        for row in rows
    ]


def _alignment_rows(connection: Connection, decision_filter) -> list[dict]:
    rows = connection.execute(
        select(
            AlignmentDecision.id,
            AlignmentDecision.paper_id,
            AlignmentDecision.section_id,
            AlignmentDecision.status,
            AlignmentDecision.rationale,
            AlignmentDecision.decided_by_id,
            FrameworkItem.code,
            FrameworkItem.title_en,
            FrameworkItem.title_fr,
            Paper.language,
            User.sector_id,
        )
        .join(FrameworkItem, FrameworkItem.id == AlignmentDecision.item_id)
        .join(Paper, Paper.id == AlignmentDecision.paper_id)
        .join(User, User.id == AlignmentDecision.decided_by_id)
        .where(decision_filter)
    )
    dialect = connection.dialect.name
    return [
        document(
            dialect,
            source=S.ALIGNMENT,
            source_id=row.id,
            paper_id=row.paper_id,
            language=row.language,
            heading=item_heading(row.code, row.title_en, row.title_fr),
            body=row.rationale,
            section_id=row.section_id,
            author_id=row.decided_by_id,
            sector_id=row.sector_id,
            status=row.status,
        )
        for row in rows
    ]


def _position_rows(connection: Connection, decision_filter) -> list[dict]:
    rows = connection.execute(
        select(
            PositionDecision.id,
            PositionDecision.paper_id,
            PositionDecision.section_id,
            PositionDecision.question,
            PositionDecision.decision,
            PositionDecision.rationale,
            PositionDecision.options,
            PositionDecision.decided_by_id,
            Paper.language,
            User.sector_id,
        )
        .join(Paper, Paper.id == PositionDecision.paper_id)
        .join(User, User.id == PositionDecision.decided_by_id)
        .where(decision_filter)
    )
    dialect = connection.dialect.name
    return [
        document(
            dialect,
            source=S.POSITION,
            source_id=row.id,
            paper_id=row.paper_id,
            language=row.language,
            heading=row.question,
            body=position_body(row.decision, row.rationale, row.options),
            section_id=row.section_id,
            author_id=row.decided_by_id,
            sector_id=row.sector_id,
        )
        for row in rows
    ]


# --- in step at flush time ---------------------------------------------------------------


@event.listens_for(Section, "after_insert")
def _section_added(_mapper, connection, section):
    upsert(connection, _one_section_rows(connection, section.id))


@event.listens_for(Section, "after_update")
def _section_renamed(_mapper, connection, section):
    state = inspect(section)
    if state.attrs.title_en.history.has_changes() or state.attrs.title_fr.history.has_changes():
        upsert(connection, _one_section_rows(connection, section.id))


@event.listens_for(Revision, "after_insert")
def _revision_saved(_mapper, connection, revision):
    # Revisions only ever append: the newest is the section's text.
    upsert(connection, _one_section_rows(connection, revision.section_id))


@event.listens_for(Comment, "after_insert")
def _comment_added(_mapper, connection, comment):
    _index_comment(connection, comment)


@event.listens_for(Comment, "after_update")
def _comment_changed(_mapper, connection, comment):
    state = inspect(comment)
    if any(state.attrs[name].history.has_changes() for name in COMMENT_FIELDS):
        _index_comment(connection, comment)


def _index_comment(connection, comment) -> None:
    paper_id, language = connection.execute(
        select(Section.paper_id, Paper.language)
        .join(Paper, Paper.id == Section.paper_id)
        .where(Section.id == comment.section_id)
    ).one()
    upsert(connection, [_comment_document(connection.dialect.name, comment, paper_id, language)])


@event.listens_for(CommentReply, "after_insert")
def _reply_added(_mapper, connection, reply):
    upsert(connection, _reply_rows(connection, CommentReply.id == reply.id))


def current_decisions():
    """The ids of the decisions in force: decisions are append-only, and the newest of a
    (paper, section, item) cell replaces the ones before it."""
    return select(func.max(AlignmentDecision.id)).group_by(
        AlignmentDecision.paper_id, AlignmentDecision.section_id, AlignmentDecision.item_id
    )


@event.listens_for(AlignmentDecision, "after_insert")
def _alignment_decided(_mapper, connection, decision):
    # The decision it replaces leaves the index: a search finds what the paper holds now,
    # and the alignment history keeps the rest.
    replaced = select(AlignmentDecision.id).where(
        AlignmentDecision.paper_id == decision.paper_id,
        AlignmentDecision.section_id == decision.section_id,
        AlignmentDecision.item_id == decision.item_id,
        AlignmentDecision.id != decision.id,
    )
    connection.execute(
        delete(DOCUMENTS).where(
            DOCUMENTS.c.source == S.ALIGNMENT, DOCUMENTS.c.source_id.in_(replaced)
        )
    )
    upsert(connection, _alignment_rows(connection, AlignmentDecision.id == decision.id))


@event.listens_for(PositionDecision, "after_insert")
def _position_decided(_mapper, connection, decision):
    upsert(connection, _position_rows(connection, PositionDecision.id == decision.id))


# --- rebuilding ----------------------------------------------------------------------------


def reindex(connection: Connection, paper_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search documents of these papers (all papers: None); returns how many."""
    ids = None if paper_ids is None else list(paper_ids)

    def of(column):
        return column.in_(ids) if ids is not None else column.is_not(None)

    if ids is None:
        connection.execute(delete(DOCUMENTS))
    else:
        connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.paper_id.in_(ids)))
    in_papers = select(Section.id).where(of(Section.paper_id))
    rows = [
        *_section_rows(connection, of(Section.paper_id)),
        *_comment_rows(connection, Comment.section_id.in_(in_papers)),
        *_reply_rows(
            connection,
            CommentReply.comment_id.in_(
                select(Comment.id).where(Comment.section_id.in_(in_papers))
            ),
        ),
        *_alignment_rows(
            connection,
            and_(of(AlignmentDecision.paper_id), AlignmentDecision.id.in_(current_decisions())),
        ),
        *_position_rows(connection, of(PositionDecision.paper_id)),
    ]
    for start in range(0, len(rows), 1000):
        upsert(connection, rows[start : start + 1000])
    return len(rows)


def index_comments_and_replies(
    connection: Connection, comment_ids: list[int], reply_ids: list[int]
) -> None:
    """Index comments and replies written in bulk (by Core inserts, which fire no mapper
    event): one read and one upsert per kind, whatever their number."""
    if comment_ids:
        upsert(connection, _comment_rows(connection, Comment.id.in_(comment_ids)))
    if reply_ids:
        upsert(connection, _reply_rows(connection, CommentReply.id.in_(reply_ids)))
