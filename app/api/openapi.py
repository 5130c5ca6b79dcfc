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

_API = "/api/v1"
_ID = "$response.body#/id"
_FIRST = "$response.body#/0/id"  # a list's first row


def _ref(method: str, path: str) -> str:
    """An operationRef: a JSON pointer to the operation in this document."""
    escaped = (_API + path).replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method}"


def _to(name: str, method: str, path: str, body: dict | None = None, **parameters: str) -> tuple:
    """A link to `method path`, its path parameters and body fields taken from the response."""
    return name, method, path, parameters, body


# From what a response gives back to what a client does next with it (OpenAPI links):
# create → read/update/delete, a list → its first row. Schemathesis follows them to build
# stateful sequences (tests/fuzz/test_schemathesis.py); a client can read them as a map.
def _paper(expression: str) -> list[tuple]:
    return [
        _to("GetPaper", "get", "/papers/{paper_id}", paper_id=expression),
        _to("ListSections", "get", "/papers/{paper_id}/sections", paper_id=expression),
        _to("ListRounds", "get", "/papers/{paper_id}/rounds", paper_id=expression),
        _to("OpenRound", "post", "/papers/{paper_id}/rounds", paper_id=expression),
        _to("ListVersions", "get", "/papers/{paper_id}/versions", paper_id=expression),
        _to("FreezeVersion", "post", "/papers/{paper_id}/versions", paper_id=expression),
        _to("Activity", "get", "/papers/{paper_id}/activity", paper_id=expression),
        _to("CommentMatrix", "get", "/papers/{paper_id}/comment-matrix", paper_id=expression),
    ]


def _section(expression: str) -> list[tuple]:
    return [
        _to("GetSection", "get", "/sections/{section_id}", section_id=expression),
        _to("EditSection", "patch", "/sections/{section_id}", section_id=expression),
        _to("ListRevisions", "get", "/sections/{section_id}/revisions", section_id=expression),
        _to("SaveRevision", "post", "/sections/{section_id}/revisions", section_id=expression),
        _to("ListComments", "get", "/sections/{section_id}/comments", section_id=expression),
        _to("Comment", "post", "/sections/{section_id}/comments", section_id=expression),
        _to("Diff", "get", "/sections/{section_id}/diff", section_id=expression),
    ]


def _comment(expression: str) -> list[tuple]:
    return [
        _to("GetComment", "get", "/comments/{comment_id}", comment_id=expression),
        _to("EditComment", "patch", "/comments/{comment_id}", comment_id=expression),
        _to("Reply", "post", "/comments/{comment_id}/replies", comment_id=expression),
        _to("Resolve", "post", "/comments/{comment_id}/resolution", comment_id=expression),
        _to("Reopen", "post", "/comments/{comment_id}/reopen", comment_id=expression),
    ]


def _round(expression: str) -> list[tuple]:
    return [
        _to("GetRound", "get", "/rounds/{round_id}", round_id=expression),
        _to("EditRound", "patch", "/rounds/{round_id}", round_id=expression),
        _to("Complete", "post", "/rounds/{round_id}/completion", round_id=expression),
        _to("Matrix", "get", "/rounds/{round_id}/matrix", round_id=expression),
        _to("CloseRound", "post", "/rounds/{round_id}/close", round_id=expression),
    ]


def _version(expression: str) -> list[tuple]:
    return [
        _to("GetVersion", "get", "/versions/{version_id}", version_id=expression),
        _to("ListExports", "get", "/versions/{version_id}/exports", version_id=expression),
        _to("Export", "post", "/versions/{version_id}/exports", version_id=expression),
        _to("ListPositions", "get", "/versions/{version_id}/positions", version_id=expression),
        _to("RecordPosition", "post", "/versions/{version_id}/positions", version_id=expression),
    ]


def _job(expression: str) -> list[tuple]:
    return [_to("PollJob", "get", "/export-jobs/{job_id}", job_id=expression)]


def _export(expression: str) -> list[tuple]:
    return [
        _to("GetExport", "get", "/exports/{export_id}", export_id=expression),
        _to("Download", "get", "/exports/{export_id}/download", export_id=expression),
    ]


LINKS: dict[tuple[str, str, str], list[tuple]] = {
    ("get", "/papers", "200"): _paper(_FIRST),
    ("post", "/papers", "201"): _paper(_ID),
    ("get", "/papers/{paper_id}", "200"): _paper(_ID),
    ("get", "/papers/{paper_id}/sections", "200"): _section(_FIRST),
    ("get", "/sections/{section_id}", "200"): _section(_ID),
    ("get", "/sections/{section_id}/revisions", "200"): [
        # the oldest revision: the base of a first edit of a section that has one
        _to(
            "SaveRevision",
            "post",
            "/sections/{section_id}/revisions",
            body={"base_revision_id": _FIRST},
            section_id="$request.path.section_id",
        ),
    ],
    ("post", "/sections/{section_id}/revisions", "201"): [
        *_section("$response.body#/section_id"),
        _to(
            "SaveOnTop",
            "post",
            "/sections/{section_id}/revisions",
            body={"base_revision_id": _ID},
            section_id="$response.body#/section_id",
        ),
    ],
    ("get", "/sections/{section_id}/comments", "200"): _comment(_FIRST),
    ("post", "/sections/{section_id}/comments", "201"): _comment(_ID),
    ("post", "/comments/{comment_id}/replies", "201"): _comment(_ID),
    ("get", "/papers/{paper_id}/rounds", "200"): _round(_FIRST),
    ("post", "/papers/{paper_id}/rounds", "201"): _round(_ID),
    ("post", "/rounds/{round_id}/completion", "201"): [
        _to(
            "Withdraw",
            "delete",
            "/rounds/{round_id}/completion/{sector}",
            round_id="$request.path.round_id",
            sector="$response.body#/sector",
        ),
        _to("GetRound", "get", "/rounds/{round_id}", round_id="$request.path.round_id"),
    ],
    ("get", "/papers/{paper_id}/versions", "200"): [
        *_version(_FIRST),
        _to(
            "OpenRoundOnIt",
            "post",
            "/papers/{paper_id}/rounds",
            body={"version_id": _FIRST},
            paper_id="$request.path.paper_id",
        ),
    ],
    ("post", "/papers/{paper_id}/versions", "201"): [
        *_version(_ID),
        _to(
            "OpenRoundOnIt",
            "post",
            "/papers/{paper_id}/rounds",
            body={"version_id": _ID},
            paper_id="$response.body#/paper_id",
        ),
    ],
    ("get", "/versions/{version_id}", "200"): [
        _to(
            "RecordPositionOnIt",
            "post",
            "/versions/{version_id}/positions",
            body={"version_sha256": "$response.body#/sha256"},
            version_id=_ID,
        ),
    ],
    ("post", "/versions/{version_id}/exports", "202"): _job(_ID),
    ("get", "/export-jobs/{job_id}", "200"): _export("$response.body#/export_id"),
    ("get", "/versions/{version_id}/exports", "200"): _export(_FIRST),
}


def _links(spec: dict) -> None:
    """Attach LINKS to the responses they start from (only to operations the app serves)."""
    paths = spec.get("paths", {})
    for (method, path, status), targets in LINKS.items():
        response = paths.get(_API + path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        links = response.setdefault("links", {})
        for name, target_method, target_path, parameters, body in targets:
            if target_method not in paths.get(_API + target_path, {}):
                continue
            links[name] = {"operationRef": _ref(target_method, target_path)}
            if parameters:
                links[name]["parameters"] = parameters
            if body:  # fields a client fills from the response; the rest is its own
                links[name]["requestBody"] = body


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
    _links(spec)
    return spec
