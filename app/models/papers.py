"""Papers and the per-paper roles of their members."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, enum_check, utcnow
from app.models.alignment import Framework
from app.models.users import User


class PaperStatus(enum.StrEnum):
    """Where the paper's work stands. Derived from the work (app/services/stages.py), never
    stored: a round's deadline passing changes it without anyone writing anything."""

    DRAFTING = "drafting"
    IN_REVIEW = "in_review"
    CONSOLIDATING = "consolidating"
    IN_SIGNATURE = "in_signature"
    SIGNED_OFF = "signed_off"


class Language(enum.StrEnum):
    EN = "en"
    FR = "fr"


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    AUTHOR = "author"
    REVIEWER = "reviewer"
    SIGNATORY = "signatory"
    OBSERVER = "observer"


paper_frameworks = Table(
    "paper_frameworks",
    Base.metadata,
    Column("paper_id", ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("framework_id", ForeignKey("frameworks.id"), primary_key=True),
)


class Paper(Base):
    __tablename__ = "papers"
    __table_args__ = (enum_check("language", Language),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default=Language.EN)
    template: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # UN document conventions in its exports: the document symbol (e.g. CLT/2027/PP/1, printed
    # on the cover and in the header) and whether a disclaimer page comes after the cover.
    document_symbol: Mapped[str] = mapped_column(String(60), default="", server_default="")
    disclaimer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Body paragraphs numbered 1, 2, 3... across the paper's sections, as UN documents are.
    numbered_paragraphs: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    frameworks: Mapped[list[Framework]] = relationship(
        secondary=paper_frameworks, order_by="Framework.code"
    )
    members: Mapped[list[PaperMember]] = relationship(
        back_populates="paper", cascade="all, delete-orphan"
    )


class PaperMember(Base):
    __tablename__ = "paper_members"
    __table_args__ = (
        UniqueConstraint("paper_id", "user_id", "role"),
        enum_check("role", Role),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    paper: Mapped[Paper] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")
