"""Notification mail through a real SMTP server: once, to the right people, in their
language, with a link that works and headers no name can break."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import mail
from app.db import session as db_session
from app.models import Notification, Role
from app.services import notifications, rounds, users, versions


def quiet_ballot(paper):
    """These tests are about rounds: the signatory hears nothing of the version's ballot."""
    notifications.update_settings(paper.people[Role.SIGNATORY], {"signoff": "off"})


def open_round(paper, label="v0.1", sectors=("SHS", "CLT")):
    coordinator = paper.people[Role.COORDINATOR]
    quiet_ballot(paper)
    version = versions.freeze_version(paper, coordinator, label)
    review_round = rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=list(sectors),
        deadline=datetime(2031, 3, 4, 17, 0, tzinfo=UTC),
    )
    db_session.commit()  # the request's commit: the worker sees committed rows only
    return review_round


def body(message, subtype="plain") -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_each_recipient_gets_one_mail_in_their_language(db, smtp, create_paper):
    paper = create_paper(blank=True)
    reviewer, author = paper.people[Role.REVIEWER], paper.people[Role.AUTHOR]
    users.set_locale(reviewer, "fr")
    review_round = open_round(paper)
    assert mail.deliver_pending() == 3
    assert mail.deliver_pending() == 0  # nothing twice

    recipients = sorted(rcpt for _, rcpts in smtp.envelopes for rcpt in rcpts)
    expected = [paper.people[r].email for r in (Role.AUTHOR, Role.REVIEWER, Role.SIGNATORY)]
    assert recipients == sorted(expected)
    assert smtp.to(paper.people[Role.COORDINATOR].email) == []  # the actor

    (english,) = smtp.to(author.email)
    assert english["Subject"] == (
        "[A test paper] User 1 opened a review round for your sector on version v0.1, "
        "until Mar 4, 2031, 5:00:00\u202fPM UTC."
    )
    assert "Open it in Plume:" in body(english)
    (french,) = smtp.to(reviewer.email)
    assert french["Subject"].startswith(
        "[A test paper] User 1 a ouvert un cycle de relecture pour votre secteur sur la "
        "version v0.1, jusqu’au 4 mars 2031"
    )
    assert "Ouvrir dans Plume\u00a0:" in body(french)
    assert "Ouvrir dans Plume" in body(french, "html")

    item = db.scalar(select(Notification).where(Notification.user_id == reviewer.id))
    assert french["Message-ID"] == f"<notification-{item.id}@127.0.0.1>"
    assert item.mailed_at is not None
    assert "/account/notifications" in french["List-Unsubscribe"]
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/rounds/{review_round.id}" not in french["Subject"]


def test_the_link_in_the_mail_opens_the_round(db, smtp, create_paper, client, sign_in):
    paper = create_paper(blank=True)
    review_round = open_round(paper)
    mail.deliver_pending()
    reviewer = paper.people[Role.REVIEWER]
    (message,) = smtp.to(reviewer.email)
    url = re.search(r"Open it in Plume: (\S+)", body(message)).group(1)
    assert url.startswith("http://127.0.0.1:5000/notifications/")
    sign_in(reviewer)
    followed = client.get(url.removeprefix("http://127.0.0.1:5000"))
    assert followed.headers["Location"] == f"/rounds/{review_round.id}"
    page = client.get(followed.headers["Location"])
    assert page.status_code == 200
    assert notifications.unread_count(reviewer) == 0


def test_hostile_names_give_clean_headers(db, smtp, create_paper):
    paper = create_paper(blank=True)
    paper.title = "Evil\r\nBcc: victim@example.org\nX-Injected: 1"
    coordinator = paper.people[Role.COORDINATOR]
    coordinator.name = "Mallory\r\nBcc: victim2@example.org"
    reviewer = paper.people[Role.REVIEWER]
    reviewer.name = "Rev\nCc: victim3@example.org"
    db.flush()
    open_round(paper, sectors=("SHS",))
    assert mail.deliver_pending() == 1
    (message,) = smtp.messages
    raw = message.as_bytes().split(b"\n\n", 1)[0]  # the headers
    assert b"\nBcc:" not in raw and b"\nX-Injected" not in raw and b"\nCc:" not in raw
    assert smtp.envelopes[0][1] == [reviewer.email]
    for name, value in message.items():
        assert "\n" not in str(value) and "\r" not in str(value), name
    assert message["Subject"].startswith("[Evil Bcc: victim@example.org…] Mallory Bcc:")


def test_off_gets_no_mail_and_digest_waits(db, smtp, create_paper):
    paper = create_paper(blank=True)
    notifications.update_settings(paper.people[Role.REVIEWER], {"rounds": "off"})
    notifications.update_settings(paper.people[Role.AUTHOR], {"rounds": "digest"})
    open_round(paper)
    assert mail.deliver_pending() == 1
    assert [rcpts for _, rcpts in smtp.envelopes] == [[paper.people[Role.SIGNATORY].email]]


def test_a_digest_groups_a_days_items_in_one_mail(db, smtp, create_paper):
    paper = create_paper(blank=True)
    author = paper.people[Role.AUTHOR]
    notifications.update_settings(author, {"rounds": "digest"})
    review_round = open_round(paper, sectors=("CLT",))
    rounds.extend_round(
        review_round, paper.people[Role.COORDINATOR], datetime(2031, 4, 1, tzinfo=UTC)
    )
    mail.deliver_pending()
    items = list(db.scalars(select(Notification).where(Notification.user_id == author.id)))
    assert len(items) == 2
    for item in items:
        item.created_at = item.created_at - timedelta(days=1)
    db.flush()
    today = datetime.now(UTC).date()
    assert mail.deliver_digests(today) == 1
    assert mail.deliver_digests(today) == 0  # never twice
    (digest,) = smtp.to(author.email)
    assert digest["Subject"].startswith("Plume: your daily digest for")
    text = body(digest)
    assert "A test paper" in text
    assert "opened a review round" in text and "now closes on" in text
    assert all(item.mailed_at for item in items)


def test_smtp_down_loses_nothing(db, smtp_down, create_paper):
    paper = create_paper(blank=True)
    open_round(paper)
    with pytest.raises(mail.MailUnavailable):
        mail.deliver_pending()
    items = list(db.scalars(select(Notification).where(Notification.paper_id == paper.id)))
    assert all(item.mailed_at is None for item in items)
    assert {item.mail_attempts for item in items} <= {0, 1}
    smtp_down.start()
    assert mail.deliver_pending() == 3
    assert len(smtp_down.inbox.messages) == 3
    assert mail.deliver_pending() == 0


def test_without_smtp_mail_is_written_as_eml_files(db, app, create_paper, tmp_path):
    before = app.config["MAIL_DIR"], app.config["SMTP_URL"]
    app.config["MAIL_DIR"], app.config["SMTP_URL"] = str(tmp_path), ""
    try:
        paper = create_paper(blank=True)
        open_round(paper)
        assert mail.deliver_pending() == 3
    finally:
        app.config["MAIL_DIR"], app.config["SMTP_URL"] = before
    files = sorted(tmp_path.glob("notification-*.eml"))
    assert len(files) == 3
    assert b"Subject: [A test paper]" in files[0].read_bytes()


def test_send_now_with_a_key_sends_once(db, smtp):
    assert mail.send_now("new@example.org", "Welcome", "Hello", key="invite-1", to_name="N")
    assert not mail.send_now("new@example.org", "Welcome", "Hello", key="invite-1")
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["To"] == "N <new@example.org>"


def test_one_click_unsubscribe(db, smtp, create_paper, client):
    paper = create_paper(blank=True)
    open_round(paper)
    mail.deliver_pending()
    reviewer = paper.people[Role.REVIEWER]
    (message,) = smtp.to(reviewer.email)
    url = re.search(r"<([^>]+/notifications/unsubscribe/[^>]+)>", message["List-Unsubscribe"])
    path = url.group(1).removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 200
    assert notifications.settings_of(reviewer)["rounds"] == "immediately"
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert notifications.settings_of(reviewer)["rounds"] == "off"
    assert client.post(path[:-3] + "xyz").status_code == 404


def test_a_request_nudges_the_worker_and_a_burst_mails(app, db, smtp, create_paper, token_for):
    from app import worker

    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    quiet_ballot(paper)
    version = versions.freeze_version(paper, coordinator, "v0.1")
    db_session.commit()
    answer = app.test_client().post(
        f"/api/v1/papers/{paper.id}/rounds",
        json={"version_id": version.id, "sectors": ["SHS"], "deadline": "2031-03-04T17:00:00Z"},
        headers=token_for(coordinator),
    )
    assert answer.status_code == 201, answer.get_json()
    assert len(worker.huey) >= 1  # the nudge is queued
    assert smtp.messages == []
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "tasks done" in result.output
    assert [rcpts for _, rcpts in smtp.envelopes] == [[paper.people[Role.REVIEWER].email]]
    assert len(worker.huey) == 0
