"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock on a free port)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from oidc_provider_mock import run_server_in_thread

from app.models import SelfRegistrationDomain, User
from app.web import oidc
from tests.web.helpers import page

# The provider (a test double) runs on Authlib APIs that Authlib now marks deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def provider():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def expired_provider():
    with run_server_in_thread(access_token_max_age=timedelta(minutes=-10)) as server:
        yield f"http://localhost:{server.server_port}"


def use(app, monkeypatch, issuer: str, **config):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the provider runs on http here
    monkeypatch.setitem(app.config, "OIDC_ISSUER", issuer)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "plume")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", "plume-secret")
    for name, value in config.items():
        monkeypatch.setitem(app.config, name, value)
    oidc.register(app)


def person(issuer: str, sub: str, email: str, verified: bool = True) -> None:
    claims = {"email": email, "email_verified": verified, "name": "Ama Mensah"}
    requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10).raise_for_status()


def authorize(client, sub: str) -> str:
    """Start the sign-in at Plume, sign in at the provider: Plume's callback path."""
    start = client.get("/login/organisation")
    assert start.status_code == 302
    at_provider = start.headers["Location"]
    assert "code_challenge=" in at_provider and "nonce=" in at_provider
    answer = requests.post(at_provider, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    return f"{callback.path}?{callback.query}"


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_sign_in_links_the_account_with_the_verified_email(
    app, client, provider, monkeypatch, create_user, db
):
    use(app, monkeypatch, provider)
    user = create_user("CLT", name="Ama Mensah")
    db.flush()
    person(provider, "ama", user.email)
    assert "Sign in with your organisation account" in page(client.get("/login")).text
    response = client.get(authorize(client, "ama"))
    assert response.status_code == 302, page(response).text
    assert signed_in(client)


def test_the_language_chosen_before_signing_in_is_kept_and_remembered_for_mail(
    app, client, provider, monkeypatch, create_user, db
):
    use(app, monkeypatch, provider)
    user = create_user("CLT", name="Ama Mensah")
    db.flush()
    person(provider, "ama", user.email)
    client.get("/login?lang=fr")
    assert client.get(authorize(client, "ama")).status_code == 302
    assert "Se déconnecter" in page(client.get("/")).text
    db.expire_all()
    assert user.locale == "fr"  # as a password sign-in records it


def test_a_replayed_callback_or_another_flows_code_is_refused(
    app, client, provider, monkeypatch, create_user, db
):
    use(app, monkeypatch, provider)
    user = create_user("CLT")
    db.flush()
    person(provider, "u", user.email)
    # A callback works once, and not twice.
    first = authorize(client, "u")
    assert client.get(first).status_code == 302
    client.delete_cookie("plume_session")
    assert client.get(first).status_code == 403
    assert not signed_in(client)

    # A code (and its ID token, with its nonce) replayed into another sign-in is refused.
    stolen = authorize(client, "u")
    start = client.get("/login/organisation")
    state = dict(p.split("=", 1) for p in urlsplit(start.headers["Location"]).query.split("&"))
    code = dict(p.split("=", 1) for p in stolen.split("?", 1)[1].split("&"))["code"]
    response = client.get(f"/login/organisation/callback?code={code}&state={state['state']}")
    assert response.status_code == 403
    assert "could not be checked" in page(response).text
    assert not signed_in(client)


def test_a_token_for_another_audience_is_refused(
    app, client, provider, monkeypatch, create_user, db
):
    use(app, monkeypatch, provider)
    user = create_user("CLT")
    db.flush()
    person(provider, "u", user.email)
    callback = authorize(client, "u")  # the provider issues the ID token to "plume"
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "another-service")
    response = client.get(callback)
    assert response.status_code == 403
    assert "could not be checked" in page(response).text
    assert not signed_in(client)


def test_an_unknown_email_is_refused_unless_its_domain_is_open(
    app, client, provider, monkeypatch, db
):
    use(app, monkeypatch, provider)
    person(provider, "new", "new.person@unesco.org")
    response = client.get(authorize(client, "new"))
    assert response.status_code == 403
    assert "No active Plume account has this e-mail" in page(response).text
    assert db.query(User).filter_by(email="new.person@unesco.org").count() == 0

    monkeypatch.setitem(app.config, "OIDC_SELF_REGISTRATION", {"unesco.org": "CLT"})
    assert client.get(authorize(client, "new")).status_code == 302
    assert db.query(User).filter_by(email="new.person@unesco.org").one().sector.code == "CLT"


def test_an_unverified_email_is_refused(app, client, provider, monkeypatch, create_user, db):
    use(app, monkeypatch, provider)
    user = create_user("CLT")
    db.flush()
    person(provider, "u", user.email, verified=False)
    response = client.get(authorize(client, "u"))
    assert response.status_code == 403
    assert not signed_in(client)


def test_an_expired_token_is_refused(app, client, expired_provider, monkeypatch, create_user, db):
    use(app, monkeypatch, expired_provider)
    user = create_user("CLT")
    db.flush()
    person(expired_provider, "u", user.email)
    response = client.get(authorize(client, "u"))
    assert response.status_code == 403
    assert not signed_in(client)


def test_password_sign_in_can_be_turned_off(app, client, provider, monkeypatch, create_user, db):
    use(app, monkeypatch, provider, PASSWORD_SIGNIN=False)
    user = create_user("CLT", password="correct horse battery")
    db.flush()
    login = page(client.get("/login"))
    assert "Sign in with your organisation account" in login.text
    assert not any(attributes.get("name") == "password" for _tag, attributes in login.elements)
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code in (400, 403)  # no form to post (CSRF) or refused
    assert not signed_in(client)


def test_a_domain_an_admin_opens_lets_new_people_in_and_closing_it_refuses_them(
    app, client, provider, monkeypatch, create_user, sign_in, post, db
):
    use(app, monkeypatch, provider, OIDC_SELF_REGISTRATION={})
    admin = create_user("CLT", admin=True)
    person(provider, "first", "first@unesco.org")
    person(provider, "second", "second@unesco.org")

    sign_in(admin)
    opened = post("/admin/self-registration", {"domain": " UNESCO.org ", "sector": "SHS"})
    assert opened.status_code == 302
    listed = page(client.get("/admin/self-registration"))
    assert "unesco.org" in listed.text and "Close unesco.org" in listed.text
    client.delete_cookie("plume_session")

    assert client.get(authorize(client, "first")).status_code == 302
    assert signed_in(client)
    assert db.query(User).filter_by(email="first@unesco.org").one().sector.code == "SHS"

    sign_in(admin)
    domain_id = db.query(SelfRegistrationDomain).filter_by(domain="unesco.org").one().id
    assert post(f"/admin/self-registration/{domain_id}/delete").status_code == 302
    assert "No domain is open" in page(client.get("/admin/self-registration")).text
    client.delete_cookie("plume_session")

    response = client.get(authorize(client, "second"))
    assert response.status_code == 403
    assert "No active Plume account has this e-mail" in page(response).text
    assert db.query(User).filter_by(email="second@unesco.org").count() == 0
    # The one who came in while it was open keeps their account.
    assert client.get(authorize(client, "first")).status_code == 302
