"""The OpenAPI document's links lead from what a response gives back to what can be done next."""

from __future__ import annotations

import re


def _links(spec: dict) -> dict[tuple[str, str], dict]:
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for response in operation.get("responses", {}).values():
                for name, link in response.get("links", {}).items():
                    found[(f"{method.upper()} {path}", name)] = link
    return found


def _target(spec: dict, ref: str) -> tuple[str, str, dict]:
    _, _, pointer = ref.partition("#/paths/")
    escaped, _, method = pointer.rpartition("/")
    path = escaped.replace("~1", "/").replace("~0", "~")
    return path, method, spec["paths"][path][method]


def test_every_link_names_a_served_operation_and_fills_its_path(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    links = _links(spec)
    assert len(links) > 60
    for (source, name), link in links.items():
        path, method, _operation = _target(spec, link["operationRef"])
        wanted = set(re.findall(r"{(\w+)}", path))
        given = set(link.get("parameters", {}))
        assert wanted <= given, f"{source} {name} → {method.upper()} {path} lacks {wanted - given}"
        for expression in [
            *link.get("parameters", {}).values(),
            *link.get("requestBody", {}).values(),
        ]:
            assert expression.startswith(("$response.body#/", "$request.path.")), expression


def test_the_chains_the_issue_names_are_linked(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    pairs = {
        (source, _target(spec, link["operationRef"])[:2])
        for (source, _), link in _links(spec).items()
    }
    expected = [
        ("POST /api/v1/papers", ("/api/v1/papers/{paper_id}/sections", "get")),
        (
            "GET /api/v1/papers/{paper_id}/sections",
            ("/api/v1/sections/{section_id}/revisions", "post"),
        ),
        (
            "GET /api/v1/papers/{paper_id}/sections",
            ("/api/v1/sections/{section_id}/comments", "post"),
        ),
        ("POST /api/v1/sections/{section_id}/comments", ("/api/v1/comments/{comment_id}", "patch")),
        (
            "POST /api/v1/sections/{section_id}/comments",
            ("/api/v1/comments/{comment_id}/replies", "post"),
        ),
        ("POST /api/v1/papers/{paper_id}/rounds", ("/api/v1/rounds/{round_id}", "patch")),
        ("POST /api/v1/papers/{paper_id}/rounds", ("/api/v1/rounds/{round_id}/completion", "post")),
        (
            "POST /api/v1/papers/{paper_id}/versions",
            ("/api/v1/versions/{version_id}/exports", "post"),
        ),
        (
            "POST /api/v1/papers/{paper_id}/versions",
            ("/api/v1/versions/{version_id}/positions", "post"),
        ),
        ("POST /api/v1/versions/{version_id}/exports", ("/api/v1/export-jobs/{job_id}", "get")),
    ]
    for pair in expected:
        assert pair in pairs, pair
