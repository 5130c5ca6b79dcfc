"""Invitations and password resets: single-use hashed links that expire, a "forgot password"
that answers the same for every e-mail, and every session ended by a reset."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.db import utcnow
from app.models import AccountLink
from app.services import users
from tests.web.conftest import OwnContextClient
from tests.web.helpers import PASSWORD, csrf_token, page


class Mailbox:
    """The mail Plume wrote (no SMTP server in these tests: .eml files), read as a person
    would: to whom, which link, and what it says."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[EmailMessage]:
        files = sorted(self.folder.glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
        return [BytesParser(policy=policy.default).parsebytes(path.read_bytes()) for path in files]

    def _entries(self) -> list[tuple[str, str, str]]:
        entries = []
        for message in self.messages():
            text = message.get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"https?://\S+", text).group(0)
            purpose = "invitation" if "invitation" in link else "password_reset"
            entries.append((message["To"].addresses[0].addr_spec, purpose, link))
        return entries

    def __iter__(self):
        return iter(self._entries())

    def __getitem__(self, index):
        return self._entries()[index]

    def __len__(self) -> int:
        return len(self._entries())


@pytest.fixture(autouse=True)
def outbox(app, tmp_path):
    before = app.config["MAIL_DIR"]
    app.config["MAIL_DIR"] = str(tmp_path / "mail")
    yield Mailbox(tmp_path / "mail")
    app.config["MAIL_DIR"] = before


def _forgot(client, email):
    client.delete_cookie("plume_session")
    return client.post(
        "/password/forgot", data={"email": email, "csrf_token": csrf_token(client, "/login")}
    )


def _path(link: str) -> str:
    return urlsplit(link).path


def _set(client, path, password, token_from=None):
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"password": password, "csrf_token": token})


def test_forgot_password_answers_the_same_whether_or_not_the_email_exists(
    client, create_user, db, outbox
):
    user = create_user()
    db.flush()
    known, unknown = _forgot(client, user.email), _forgot(client, "nobody@example.org")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert page(client.get(known.headers["Location"])).text.count("If this e-mail") == 1
    assert [(email, purpose) for email, purpose, _link in outbox] == [
        (user.email, "password_reset")
    ]


def test_a_reset_link_works_once_within_an_hour_and_ends_every_session(
    app, client, sign_in, create_user, db, outbox
):
    user = create_user()
    sign_in(user)
    # The same person, signed in on another computer.
    elsewhere = OwnContextClient(app, app.response_class, use_cookies=True)
    elsewhere.set_cookie("plume_session", client.get_cookie("plume_session").value)
    assert elsewhere.get("/").status_code == 200

    _forgot(client, user.email)
    link = _path(outbox[-1][2])
    stored = db.query(AccountLink).one()
    assert stored.token_hash == hashlib.sha256(link.rsplit("/", 1)[1].encode()).hexdigest()
    assert link.rsplit("/", 1)[1] not in stored.token_hash
    assert timedelta(minutes=59) < stored.expires_at - stored.created_at <= timedelta(hours=1)

    response = _set(client, link, "a brand new password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    db.expire_all()  # the request changed the row through its own session
    assert users.check_password(user.email, "a brand new password")
    assert not users.check_password(user.email, PASSWORD)
    assert elsewhere.get("/").status_code == 302  # signed out everywhere
    # Single use.
    assert client.get(link).status_code == 404
    assert _set(client, link, "yet another password", token_from="/login").status_code == 404
    assert users.check_password(user.email, "a brand new password")


def test_an_expired_link_is_refused(client, create_user, db, outbox):
    user = create_user()
    db.flush()
    _forgot(client, user.email)
    db.query(AccountLink).one().expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    response = client.get(_path(outbox[-1][2]))
    assert response.status_code == 404
    assert "expired or was already used" in page(response).text


def test_an_invitation_lets_a_new_person_set_their_password_within_7_days(
    client, sign_in, create_user, db, outbox, post
):
    sign_in(create_user(admin=True, name="Ada Admin"))
    response = post(
        "/admin/users", {"name": "Noor Haidari", "email": "noor@example.org", "sector": "CI"}
    )
    assert response.status_code == 302
    email, purpose, link = outbox[-1]
    assert (email, purpose) == ("noor@example.org", "invitation")
    stored = db.query(AccountLink).one()
    assert timedelta(days=6, hours=23) < stored.expires_at - stored.created_at <= timedelta(days=7)
    client.delete_cookie("plume_session")
    assert "noor@example.org" in page(client.get(_path(link))).text
    assert _set(client, _path(link), "short").status_code == 422
    assert _set(client, _path(link), "noor's own password").status_code == 302
    assert users.check_password("noor@example.org", "noor's own password")
    assert client.get(_path(link)).status_code == 404


def test_the_reset_mail_is_in_the_persons_language_with_a_link_that_works(
    client, create_user, db, outbox
):
    user = create_user()
    users.set_locale(user, "fr")
    db.flush()
    _forgot(client, user.email)
    (message,) = outbox.messages()
    assert message["Subject"] == "Plume\u202f: choisissez un nouveau mot de passe"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith(f"Bonjour {user.name},")
    assert "ne faites rien\u202f: votre mot de passe reste inchangé" in text
    (link,) = re.findall(r"https?://\S+", text)
    assert client.get(_path(link)).status_code == 200
