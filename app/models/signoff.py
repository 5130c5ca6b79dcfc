"""Frozen versions of a paper and the signatories' positions on them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, enum_check, utcnow
from app.models.users import User


class BallotPosition(enum.StrEnum):
    APPROVE = "approve"
    NO_OBJECTION = "no_objection"
    BLOCK = "block"
    ABSTAIN = "abstain"


class VersionPurpose(enum.StrEnum):
    """Why a version was frozen: to be reviewed, or to be signed (only then a ballot)."""

    REVIEW = "review"
    SIGNATURE = "signature"


class Version(Base):
    """A frozen snapshot of the whole paper. Only `signed_off_at` is ever set later, once."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("paper_id", "label"),
        enum_check("purpose", VersionPurpose),
        CheckConstraint(
            "override_reason IS NULL OR purpose = 'signature'", name="override_for_signature"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purpose: Mapped[str] = mapped_column(String(20), default=VersionPurpose.REVIEW)
    # Why the coordinator froze it for signature although something stood in the way.
    override_reason: Mapped[str | None] = mapped_column(Text)

    sections: Mapped[list[VersionSection]] = relationship(
        order_by="VersionSection.position", cascade="all"
    )
    created_by: Mapped[User] = relationship(lazy="joined")


class VersionSection(Base):
    """Which revision of a section a version froze, with the number and title it had."""

    __tablename__ = "version_sections"
    __table_args__ = (UniqueConstraint("version_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))


class Position(Base):
    """A signatory's position on a version. Append-only: the newest per signatory counts."""

    __tablename__ = "positions"
    __table_args__ = (
        enum_check("position", BallotPosition),
        CheckConstraint(
            "position <> 'block' OR (reason IS NOT NULL AND reason <> '')",
            name="block_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    position: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    # The hash of what was read: a position binds to exactly that text.
    version_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
