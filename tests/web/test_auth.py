"""Signing in and out, the session cookie, CSRF, and the security headers."""

from __future__ import annotations

from sqlalchemy import select

from app.config import from_environment
from app.models import ApiToken, Role
from app.services import users
from tests.web.helpers import PASSWORD, csrf_token, page


def test_pages_need_a_signed_in_user(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_with_email_and_password(client, create_user, db):
    user = create_user(name="Ada Ndiaye", password=PASSWORD)
    db.flush()
    response = client.post(
        "/login",
        data={"email": user.email.upper(), "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert "Ada Ndiaye" in page(client.get("/")).text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, create_user, db):
    user = create_user(password=PASSWORD)
    db.flush()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "not it at all", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401
    assert "do not match an active account" in page(response).text
    assert client.get("/").status_code == 302


def test_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(client, create_user, db):
    user = create_user(password=PASSWORD)
    db.flush()
    for target, expected in [
        ("/account", "/account"),
        ("https://evil.example/", "/"),
        ("/account\r\nSet-Cookie: x=1", "/"),  # a control character: ignored, not a 500
        ("/account\x00", "/"),
    ]:
        client.delete_cookie("plume_session")
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.headers["Location"] == expected


def test_a_post_without_the_csrf_token_is_refused(client, create_user, db):
    user = create_user(password=PASSWORD)
    db.flush()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in page(response).text
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_session_on_the_server(client, sign_in, create_user, post):
    sign_in(create_user())
    stolen = client.get_cookie("plume_session").value
    assert post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    # The cookie from before signing out no longer opens a page, even replayed.
    client.set_cookie("plume_session", stolen)
    assert client.get("/").status_code == 302


def test_a_disabled_user_is_signed_out_everywhere(client, sign_in, create_user, db):
    user = sign_in(create_user())
    assert client.get("/").status_code == 200
    admin = create_user(admin=True)
    users.set_active(user, False, actor=admin)
    db.flush()
    assert client.get("/").status_code == 302


def test_a_disabled_user_cannot_sign_in(client, create_user, db):
    user = create_user(password=PASSWORD)
    user.is_active = False
    db.flush()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401


def test_session_cookie_flags(client, create_user, db):
    user = create_user(password=PASSWORD)
    db.flush()
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if "plume_session=" in value
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_are_switched_on_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PLUME_SECURE_COOKIES", "1")
    assert from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is True


def test_security_headers(client, sign_in, create_paper):
    paper = create_paper()
    sign_in(paper.people[Role.OBSERVER])
    for path in ["/login", "/", f"/papers/{paper.id}"]:
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "no-store" in headers["Cache-Control"]


def test_pages_carry_no_inline_script(client, sign_in, create_paper):
    paper = create_paper()
    sign_in(paper.people[Role.COORDINATOR])
    for path in ["/login", "/", f"/papers/{paper.id}"]:
        parsed = page(client.get(path))
        for attributes in parsed.find("script"):
            assert attributes.get("src", "").startswith("/assets/")
        for _tag, attributes in parsed.elements:
            assert not [name for name in attributes if name.startswith("on")]


def test_the_api_still_takes_bearer_tokens_without_csrf(client, create_user, token_for):
    user = create_user()
    response = client.post(
        "/api/v1/papers", json={"title": "Token only", "language": "en"}, headers=token_for(user)
    )
    assert response.status_code == 201


def test_a_bearer_token_answers_for_its_user_until_revoked_or_the_user_is_disabled(
    client, create_user, token_for, db
):
    user, other = create_user(), create_user()
    mine, theirs = token_for(user), token_for(other)
    assert client.get("/api/v1/me", headers=mine).get_json()["id"] == user.id
    assert client.get("/api/v1/me", headers=theirs).get_json()["id"] == other.id
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    users.revoke_token(token.id, actor=user)
    users.set_active(other, False, actor=create_user(admin=True))
    db.flush()
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    assert client.get("/api/v1/me", headers=theirs).status_code == 401


def test_the_web_pages_stay_out_of_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths
    assert all(path.startswith("/api/v1/") for path in paths)
