"""A reviewer's path through a round, in the browser: from the dashboard to the round, from
the round to a section, a comment, the sector marked complete; the coordinator sees it. In
French, a refused form says why in French and keeps what was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import session, utcnow
from app.models import Paper, Section
from app.services import reviews, rounds, users, versions

pytestmark = pytest.mark.browser


def _open_round(live, paper_id: int, coordinator_email: str) -> int:
    """The coordinator's part, done through the services: v0.1 frozen, a round for SHS."""
    with live.app.app_context():
        paper = session.get(Paper, paper_id)
        coordinator = users.find_by_email(coordinator_email)
        version = versions.freeze_version(paper, coordinator, "v0.1")
        review_round = rounds.open_round(
            paper,
            coordinator,
            version_id=version.id,
            sectors=["SHS"],
            deadline=utcnow() + timedelta(days=3, hours=2),
        )
        session.commit()
        return review_round.id


def test_a_reviewer_goes_through_a_round_and_the_coordinator_sees_it(live, open_as):
    paper_id, emails, names = live.paper()
    round_id = _open_round(live, paper_id, emails["coordinator"])

    reviewer = open_as(emails["reviewer"])
    waiting = reviewer.locator(
        "section", has=reviewer.get_by_role("heading", name="Review rounds awaiting my sector")
    )
    waiting.locator(f"a[href='/rounds/{round_id}']").first.click()
    assert "closes in 3 days" in reviewer.locator("#countdown").inner_text()
    sections = reviewer.locator("#round-sections")
    row = sections.locator("tr", has_text="Museums")
    assert row.locator("td").last.inner_text() == "0"  # SHS has not commented yet
    row.get_by_role("link", name="as today").click()

    reviewer.locator("#comment-body").fill("Say who curates the descriptions.")
    assert reviewer.locator("#round_id").input_value() == str(round_id)
    reviewer.locator("#comment-form button[type=submit]").click()
    assert "saved" in reviewer.locator(".flashes").inner_text()

    reviewer.goto(f"{live.url}/rounds/{round_id}")
    row = reviewer.locator("#round-sections tr", has_text="Museums")
    assert row.locator("td").last.inner_text() == "1"
    reviewer.locator("#note").fill("SHS has read every section.")
    reviewer.locator("#completion-form button[type=submit]").click()
    assert "recorded as complete" in reviewer.locator(".flashes").inner_text()
    reviewer.screenshot(path=live.screenshots / "round-reviewer-en.png", full_page=False)

    coordinator = open_as(emails["coordinator"])
    coordinator.goto(f"{live.url}/rounds/{round_id}")
    shs = coordinator.locator("#sector-review-SHS").inner_text()
    assert "Complete" in shs and names["reviewer"] in shs
    assert "SHS has read every section." in shs
    coordinator.screenshot(path=live.screenshots / "round-coordinator-en.png", full_page=False)


def test_a_refused_form_speaks_french_and_keeps_the_input(live, open_as):
    paper_id, emails, _names = live.paper(language="fr")
    round_id = _open_round(live, paper_id, emails["coordinator"])
    with live.app.app_context():
        section = session.query(Section).filter_by(paper_id=paper_id, number="2").one()
        reviews.create_comment(
            section,
            users.find_by_email(emails["reviewer"]),
            reviews.NewComment(body="Trop long.", type="editorial", round_id=round_id),
        )
        session.commit()

    reviewer = open_as(emails["reviewer"], language="fr")
    reviewer.goto(f"{live.url}/rounds/{round_id}")
    reviewer.locator("#note").fill("Rien à ajouter.")
    reviewer.locator("#completion-form input[name=no_comments]").check()
    reviewer.locator("#completion-form button[type=submit]").click()
    error = reviewer.locator("#round-error").inner_text()
    assert error == (
        "SHS a des commentaires dans ce tour : marquez sa relecture comme terminée plutôt que "
        "« pas de commentaires »."
    )
    assert reviewer.locator("#note").input_value() == "Rien à ajouter."
    assert reviewer.locator("#completion-form input[name=no_comments]").is_checked()
    reviewer.screenshot(path=live.screenshots / "round-refused-fr.png", full_page=False)
