"""Bad input on the web pages: a clear page with the right status, never a 500."""

from __future__ import annotations

from app.models import Comment, Role
from tests.web.helpers import page


def test_a_nul_byte_in_the_comment_form_is_a_422_naming_the_field(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.REVIEWER])
    response = post(
        f"/sections/{paper.section.id}/comments",
        {"type": "editorial", "body": "Reword\x00 this.", "quote_exact": ""},
    )
    assert response.status_code == 422
    assert "“body”" in page(response).text
    assert db.query(Comment).count() == 0


def test_the_same_in_french(client, sign_in, paper, post):
    sign_in(paper.people[Role.REVIEWER], language="fr")
    response = post(
        f"/sections/{paper.section.id}/comments",
        {"type": "editorial", "body": "Reformuler\x01.", "quote_exact": ""},
    )
    assert response.status_code == 422
    assert "Le champ « body »" in page(response).text


def test_a_page_id_beyond_the_database_range_is_a_404(client, sign_in, paper):
    sign_in(paper.people[Role.REVIEWER])
    assert client.get(f"/sections/{2**31}").status_code == 404
    assert client.get(f"/papers/{10**20}").status_code == 404


def test_a_405_page_says_which_methods_are_allowed(client, sign_in, paper):
    sign_in(paper.people[Role.REVIEWER])
    response = client.delete(f"/sections/{paper.section.id}")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
