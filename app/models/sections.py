"""Sections of a paper (a tree) and their immutable revisions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, enum_check, utcnow
from app.models.users import Sector, User


class SectionState(enum.StrEnum):
    NOT_STARTED = "not_started"
    DRAFTING = "drafting"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


section_sectors = Table(
    "section_sectors",
    Base.metadata,
    Column("section_id", ForeignKey("sections.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id"), primary_key=True),
)


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("paper_id", "number"), enum_check("state", SectionState))

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    # Document order across the whole paper; the tree is given by parent_id.
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str] = mapped_column(String(300), default="")
    brief: Mapped[str] = mapped_column(Text, default="")
    brief_fr: Mapped[str] = mapped_column(Text, default="")
    expected_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default=SectionState.NOT_STARTED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead_author: Mapped[User | None] = relationship()
    contributing_sectors: Mapped[list[Sector]] = relationship(
        secondary=section_sectors, order_by="Sector.code"
    )

    @property
    def level(self) -> int:
        return section_level(self.number)

    def title(self, language: str) -> str:
        return section_title(self.title_en, self.title_fr, language)


def section_level(number: str) -> int:
    """A section's depth in the tree from its number: "2" is 1, "2.1" is 2."""
    return number.count(".") + 1


def section_title(title_en: str, title_fr: str, language: str) -> str:
    """A section's title in a paper's language (French falls back to English)."""
    return (title_fr or title_en) if language == "fr" else title_en


class Revision(Base):
    """One save of a section's Markdown text. Never updated, never deleted."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    # 1, 2, 3... per section. The unique constraint is the last guard against two
    # concurrent saves on the same base both landing.
    number: Mapped[int] = mapped_column(Integer)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(500), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
