"""Bad input gets a clear JSON error with the right status, never a 500."""

from __future__ import annotations

from app.models import Role
from app.services import sections as paper_sections


def test_no_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_malformed_json_is_400(client, create_user, token_for):
    response = client.post(
        "/api/v1/papers",
        data="{not json",
        content_type="application/json",
        headers=token_for(create_user()),
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_validation_error_names_the_field(client, create_user, token_for):
    response = client.post(
        "/api/v1/papers",
        json={"title": "x", "language": "de", "colour": "red"},
        headers=token_for(create_user()),
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "language" in error["message"]
    assert "colour" in error["message"]


def test_wrong_types_are_400_not_500(client, create_paper, token_for):
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    headers = token_for(coordinator)
    section_id = paper_sections.list_sections(paper.id, coordinator)[0].section.id
    for body in ([1, 2], "text", {"due_date": "tomorrow"}, {"lead_author_id": "me"}):
        response = client.patch(f"/api/v1/sections/{section_id}", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["message"]


def test_body_over_the_limit_is_413(client, app, create_user, token_for):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/api/v1/papers",
        data=b'{"title": "' + b"x" * limit + b'"}',
        content_type="application/json",
        headers=token_for(create_user()),
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_unknown_route_and_method_are_json(client, create_user, token_for):
    headers = token_for(create_user())
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/papers", headers=headers)
    assert wrong.status_code == 405
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_document_comes_from_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    revision_post = spec["paths"]["/api/v1/sections/{section_id}/revisions"]["post"]
    schema_ref = revision_post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"body", "base_revision_id"}
    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/me"]["get"]["security"] == [{"BearerAuth": []}]
