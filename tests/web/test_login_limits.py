"""A sign-in that resists guessing: failures limited per account and per address, 429 with
Retry-After on the web and the API, and the same work whether or not an e-mail has an account."""

from __future__ import annotations

import statistics
import time

import pytest

from app.ratelimit import limiter
from app.services import users
from tests.web.helpers import PASSWORD, csrf_token, page


@pytest.fixture
def user(create_user, db):
    user = create_user(password=PASSWORD)
    db.flush()
    return user


def _login(client, email, password, address="10.0.0.1"):
    client.delete_cookie("plume_session")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_sixth_failure_in_a_minute_is_refused_even_with_the_right_password(client, user):
    for _attempt in range(5):
        assert _login(client, user.email, "wrong").status_code == 401
    refused = _login(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many failed attempts" in page(refused).text
    # The account is limited from another address too...
    assert _login(client, user.email, PASSWORD, address="10.0.0.2").status_code == 429
    # ...and the address for another account.
    assert _login(client, "someone@example.org", "x").status_code == 429


def test_the_limit_resets_after_its_window(app, client, user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMITS", "5 per 8 seconds")
    for _attempt in range(5):
        assert _login(client, user.email, "wrong").status_code == 401
    refused = _login(client, user.email, PASSWORD)
    assert refused.status_code == 429
    time.sleep(int(refused.headers["Retry-After"]))
    deadline = time.monotonic() + 3  # refused attempts do not count: it opens again soon
    while (status := _login(client, user.email, PASSWORD).status_code) == 429:
        assert time.monotonic() < deadline
        time.sleep(0.25)
    assert status == 302


def test_successful_sign_ins_are_not_counted(client, user):
    for _attempt in range(8):
        assert _login(client, user.email, PASSWORD).status_code == 302


def test_no_message_tells_which_part_was_wrong(client, user):
    wrong_password = page(_login(client, user.email, "wrong")).text
    unknown_email = page(_login(client, "nobody@example.org", PASSWORD)).text
    assert "do not match an active account" in wrong_password
    assert wrong_password.replace(user.email, "") == unknown_email.replace("nobody@example.org", "")


def test_guessing_api_tokens_is_limited_per_address(client, user, token_for):
    good = token_for(user)
    for attempt in range(5):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer guess{attempt}"})
        assert response.status_code == 401
    refused = client.get("/api/v1/me", headers=good)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) > 0


def test_an_unknown_email_takes_as_long_as_a_known_one(app, client, db, user, monkeypatch):
    # At production's cost, where the hash is what takes the time.
    monkeypatch.setitem(app.config, "PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY")
    users.set_password(user, PASSWORD)
    db.flush()
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")

    def attempt(email: str) -> float:
        limiter.reset()
        token = csrf_token(client)
        started = time.perf_counter()
        client.post("/login", data={"email": email, "password": "wrong", "csrf_token": token})
        return time.perf_counter() - started

    attempt("nobody@example.org")  # warm up (the dummy hash is made once)
    times: dict[str, list[float]] = {user.email: [], "nobody@example.org": []}
    for _round in range(10):  # interleaved, so a busy machine slows both alike
        for email, taken in times.items():
            taken.append(attempt(email))
    known, unknown = (statistics.median(taken) for taken in times.values())
    assert abs(known - unknown) <= 0.2 * max(known, unknown), (known, unknown)
