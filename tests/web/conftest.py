"""Fixtures for the web pages: sign a user in, post a form with its CSRF token, a paper."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services import sections as section_service
from app.services import users
from tests.conftest import ClosingClient
from tests.web.helpers import PASSWORD, csrf_token


class OwnContextClient(ClosingClient):
    """Each request in an app context of its own, as in production.

    The `db` fixture keeps one app context pushed for the whole test, and a request would
    otherwise share its `g` (where Flask-Login keeps the signed-in user) with the next one.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    return OwnContextClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def sign_in(client, db):
    """Sign `user` in through the login form (a password is set for them first)."""

    def sign_in(user, *, language: str | None = None):
        users.set_password(user, PASSWORD)
        db.flush()
        # Start from a fresh browser: whoever was signed in before is gone.
        client.delete_cookie("plume_session")
        response = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        if language:
            client.get(f"/?lang={language}")
        return user

    return sign_in


@pytest.fixture
def post(client):
    """POST a form with the session's CSRF token, as the browser would."""

    def post(path: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(client, "/"))
        return client.post(path, data=data, **kwargs)

    return post


@pytest.fixture
def paper(create_paper):
    """The template paper, with its third section led by the paper's author."""
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    rows = section_service.list_sections(paper.id, coordinator)
    paper.section = rows[2].section
    section_service.update_section(
        paper.section, coordinator, lead_author_id=paper.people[Role.AUTHOR].id
    )
    return paper
