"""Administration: accounts, roles on papers, API tokens; my account."""

from __future__ import annotations

import re

import pytest

from app.models import ApiToken, Role, User
from app.services import users
from tests.web.helpers import page


@pytest.fixture
def admin(create_user):
    return create_user(admin=True, name="Ada Admin")


def test_only_an_admin_sees_the_users(client, sign_in, create_user, admin):
    sign_in(create_user())
    assert client.get("/admin/users").status_code == 403
    sign_in(admin)
    response = client.get("/admin/users")
    assert response.status_code == 200
    assert "Ada Admin" in page(response).text
    assert "template@plume.invalid" not in page(response).text


def test_admin_creates_an_account_that_can_sign_in(client, sign_in, admin, post, db):
    sign_in(admin)
    response = post(
        "/admin/users",
        {
            "name": "Noor Haidari",
            "email": "Noor.Haidari@example.org",
            "sector": "CI",
            "password": "a long password",
        },
    )
    assert response.status_code == 302
    created = users.find_by_email("noor.haidari@example.org")
    assert created.sector.code == "CI"
    assert not created.is_admin
    assert users.check_password("noor.haidari@example.org", "a long password")


def test_the_job_title_is_set_with_the_account(client, sign_in, admin, post, db):
    sign_in(admin)
    fields = {"name": "Ernesto Ottone", "email": "e.ottone@example.org", "sector": "CLT"}
    response = post("/admin/users", {**fields, "job_title": "  Assistant  Director-General "})
    assert response.status_code == 302
    person = users.find_by_email("e.ottone@example.org")
    assert person.job_title == "Assistant Director-General"
    (shown,) = page(client.get(f"/admin/users/{person.id}")).find("input", id="job_title")
    assert shown["value"] == "Assistant Director-General"

    # Too long: the form comes back with what was typed and the reason; no account is made.
    fields["email"] = "second@example.org"
    response = post("/admin/users", {**fields, "job_title": "x" * 201})
    assert response.status_code == 400
    again = page(response)
    assert again.find("input", id="job_title")[0]["value"] == "x" * 201
    assert again.find("input", id="email")[0]["value"] == "second@example.org"
    assert "at most 200 characters" in again.text
    assert users.find_by_email("second@example.org") is None


def test_a_non_admin_cannot_create_accounts(client, sign_in, create_user, post, db):
    sign_in(create_user())
    response = post(
        "/admin/users", {"name": "Sneaky", "email": "sneaky@example.org", "sector": "CLT"}
    )
    assert response.status_code == 403
    assert users.find_by_email("sneaky@example.org") is None


def test_a_duplicate_account_is_a_409(client, sign_in, admin, post):
    sign_in(admin)
    response = post("/admin/users", {"name": "Again", "email": admin.email, "sector": "CLT"})
    assert response.status_code == 409
    assert "already exists" in page(response).text


def test_admin_disables_an_account(client, sign_in, admin, create_user, post, db):
    person = create_user(name="Leaving Soon")
    sign_in(admin)
    response = post(f"/admin/users/{person.id}/active", {"active": "0"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, person.id).is_active is False
    assert "Disabled" in page(client.get("/admin/users")).text


def test_admin_sees_roles_on_papers(client, sign_in, admin, create_paper):
    paper = create_paper()
    sign_in(admin)
    text = page(client.get(f"/admin/users/{paper.people[Role.REVIEWER].id}")).text
    assert "Roles on papers" in text
    assert paper.title in text
    assert "Reviewer" in text


def test_a_token_is_shown_once_and_works(client, sign_in, create_user, post, db):
    user = sign_in(create_user())
    response = post("/account", {"label": "reporting script"})
    assert response.status_code == 200
    token = re.search(r"plm_[\w-]+", response.get_data(as_text=True)).group()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = client.get("/account").get_data(as_text=True)
    assert token not in again
    assert "reporting script" in again
    record = db.query(ApiToken).filter_by(user_id=user.id).one()
    assert post(f"/tokens/{record.id}/revoke", {"next": "/account"}).status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_nobody_revokes_someone_else_s_token(client, sign_in, create_user, post, db):
    owner = create_user()
    users.create_token(owner, "theirs")
    record = db.query(ApiToken).filter_by(user_id=owner.id).one()
    sign_in(create_user())
    assert post(f"/tokens/{record.id}/revoke").status_code == 404
    db.expire_all()
    assert db.get(ApiToken, record.id).revoked_at is None


def test_admin_creates_a_token_for_someone(client, sign_in, admin, create_user, post, db):
    person = create_user()
    sign_in(admin)
    response = post(f"/admin/users/{person.id}/tokens", {"label": "for the bot"})
    assert response.status_code == 200
    assert re.search(r"plm_[\w-]+", response.get_data(as_text=True))
    assert db.query(ApiToken).filter_by(user_id=person.id, label="for the bot").count() == 1
