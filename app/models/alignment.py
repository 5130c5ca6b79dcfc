"""Reference frameworks and the alignment and position decisions taken against them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, enum_check, utcnow
from app.models.users import Sector, User


class ItemKind(enum.StrEnum):
    VALUE = "value"
    PRINCIPLE = "principle"
    POLICY_AREA = "policy_area"


class AlignmentStatus(enum.StrEnum):
    ALIGNED = "aligned"
    PARTIAL = "partial"
    GAP = "gap"
    CONFLICT = "conflict"
    NOT_APPLICABLE = "not_applicable"


class Framework(Base):
    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(40))
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str] = mapped_column(String(300))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[FrameworkItem]] = relationship(
        back_populates="framework", order_by="FrameworkItem.position", cascade="all"
    )


class FrameworkItem(Base):
    __tablename__ = "framework_items"
    __table_args__ = (UniqueConstraint("framework_id", "code"), enum_check("kind", ItemKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")

    framework: Mapped[Framework] = relationship(back_populates="items")

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en


alignment_decision_comments = Table(
    "alignment_decision_comments",
    Base.metadata,
    Column("decision_id", ForeignKey("alignment_decisions.id"), primary_key=True),
    Column("comment_id", ForeignKey("comments.id"), primary_key=True),
)


class AlignmentDecision(Base):
    """How a section (or, with no section, the whole paper) stands against one item.

    Append-only: the newest decision for a (paper, section, item) cell is the current one.
    """

    __tablename__ = "alignment_decisions"
    __table_args__ = (enum_check("status", AlignmentStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("framework_items.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_prefix: Mapped[str] = mapped_column(Text, default="")
    quote_suffix: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[FrameworkItem] = relationship(lazy="joined")
    decided_by: Mapped[User] = relationship(lazy="joined")


position_decision_sectors = Table(
    "position_decision_sectors",
    Base.metadata,
    Column("decision_id", ForeignKey("position_decisions.id"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id"), primary_key=True),
)

position_decision_comments = Table(
    "position_decision_comments",
    Base.metadata,
    Column("decision_id", ForeignKey("position_decisions.id"), primary_key=True),
    Column("comment_id", ForeignKey("comments.id"), primary_key=True),
)


class PositionDecision(Base):
    """How divergent sector views on one question were settled."""

    __tablename__ = "position_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sectors: Mapped[list[Sector]] = relationship(
        secondary=position_decision_sectors, order_by="Sector.code"
    )
    decided_by: Mapped[User] = relationship(lazy="joined")
