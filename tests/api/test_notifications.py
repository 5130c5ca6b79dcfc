"""The notifications API: my list, marking read, and my settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.models import Role
from app.services import rounds, versions


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


def test_list_and_mark_read(client, create_paper, token_for):
    paper = create_paper(blank=True)
    review_round = _open_round(paper)
    _open_round_again = rounds.extend_round(
        review_round, paper.people[Role.COORDINATOR], datetime.now(UTC) + timedelta(days=9)
    )
    headers = token_for(paper.people[Role.REVIEWER])
    listed = client.get("/api/v1/me/notifications?unread=1", headers=headers).get_json()
    assert listed["unread_count"] == 2
    newest, oldest = listed["notifications"]
    assert [newest["event"], oldest["event"]] == ["round.extended", "round.opened"]
    assert oldest["url"].endswith(f"/rounds/{review_round.id}")
    assert "opened a review round for your sector on version v0.1" in oldest["text"]
    assert _open_round_again is review_round

    answer = client.post(
        "/api/v1/me/notifications/read", json={"ids": [oldest["id"]]}, headers=headers
    )
    assert answer.get_json() == {"marked": 1, "unread_count": 1}
    unread = client.get("/api/v1/me/notifications?unread=1", headers=headers).get_json()
    assert [n["id"] for n in unread["notifications"]] == [newest["id"]]
    answer = client.post("/api/v1/me/notifications/read", json={"all": True}, headers=headers)
    assert answer.get_json() == {"marked": 1, "unread_count": 0}
    everything = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert len(everything["notifications"]) == 2
    assert all(n["read_at"] for n in everything["notifications"])


def test_read_needs_ids_or_all(client, create_user, token_for):
    headers = token_for(create_user())
    assert client.post("/api/v1/me/notifications/read", json={}, headers=headers).status_code == 400
    both = {"ids": [1], "all": True}
    assert (
        client.post("/api/v1/me/notifications/read", json=both, headers=headers).status_code == 400
    )


def test_someone_elses_notifications_stay_theirs(client, create_paper, token_for):
    paper = create_paper(blank=True)
    _open_round(paper)
    reviewer_headers = token_for(paper.people[Role.REVIEWER])
    mine = client.get("/api/v1/me/notifications", headers=reviewer_headers).get_json()
    observer_headers = token_for(paper.people[Role.OBSERVER])
    assert client.get("/api/v1/me/notifications", headers=observer_headers).get_json() == {
        "unread_count": 0,
        "notifications": [],
    }
    ids = [n["id"] for n in mine["notifications"]]
    answer = client.post(
        "/api/v1/me/notifications/read", json={"ids": ids}, headers=observer_headers
    )
    assert answer.get_json()["marked"] == 0


def test_settings_get_and_put(client, create_user, token_for):
    headers = token_for(create_user())
    settings = client.get("/api/v1/me/notification-settings", headers=headers).get_json()
    assert settings["section_comments"] == "digest" and settings["rounds"] == "immediately"
    changed = client.put(
        "/api/v1/me/notification-settings", json={"rounds": "off"}, headers=headers
    ).get_json()
    assert changed["rounds"] == "off" and changed["mentions"] == "immediately"
    assert client.get("/api/v1/me/notification-settings", headers=headers).get_json() == changed
    bad = client.put("/api/v1/me/notification-settings", json={"rounds": "weekly"}, headers=headers)
    assert bad.status_code == 400
    unknown = client.put("/api/v1/me/notification-settings", json={"fax": "off"}, headers=headers)
    assert unknown.status_code == 400
