"""Daily reminders: due in 3 days, overdue, round closing in 48 h and closed; each once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.db import session
from app.models import Notification, PeriodicRun, Role, Section
from app.services import reminders, rounds, versions


def told(event: str) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.event == event)))


def test_a_section_due_in_three_days_then_overdue(create_paper):
    paper = create_paper()
    author = paper.people[Role.AUTHOR]
    section = session.scalar(select(Section).where(Section.paper_id == paper.id).limit(1))
    now = datetime(2031, 5, 10, 6, 0, tzinfo=UTC)
    section.lead_author_id = author.id
    section.due_date = now.date() + timedelta(days=3)
    session.flush()

    assert reminders.send_reminders(now) >= 1
    (due,) = [n for n in told("section.due_soon") if n.link == f"/sections/{section.id}"]
    assert due.user_id == author.id and due.params["due"] == "2031-05-13"
    # The same day, again (a second worker, the next hour): nothing more.
    reminders.send_reminders(now + timedelta(hours=1))
    assert len([n for n in told("section.due_soon") if n.link == due.link]) == 1

    late = now + timedelta(days=4)
    reminders.send_reminders(late)
    reminders.send_reminders(late + timedelta(hours=5))
    overdue = [n for n in told("section.overdue") if n.link == due.link]
    assert [n.user_id for n in overdue] == [author.id]
    # Two days late: no reminder; a week after the first: another.
    reminders.send_reminders(late + timedelta(days=1))
    reminders.send_reminders(late + timedelta(days=7))
    assert len([n for n in told("section.overdue") if n.link == due.link]) == 2


def test_an_approved_section_is_not_reminded(create_paper):
    paper = create_paper()
    section = session.scalar(select(Section).where(Section.paper_id == paper.id).limit(1))
    now = datetime(2031, 5, 10, 6, 0, tzinfo=UTC)
    section.lead_author_id = paper.people[Role.AUTHOR].id
    section.due_date = now.date() - timedelta(days=1)
    section.state = "approved"
    session.flush()
    reminders.send_reminders(now)
    assert [n for n in told("section.overdue") if n.paper_id == paper.id] == []


def test_a_round_closing_then_closed_is_told_once_each(create_paper):
    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    version = versions.freeze_version(paper, coordinator, "v0.1")
    deadline = datetime.now(UTC) + timedelta(hours=30)
    review_round = rounds.open_round(
        paper, coordinator, version_id=version.id, sectors=["SHS"], deadline=deadline
    )
    reminders.send_reminders()
    reminders.send_reminders()
    (closing,) = [n for n in told("round.closing") if n.paper_id == paper.id]
    assert closing.user_id == paper.people[Role.REVIEWER].id
    assert closing.link == f"/rounds/{review_round.id}"

    after = deadline + timedelta(hours=1)
    reminders.send_reminders(after)
    reminders.send_reminders(after + timedelta(hours=3))
    assert len([n for n in told("round.closed") if n.paper_id == paper.id]) == 1
    runs = session.scalar(
        select(func.count())
        .select_from(PeriodicRun)
        .where(PeriodicRun.target == f"round:{review_round.id}")
    )
    assert runs == 2
