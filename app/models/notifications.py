"""Notifications (the outbox of what people are told), their settings, and what was mailed.

A notification row is written in the same transaction as the event it reports
(app/services/notifications.py); the worker mails it later. Categories and events are
registered once here, with their defaults; their labels live in app/web/i18n.py.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, enum_check, utcnow
from app.models.users import User


class Delivery(enum.StrEnum):
    """How a person wants a category: mailed at once, in the daily digest, or not at all."""

    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    OFF = "off"


class Category(enum.StrEnum):
    """What a person chooses how to hear about."""

    ASSIGNMENTS = "assignments"
    SECTION_COMMENTS = "section_comments"
    MY_COMMENTS = "my_comments"
    MENTIONS = "mentions"
    ROUNDS = "rounds"
    SIGNOFF = "signoff"


# The defaults: only comments on a section I lead come in a digest.
DEFAULT_DELIVERY: dict[Category, Delivery] = {
    Category.ASSIGNMENTS: Delivery.IMMEDIATELY,
    Category.SECTION_COMMENTS: Delivery.DIGEST,
    Category.MY_COMMENTS: Delivery.IMMEDIATELY,
    Category.MENTIONS: Delivery.IMMEDIATELY,
    Category.ROUNDS: Delivery.IMMEDIATELY,
    Category.SIGNOFF: Delivery.IMMEDIATELY,
}


class Event(enum.StrEnum):
    """Each thing a person is told; each belongs to one category (CATEGORY_OF)."""

    SECTION_ASSIGNED = "section.assigned"
    SECTION_DUE_SOON = "section.due_soon"
    SECTION_OVERDUE = "section.overdue"
    COMMENT_ON_MY_SECTION = "comment.on_my_section"
    REPLY_IN_MY_THREAD = "comment.reply"
    DECISION_ON_MY_COMMENT = "comment.decision"
    MY_COMMENT_ORPHANED = "comment.orphaned"
    MENTIONED = "comment.mention"
    ROUND_OPENED = "round.opened"
    ROUND_CLOSING = "round.closing"
    ROUND_EXTENDED = "round.extended"
    ROUND_CLOSED = "round.closed"
    VERSION_FOR_SIGNATURE = "version.for_signature"
    VERSION_SIGNED_OFF = "version.signed_off"
    VERSION_BLOCKED = "version.blocked"


CATEGORY_OF: dict[Event, Category] = {
    Event.SECTION_ASSIGNED: Category.ASSIGNMENTS,
    Event.SECTION_DUE_SOON: Category.ASSIGNMENTS,
    Event.SECTION_OVERDUE: Category.ASSIGNMENTS,
    Event.COMMENT_ON_MY_SECTION: Category.SECTION_COMMENTS,
    Event.REPLY_IN_MY_THREAD: Category.MY_COMMENTS,
    Event.DECISION_ON_MY_COMMENT: Category.MY_COMMENTS,
    Event.MY_COMMENT_ORPHANED: Category.MY_COMMENTS,
    Event.MENTIONED: Category.MENTIONS,
    Event.ROUND_OPENED: Category.ROUNDS,
    Event.ROUND_CLOSING: Category.ROUNDS,
    Event.ROUND_EXTENDED: Category.ROUNDS,
    Event.ROUND_CLOSED: Category.ROUNDS,
    Event.VERSION_FOR_SIGNATURE: Category.SIGNOFF,
    Event.VERSION_SIGNED_OFF: Category.SIGNOFF,
    Event.VERSION_BLOCKED: Category.SIGNOFF,
}


class Notification(Base):
    """One thing one person is told. Written with its event; read and mailed later."""

    __tablename__ = "notifications"
    __table_args__ = (
        enum_check("event", Event),
        enum_check("category", Category),
        enum_check("delivery", Delivery),
        # The worker's question: what is still to be mailed?
        Index("ix_notifications_unmailed", "delivery", "mailed_at"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    paper_id: Mapped[int | None] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    # The setting when the event happened: a later change does not unsend or resend.
    delivery: Mapped[str] = mapped_column(String(20))
    # Where the notification leads, as a path of the web UI ("/rounds/4").
    link: Mapped[str] = mapped_column(String(500))
    # The comment whose thread a mail belongs to (In-Reply-To / References).
    thread_id: Mapped[int | None] = mapped_column(Integer)
    # What the message says, as data: names, titles, a reason, an excerpt; never a sentence.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the mail (or the digest holding it) was handed to the SMTP server.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0)
    mail_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")


class NotificationSetting(Base):
    """A person's choice for one category; no row means the category's default."""

    __tablename__ = "notification_settings"
    __table_args__ = (enum_check("category", Category), enum_check("delivery", Delivery))

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(20))


class SentMail(Base):
    """The idempotency record: a mail's key, checked before sending and written after."""

    __tablename__ = "sent_mails"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PeriodicRun(Base):
    """A periodic job done once for one target on one day: the unique key makes a second
    worker's attempt fail instead of repeating it."""

    __tablename__ = "periodic_runs"
    __table_args__ = (UniqueConstraint("kind", "day", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    target: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
