"""What full-text search reads, and what each reader last saw of each section.

`search_documents` holds one row per searchable thing (a section's current text, a comment,
a reply, an alignment decision, a position decision), kept in step at flush time by
app/services/search_index.py. Each database indexes it its own way, made by the migration
and left out of this metadata (see `is_search_machinery`): PostgreSQL a generated `tsv`
column with a GIN index, SQLite an FTS5 table `search_fts` and a narrow copy of each
document's scope and facet fields, `search_scope`, both fed by triggers.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, enum_check, utcnow


class SearchKind(enum.StrEnum):
    """What a reader asks for: `kind=section|comment|decision`."""

    SECTION = "section"
    COMMENT = "comment"
    DECISION = "decision"


class SearchSource(enum.StrEnum):
    """Which record a search document was made from."""

    SECTION = "section"
    COMMENT = "comment"
    REPLY = "reply"
    ALIGNMENT = "alignment"
    POSITION = "position"


KIND_OF_SOURCE = {
    SearchSource.SECTION: SearchKind.SECTION,
    SearchSource.COMMENT: SearchKind.COMMENT,
    SearchSource.REPLY: SearchKind.COMMENT,
    SearchSource.ALIGNMENT: SearchKind.DECISION,
    SearchSource.POSITION: SearchKind.DECISION,
}


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        enum_check("kind", SearchKind),
        enum_check("source", SearchSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int] = mapped_column(Integer)
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    # Who wrote the text found (the last revision's author for a section), and their sector.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id"))
    # The paper's language: it picks the stemmer.
    language: Mapped[str] = mapped_column(String(2))
    # A comment's status (open, resolved, withdrawn) or a decision's status.
    status: Mapped[str | None] = mapped_column(String(20))
    # Short text that weighs more (titles, item codes, a question), and the text itself.
    heading: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # SQLite only: the same texts as stems, one per token, which FTS5 indexes (NULL on
    # PostgreSQL, whose text search configuration stems by itself).
    heading_terms: Mapped[str | None] = mapped_column(Text)
    body_terms: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Made by the migration for one database only, so not in this metadata: the comparison of
# models and migrations leaves them out (migrations/env.py, tests/test_migrations.py).
SEARCH_MACHINERY_TABLES = ("search_fts", "search_scope")
SEARCH_MACHINERY_COLUMNS = {("search_documents", "tsv")}
SEARCH_MACHINERY_INDEXES = {"ix_search_documents_tsv"}


def is_search_machinery(name, type_, parent_names) -> bool:
    """True for the database-specific parts of the search index (an `include_name` hook
    answers the opposite)."""
    if type_ == "table":
        return any(name == t or name.startswith(t + "_") for t in SEARCH_MACHINERY_TABLES)
    if type_ == "column":
        return (parent_names.get("table_name"), name) in SEARCH_MACHINERY_COLUMNS
    if type_ == "index":
        return name in SEARCH_MACHINERY_INDEXES
    return False


def include_name(name, type_, parent_names) -> bool:
    return not is_search_machinery(name, type_, parent_names)


class SectionVisit(Base):
    """What a reader last saw of a section: recorded (one upsert) when they open its page.

    The ids are high-water marks: anything newer, and not theirs, is new to them.
    """

    __tablename__ = "section_visits"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(Integer)
    reply_id: Mapped[int | None] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
