"""The bell: a reviewer sees its count rise when a round opens for their sector, and follows
the notification to the round."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.db import session
from app.models import Paper, User
from app.services import versions

pytestmark = pytest.mark.browser


def test_the_bell_rises_when_a_round_opens_and_leads_to_it(live, open_as):
    paper_id, emails, _names = live.paper()
    with live.app.app_context():
        paper = session.get(Paper, paper_id)
        coordinator = session.scalar(
            session.query(User).filter_by(email=emails["coordinator"]).statement
        )
        versions.freeze_version(paper, coordinator, "v0.1")
        session.commit()

    reviewer = open_as(emails["reviewer"])
    bell = reviewer.locator(".bell .bell-count")
    assert bell.inner_text() == "0"

    coordinator_tab = open_as(emails["coordinator"])
    coordinator_tab.goto(f"{live.url}/papers/{paper_id}/rounds")
    coordinator_tab.locator("input[name=sectors][value=SHS]").check()
    coordinator_tab.fill("#deadline_date", (date.today() + timedelta(days=10)).isoformat())
    coordinator_tab.get_by_role("button", name="Open the round").click()
    coordinator_tab.wait_for_load_state()

    reviewer.reload()
    assert reviewer.locator(".bell .bell-count").inner_text() == "1"
    reviewer.locator(".bell").click()
    reviewer.wait_for_url(f"{live.url}/notifications")
    reviewer.get_by_role("link", name="opened a review round for your sector").click()
    reviewer.wait_for_url(f"{live.url}/rounds/*")
    assert "/rounds/" in reviewer.url
    assert reviewer.locator(".bell .bell-count").inner_text() == "0"
    reviewer.screenshot(path=str(live.screenshots / "bell-round.png"), full_page=True)
