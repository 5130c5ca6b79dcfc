"""A reviewer's path through a round: a sector marks its review complete (or no comments),
withdraws it until the round closes, and closing records each sector's final state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.models import Activity, Role, Section
from app.services import papers, reviews, rounds, versions
from app.services.errors import Conflict, Forbidden


@pytest.fixture
def paper(create_paper, create_user):
    """A template paper reviewed by SHS (the fixture's reviewer) and LA, and a round open to
    SHS and LA on v0.1."""
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    paper.la_reviewer = create_user("LA", name="Lena Lawyer")
    papers.add_member(paper, paper.la_reviewer.email, Role.REVIEWER, actor=coordinator)
    version = versions.freeze_version(paper, coordinator, "v0.1")
    paper.round = rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=["SHS", "LA"],
        deadline=utcnow() + timedelta(days=3),
    )
    paper.version = version
    return paper


def _states(client, paper, token_for):
    shown = client.get(
        f"/api/v1/rounds/{paper.round.id}", headers=token_for(paper.people[Role.COORDINATOR])
    ).get_json()
    return {
        row["sector"]: (row["state"], (row["by"] or {}).get("name"))
        for row in shown["sector_reviews"]
    }


def test_a_sector_marks_its_review_complete_and_withdraws_it(client, paper, token_for):
    reviewer = paper.people[Role.REVIEWER]
    assert _states(client, paper, token_for) == {
        "LA": ("no_record", None),
        "SHS": ("no_record", None),
    }
    response = client.post(
        f"/api/v1/rounds/{paper.round.id}/completion",
        json={"sector": "SHS", "note": "Read it all."},
        headers=token_for(reviewer),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["sector"], body["state"], body["note"]) == ("SHS", "complete", "Read it all.")
    assert body["by"]["id"] == reviewer.id and body["at"]
    response = client.post(
        f"/api/v1/rounds/{paper.round.id}/completion",
        json={"sector": "LA", "no_comments": True},
        headers=token_for(paper.la_reviewer),
    )
    assert response.status_code == 201, response.get_json()
    assert _states(client, paper, token_for) == {
        "LA": ("no_comments", "Lena Lawyer"),
        "SHS": ("complete", reviewer.name),
    }

    withdrawn = client.delete(
        f"/api/v1/rounds/{paper.round.id}/completion/SHS", headers=token_for(reviewer)
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert withdrawn.get_json()["state"] == "no_record"
    again = client.delete(
        f"/api/v1/rounds/{paper.round.id}/completion/SHS", headers=token_for(reviewer)
    )
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "completion_nothing_to_withdraw"


def test_only_a_reviewer_of_an_invited_sector_speaks_for_their_own_sector(
    client, paper, token_for, create_user
):
    url = f"/api/v1/rounds/{paper.round.id}/completion"
    other = client.post(url, json={"sector": "LA"}, headers=token_for(paper.people[Role.REVIEWER]))
    assert other.status_code == 403
    assert other.get_json()["error"]["message"] == "You review for SHS: you cannot speak for LA."
    coordinator = client.post(
        url, json={"sector": "CLT"}, headers=token_for(paper.people[Role.COORDINATOR])
    )
    assert coordinator.status_code == 403
    outsider = create_user("ED")
    papers.add_member(paper, outsider.email, Role.REVIEWER, actor=paper.people[Role.COORDINATOR])
    refused = client.post(url, json={"sector": "ED"}, headers=token_for(outsider))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "sector_not_invited"


def test_no_comments_is_refused_when_the_sector_commented(client, paper, token_for, db):
    reviewer = paper.people[Role.REVIEWER]
    section = db.get(Section, paper.version.sections[0].section_id)
    reviews.create_comment(
        section, reviewer, reviews.NewComment(body="Hm.", type="editorial", round_id=paper.round.id)
    )
    response = client.post(
        f"/api/v1/rounds/{paper.round.id}/completion",
        json={"sector": "SHS", "no_comments": True},
        headers=token_for(reviewer),
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_comments_but_commented"
    assert rounds.section_comment_counts(paper.round, reviewer.sector_id) == {section.id: 1}


def test_closing_records_each_sectors_final_state_and_ends_the_path(client, paper, token_for, db):
    reviewer = paper.people[Role.REVIEWER]
    rounds.mark_complete(paper.round, reviewer, sector="SHS", note="Done.")
    refused = client.post(f"/api/v1/rounds/{paper.round.id}/close", headers=token_for(reviewer))
    assert refused.status_code == 403
    closed = client.post(
        f"/api/v1/rounds/{paper.round.id}/close",
        headers=token_for(paper.people[Role.COORDINATOR]),
    )
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["open"] is False
    assert closed.get_json()["closed_at"]
    entry = db.scalars(
        select(Activity).where(Activity.action == "round.closed", Activity.paper_id == paper.id)
    ).one()
    assert {code: row["state"] for code, row in entry.after["sectors"].items()} == {
        "LA": "no_record",
        "SHS": "complete",
    }
    assert entry.after["sectors"]["SHS"]["by"] == reviewer.name
    db.expire_all()  # the request closed it in its own session

    with pytest.raises(Conflict) as late:
        rounds.withdraw_completion(paper.round, reviewer, sector="SHS")
    assert late.value.reason == "round_closed"
    assert rounds.rounds_awaiting(reviewer) == []
    # A later deadline reopens it.
    rounds.extend_round(paper.round, paper.people[Role.COORDINATOR], utcnow() + timedelta(days=5))
    assert rounds.is_open(paper.round)


def test_a_withdrawal_after_the_deadline_is_refused(paper, db):
    reviewer = paper.people[Role.REVIEWER]
    rounds.mark_complete(paper.round, reviewer, sector="SHS")
    paper.round.deadline = utcnow() - timedelta(minutes=1)
    db.flush()
    with pytest.raises(Conflict):
        rounds.withdraw_completion(paper.round, reviewer, sector="SHS")
    assert [e.state for e in rounds.sector_reviews(paper.round)] == ["no_record", "complete"]


def test_an_observer_cannot_mark_anything(paper):
    with pytest.raises(Forbidden):
        rounds.mark_complete(paper.round, paper.people[Role.OBSERVER], sector="ED")
