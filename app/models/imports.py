"""What a returned Word file brought in: one row per remark, so that no file brings it twice."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, enum_check, utcnow


class ImportKind(enum.StrEnum):
    """What a remark of a Word file becomes in Plume."""

    COMMENT = "comment"
    REPLY = "reply"
    SUGGESTION = "suggestion"


class ImportedItem(Base):
    """A remark imported from a .docx, keyed by the file's identity and the remark's own
    author, date and text (app/services/imports.py). Append-only."""

    __tablename__ = "imported_items"
    __table_args__ = (
        UniqueConstraint("paper_id", "key"),
        enum_check("kind", ImportKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment_replies.id", ondelete="CASCADE")
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
