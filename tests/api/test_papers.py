"""Papers, sections and assignment through the API."""

from __future__ import annotations

from app.models import Role


def test_me_shows_the_caller_and_their_roles(client, create_paper, token_for):
    paper = create_paper()
    author = paper.people[Role.AUTHOR]
    body = client.get("/api/v1/me", headers=token_for(author)).get_json()
    assert body["email"] == author.email
    assert body["sector"] == "CLT"
    assert body["roles"] == {str(paper.id): ["author"]}


def test_create_paper_from_the_template(client, create_user, token_for, drafts_dir):
    user = create_user("CLT")
    response = client.post(
        "/api/v1/papers",
        json={"template": "ai-and-culture", "language": "fr"},
        headers=token_for(user),
    )
    assert response.status_code == 201, response.get_json()
    paper = response.get_json()
    assert paper["language"] == "fr"
    assert paper["members"] == [
        {"user_id": user.id, "name": user.name, "email": user.email, "role": "coordinator"}
    ]
    sections = client.get(f"/api/v1/papers/{paper['id']}/sections", headers=token_for(user))
    rows = sections.get_json()
    files = sorted((drafts_dir / "ai-and-culture").glob("*.md"))
    assert len(rows) == len(files)
    assert [row["position"] for row in rows] == list(range(len(rows)))
    # Subsections point at their parent.
    by_number = {row["number"]: row for row in rows}
    for row in rows:
        if "." in row["number"]:
            parent = by_number[row["number"].rpartition(".")[0]]
            assert row["parent_id"] == parent["id"]
    assert all(row["brief"] for row in rows)
    assert all(row["open_comments"] == 0 for row in rows)
    # A French paper opens on the template's French texts.
    assert paper["title"].startswith("Intelligence artificielle et culture")
    revisions = client.get(
        f"/api/v1/sections/{by_number['3.4']['id']}/revisions", headers=token_for(user)
    ).get_json()
    assert [(r["summary"], r["body"][:40]) for r in revisions] == [
        ("Texte initial du modèle", "Les musées, les bibliothèques et les arc")
    ]


def test_unknown_template_is_a_400_naming_the_known_ones(client, create_user, token_for):
    response = client.post(
        "/api/v1/papers", json={"template": "../etc"}, headers=token_for(create_user())
    )
    assert response.status_code == 400
    assert "ai-and-culture" in response.get_json()["error"]["details"]["templates"]


def test_a_blank_paper_needs_a_title(client, create_user, token_for):
    headers = token_for(create_user())
    assert client.post("/api/v1/papers", json={}, headers=headers).status_code == 400
    response = client.post("/api/v1/papers", json={"title": "Notes"}, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["template"] is None


def test_papers_list_only_mine(client, create_paper, create_user, token_for):
    paper = create_paper(blank=True)
    outsider = create_user("SC")
    assert client.get("/api/v1/papers", headers=token_for(outsider)).get_json() == []
    mine = client.get("/api/v1/papers", headers=token_for(paper.people[Role.OBSERVER]))
    assert [p["id"] for p in mine.get_json()] == [paper.id]
    # A paper I am not in is "not found", not "forbidden": ids leak nothing.
    assert client.get(f"/api/v1/papers/{paper.id}", headers=token_for(outsider)).status_code == 404


def test_assign_a_section(client, create_paper, token_for, db):
    paper = create_paper()
    coordinator, author = paper.people[Role.COORDINATOR], paper.people[Role.AUTHOR]
    section = client.get(
        f"/api/v1/papers/{paper.id}/sections", headers=token_for(coordinator)
    ).get_json()[3]
    response = client.patch(
        f"/api/v1/sections/{section['id']}",
        json={
            "lead_author_id": author.id,
            "due_date": "2027-01-15",
            "contributing_sectors": ["SHS", "LA"],
        },
        headers=token_for(coordinator),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["lead_author"] == {"id": author.id, "name": author.name}
    assert body["due_date"] == "2027-01-15"
    assert body["contributing_sectors"] == ["LA", "SHS"]
    activity = client.get(
        f"/api/v1/papers/{paper.id}/activity", headers=token_for(coordinator)
    ).get_json()
    latest = activity[0]
    assert latest["action"] == "section.updated"
    assert latest["after"]["due_date"] == "2027-01-15"
    assert latest["before"]["due_date"] is None


def test_lead_author_must_be_an_author(client, create_paper, token_for):
    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    reviewer = paper.people[Role.REVIEWER]
    section_id = _blank_section(paper)
    response = client.patch(
        f"/api/v1/sections/{section_id}",
        json={"lead_author_id": reviewer.id},
        headers=token_for(coordinator),
    )
    assert response.status_code == 400
    assert "not an author" in response.get_json()["error"]["message"]


def test_illegal_state_move_names_the_allowed_ones(client, create_paper, token_for):
    paper = create_paper(blank=True)
    section_id = _blank_section(paper)
    response = client.patch(
        f"/api/v1/sections/{section_id}",
        json={"state": "approved"},
        headers=token_for(paper.people[Role.COORDINATOR]),
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["details"]["allowed"] == ["drafting"]


def _blank_section(paper) -> int:
    from app.db import session
    from app.models import Section

    section = Section(paper_id=paper.id, position=0, number="1", title_en="Introduction")
    session.add(section)
    session.flush()
    return section.id
