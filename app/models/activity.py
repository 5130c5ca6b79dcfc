"""The append-only log of every change, and the names of the changes it records."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.users import User


class ActivityAction(enum.StrEnum):
    """Every kind of change the log records. Each has a label in both languages
    (app/web/i18n.py ACTIONS); a test holds them together."""

    ALIGNMENT_DECIDED = "alignment.decided"
    COMMENT_CREATED = "comment.created"
    COMMENT_EDITED = "comment.edited"
    COMMENT_ORPHANED = "comment.orphaned"
    COMMENT_REANCHORED = "comment.reanchored"
    COMMENT_REOPENED = "comment.reopened"
    COMMENT_REPLIED = "comment.replied"
    COMMENT_RESOLVED = "comment.resolved"
    COMMENT_WITHDRAWN = "comment.withdrawn"
    EXPORT_CREATED = "export.created"
    FRAMEWORK_LOADED = "framework.loaded"
    IMPORT_MADE = "import.made"
    MEMBER_ADDED = "member.added"
    MEMBER_REMOVED = "member.removed"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    PAPER_CREATED = "paper.created"
    PAPER_FRAMEWORKS_CHANGED = "paper.frameworks_changed"
    PAPER_SETTINGS_CHANGED = "paper.settings_changed"
    PAPER_STATUS_CHANGED = "paper.status_changed"
    POSITION_RECORDED = "position.recorded"
    POSITION_DECISION_RECORDED = "position_decision.recorded"
    REVISION_SAVED = "revision.saved"
    ROUND_CLOSED = "round.closed"
    ROUND_COMPLETION_RECORDED = "round.completion_recorded"
    ROUND_COMPLETION_WITHDRAWN = "round.completion_withdrawn"
    ROUND_EXTENDED = "round.extended"
    ROUND_OPENED = "round.opened"
    SECTION_UPDATED = "section.updated"
    SELF_REGISTRATION_DOMAIN_ADDED = "self_registration.domain_added"
    SELF_REGISTRATION_DOMAIN_REMOVED = "self_registration.domain_removed"
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    USER_CREATED = "user.created"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_JOB_TITLE_CHANGED = "user.job_title_changed"
    USER_LOCALE_CHANGED = "user.locale_changed"
    USER_PASSWORD_CHANGED = "user.password_changed"
    VERSION_FROZEN = "version.frozen"
    VERSION_SIGNED_OFF = "version.signed_off"
    VERSION_SUPERSEDED = "version.superseded"


class Activity(Base):
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int | None] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # The section the change is about (its text, a comment on it, a decision on it), so
    # that the feed filters by section without a join per kind of target.
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")
