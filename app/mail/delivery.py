"""The worker's side of the outbox: mail each notification due at once, exactly once, and the
daily digests.

Each mail is its own transaction: pick the next unmailed notification (PostgreSQL skips
rows another worker holds; SQLite's write lock queues the workers), check its idempotency
key, send, record the key and `mailed_at`, commit. A crash before the commit leaves the
notification unmailed for the next run; the key keeps a notification already recorded from
going out again.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.db import session, utcnow
from app.mail.messages import digest_message, notification_message
from app.mail.transport import MailRefused, MailUnavailable, Outbox, already_sent, record_sent
from app.models import Delivery, Notification, User
from app.services import reminders

log = logging.getLogger("plume.mail")

# After this many refusals a notification stops being tried (it stays in the app).
MAX_ATTEMPTS = 5
BATCH = 500


def _next_unmailed(after_id: int) -> Notification | None:
    query = (
        select(Notification)
        .where(
            Notification.delivery == str(Delivery.IMMEDIATELY),
            Notification.mailed_at.is_(None),
            Notification.mail_attempts < MAX_ATTEMPTS,
            Notification.id > after_id,
        )
        .order_by(Notification.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Notification)
    return session.scalars(query).first()


def deliver_pending(limit: int = BATCH) -> int:
    """Mail every notification due at once that is not mailed yet. Returns how many were
    sent; raises MailUnavailable (after committing what went out) when SMTP is down."""
    sent = 0
    last_id = 0
    if _next_unmailed(0) is None:
        session.commit()
        return 0
    # Reach the server before taking any lock: on SQLite a transaction holds the write lock,
    # and a server slow to answer must not keep the web's writes waiting.
    session.commit()
    with Outbox() as outbox:
        outbox.open()
        for _ in range(limit):
            item = _next_unmailed(last_id)
            if item is None:
                session.commit()
                break
            last_id = item.id
            key = f"notification-{item.id}"
            if already_sent(key):
                item.mailed_at = utcnow()
                session.commit()
                continue
            recipient = session.get(User, item.user_id)
            try:
                outbox.send(notification_message(item, recipient), key)
            except MailUnavailable as exc:
                session.rollback()
                _note_failure(item.id, str(exc), final=False)
                raise
            except MailRefused as exc:
                session.rollback()
                _note_failure(item.id, str(exc), final=True)
                continue
            record_sent(key, recipient.email)
            item.mailed_at = utcnow()
            session.commit()
            sent += 1
    return sent


def _note_failure(notification_id: int, error: str, *, final: bool) -> None:
    item = session.get(Notification, notification_id)
    item.mail_attempts = MAX_ATTEMPTS if final else item.mail_attempts + 1
    item.mail_error = error[:2000]
    session.commit()
    log.warning("notification %s not mailed: %s", notification_id, error)


def deliver_digests(day: date | None = None) -> int:
    """One mail per person with the digest notifications of the day before `day` (and
    any older left over). Each person's digest at most once a day."""
    day = day or utcnow().date()
    until = datetime.combine(day, time.min, tzinfo=UTC)
    pending = session.execute(
        select(Notification.user_id)
        .where(
            Notification.delivery == str(Delivery.DIGEST),
            Notification.mailed_at.is_(None),
            Notification.created_at < until,
        )
        .distinct()
    ).scalars()
    sent = 0
    with Outbox() as outbox:
        for user_id in sorted(set(pending)):
            session.commit()
            if not reminders.claim("digest", day, str(user_id)):
                session.rollback()
                continue
            items = list(
                session.scalars(
                    select(Notification)
                    .where(
                        Notification.user_id == user_id,
                        Notification.delivery == str(Delivery.DIGEST),
                        Notification.mailed_at.is_(None),
                        Notification.created_at < until,
                    )
                    .order_by(Notification.paper_id, Notification.id)
                )
            )
            recipient = session.get(User, user_id)
            key = f"digest-{user_id}-{day.isoformat()}"
            if not already_sent(key):
                try:
                    outbox.send(digest_message(recipient, items, day - timedelta(days=1)), key)
                except MailUnavailable:
                    # The claim goes with the rollback: the next run tries again.
                    session.rollback()
                    raise
                except MailRefused as exc:
                    log.warning("digest for user %s refused: %s", user_id, exc)
                record_sent(key, recipient.email)
                sent += 1
            now = utcnow()
            for item in items:
                item.mailed_at = now
            session.commit()
    return sent
