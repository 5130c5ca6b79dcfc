"""Sign-off through the API: freeze, record positions, and the version and paper signed off."""

from __future__ import annotations

import pytest

from app.models import Role
from app.services import papers


@pytest.fixture
def paper(create_paper, create_user):
    """A template paper with two signatories, CLT and SHS."""
    paper = create_paper()
    second = create_user("SHS", name="Lars Berg")
    papers.add_member(paper, second.email, Role.SIGNATORY, actor=paper.people[Role.COORDINATOR])
    paper.signatories = [paper.people[Role.SIGNATORY], second]
    return paper


@pytest.fixture
def version(client, paper, token_for):
    response = client.post(
        f"/api/v1/papers/{paper.id}/versions",
        json={
            "label": "v1.0",
            "purpose": "signature",
            "override_reason": "Signed before the template's sections are approved.",
        },
        headers=token_for(paper.people[Role.COORDINATOR]),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _vote(client, token_for, user, version, **body):
    return client.post(
        f"/api/v1/versions/{version['id']}/positions", json=body, headers=token_for(user)
    )


def test_freeze_then_positions_sign_the_version_and_the_paper_off(
    client, paper, version, token_for
):
    first, second = paper.signatories
    observer = token_for(paper.people[Role.OBSERVER])
    shown = client.get(f"/api/v1/versions/{version['id']}", headers=observer).get_json()
    assert shown["state"] == "frozen"
    assert [(row["name"], row["sector"], row["position"]) for row in shown["positions"]] == [
        (first.name, "CLT", None),
        (second.name, "SHS", None),
    ]

    response = _vote(client, token_for, first, version, position="approve")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["position"]["position"] == "approve"
    assert body["position"]["version_sha256"] == version["sha256"]
    assert body["version"]["state"] == "frozen"

    response = _vote(
        client,
        token_for,
        second,
        version,
        position="no_objection",
        reason="Fine for SHS.",
        version_sha256=version["sha256"],
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"]["state"] == "signed_off"

    shown = client.get(f"/api/v1/versions/{version['id']}", headers=observer).get_json()
    assert shown["state"] == "signed_off"
    assert shown["signed_off_at"] is not None
    rows = {row["user_id"]: row for row in shown["positions"]}
    assert rows[first.id]["position"] == "approve"
    assert rows[second.id]["position"] == "no_objection"
    assert rows[second.id]["reason"] == "Fine for SHS."
    assert rows[second.id]["recorded_at"] is not None
    paper_now = client.get(f"/api/v1/papers/{paper.id}", headers=observer).get_json()
    assert paper_now["status"] == "signed_off"


def test_a_block_without_a_reason_is_a_400(client, paper, version, token_for):
    response = _vote(client, token_for, paper.signatories[0], version, position="block")
    assert response.status_code == 400
    assert "a block needs a reason" in response.get_json()["error"]["message"]
    history = client.get(
        f"/api/v1/versions/{version['id']}/positions",
        headers=token_for(paper.people[Role.OBSERVER]),
    )
    assert history.get_json() == []


def test_a_position_on_a_signed_off_version_is_a_409(client, paper, version, token_for):
    first, second = paper.signatories
    _vote(client, token_for, first, version, position="approve")
    _vote(client, token_for, second, version, position="approve")
    response = _vote(client, token_for, first, version, position="block", reason="Too late.")
    assert response.status_code == 409
    assert "signed off" in response.get_json()["error"]["message"]


def test_a_position_on_a_superseded_version_is_a_409(client, paper, version, token_for):
    client.post(
        f"/api/v1/papers/{paper.id}/versions",
        json={"label": "v1.1"},
        headers=token_for(paper.people[Role.COORDINATOR]),
    )
    response = _vote(client, token_for, paper.signatories[0], version, position="approve")
    assert response.status_code == 409
    assert "superseded" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AUTHOR, Role.REVIEWER, Role.OBSERVER])
def test_only_signatories_vote(client, paper, version, token_for, role):
    response = _vote(client, token_for, paper.people[role], version, position="approve")
    assert response.status_code == 403
    assert response.get_json()["error"]["details"]["required_roles"] == ["signatory"]


def test_a_position_on_another_text_is_a_409(client, paper, version, token_for):
    response = _vote(
        client,
        token_for,
        paper.signatories[0],
        version,
        position="approve",
        version_sha256="a" * 64,
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["details"]["version_sha256"] == version["sha256"]


@pytest.mark.parametrize(
    "body",
    [{"position": "yes"}, {}, {"position": "approve", "version_sha256": "short"}],
    ids=["unknown", "missing", "bad-hash"],
)
def test_malformed_positions_are_400(client, paper, version, token_for, body):
    response = _vote(client, token_for, paper.signatories[0], version, **body)
    assert response.status_code == 400


def test_the_history_keeps_every_change(client, paper, version, token_for):
    first = paper.signatories[0]
    _vote(client, token_for, first, version, position="block", reason="Section 4.")
    _vote(client, token_for, first, version, position="abstain")
    history = client.get(
        f"/api/v1/versions/{version['id']}/positions", headers=token_for(first)
    ).get_json()
    assert [(p["signatory"]["id"], p["position"], p["reason"]) for p in history] == [
        (first.id, "block", "Section 4."),
        (first.id, "abstain", None),
    ]
    shown = client.get(f"/api/v1/versions/{version['id']}", headers=token_for(first)).get_json()
    assert shown["positions"][0]["position"] == "abstain"
    assert shown["state"] == "frozen"
