"""The outbox: a notification is written with its event, for the right people, in a
constant number of statements, and never for a rolled-back event or for the actor."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from app.models import Notification, Role, User
from app.services import notifications, papers, rounds, versions


def _deadline():
    return datetime.now(UTC) + timedelta(days=7)


@contextmanager
def counted_statements(db):
    """Count the SQL statements run inside the block."""
    engine = db.get_bind().engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def rows(db, **where):
    query = select(Notification)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return list(db.scalars(query.order_by(Notification.id)))


def open_for(paper, sectors=("SHS",)):
    coordinator = paper.people[Role.COORDINATOR]
    version = versions.freeze_version(paper, coordinator, "v0.1")
    return rounds.open_round(
        paper, coordinator, version_id=version.id, sectors=list(sectors), deadline=_deadline()
    )


def test_a_round_tells_the_members_of_its_sectors_but_not_the_actor(db, create_paper):
    paper = create_paper(blank=True)
    review_round = open_for(paper, ("SHS", "CLT"))
    told = {n.user_id for n in rows(db, paper_id=paper.id, event="round.opened")}
    people = paper.people
    # The coordinator (CLT) opened it; the author and signatory (CLT), the reviewer (SHS)
    # are told; the observer (ED) is not invited.
    assert told == {people[Role.AUTHOR].id, people[Role.SIGNATORY].id, people[Role.REVIEWER].id}
    item = rows(db, user_id=people[Role.REVIEWER].id)[0]
    assert item.event == "round.opened"
    assert item.category == "rounds"
    assert item.delivery == "immediately"
    assert item.link == f"/rounds/{review_round.id}"
    assert item.params["label"] == "v0.1"
    assert item.read_at is None and item.mailed_at is None


def test_off_means_no_notification_and_digest_is_recorded(db, create_paper):
    paper = create_paper(blank=True)
    reviewer, author = paper.people[Role.REVIEWER], paper.people[Role.AUTHOR]
    notifications.update_settings(reviewer, {"rounds": "off"})
    notifications.update_settings(author, {"rounds": "digest"})
    open_for(paper, ("SHS", "CLT"))
    assert rows(db, user_id=reviewer.id) == []
    assert [n.delivery for n in rows(db, user_id=author.id)] == ["digest"]


def test_a_rolled_back_event_leaves_no_notification(db, create_paper):
    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    version = versions.freeze_version(paper, coordinator, "v0.1")
    db.flush()
    before = db.scalar(select(func.count()).select_from(Notification))
    savepoint = db.begin_nested()
    rounds.open_round(
        paper, coordinator, version_id=version.id, sectors=["SHS"], deadline=_deadline()
    )
    assert db.scalar(select(func.count()).select_from(Notification)) == before + 1
    savepoint.rollback()
    assert db.scalar(select(func.count()).select_from(Notification)) == before


def _paper_with_reviewers(db, create_paper, create_user, count):
    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    for _ in range(count):
        papers.add_member(paper, create_user("SC").email, Role.REVIEWER, actor=coordinator)
    db.flush()
    return paper


def test_fan_out_costs_the_same_statements_for_1_and_200_recipients(db, create_paper, create_user):
    counts = {}
    for size in (1, 200):
        paper = _paper_with_reviewers(db, create_paper, create_user, size)
        coordinator = paper.people[Role.COORDINATOR]
        version = versions.freeze_version(paper, coordinator, "v0.1")
        db.flush()
        with counted_statements(db) as seen:
            rounds.open_round(
                paper, coordinator, version_id=version.id, sectors=["SC"], deadline=_deadline()
            )
            db.flush()
        counts[size] = len(seen)
        assert len(rows(db, paper_id=paper.id, event="round.opened")) == size
    assert counts[1] == counts[200]


def test_notify_leaves_out_inactive_people(db, create_paper):
    paper = create_paper(blank=True)
    reviewer = paper.people[Role.REVIEWER]
    reviewer.is_active = False
    db.flush()
    open_for(paper)
    assert rows(db, paper_id=paper.id, event="round.opened") == []


def test_reading_marking_and_grouping(db, create_paper):
    first, second = create_paper(blank=True), create_paper(blank=True)
    open_for(first)
    reviewer = first.people[Role.REVIEWER]
    papers.add_member(second, reviewer.email, Role.REVIEWER, actor=second.people[Role.COORDINATOR])
    open_for(second)
    assert notifications.unread_count(reviewer) == 2
    groups = notifications.grouped_by_paper(reviewer)
    assert [g.paper.id for g in groups] == [second.id, first.id]
    mine = notifications.list_for(reviewer)
    assert notifications.mark_read(reviewer, [mine[0].id]) == 1
    assert notifications.unread_count(reviewer) == 1
    assert [n.id for n in notifications.list_for(reviewer, unread_only=True)] == [mine[1].id]
    # Someone else's ids change nothing.
    other = first.people[Role.AUTHOR]
    assert notifications.mark_read(other, [mine[1].id]) == 0
    assert notifications.mark_read(reviewer) == 1
    assert notifications.unread_count(reviewer) == 0


def test_settings_have_the_issue_defaults_and_refuse_unknown_names(db, create_user):
    from app.services.errors import BadInput

    user = create_user()
    assert notifications.settings_of(user) == {
        "assignments": "immediately",
        "section_comments": "digest",
        "my_comments": "immediately",
        "mentions": "immediately",
        "rounds": "immediately",
        "signoff": "immediately",
    }
    assert notifications.update_settings(user, {"mentions": "off"})["mentions"] == "off"
    assert notifications.update_settings(user, {"mentions": "digest"})["mentions"] == "digest"
    with pytest.raises(BadInput):
        notifications.update_settings(user, {"nonsense": "off"})
    with pytest.raises(BadInput):
        notifications.update_settings(user, {"mentions": "sometimes"})
    assert isinstance(db.get(User, user.id), User)
