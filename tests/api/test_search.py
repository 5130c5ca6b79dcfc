"""GET /api/v1/search: the results' shape, the reader's scope, the filters, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session
from app.models import Role, Section
from app.services import reviews, revisions, users

TEXT = (
    "Museums digitise their collections, and the rights of source communities travel "
    "with every digitised object."
)


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    current = revisions.latest(section.id)
    revisions.save_revision(
        section,
        paper.people[Role.COORDINATOR],
        body=TEXT,
        base_revision_id=current.id if current else None,
    )
    paper.section = section
    paper.comment = reviews.create_comment(
        section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(body="Which source communities were asked?", type="substantive"),
    )
    return paper


def test_results_have_kind_link_snippet_and_score(client, paper, token_for):
    reader = paper.people[Role.OBSERVER]
    response = client.get(
        f"/api/v1/search?q=source+communities&paper_id={paper.id}", headers=token_for(reader)
    )
    assert response.status_code == 200, response.json
    body = response.json
    by_source = {hit["source"]: hit for hit in body["results"]}
    assert set(by_source) == {"section", "comment"}
    assert body["total"] == 2
    section, comment = by_source["section"], by_source["comment"]
    assert section["kind"] == "section" and section["id"] == paper.section.id
    assert section["link"].endswith(f"/sections/{paper.section.id}")
    assert section["section"]["number"] == "3.4"
    assert "<mark>communities</mark>" in section["snippet"]
    assert comment["kind"] == "comment" and comment["status"] == "open"
    assert comment["link"].endswith(f"/sections/{paper.section.id}#comment-{paper.comment.id}")
    assert comment["sector"] == "SHS"
    assert comment["author"]["id"] == paper.people[Role.REVIEWER].id
    assert comment["title"] == f"Comment {paper.comment.id} on 3.4 {section['section']['title']}"
    assert all(hit["score"] > 0 for hit in body["results"])
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == {
        "section": 1,
        "comment": 1,
    }
    assert {f["value"] for f in body["facets"]["sector"]} == {"CLT", "SHS"}


def test_filters(client, paper, token_for):
    headers = token_for(paper.people[Role.OBSERVER])
    base = f"/api/v1/search?q=source+communities&paper_id={paper.id}"
    kinds = client.get(base + "&kind=comment", headers=headers).json
    assert [hit["source"] for hit in kinds["results"]] == ["comment"]
    sector = client.get(base + "&sector=shs", headers=headers).json
    assert [hit["source"] for hit in sector["results"]] == ["comment"]
    author = client.get(base + f"&author={paper.people[Role.COORDINATOR].id}", headers=headers).json
    assert [hit["source"] for hit in author["results"]] == ["section"]
    section = client.get(base + f"&section_id={paper.section.id}", headers=headers).json
    assert section["total"] == 2
    assert client.get(base + "&kind=decision", headers=headers).json["results"] == []


def test_a_non_member_never_sees_the_paper(client, paper, token_for, create_user):
    outsider = create_user("SC")
    headers = token_for(outsider)
    everywhere = client.get("/api/v1/search?q=communities", headers=headers)
    assert everywhere.status_code == 200 and everywhere.json["results"] == []
    assert everywhere.json["total"] == 0
    one = client.get(f"/api/v1/search?q=communities&paper_id={paper.id}", headers=headers)
    assert one.status_code == 404
    assert one.json["error"]["code"] == "not_found"


def test_a_disabled_reader_is_refused(client, paper, token_for, create_user):
    reader = paper.people[Role.OBSERVER]
    headers = token_for(reader)
    users.set_active(reader, False, actor=create_user("CLT", admin=True))
    assert client.get("/api/v1/search?q=communities", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=",
        "?q=museum&kind=everything",
        "?q=museum&limit=0",
        "?q=museum&paper_id=x",
        "?q=" + "m" * 201,
    ],
)
def test_bad_input_is_a_400_naming_it(client, paper, token_for, query):
    response = client.get(f"/api/v1/search{query}", headers=token_for(paper.people[Role.OBSERVER]))
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"]


def test_activity_filters_and_cursor(client, paper, token_for):
    reviewer = paper.people[Role.REVIEWER]
    coordinator = paper.people[Role.COORDINATOR]
    reviews.reply(paper.comment, coordinator, f"Thanks @{reviewer.name}, see the annex.")
    headers = token_for(reviewer)
    base = f"/api/v1/papers/{paper.id}/activity"
    section = client.get(f"{base}?section_id={paper.section.id}", headers=headers)
    actions = [e["action"] for e in section.json]
    # The template's opening text and ours, the comment, its reply.
    assert actions == ["comment.replied", "comment.created", "revision.saved", "revision.saved"]
    first = client.get(f"{base}?section_id={paper.section.id}&limit=2", headers=headers)
    assert [e["action"] for e in first.json] == actions[:2]
    cursor = first.headers["X-Next-Cursor"]
    assert 'rel="next"' in first.headers["Link"] and "section_id=" in first.headers["Link"]
    rest = client.get(
        f"{base}?section_id={paper.section.id}&limit=2&before_id={cursor}", headers=headers
    )
    assert [e["action"] for e in rest.json] == ["revision.saved", "revision.saved"]
    assert "X-Next-Cursor" not in rest.headers  # the last page
    about = client.get(f"{base}?about_me=true", headers=headers).json
    assert [e["action"] for e in about] == ["comment.replied"]
    by_shs = client.get(f"{base}?sector=SHS", headers=headers).json
    assert {e["actor"]["id"] for e in by_shs} == {reviewer.id}
    kinds = client.get(f"{base}?action=comment.created&action=revision.saved", headers=headers).json
    assert {e["action"] for e in kinds} == {"comment.created", "revision.saved"}
    refused = client.get(f"{base}?action=comment.eaten", headers=headers)
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "unknown_actions"


def test_news_since_my_visit(client, paper, token_for):
    reader = paper.people[Role.OBSERVER]
    headers = token_for(reader)
    section = paper.section
    assert client.post(f"/api/v1/sections/{section.id}/visit", headers=headers).status_code == 204
    seen = revisions.latest(section.id)

    def mine():
        rows = client.get(f"/api/v1/papers/{paper.id}/news", headers=headers).json
        return next(row for row in rows if row["section_id"] == section.id)

    assert mine()["visited"] and not mine()["text_changed"]
    revisions.save_revision(
        section, paper.people[Role.COORDINATOR], body=TEXT + " More.", base_revision_id=seen.id
    )
    row = mine()
    assert row["text_changed"] and row["seen_revision_id"] == seen.id
    assert row["new_revisions"] == 1 and row["new_comments"] == 0
    latest = revisions.latest(section.id)
    diff = client.get(
        f"/api/v1/sections/{section.id}/diff?from={row['seen_revision_id']}&to={latest.id}",
        headers=headers,
    ).json
    assert [op["text"] for op in diff["ops"] if op["op"] == "insert"] == [" More."]
    client.post(f"/api/v1/sections/{section.id}/visit", headers=headers)
    assert not mine()["text_changed"]
