"""Revisions: saves on a stale base are refused, diffs are word-level."""

from __future__ import annotations

import threading

import pytest

from app.models import Revision, Role
from app.services import sections as section_service


@pytest.fixture
def section(create_paper):
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    row = section_service.list_sections(paper.id, coordinator)[2]
    section_service.update_section(
        row.section, coordinator, lead_author_id=paper.people[Role.AUTHOR].id
    )
    row.section.paper = paper
    return row.section


def _latest(client, section, headers):
    return client.get(f"/api/v1/sections/{section.id}/revisions", headers=headers).get_json()[-1]


def test_save_on_the_latest_base(client, section, token_for):
    headers = token_for(section.paper.people[Role.AUTHOR])
    base = _latest(client, section, headers)
    response = client.post(
        f"/api/v1/sections/{section.id}/revisions",
        json={
            "body": base["body"] + "\nA new paragraph.\n",
            "base_revision_id": base["id"],
            "summary": "Add a paragraph",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    saved = response.get_json()
    assert saved["number"] == base["number"] + 1
    assert saved["base_id"] == base["id"]
    assert len(saved["sha256"]) == 64


def test_stale_base_is_a_409_with_the_current_revision_and_writes_nothing(
    client, section, token_for, db
):
    headers = token_for(section.paper.people[Role.AUTHOR])
    base = _latest(client, section, headers)
    first = client.post(
        f"/api/v1/sections/{section.id}/revisions",
        json={"body": "Mine.\n", "base_revision_id": base["id"]},
        headers=headers,
    ).get_json()
    count = db.query(Revision).filter_by(section_id=section.id).count()
    response = client.post(
        f"/api/v1/sections/{section.id}/revisions",
        json={"body": "Theirs, on the old base.\n", "base_revision_id": base["id"]},
        headers=token_for(section.paper.people[Role.COORDINATOR]),
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "stale_base"
    assert error["details"]["current_revision"]["id"] == first["id"]
    assert error["details"]["current_revision"]["body"] == "Mine.\n"
    assert db.query(Revision).filter_by(section_id=section.id).count() == count


def test_word_level_diff(client, section, token_for):
    headers = token_for(section.paper.people[Role.AUTHOR])
    base = _latest(client, section, headers)
    one = client.post(
        f"/api/v1/sections/{section.id}/revisions",
        json={"body": "Museums use AI to describe collections.", "base_revision_id": base["id"]},
        headers=headers,
    ).get_json()
    two = client.post(
        f"/api/v1/sections/{section.id}/revisions",
        json={
            "body": "Museums use generative AI to catalogue collections.",
            "base_revision_id": one["id"],
        },
        headers=headers,
    ).get_json()
    diff = client.get(
        f"/api/v1/sections/{section.id}/diff?from={one['id']}&to={two['id']}", headers=headers
    ).get_json()
    changed = [(op["op"], op["text"].strip()) for op in diff["ops"] if op["op"] != "equal"]
    assert changed == [("insert", "generative"), ("delete", "describe"), ("insert", "catalogue")]
    assert diff["inserted_words"] == 2
    assert diff["deleted_words"] == 1


def test_diff_of_a_revision_from_another_section_is_404(client, section, token_for):
    headers = token_for(section.paper.people[Role.AUTHOR])
    response = client.get(f"/api/v1/sections/{section.id}/diff?from=999999&to=1", headers=headers)
    assert response.status_code == 404
    missing = client.get(f"/api/v1/sections/{section.id}/diff?from=1", headers=headers)
    assert missing.status_code == 400


def test_reviewer_and_observer_cannot_write(client, section, token_for):
    for role in (Role.REVIEWER, Role.OBSERVER, Role.SIGNATORY):
        response = client.post(
            f"/api/v1/sections/{section.id}/revisions",
            json={"body": "x", "base_revision_id": None},
            headers=token_for(section.paper.people[role]),
        )
        assert response.status_code == 403, role


@pytest.mark.postgres_only
def test_eight_concurrent_saves_on_one_base(app, database_url):
    """Eight people press save at once on the same base: one wins, seven are told."""
    from app.db import session
    from app.services import papers, users

    with app.app_context():
        coordinator = users.create_user("race-coord@example.org", "Coord", "CLT")
        paper = papers.create_paper(coordinator, title="Race", language="en")
        from app.models import Section

        section = Section(paper_id=paper.id, position=0, number="1", title_en="Race")
        session.add(section)
        session.flush()
        tokens = [users.create_token(coordinator, f"t{i}") for i in range(8)]
        section_id, paper_id = section.id, paper.id
        session.commit()

    barrier = threading.Barrier(8)
    statuses: list[int] = []
    lock = threading.Lock()

    def save(i: int):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/sections/{section_id}/revisions",
            json={"body": f"Text from writer {i}.\n", "base_revision_id": None},
            headers={"Authorization": f"Bearer {tokens[i]}"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(statuses) == [201] + [409] * 7
        with app.app_context():
            revisions = session.query(Revision).filter_by(section_id=section_id).all()
            assert len(revisions) == 1
            assert revisions[0].body.startswith("Text from writer ")
    finally:
        with app.app_context():
            _delete_paper(paper_id, coordinator.id)


def _delete_paper(paper_id: int, user_id: int) -> None:
    """Clean up the committed rows this test made (raw SQL: the ORM refuses deletes)."""
    from sqlalchemy import text

    from app.db import session

    for statement in (
        "DELETE FROM activity WHERE paper_id = :p OR actor_id = :u",
        "DELETE FROM revisions WHERE section_id IN (SELECT id FROM sections WHERE paper_id = :p)",
        "DELETE FROM sections WHERE paper_id = :p",
        "DELETE FROM paper_members WHERE paper_id = :p",
        "DELETE FROM papers WHERE id = :p",
        "DELETE FROM api_tokens WHERE user_id = :u",
        "DELETE FROM users WHERE id = :u",
    ):
        session.execute(text(statement), {"p": paper_id, "u": user_id})
    session.commit()
