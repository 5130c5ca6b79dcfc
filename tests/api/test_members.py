"""A paper's people through the API: the coordinator adds, changes and removes members (their
work stays, shown as a former member's); anyone may change their own password."""

from __future__ import annotations

import pytest

from app.db import session
from app.models import Role, Section
from app.services import revisions, users
from app.services.reviews import NewComment, create_comment


def _members(client, paper, headers):
    return client.get(f"/api/v1/papers/{paper.id}/members", headers=headers)


def _member_id(paper, role) -> int:
    return next(m.id for m in paper.members if m.role == role)


@pytest.mark.parametrize(
    ("who", "status"),
    [(Role.COORDINATOR, 200), (Role.REVIEWER, 200), (Role.OBSERVER, 200), ("outsider", 404)],
)
def test_every_member_sees_who_holds_which_role(
    client, create_paper, create_user, token_for, who, status
):
    paper = create_paper(blank=True)
    user = create_user() if who == "outsider" else paper.people[who]
    response = _members(client, paper, token_for(user))
    assert response.status_code == status
    if status == 200:
        listed = {(m["email"], m["role"]) for m in response.get_json()}
        assert listed == {(person.email, role) for role, person in paper.people.items()}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (Role.COORDINATOR, 201),
        ("admin", 201),
        (Role.AUTHOR, 403),
        (Role.REVIEWER, 403),
        (Role.SIGNATORY, 403),
        (Role.OBSERVER, 403),
        ("outsider", 404),
    ],
)
def test_only_the_coordinator_adds_members(
    client, create_paper, create_user, token_for, who, status
):
    paper = create_paper(blank=True)
    newcomer = create_user("SHS")
    actor = {"admin": lambda: create_user(admin=True), "outsider": create_user}.get(
        who, lambda: paper.people[who]
    )()
    response = client.post(
        f"/api/v1/papers/{paper.id}/members",
        json={"email": newcomer.email, "role": "reviewer"},
        headers=token_for(actor),
    )
    assert response.status_code == status, response.get_json()
    shown = _members(client, paper, token_for(paper.people[Role.COORDINATOR])).get_json()
    added = [m for m in shown if m["email"] == newcomer.email]
    if status == 201:
        assert response.get_json()["role"] == "reviewer"
        assert [m["role"] for m in added] == ["reviewer"]
    else:
        assert added == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "nobody@example.org", "role": "reviewer"}, 400, "member_unknown_email"),
        ({"email": "{reviewer}", "role": "reviewer"}, 409, "member_role_taken"),
        ({"email": "{reviewer}", "role": "chair"}, 400, None),
        ({"email": "{reviewer}"}, 400, None),
        ({"email": "{reviewer}", "role": "author", "colour": "red"}, 400, None),
    ],
    ids=["unknown-email", "twice", "unknown-role", "no-role", "unknown-field"],
)
def test_a_bad_member_is_refused_naming_why(client, create_paper, token_for, body, status, code):
    paper = create_paper(blank=True)
    reviewer = paper.people[Role.REVIEWER]
    body = {k: v.format(reviewer=reviewer.email) for k, v in body.items()}
    response = client.post(
        f"/api/v1/papers/{paper.id}/members",
        json=body,
        headers=token_for(paper.people[Role.COORDINATOR]),
    )
    assert response.status_code == status
    error = response.get_json()["error"]
    if code:
        assert error["code"] == code
    assert error["message"]
    assert len(paper.members) == len(paper.people)


def test_the_coordinator_changes_a_role_but_never_leaves_the_paper_without_one(
    client, create_paper, token_for
):
    paper = create_paper(blank=True)
    coordinator = token_for(paper.people[Role.COORDINATOR])
    url = f"/api/v1/papers/{paper.id}/members"
    response = client.patch(
        f"{url}/{_member_id(paper, Role.OBSERVER)}", json={"role": "reviewer"}, headers=coordinator
    )
    assert response.status_code == 200
    assert response.get_json()["role"] == "reviewer"
    observer = paper.people[Role.OBSERVER].email
    assert ("reviewer", observer) in {
        (m["role"], m["email"]) for m in _members(client, paper, coordinator).get_json()
    }
    # The only coordinator cannot become an author: someone must coordinate.
    alone = client.patch(
        f"{url}/{_member_id(paper, Role.COORDINATOR)}", json={"role": "author"}, headers=coordinator
    )
    assert alone.status_code == 409
    assert alone.get_json()["error"]["code"] == "last_coordinator"
    # Others may not; an unknown member or role is refused.
    reviewer = token_for(paper.people[Role.REVIEWER])
    mine = f"{url}/{_member_id(paper, Role.REVIEWER)}"
    assert client.patch(mine, json={"role": "coordinator"}, headers=reviewer).status_code == 403
    assert (
        client.patch(f"{url}/999999", json={"role": "author"}, headers=coordinator).status_code
        == 404
    )
    assert client.patch(mine, json={"role": "chair"}, headers=coordinator).status_code == 400


def test_a_removed_member_is_a_former_member_whose_comments_stay(client, create_paper, token_for):
    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    reviewer = paper.people[Role.REVIEWER]
    section = Section(paper_id=paper.id, position=0, number="1", title_en="Introduction")
    session.add(section)
    session.flush()
    revisions.save_revision(section, coordinator, body="Culture matters.\n", base_revision_id=None)
    comment = create_comment(section, reviewer, NewComment(body="Say why.", type="substantive"))
    session.commit()
    url = f"/api/v1/papers/{paper.id}/members/{_member_id(paper, Role.REVIEWER)}"

    assert client.delete(url, headers=token_for(paper.people[Role.AUTHOR])).status_code == 403
    response = client.delete(url, headers=token_for(coordinator))
    assert response.status_code == 200
    assert response.get_json() == {
        "user_id": reviewer.id,
        "name": reviewer.name,
        "email": reviewer.email,
        "former_member": True,
    }
    headers = token_for(coordinator)
    assert reviewer.email not in {m["email"] for m in _members(client, paper, headers).get_json()}
    kept = client.get(f"/api/v1/comments/{comment.id}", headers=headers)
    assert kept.status_code == 200
    assert kept.get_json()["body"] == "Say why."
    # They no longer see the paper; removing them twice finds nothing.
    assert _members(client, paper, token_for(reviewer)).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404


def test_i_change_my_password_proving_i_know_the_current_one(client, create_user, token_for):
    me = create_user(password="old-password-1")
    headers = token_for(me)
    url = "/api/v1/me/password"
    wrong = client.post(
        url, json={"current_password": "guess", "new_password": "new-password-2"}, headers=headers
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["code"] == "password_wrong"
    short = client.post(
        url, json={"current_password": "old-password-1", "new_password": "short"}, headers=headers
    )
    assert short.status_code == 422
    assert short.get_json()["error"]["code"] == "password_too_short"
    assert client.post(url, json={"new_password": "x" * 10}, headers=headers).status_code == 400
    assert users.check_password(me.email, "old-password-1") is not None

    done = client.post(
        url,
        json={"current_password": "old-password-1", "new_password": "new-password-2"},
        headers=headers,
    )
    assert done.status_code == 204
    session.expire_all()
    assert users.check_password(me.email, "new-password-2") is not None
    assert users.check_password(me.email, "old-password-1") is None
    # The token still works.
    assert client.get("/api/v1/me", headers=headers).status_code == 200
