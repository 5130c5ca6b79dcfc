"""People basics: change a member's role, remove a member (their comments stay, shown as a
former member), change my password, and a coordinator leading a section sees it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Activity, PaperMember, Role, Section
from app.services import papers, queue, reviews
from app.services import sections as section_service
from app.services.errors import Conflict, Forbidden
from tests.web.helpers import PASSWORD, page


def _member(db, paper, role):
    return db.scalars(
        select(PaperMember).where(
            PaperMember.paper_id == paper.id,
            PaperMember.user_id == paper.people[role].id,
            PaperMember.role == role,
        )
    ).one()


def test_the_coordinator_changes_a_role_and_removes_a_member(client, sign_in, paper, post, db):
    reviewer = paper.people[Role.REVIEWER]
    comment = reviews.create_comment(
        db.get(Section, paper.section.id),
        reviewer,
        reviews.NewComment(body="A comment that outlives me.", type="editorial"),
    )
    observer = _member(db, paper, Role.OBSERVER)
    sign_in(paper.people[Role.COORDINATOR])
    response = post(f"/papers/{paper.id}/members/{observer.id}/role", {"role": "signatory"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(PaperMember, observer.id).role == "signatory"

    member = _member(db, paper, Role.REVIEWER)
    assert post(f"/papers/{paper.id}/members/{member.id}/remove").status_code == 302
    shown = page(client.get(f"/papers/{paper.id}/members"))
    assert f"{reviewer.name} SHS · former member" in shown.text
    section_page = page(client.get(f"/sections/{paper.section.id}"))
    assert f"{reviewer.name} (former member)" in section_page.text
    assert "A comment that outlives me." in section_page.text
    assert db.get(type(comment), comment.id) is not None
    actions = db.scalars(
        select(Activity.action).where(Activity.paper_id == paper.id).order_by(Activity.id)
    ).all()
    assert actions[-2:] == ["member.role_changed", "member.removed"]


def test_the_last_coordinator_stays(client, sign_in, paper, post, db):
    coordinator = _member(db, paper, Role.COORDINATOR)
    with pytest.raises(Conflict) as refused:
        papers.remove_member(paper, coordinator.id, actor=paper.people[Role.COORDINATOR])
    assert refused.value.reason == "last_coordinator"
    sign_in(paper.people[Role.COORDINATOR], language="fr")
    response = post(f"/papers/{paper.id}/members/{coordinator.id}/role", {"role": "author"})
    assert response.status_code == 409
    assert "est la seule coordination du document" in page(response).text


def test_only_the_coordinator_manages_members(paper, db):
    with pytest.raises(Forbidden):
        papers.change_role(
            paper, _member(db, paper, Role.OBSERVER).id, "author", actor=paper.people[Role.AUTHOR]
        )


def test_an_unknown_email_comes_back_in_french_with_the_input_kept(client, sign_in, paper, post):
    sign_in(paper.people[Role.COORDINATOR], language="fr")
    response = post(
        f"/papers/{paper.id}/members", {"email": "nobody@example.org", "role": "reviewer"}
    )
    assert response.status_code == 400
    shown = page(response)
    assert shown.find("input", name="email")[0]["value"] == "nobody@example.org"
    assert shown.find("p", id="members-error")


def test_i_change_my_password(client, sign_in, paper, post):
    author = paper.people[Role.AUTHOR]
    sign_in(author)
    wrong = post(
        "/account/password",
        {
            "current_password": "nope",
            "new_password": "a new secret",
            "confirm_password": "a new secret",
        },
    )
    assert wrong.status_code == 422
    assert "Your current password is not the one you typed" in page(wrong).text
    response = post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new secret",
            "confirm_password": "a new secret",
        },
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # still signed in here
    client.delete_cookie("plume_session")
    from tests.web.helpers import csrf_token

    login = client.post(
        "/login",
        data={"email": author.email, "password": "a new secret", "csrf_token": csrf_token(client)},
    )
    assert login.status_code == 302


def test_a_coordinator_who_leads_a_section_sees_it_in_sections_i_lead(paper, today):
    coordinator = paper.people[Role.COORDINATOR]
    section_service.update_section(paper.section, coordinator, lead_author_id=coordinator.id)
    led = queue.sections_i_lead(coordinator, today)
    assert [entry.section.id for entry in led] == [paper.section.id]
