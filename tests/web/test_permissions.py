"""Permissions live in one place: a page reads the paper's members once, however many
questions it asks (may this reader write, resolve, move, assign, comment, reply...)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from app.models import Role, Section
from app.services import reviews
from tests.web.helpers import page

MEMBERS = re.compile(r"\b(FROM|JOIN)\s+paper_members\b", re.IGNORECASE)


def _statements(db, client, url):
    """The page's answer and the SQL statements it sent."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, statements


def _on_members(statements):
    return [s for s in statements if MEMBERS.search(s)]


@pytest.mark.parametrize("who", [Role.COORDINATOR, Role.AUTHOR, Role.REVIEWER])
def test_a_section_page_reads_the_members_once(client, sign_in, paper, db, who):
    reader = paper.people[who]
    # Something for every question the page asks: a comment to resolve, reply to, reopen.
    reviews.create_comment(
        paper.section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(body="Name the 2003 Convention.", type="substantive"),
    )
    db.commit()
    sign_in(reader)
    response, statements = _statements(db, client, f"/sections/{paper.section.id}")
    assert response.status_code == 200
    shown = page(response).text
    assert "Name the 2003 Convention." in shown
    assert len(_on_members(statements)) == 1, _on_members(statements)


def test_the_overview_reads_the_members_once(client, sign_in, paper, db):
    sign_in(paper.people[Role.COORDINATOR])
    response, statements = _statements(db, client, f"/papers/{paper.id}")
    assert response.status_code == 200
    assert db.query(Section).filter_by(paper_id=paper.id).count() > 20
    assert len(_on_members(statements)) == 1, _on_members(statements)


def test_a_stranger_still_gets_not_found(client, sign_in, paper, create_user):
    sign_in(create_user())
    assert client.get(f"/sections/{paper.section.id}").status_code == 404
    assert client.get(f"/papers/{paper.id}").status_code == 404
