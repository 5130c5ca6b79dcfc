"""The bell on every page, the notifications page, and the settings page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.models import Role
from app.services import notifications, rounds, versions
from tests.web.helpers import Page


def _open_round(paper):
    coordinator = paper.people[Role.COORDINATOR]
    version = versions.freeze_version(paper, coordinator, "v0.1")
    return rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=["SHS"],
        deadline=datetime.now(UTC) + timedelta(days=7),
    )


def bell(page_html: str) -> str:
    page = Page(page_html)
    counts = [attrs for tag, attrs in page.elements if "bell-count" in attrs.get("class", "")]
    assert counts, "no bell on the page"
    return counts[0]["data-unread"]


def test_the_bell_counts_and_leads_to_the_round(client, sign_in, post, create_paper):
    paper = create_paper(blank=True)
    reviewer = sign_in(paper.people[Role.REVIEWER])
    assert bell(client.get("/").get_data(as_text=True)) == "0"
    review_round = _open_round(paper)
    assert bell(client.get("/").get_data(as_text=True)) == "1"
    assert bell(client.get(f"/papers/{paper.id}").get_data(as_text=True)) == "1"

    listing = client.get("/notifications")
    text = Page(listing.get_data(as_text=True)).text
    assert paper.title in text
    assert "opened a review round for your sector on version v0.1" in text
    (item,) = notifications.list_for(reviewer)
    followed = client.get(f"/notifications/{item.id}")
    assert followed.status_code == 302
    assert followed.headers["Location"] == f"/rounds/{review_round.id}"
    assert client.get(followed.headers["Location"]).status_code == 200
    assert bell(client.get("/").get_data(as_text=True)) == "0"


def test_mark_all_read_and_french(client, sign_in, post, create_paper):
    paper = create_paper(blank=True)
    reviewer = sign_in(paper.people[Role.REVIEWER], language="fr")
    _open_round(paper)
    text = Page(client.get("/notifications").get_data(as_text=True)).text
    assert "a ouvert un cycle de relecture pour votre secteur sur la version v0.1" in text
    assert post("/notifications/read", {"all": "1"}).status_code == 302
    assert notifications.unread_count(reviewer) == 0


def test_someone_elses_notification_is_not_found(client, sign_in, create_paper):
    paper = create_paper(blank=True)
    _open_round(paper)
    (item,) = notifications.list_for(paper.people[Role.REVIEWER])
    sign_in(paper.people[Role.OBSERVER])
    assert client.get(f"/notifications/{item.id}").status_code == 404


def test_settings_page_saves_choices(client, sign_in, post, create_user):
    user = sign_in(create_user())
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="section_comments" value="digest" id="section_comments-digest" checked' in page
    assert (
        post("/account/notifications", {"rounds": "off", "mentions": "digest"}).status_code == 302
    )
    assert notifications.settings_of(user)["rounds"] == "off"
    assert notifications.settings_of(user)["mentions"] == "digest"


def test_the_comment_form_offers_the_members_to_mention(client, sign_in, create_paper):
    import json
    import re

    from sqlalchemy import select

    from app.db import session
    from app.models import Section

    paper = create_paper()
    section = session.scalar(select(Section).where(Section.paper_id == paper.id).limit(1))
    sign_in(paper.people[Role.REVIEWER])
    page = client.get(f"/sections/{section.id}").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="mention-members">(.*?)</script>', page)
    members = json.loads(found.group(1))
    assert {m["email"] for m in members} == {user.email for user in paper.people.values()}
