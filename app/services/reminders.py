"""The daily reminders: sections due in 3 days or overdue, rounds closing in 48 hours or
closed. The worker runs `send_reminders` every hour; each reminder is claimed by a unique
row (kind, day, target) first, so it goes out once, whichever worker runs it and however
often.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import session, utcnow
from app.models import Event, PeriodicRun, ReviewRound, Section, SectionState, Version
from app.services import notifications

DUE_SOON_DAYS = 3
CLOSING_HOURS = 48
# Overdue sections are reminded the day after their due date, then once a week.
OVERDUE_EVERY_DAYS = 7
# A round that closed longer ago than this (a new installation) is not announced.
CLOSED_LOOKBACK = timedelta(days=2)


def claim(kind: str, day: date, target: str) -> bool:
    """Take the job (kind, day, target): False when it was already done. The unique row is
    the lock, so two workers never both do it."""
    try:
        with session.begin_nested():
            session.add(PeriodicRun(kind=kind, day=day, target=target))
    except IntegrityError:
        return False
    return True


def send_reminders(now: datetime | None = None) -> int:
    """Every reminder due at `now` (default: now) that has not gone out yet; how many."""
    now = now or utcnow()
    today = now.date()
    sent = 0
    candidates = session.scalars(
        select(Section).where(
            Section.lead_author_id.is_not(None),
            Section.due_date.is_not(None),
            Section.state != str(SectionState.APPROVED),
            Section.due_date <= today + timedelta(days=DUE_SOON_DAYS),
        )
    ).all()
    for section in candidates:
        late = (today - section.due_date).days
        if section.due_date == today + timedelta(days=DUE_SOON_DAYS):
            event, kind = Event.SECTION_DUE_SOON, "due_soon"
        elif late >= 1 and (late - 1) % OVERDUE_EVERY_DAYS == 0:
            event, kind = Event.SECTION_OVERDUE, "overdue"
        else:
            continue
        if not claim(kind, today, f"section:{section.id}"):
            continue
        sent += notifications.notify(
            event,
            None,
            notifications.recipients([section.lead_author_id]),
            paper_id=section.paper_id,
            link=f"/sections/{section.id}",
            params={**notifications.section_params(section), "due": section.due_date.isoformat()},
        )

    rounds = session.scalars(
        select(ReviewRound).where(
            # A round the coordinator closed early was announced then.
            ReviewRound.closed_at.is_(None),
            ReviewRound.deadline > now - CLOSED_LOOKBACK,
            ReviewRound.deadline <= now + timedelta(hours=CLOSING_HOURS),
        )
    ).all()
    for review_round in rounds:
        deadline = review_round.deadline.astimezone(UTC)
        event, kind = (
            (Event.ROUND_CLOSED, "round_closed")
            if deadline <= now
            else (Event.ROUND_CLOSING, "round_closing")
        )
        # Keyed by the deadline's day: an extended round is reminded of its new deadline.
        if not claim(kind, deadline.date(), f"round:{review_round.id}"):
            continue
        version = session.get(Version, review_round.version_id)
        sent += notifications.notify(
            event,
            None,
            notifications.paper_members(
                review_round.paper_id, sector_ids=[s.id for s in review_round.sectors]
            ),
            paper_id=review_round.paper_id,
            link=f"/rounds/{review_round.id}",
            params={"label": version.label, "deadline": deadline.isoformat()},
        )
    return sent
