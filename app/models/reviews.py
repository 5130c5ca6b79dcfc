"""Comments on section revisions, their replies and resolutions, and review rounds."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, enum_check, utcnow
from app.models.users import Sector, User


class CommentType(enum.StrEnum):
    EDITORIAL = "editorial"
    SUBSTANTIVE = "substantive"
    LEGAL = "legal"
    ALIGNMENT = "alignment"


class CommentStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class Decision(enum.StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_MODIFIED = "accepted_modified"
    REJECTED = "rejected"
    NOTED = "noted"


class ResolutionAction(enum.StrEnum):
    RESOLVED = "resolved"
    REOPENED = "reopened"


class CompletionAction(enum.StrEnum):
    """What a sector says of its review in a round; the newest record per sector counts."""

    COMPLETE = "complete"
    NO_COMMENTS = "no_comments"
    WITHDRAWN = "withdrawn"


round_sectors = Table(
    "round_sectors",
    Base.metadata,
    Column("round_id", ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id"), primary_key=True),
)


class ReviewRound(Base):
    __tablename__ = "review_rounds"
    __table_args__ = (
        CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closed_by_whom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the coordinator closes the round before its deadline.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    sectors: Mapped[list[Sector]] = relationship(secondary=round_sectors, order_by="Sector.code")


class RoundCompletion(Base):
    """A sector's word on its review in a round: complete, no comments, or withdrawn.
    Append-only: the newest per sector counts, the history stays."""

    __tablename__ = "round_completions"
    __table_args__ = (enum_check("action", CompletionAction),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True
    )
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    sector: Mapped[Sector] = relationship(lazy="joined")


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        enum_check("type", CommentType),
        enum_check("status", CommentStatus),
        enum_check("decision", Decision),
        CheckConstraint(
            "(status = 'resolved') = (decision IS NOT NULL)", name="resolved_iff_decision"
        ),
        # Room on each page for the anchors every save rewrites (migration comments_fillfactor).
        {"postgresql_with": {"fillfactor": 70}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("sections.id", ondelete="CASCADE"), index=True
    )
    # The revision the reviewer read when commenting; the quote is on its text.
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("review_rounds.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"))
    type: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str | None] = mapped_column(Text)
    item_code: Mapped[str | None] = mapped_column(String(60))
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_prefix: Mapped[str] = mapped_column(Text, default="")
    quote_suffix: Mapped[str] = mapped_column(Text, default="")
    # Where the passage is in the text of anchor_revision_id; re-anchored on each save.
    anchor_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    anchor_start: Mapped[int | None] = mapped_column(Integer)
    anchor_end: Mapped[int | None] = mapped_column(Integer)
    orphaned: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=CommentStatus.OPEN)
    decision: Mapped[str | None] = mapped_column(String(20))
    rationale: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    sector: Mapped[Sector] = relationship(lazy="joined")
    replies: Mapped[list[CommentReply]] = relationship(
        back_populates="comment", order_by="CommentReply.id"
    )
    # Resolutions and reopenings, oldest first.
    resolutions: Mapped[list[CommentResolution]] = relationship(order_by="CommentResolution.id")


class CommentReply(Base):
    __tablename__ = "comment_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment_replies.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="replies")
    author: Mapped[User] = relationship(lazy="joined")


class CommentResolution(Base):
    """The history of a comment's resolutions and reopenings. Append-only."""

    __tablename__ = "comment_resolutions"
    __table_args__ = (
        enum_check("action", ResolutionAction),
        enum_check("decision", Decision),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text, default="")
    applied_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship(lazy="joined")
