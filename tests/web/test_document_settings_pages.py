"""The coordinator's document-settings form on the paper's overview, and the job title on My
account and on the admin's user page: saved, refused with the reason and the input kept, and
in the activity feed."""

from __future__ import annotations

from app.models import Paper, Role, User
from tests.web.helpers import page


def test_the_coordinator_saves_the_document_settings(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.COORDINATOR])
    shown = page(client.get(f"/papers/{paper.id}"))
    assert "Document settings" in shown.text
    assert shown.find("input", name="document_symbol")
    response = post(
        f"/papers/{paper.id}/settings",
        {"document_symbol": "CLT/2027/PP/1", "numbered_paragraphs": "1"},
    )
    assert response.status_code == 302
    db.expire_all()
    saved = db.get(Paper, paper.id)
    assert (saved.document_symbol, saved.disclaimer, saved.numbered_paragraphs) == (
        "CLT/2027/PP/1",
        False,
        True,
    )
    shown = page(client.get(f"/papers/{paper.id}"))
    assert shown.find("input", name="document_symbol", value="CLT/2027/PP/1")
    assert shown.find("input", name="numbered_paragraphs", checked="")
    feed = page(client.get(f"/papers/{paper.id}/activity")).text
    assert "changed the document settings" in feed
    assert "CLT/2027/PP/1" in feed and "numbered paragraphs" in feed


def test_a_bad_symbol_comes_back_with_the_reason_and_the_input(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.COORDINATOR], language="fr")
    response = post(
        f"/papers/{paper.id}/settings", {"document_symbol": "<b>CLT</b>", "disclaimer": "1"}
    )
    assert response.status_code == 400
    shown = page(response)
    assert "La cote d’un document compte au plus 60 caractères" in shown.text
    assert shown.find("input", name="document_symbol", value="<b>CLT</b>")
    assert shown.find("input", name="disclaimer", checked="")
    db.expire_all()
    assert db.get(Paper, paper.id).disclaimer is False


def test_others_see_no_form_and_cannot_post_it(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.AUTHOR])
    assert "Document settings" not in page(client.get(f"/papers/{paper.id}")).text
    response = post(f"/papers/{paper.id}/settings", {"document_symbol": "X/1"})
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Paper, paper.id).document_symbol == ""


def test_my_job_title_on_my_account(client, sign_in, paper, post, db):
    me = sign_in(paper.people[Role.SIGNATORY])
    response = post("/account/job-title", {"job_title": "ADG for Culture"})
    assert response.status_code == 302
    shown = page(client.get("/account"))
    assert shown.find("input", name="job_title", value="ADG for Culture")
    response = post("/account/job-title", {"job_title": "x" * 201})
    assert response.status_code == 400
    shown = page(response)
    assert "A job title is one line of at most 200 characters." in shown.text
    assert shown.find("input", name="job_title", value="x" * 201)
    db.expire_all()
    assert db.get(User, me.id).job_title == "ADG for Culture"


def test_the_admin_sets_a_job_title(client, sign_in, create_user, post, db):
    admin = create_user(admin=True, name="Ada Admin")
    person = create_user("CLT", name="Ernesto Ottone")
    sign_in(admin)
    response = post(f"/admin/users/{person.id}/job-title", {"job_title": "ADG for Culture"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, person.id).job_title == "ADG for Culture"
    assert page(client.get(f"/admin/users/{person.id}")).find(
        "input", name="job_title", value="ADG for Culture"
    )
    sign_in(person)
    assert post(f"/admin/users/{admin.id}/job-title", {"job_title": "x"}).status_code == 403
