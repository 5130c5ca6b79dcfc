"""No 500 on bad input: the security review's reproducers, each answered with a clear 4xx."""

from __future__ import annotations

import io

import docx
import pytest

from app.export import comment_matrix_docx
from app.models import Role
from app.services import versions


@pytest.fixture
def paper(create_paper):
    return create_paper()


@pytest.fixture
def headers(paper, token_for):
    return token_for(paper.people[Role.COORDINATOR])


def _section_id(client, paper, headers) -> int:
    return client.get(f"/api/v1/papers/{paper.id}/sections", headers=headers).get_json()[0]["id"]


@pytest.mark.parametrize("big", [2**31, 2**63, 10**21])
def test_ids_beyond_the_database_range_are_not_found(client, paper, headers, big):
    for path in (f"/api/v1/papers/{big}", f"/api/v1/comments/{big}", f"/api/v1/exports/{big}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    # In a body or a query too.
    response = client.post(
        f"/api/v1/papers/{paper.id}/versions",
        json={"label": "v1"},
        headers=headers,
    )
    version = response.get_json()["id"]
    response = client.post(
        f"/api/v1/versions/{version}/exports",
        json={"format": "docx", "redline_against": big},
        headers=headers,
    )
    assert response.status_code in (404, 422), response.get_json()
    response = client.get(f"/api/v1/search?q=museum&paper_id={big}", headers=headers)
    assert response.status_code in (400, 404), response.get_json()


@pytest.mark.parametrize(
    ("text", "what"), [("Museums\x00", "a NUL byte"), ("Archives \ud800", "a lone surrogate")]
)
def test_nul_bytes_and_lone_surrogates_are_refused_naming_the_field(
    client, paper, headers, text, what
):
    section_id = _section_id(client, paper, headers)
    latest = client.get(f"/api/v1/sections/{section_id}/revisions", headers=headers).get_json()
    base = latest[-1]["id"] if latest else None
    response = client.post(
        f"/api/v1/sections/{section_id}/revisions",
        json={"body": text, "base_revision_id": base, "summary": "ok"},
        headers=headers,
    )
    assert response.status_code == 422, what
    error = response.get_json()["error"]
    assert error["code"] == "text_forbidden_character"
    assert error["details"] == {"field": "body"}
    assert "“body”" in error["message"]
    response = client.post("/api/v1/papers", json={"title": text}, headers=headers)
    assert response.get_json()["error"]["details"] == {"field": "title"}
    if "\x00" in text:  # a URL cannot carry a lone surrogate (%ED%A0%80 decodes to U+FFFD)
        response = client.get("/api/v1/search", query_string={"q": text}, headers=headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"] == {"field": "q"}


def test_deeply_nested_json_is_a_400(client, paper, headers):
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post(
            "/api/v1/papers", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "json_too_deep"


def test_a_chunked_body_over_the_limit_is_a_413(client, app, headers):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/papers",
        input_stream=io.BytesIO(b'{"title": "' + b"x" * (limit + 10) + b'"}'),
        headers={**headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_base={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_a_405_says_which_methods_are_allowed(client, headers):
    response = client.delete("/api/v1/papers", headers=headers)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_404_tells_a_non_member_nothing(client, paper, create_user, token_for, db):
    outsider = token_for(create_user("CI", name="Olga Outsider"))
    section_id = _section_id(client, paper, token_for(paper.people[Role.COORDINATOR]))
    for path in (f"/api/v1/sections/{section_id}", f"/api/v1/papers/{paper.id}"):
        response = client.get(path, headers=outsider)
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "Not found."


def test_markdown_and_csv_downloads_have_one_charset(client, paper, headers):
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v1")
    from app import worker

    queued = client.post(
        f"/api/v1/versions/{version.id}/exports", json={"format": "md"}, headers=headers
    ).get_json()
    worker.run_burst(client.application, include_periodic=False)
    made = client.get(queued["url"], headers=headers).get_json()
    assert made["status"] == "ready", made
    with client.get(made["download_url"], headers=headers) as response:
        assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    response = client.get(f"/api/v1/papers/{paper.id}/comment-matrix?format=csv", headers=headers)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_a_paper_title_longer_than_a_docx_property_still_exports_the_matrix():
    title = "Artificial intelligence and culture " * 10  # 360 characters
    data = comment_matrix_docx([], title, "en")
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == title[:255]
    assert title.strip() in "\n".join(p.text for p in document.paragraphs)


def test_the_openapi_document_lists_errors_and_real_media_types(client, headers):
    spec = client.get("/api/v1/openapi.json").get_json()
    download = spec["paths"]["/api/v1/exports/{export_id}/download"]["get"]["responses"]
    assert set(download["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
        "text/markdown",
    }
    assert "409" in download
    create = spec["paths"]["/api/v1/sections/{section_id}/comments"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(create)
    error = create["422"]["content"]["application/json"]["schema"]["$ref"]
    assert error == "#/components/schemas/Error"
