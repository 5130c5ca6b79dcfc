"""Alignment through the API: decisions, their history, the matrix, the coverage report,
position decisions and the frameworks a paper is checked against."""

from __future__ import annotations

import pytest

from app.db import session
from app.models import Comment, Role
from app.services import revisions, sections


@pytest.fixture
def paper(create_paper):
    """The AI-and-culture paper; the author leads section 3.4 (museums)."""
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    paper.by_number = {
        row.number: row.section for row in sections.list_sections(paper.id, coordinator)
    }
    sections.update_section(
        paper.by_number["3.4"], coordinator, lead_author_id=paper.people[Role.AUTHOR].id
    )
    return paper


def _as(paper, role, token_for):
    return token_for(paper.people[role])


def _decide(client, headers, section, **body):
    body = {"item_code": "REC2021.P7", "status": "aligned", "rationale": "It says so.", **body}
    return client.post(f"/api/v1/sections/{section.id}/alignments", json=body, headers=headers)


def test_a_coordinator_sees_what_the_paper_covers_and_why(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    museums = paper.by_number["3.4"]
    response = _decide(
        client,
        coordinator,
        museums,
        item_code="REC2021.P7",
        status="partial",
        rationale="Explains automated descriptions but not how visitors are told.",
        quote={"exact": "transcribe handwritten records", "prefix": "collections, "},
    )
    assert response.status_code == 201, response.get_json()
    decision = response.get_json()
    assert decision["section_id"] == museums.id
    assert decision["item"]["code"] == "REC2021.P7"
    assert decision["item"]["framework"] == "REC2021@2021"
    assert decision["item"]["title_en"] == "Transparency and explainability"
    assert decision["quote"] == {
        "exact": "transcribe handwritten records",
        "prefix": "collections, ",
        "suffix": "",
    }
    assert decision["revision_id"] == revisions.latest(museums.id).id
    assert decision["decided_by"]["id"] == paper.people[Role.COORDINATOR].id
    assert (decision["current"], decision["superseded_by"]) == (True, None)
    _decide(
        client,
        coordinator,
        paper.by_number["4.3"],
        item_code="REC2021.P3",
        status="conflict",
        rationale="Section 4.3 argues bias is acceptable in curation.",
    )

    matrix = client.get(
        f"/api/v1/papers/{paper.id}/alignment-matrix?framework=REC2021", headers=coordinator
    ).get_json()
    assert [f["label"] for f in matrix["frameworks"]] == ["REC2021@2021"]
    assert len(matrix["items"]) == 25
    rows = {row["section"]["number"]: row for row in matrix["rows"]}
    assert rows["3.4"]["cells"]["REC2021.P7"] == "partial"
    assert rows["3.4"]["level"] == 2
    assert rows["4.3"]["cells"]["REC2021.P3"] == "conflict"
    assert rows["1"]["cells"]["REC2021.P7"] is None
    assert matrix["whole_paper"]["section"] is None
    assert matrix["counts"]["partial"] == 1 and matrix["counts"]["conflict"] == 1
    assert matrix["item_counts"]["REC2021.P7"]["partial"] == 1

    coverage = client.get(f"/api/v1/papers/{paper.id}/coverage", headers=coordinator).get_json()
    unaddressed = [item["code"] for item in coverage["unaddressed_items"]]
    assert "REC2021.P7" not in unaddressed
    assert "REC2021.P3" in unaddressed and "CONV2005.GP1" in unaddressed
    assert coverage["conflicts"] == [
        {
            "section": {
                "id": paper.by_number["4.3"].id,
                "number": "4.3",
                "title_en": "Bias in AI algorithms",
                "title_fr": paper.by_number["4.3"].title_fr,
            },
            "item": "REC2021.P3",
            "decision_id": coverage["conflicts"][0]["decision_id"],
            "rationale": "Section 4.3 argues bias is acceptable in curation.",
            "decided_by": {
                "id": paper.people[Role.COORDINATOR].id,
                "name": paper.people[Role.COORDINATOR].name,
                "sector": "CLT",
            },
            "decided_at": coverage["conflicts"][0]["decided_at"],
        }
    ]
    undecided = [s["number"] for s in coverage["sections_without_decisions"]]
    assert "3.4" not in undecided and "4.3" not in undecided and "1" in undecided
    expected = {e["section"]["number"]: e["items"] for e in coverage["expected_without_decision"]}
    assert expected["3.4"] == ["REC2021.PA7", "REC2021.P9"]  # P7 has its decision now
    assert expected["4.3"] == ["REC2021.V3", "REC2021.PA6"]


def test_the_history_keeps_superseded_decisions(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    museums = paper.by_number["3.4"]
    ids = [
        _decide(client, coordinator, museums, status=status, rationale=why).get_json()["id"]
        for status, why in [
            ("gap", "Silent on it."),
            ("partial", "Mentioned."),
            ("aligned", "Covered."),
        ]
    ]
    history = client.get(f"/api/v1/sections/{museums.id}/alignments", headers=coordinator)
    assert [
        (d["id"], d["status"], d["current"], d["superseded_by"]) for d in history.get_json()
    ] == [
        (ids[0], "gap", False, ids[1]),
        (ids[1], "partial", False, ids[2]),
        (ids[2], "aligned", True, None),
    ]
    filtered = client.get(
        f"/api/v1/sections/{museums.id}/alignments?item=REC2021.P9", headers=coordinator
    )
    assert filtered.get_json() == []


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OBSERVER, Role.SIGNATORY])
def test_reviewers_observers_and_signatories_cannot_decide(client, paper, token_for, role):
    museums = paper.by_number["3.4"]
    response = _decide(client, _as(paper, role, token_for), museums)
    assert response.status_code == 403
    assert response.get_json()["error"]["details"]["your_roles"] == [role]
    response = client.post(
        f"/api/v1/papers/{paper.id}/alignments",
        json={"item_code": "REC2021.P7", "status": "gap", "rationale": "No."},
        headers=_as(paper, role, token_for),
    )
    assert response.status_code == 403
    history = client.get(
        f"/api/v1/sections/{museums.id}/alignments", headers=_as(paper, role, token_for)
    )
    assert history.status_code == 200 and history.get_json() == []


def test_the_lead_author_decides_on_their_section_only(client, paper, token_for):
    author = _as(paper, Role.AUTHOR, token_for)
    assert _decide(client, author, paper.by_number["3.4"]).status_code == 201
    refused = _decide(client, author, paper.by_number["3.5"])
    assert refused.status_code == 403
    assert "lead author" in refused.get_json()["error"]["message"]


def test_outsiders_see_nothing(client, paper, token_for, create_user):
    outsider = token_for(create_user("SC"))
    assert _decide(client, outsider, paper.by_number["3.4"]).status_code == 404
    assert (
        client.get(f"/api/v1/papers/{paper.id}/alignment-matrix", headers=outsider).status_code
        == 404
    )
    assert client.get(f"/api/v1/papers/{paper.id}/coverage", headers=outsider).status_code == 404


def test_an_item_outside_the_papers_frameworks_is_a_422_naming_them(client, paper, token_for):
    response = _decide(
        client,
        _as(paper, Role.COORDINATOR, token_for),
        paper.by_number["3.4"],
        item_code="OECD-AI.1.3",
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"]["frameworks"] == ["CONV2005@2005", "REC2021@2021"]
    assert "CONV2005@2005, REC2021@2021" in error["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rationale": None}, 400),
        ({"rationale": ""}, 400),
        ({"rationale": "   "}, 400),
        ({"status": "mostly"}, 400),
        ({"item_code": ""}, 400),
        ({"colour": "green"}, 400),
        ({"quote": {"prefix": "no exact"}}, 400),
        ({"quote": {"exact": "a passage that is not in the text"}}, 422),
        ({"comment_ids": [123456789]}, 422),
        ({"comment_ids": "12"}, 400),
    ],
    ids=lambda value: str(value),
)
def test_bad_decisions_are_refused_and_nothing_is_written(client, paper, token_for, body, status):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    museums = paper.by_number["3.4"]
    response = _decide(client, coordinator, museums, **body)
    assert response.status_code == status, response.get_json()
    assert set(response.get_json()["error"]) == {"code", "message", "details"}
    assert (
        client.get(f"/api/v1/sections/{museums.id}/alignments", headers=coordinator).get_json()
        == []
    )


def test_a_decision_answers_comments(client, paper, token_for):
    reviewer = paper.people[Role.REVIEWER]
    museums = paper.by_number["3.4"]
    comment = Comment(
        section_id=museums.id,
        revision_id=revisions.latest(museums.id).id,
        author_id=reviewer.id,
        sector_id=reviewer.sector_id,
        type="alignment",
        item_code="REC2021.P7",
        body="Say how visitors learn that a description was generated.",
    )
    session.add(comment)
    session.flush()
    response = _decide(
        client, _as(paper, Role.COORDINATOR, token_for), museums, comment_ids=[comment.id]
    )
    assert response.status_code == 201
    assert response.get_json()["comment_ids"] == [comment.id]


def test_whole_paper_decisions(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    body = {"item_code": "REC2021.V3", "status": "aligned", "rationale": "Throughout."}
    response = client.post(f"/api/v1/papers/{paper.id}/alignments", json=body, headers=coordinator)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["section_id"] is None
    refused = client.post(
        f"/api/v1/papers/{paper.id}/alignments",
        json={**body, "quote": {"exact": "Throughout"}},
        headers=coordinator,
    )
    assert refused.status_code == 400  # a quote belongs to a section's text
    author = client.post(
        f"/api/v1/papers/{paper.id}/alignments",
        json=body,
        headers=_as(paper, Role.AUTHOR, token_for),
    )
    assert author.status_code == 403

    listed = client.get(f"/api/v1/papers/{paper.id}/alignments", headers=coordinator).get_json()
    assert [(d["item"]["code"], d["current"]) for d in listed] == [("REC2021.V3", True)]
    matrix = client.get(f"/api/v1/papers/{paper.id}/alignment-matrix", headers=coordinator)
    assert matrix.get_json()["whole_paper"]["cells"]["REC2021.V3"] == "aligned"
    coverage = client.get(f"/api/v1/papers/{paper.id}/coverage", headers=coordinator).get_json()
    assert "REC2021.V3" not in [item["code"] for item in coverage["unaddressed_items"]]


def test_the_matrix_filter_must_be_one_of_the_papers_frameworks(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    conv = client.get(
        f"/api/v1/papers/{paper.id}/alignment-matrix?framework=CONV2005@2005", headers=coordinator
    ).get_json()
    assert [item["code"] for item in conv["items"]] == [f"CONV2005.GP{n}" for n in range(1, 9)]
    response = client.get(
        f"/api/v1/papers/{paper.id}/alignment-matrix?framework=OECD-AI", headers=coordinator
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["frameworks"] == [
        "CONV2005@2005",
        "REC2021@2021",
    ]


def test_choose_the_papers_frameworks(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    url = f"/api/v1/papers/{paper.id}/frameworks"
    response = client.put(url, json={"frameworks": ["REC2021"]}, headers=coordinator)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["frameworks"] == ["REC2021@2021"]
    matrix = client.get(f"/api/v1/papers/{paper.id}/alignment-matrix", headers=coordinator)
    assert [f["code"] for f in matrix.get_json()["frameworks"]] == ["REC2021"]
    refused = _decide(client, coordinator, paper.by_number["3.4"], item_code="CONV2005.GP1")
    assert refused.status_code == 422

    unknown = client.put(url, json={"frameworks": ["OECD-AI@2024"]}, headers=coordinator)
    assert unknown.status_code == 400
    assert "REC2021@2021" in unknown.get_json()["error"]["details"]["frameworks"]
    assert (
        client.put(url, json={"frameworks": ["REC 2021"]}, headers=coordinator).status_code == 400
    )
    forbidden = client.put(
        url, json={"frameworks": ["CONV2005"]}, headers=_as(paper, Role.AUTHOR, token_for)
    )
    assert forbidden.status_code == 403
    activity = client.get(f"/api/v1/papers/{paper.id}/activity", headers=coordinator).get_json()
    changed = [a for a in activity if a["action"] == "paper.frameworks_changed"]
    assert [(a["before"], a["after"]) for a in changed] == [
        ({"frameworks": ["CONV2005@2005", "REC2021@2021"]}, {"frameworks": ["REC2021@2021"]})
    ]


def test_position_decisions(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    ip = paper.by_number["4.5"]
    body = {
        "question": "How far should the paper endorse text-and-data-mining exceptions?",
        "options": ["Endorse broad exceptions", "Endorse with an opt-out", "Stay silent"],
        "decision": "Endorse exceptions with an opt-out for rights holders.",
        "rationale": "CLT and legal affairs agreed creators need a say; SHS accepted.",
        "sectors": ["CLT", "SHS", "LA"],
        "comment_ids": [],
        "section_id": ip.id,
    }
    url = f"/api/v1/papers/{paper.id}/position-decisions"
    response = client.post(url, json=body, headers=coordinator)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["sectors"] == ["CLT", "LA", "SHS"]
    assert made["decided_by"]["id"] == paper.people[Role.COORDINATOR].id
    assert {key: made[key] for key in body if key != "sectors"} == {
        key: value for key, value in body.items() if key != "sectors"
    }
    general = client.post(
        url, json={**body, "section_id": None, "question": "Name companies?"}, headers=coordinator
    )
    assert general.status_code == 201

    listed = client.get(url, headers=_as(paper, Role.OBSERVER, token_for)).get_json()
    assert [d["question"] for d in listed] == [body["question"], "Name companies?"]
    for_section = client.get(f"/api/v1/sections/{ip.id}/position-decisions", headers=coordinator)
    assert [d["id"] for d in for_section.get_json()] == [made["id"]]

    for role in (Role.AUTHOR, Role.REVIEWER, Role.SIGNATORY, Role.OBSERVER):
        assert client.post(url, json=body, headers=_as(paper, role, token_for)).status_code == 403
    for bad in ({"sectors": ["NOPE"]}, {"options": []}, {"question": ""}, {"rationale": None}):
        assert client.post(url, json={**body, **bad}, headers=coordinator).status_code == 400
    assert len(client.get(url, headers=coordinator).get_json()) == 2


def test_every_decision_is_in_the_activity_log(client, paper, token_for):
    coordinator = _as(paper, Role.COORDINATOR, token_for)
    decision = _decide(client, coordinator, paper.by_number["3.4"]).get_json()
    activity = client.get(f"/api/v1/papers/{paper.id}/activity", headers=coordinator).get_json()
    entry = next(a for a in activity if a["action"] == "alignment.decided")
    assert entry["target_type"] == "alignmentdecision"
    assert entry["target_id"] == decision["id"]
    assert entry["after"]["item"] == "REC2021.P7"
    assert entry["after"]["status"] == "aligned"


def test_the_openapi_document_describes_alignment(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, methods in {
        "/api/v1/sections/{section_id}/alignments": {"get", "post"},
        "/api/v1/papers/{paper_id}/alignments": {"get", "post"},
        "/api/v1/papers/{paper_id}/alignment-matrix": {"get"},
        "/api/v1/papers/{paper_id}/coverage": {"get"},
        "/api/v1/papers/{paper_id}/position-decisions": {"get", "post"},
        "/api/v1/sections/{section_id}/position-decisions": {"get"},
        "/api/v1/papers/{paper_id}/frameworks": {"put"},
    }.items():
        assert methods <= set(spec["paths"][path]), path
    decision_in = spec["components"]["schemas"]["SectionAlignmentIn"]
    assert set(decision_in["required"]) == {"item_code", "status", "rationale"}
