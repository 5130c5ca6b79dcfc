"""For each role, each write endpoint of the foundation: allowed ones succeed, others get 403."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services import revisions
from app.services import sections as section_service

ROLES = [Role.COORDINATOR, Role.AUTHOR, Role.REVIEWER, Role.SIGNATORY, Role.OBSERVER]


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    rows = section_service.list_sections(paper.id, coordinator)
    paper.section = rows[1].section
    section_service.update_section(
        paper.section, coordinator, lead_author_id=paper.people[Role.AUTHOR].id
    )
    return paper


def _assign(paper):
    return "patch", f"/api/v1/sections/{paper.section.id}", {"due_date": "2027-02-01"}


def _save(paper):
    current = revisions.latest(paper.section.id)
    return (
        "post",
        f"/api/v1/sections/{paper.section.id}/revisions",
        {
            "body": "New text.\n",
            "base_revision_id": current.id if current else None,
        },
    )


def _submit(paper):
    return "patch", f"/api/v1/sections/{paper.section.id}", {"state": "in_review"}


def _freeze(paper):
    return "post", f"/api/v1/papers/{paper.id}/versions", {"label": "v-perm"}


# (endpoint, the roles allowed)
MATRIX = [
    (_assign, {Role.COORDINATOR}),
    (_save, {Role.COORDINATOR, Role.AUTHOR}),
    (_submit, {Role.COORDINATOR, Role.AUTHOR}),  # the author here is the section's lead
    (_freeze, {Role.COORDINATOR}),
]


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("endpoint,allowed", MATRIX, ids=lambda v: getattr(v, "__name__", ""))
def test_role_matrix(client, paper, token_for, role, endpoint, allowed):
    method, url, body = endpoint(paper)
    response = getattr(client, method)(url, json=body, headers=token_for(paper.people[role]))
    if role in allowed:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("endpoint", [m[0] for m in MATRIX], ids=lambda f: f.__name__)
def test_without_a_token_every_write_is_401(client, paper, endpoint):
    method, url, body = endpoint(paper)
    assert getattr(client, method)(url, json=body).status_code == 401


@pytest.mark.parametrize("endpoint", [m[0] for m in MATRIX], ids=lambda f: f.__name__)
def test_a_non_member_sees_404(client, paper, create_user, token_for, endpoint):
    method, url, body = endpoint(paper)
    response = getattr(client, method)(url, json=body, headers=token_for(create_user("SC")))
    assert response.status_code == 404


def test_an_author_who_does_not_lead_nor_contribute_cannot_write(
    client, paper, create_user, token_for
):
    from app.services import papers

    outsider_author = create_user("SC")
    papers.add_member(
        paper, outsider_author.email, Role.AUTHOR, actor=paper.people[Role.COORDINATOR]
    )
    paper.section.contributing_sectors = []
    _method, url, body = _save(paper)
    response = client.post(url, json=body, headers=token_for(outsider_author))
    assert response.status_code == 403


def test_lead_author_cannot_approve_their_own_section(client, paper, token_for):
    author = token_for(paper.people[Role.AUTHOR])
    url = f"/api/v1/sections/{paper.section.id}"
    assert client.patch(url, json={"state": "in_review"}, headers=author).status_code == 200
    response = client.patch(url, json={"state": "approved"}, headers=author)
    assert response.status_code == 403


# --- reads answered with the light check (access.get_paper_to_read / get_section_to_read) --

READS = [
    lambda paper: f"/api/v1/sections/{paper.section.id}/comments",
    lambda paper: f"/api/v1/papers/{paper.id}/comment-matrix?format=csv",
    lambda paper: f"/api/v1/papers/{paper.id}/coverage",
]
READ_IDS = ["comments", "comment-matrix", "coverage"]


@pytest.mark.parametrize("read", READS, ids=READ_IDS)
def test_every_member_and_an_admin_read_a_stranger_does_not(
    client, paper, create_user, token_for, read
):
    from sqlalchemy import event

    from app.db import session

    for role in ROLES:
        assert client.get(read(paper), headers=token_for(paper.people[role])).status_code == 200
    admin = create_user("SC", admin=True)
    assert client.get(read(paper), headers=token_for(admin)).status_code == 200
    statements: list[str] = []
    engine = session.get_bind().engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(read(paper), headers=token_for(create_user("SC")))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    # The question is asked of the reader's own roles, not of every member of the paper.
    on_members = [s for s in statements if "paper_members" in s]
    assert on_members and all("paper_members.user_id = " in s for s in on_members), on_members


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sections/999999/comments",
        "/api/v1/papers/999999/comment-matrix?format=csv",
        "/api/v1/papers/999999/coverage",
    ],
    ids=READ_IDS,
)
def test_reading_what_does_not_exist_is_404(client, paper, token_for, url):
    response = client.get(url, headers=token_for(paper.people[Role.COORDINATOR]))
    assert response.status_code == 404
