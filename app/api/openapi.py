"""The OpenAPI document says what the API really answers.

Every error the API sends has one shape, `{"error": {"code", "message", "details"}}`
(app/api/errors.py); each operation lists the statuses it can answer with that shape, and a
download lists the media types of the files it sends rather than `application/octet-stream`.
"""

from __future__ import annotations

from app.services.exports import MEDIA_TYPES
from app.services.rounds import MATRIX_MEDIA_TYPES

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "a stable reason, e.g. not_found"},
                "message": {"type": "string", "description": "a sentence for a person"},
                "details": {"description": "what the client may need: fields, limits"},
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "The request is malformed (a field, the JSON, its nesting)",
    "401": "A valid bearer token is required",
    "403": "The user may not do this",
    "404": "Not found (or not visible to this user)",
    "409": "The state has moved on (a stale base, a frozen record)",
    "413": "The request body is too large",
    "422": "Well-formed, but cannot be accepted (including text with NUL bytes)",
    "429": "Too many requests; retry after Retry-After seconds",
}
# Every operation may meet these; a write also meets the others.
READ_ERRORS = ("400", "401", "403", "404", "422", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "422", "429")
# A download can also find its file changed on disk (409).
DOWNLOAD_ERRORS = ("400", "401", "403", "404", "409", "422", "429")

# A paginated list (app/api/pagination.py) names its next page in these headers.
PAGE_HEADERS = {
    "Link": {
        "description": 'the next page, as <URL>; rel="next" (absent on the last page)',
        "schema": {"type": "string"},
    },
    "X-Next-Cursor": {
        "description": "the cursor of the next page, to pass as `after`",
        "schema": {"type": "string"},
    },
}

_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _media(types) -> dict:
    return {str(media).split(";")[0]: _BINARY for media in types}


def _file_types(path: str) -> dict | None:
    """The media types a download path answers with (None: a JSON operation)."""
    if path.endswith("/download"):
        return _media(MEDIA_TYPES.values())
    if path.endswith("/matrix") or path.endswith("/comment-matrix"):
        return _media(MATRIX_MEDIA_TYPES.values())
    return None


def complete(spec: dict) -> dict:
    """Fill in each operation's error statuses and each download's media types."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in spec.get("paths", {}).items():
        files = _file_types(path)
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            if method == "get":
                statuses = DOWNLOAD_ERRORS if files else READ_ERRORS
            else:
                statuses = WRITE_ERRORS
            for status in statuses:
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response["content"] = error
                    response.setdefault("description", DESCRIPTIONS.get(status, "Error"))
            if method == "get" and any(
                p.get("name") == "after" and p.get("in") == "query"
                for p in operation.get("parameters", [])
            ):
                responses.setdefault("200", {}).setdefault("headers", {}).update(PAGE_HEADERS)
            if files is None:
                continue
            ok = responses.get("200", {})
            if path.endswith("/download"):
                ok["content"] = files
            else:  # the matrix: JSON by default, a file with format=csv or docx
                ok["content"] = {**ok.get("content", {}), **files}
    return spec
