"""A reviewer's path through a round on the web: the sections with their links, my sector's
comments on each, the countdown, marking the review complete; the coordinator sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.models import Role, Section
from app.services import reviews, rounds, versions
from tests.web.helpers import page


@pytest.fixture
def review_round(paper):
    coordinator = paper.people[Role.COORDINATOR]
    version = versions.freeze_version(paper, coordinator, "v0.1")
    return rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=["SHS"],
        deadline=utcnow() + timedelta(days=3, hours=1),
    )


def test_the_round_page_leads_a_reviewer_through_the_sections(
    client, sign_in, paper, review_round, post, db
):
    reviewer = paper.people[Role.REVIEWER]
    section = db.get(Section, paper.section.id)
    reviews.create_comment(
        section,
        reviewer,
        reviews.NewComment(body="Say more.", type="editorial", round_id=review_round.id),
    )
    sign_in(reviewer)
    dashboard = page(client.get("/"))
    assert f"/rounds/{review_round.id}" in [a.get("href") for a in dashboard.find("a")]

    shown = page(client.get(f"/rounds/{review_round.id}"))
    links = [a.get("href") for a in shown.find("a")]
    assert f"/sections/{section.id}" in links
    assert f"/versions/{review_round.version_id}#v-{section.id}" in links
    assert "closes in 3 days" in shown.text
    assert f"{section.title_en} as frozen · as today 1" in shown.text  # SHS's one comment
    assert "SHS No record" in shown.text

    response = post(f"/rounds/{review_round.id}/completion", {"note": "All read."})
    assert response.status_code == 302
    sign_in(paper.people[Role.COORDINATOR])
    shown = page(client.get(f"/rounds/{review_round.id}"))
    assert f"SHS Complete {reviewer.name}" in shown.text
    assert "All read." in shown.text


def test_a_refused_completion_comes_back_in_french_with_the_note_kept(
    client, sign_in, paper, review_round, post, db
):
    reviewer = paper.people[Role.REVIEWER]
    reviews.create_comment(
        db.get(Section, paper.section.id),
        reviewer,
        reviews.NewComment(body="Say more.", type="editorial", round_id=review_round.id),
    )
    sign_in(reviewer, language="fr")
    response = post(
        f"/rounds/{review_round.id}/completion",
        {"note": "Rien à signaler.", "no_comments": "1"},
    )
    assert response.status_code == 409
    shown = page(response)
    assert (
        "SHS a des commentaires dans ce tour : marquez sa relecture comme terminée plutôt que "
        "« pas de commentaires »." in shown.text
    )
    assert "Rien à signaler." in shown.text


def test_the_coordinator_closes_the_round(client, sign_in, paper, review_round, post):
    sign_in(paper.people[Role.COORDINATOR])
    assert post(f"/rounds/{review_round.id}/close").status_code == 302
    shown = page(client.get(f"/rounds/{review_round.id}"))
    assert "closed by the coordinator" in shown.text
    assert not shown.find("form", id="completion-form")
