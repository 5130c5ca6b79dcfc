"""Cursor pagination of every list endpoint: pages that join up into the whole list, a
Link to the next one, the same statements per page, and 400 for a cursor or a limit that
is not right; and the plain-row answers say what their schemas say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select

from app.api.pagination import DEFAULT_LIMIT, encode
from app.api.plain import comments_out, plain_json
from app.api.schemas.reviews import CommentOut
from app.db import session
from app.models import Comment, CommentReply, Export, Role, Section
from app.services import alignment, papers, position_decisions, reviews, revisions, rounds, signoff
from app.services import versions as version_service


@pytest.fixture
def filled(create_paper, freeze_for_signature):
    """A template paper with three of everything its lists list."""
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    for n in range(3):
        revisions.save_revision(
            section,
            coordinator,
            body=f"Museums describe collections, take {n}.",
            base_revision_id=revisions.latest(section.id).id,
            summary=f"take {n}",
        )
    reviewer = paper.people[Role.REVIEWER]
    for n in range(3):
        comment = reviews.create_comment(
            section, reviewer, reviews.NewComment(body=f"Comment {n}", type="editorial")
        )
        reviews.reply(comment, coordinator, f"Reply {n}")
    reviews.resolve(comment, coordinator, decision="noted", rationale="Seen.")
    items = alignment.alignment_matrix(paper).items[:3]
    for item in items:
        alignment.record_section_decision(
            section, coordinator, item_code=item.code, status="gap", rationale="Nothing yet."
        )
        alignment.record_paper_decision(
            paper, coordinator, item_code=item.code, status="partial", rationale="Some."
        )
    for n in range(3):
        position_decisions.record_position_decision(
            paper,
            coordinator,
            question=f"Question {n}?",
            options=["Yes", "No"],
            decision="Yes",
            rationale="Because.",
            sectors=["CLT"],
            section_id=section.id,
        )
    first = version_service.freeze_version(paper, coordinator, "v0.1")
    version_service.freeze_version(paper, coordinator, "v0.2")
    for n in range(3):
        rounds.open_round(
            paper,
            coordinator,
            version_id=first.id,
            sectors=["SHS"],
            deadline=datetime.now(UTC) + timedelta(days=n + 1),
        )
    version = freeze_for_signature(paper, "v1.0")
    for position in ("abstain", "no_objection", "approve"):
        signoff.record_position(version, paper.people[Role.SIGNATORY], position)
    session.execute(
        insert(Export),
        [
            {
                "version_id": version.id,
                "format": "md",
                "options": {"n": n},
                "path": f"x/{n}.md",
                "sha256": "0" * 64,
                "size": 1,
            }
            for n in range(3)
        ],
    )
    papers.create_paper(coordinator, title="A second paper", language="en")
    session.flush()
    paper.section, paper.version = section, version
    return paper


LISTS = [
    "/api/v1/papers/{paper}/sections",
    "/api/v1/sections/{section}/comments",
    "/api/v1/sections/{section}/revisions",
    "/api/v1/sections/{section}/alignments",
    "/api/v1/papers/{paper}/alignments",
    "/api/v1/papers/{paper}/position-decisions",
    "/api/v1/sections/{section}/position-decisions",
    "/api/v1/papers/{paper}/rounds",
    "/api/v1/papers/{paper}/versions",
    "/api/v1/versions/{version}/positions",
    "/api/v1/versions/{version}/exports",
    "/api/v1/papers/{paper}/news",
    "/api/v1/papers",
    "/api/v1/frameworks",
]


def _get(client, url, headers):
    """The response and the SQL statements it took."""
    session.expire_all()
    connection = session.connection()
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return response, len(seen)


@pytest.mark.parametrize("template", LISTS)
def test_pages_join_up_into_the_whole_list_in_as_many_statements_each(
    client, token_for, filled, template
):
    headers = token_for(filled.people[Role.COORDINATOR])
    url = template.format(paper=filled.id, section=filled.section.id, version=filled.version.id)
    whole, whole_statements = _get(client, url, headers)
    assert whole.status_code == 200, whole.get_json()
    everything = whole.get_json()
    assert "Link" not in whole.headers and len(everything) >= 2

    pages, statements, link = [], [], f"{url}?limit=1"
    while link:
        response, count = _get(client, link, headers)
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json())
        statements.append(count)
        link = response.headers.get("Link", "")
        if link:
            assert link.endswith('>; rel="next"')
            assert response.headers["X-Next-Cursor"] in link
            link = link[1 : link.index(">")].split("://", 1)[-1].partition("/")[2]
            link = "/" + link
    assert [len(p) for p in pages] == [1] * len(everything)
    assert [item for p in pages for item in p] == everything
    # A page costs what the whole list costs, whichever page it is.
    assert max(statements) <= whole_statements, (statements, whole_statements)
    assert len(set(statements)) == 1, statements


@pytest.mark.parametrize(
    "query,field",
    [
        ("limit=0", "limit"),
        (f"limit={DEFAULT_LIMIT + 1}", "limit"),
        ("limit=many", "limit"),
        ("after=%25%25%25", None),
        ("after=" + encode(["a", "b", "c"]), None),
        ("after=" + encode([True]), None),
    ],
    ids=["zero", "too-many", "not-a-number", "not-base64", "wrong-shape", "wrong-type"],
)
def test_a_bad_limit_or_cursor_is_a_400_naming_it(client, token_for, filled, query, field):
    headers = token_for(filled.people[Role.OBSERVER])
    for url in (
        f"/api/v1/sections/{filled.section.id}/comments",
        f"/api/v1/papers/{filled.id}/sections",
        f"/api/v1/papers/{filled.id}/rounds",
    ):
        response = client.get(f"{url}?{query}", headers=headers)
        assert response.status_code == 400, (url, response.get_json())
        error = response.get_json()["error"]
        if field:
            assert field in str(error["details"]), error
        else:
            assert error["code"] == "bad_cursor" and "first page" in error["message"]


def _sent(app, data):
    """What a client reads of `data` answered by plain_json."""
    import json

    with app.test_request_context():
        return json.loads(plain_json(data).get_data())


def test_the_plain_comment_rows_say_what_the_comment_schema_says(filled, app):
    import json

    section = filled.section
    objects = reviews.list_comments(section)
    rows = reviews.comment_rows(section)
    assert any(c.replies for c in objects) and any(c.resolutions for c in objects)
    plain = _sent(app, comments_out(rows))
    assert plain == json.loads(json.dumps(CommentOut(many=True).dump(objects)))


def test_the_comments_list_json_is_byte_for_byte_what_json_dumps_writes(filled, app):
    """The list's JSON, written by orjson from the rows, is what json.dumps makes of
    `comments_out`: same escaping (quotes, backslashes, control and non-ASCII characters),
    same keys in the same order, same nulls and booleans."""
    import json

    section, reviewer = filled.section, filled.people[Role.REVIEWER]
    revision = revisions.latest(section.id)
    tricky = 'Quote "this", a \\ backslash,\ttab,\nnewline, «guillemets» é \u2028 \x01 😀'
    session.add(
        Comment(
            section_id=section.id,
            revision_id=revision.id,
            author_id=reviewer.id,
            sector_id=reviewer.sector_id,
            type="editorial",
            body=tricky,
            proposed_text=tricky,
            status="open",
            quote_exact=None,
            quote_prefix="",
            quote_suffix="",
            orphaned=True,
        )
    )
    session.flush()
    rows = reviews.comment_rows(section)
    assert any(rows.replies.values()) and any(rows.history.values())
    with app.test_request_context():
        expected = json.dumps(
            comments_out(rows),
            default=lambda value: value.isoformat(),  # as marshmallow writes a timestamp
            ensure_ascii=False,
            separators=(",", ":"),
        )
        # plain_json (orjson) writes the same bytes as json.dumps would.
        assert plain_json(comments_out(rows)).get_data(as_text=True) == expected + "\n"


def test_plain_json_writes_what_json_dumps_writes(app):
    import json
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    data = {
        "text": 'Quote "this", a \\ backslash,\ttab,\nnewline, «é» \u2028 \x01 \x7f 😀',
        "when": datetime(2026, 11, 30, 13, 41, 58, 123456, tzinfo=UTC),
        "on_the_hour": datetime(2026, 11, 30, 13, 0, tzinfo=UTC),
        "naive": datetime(2026, 11, 30, 13, 41),
        # PostgreSQL's driver reads a timestamp in the session's zone, UTC, as a ZoneInfo.
        "zoned": datetime(2026, 11, 30, 13, 41, 58, 5, tzinfo=ZoneInfo("UTC")),
        "due": date(2026, 12, 7),
        "numbers": [0, -1, 2**53, 0.5, 1.25, None, True, False],
        1: "an int key",
        "nested": [{"a": []}, {}],
    }

    def iso(value):
        return value.isoformat()

    with app.test_request_context():
        written = plain_json(data).get_data(as_text=True)
    expected = json.dumps(data, default=iso, ensure_ascii=False, separators=(",", ":"))
    assert written == expected + "\n"


def test_listing_2000_comments_a_page_at_a_time_costs_the_same_on_every_page(
    client, token_for, filled
):
    section, reviewer = filled.section, filled.people[Role.REVIEWER]
    revision = revisions.latest(section.id)
    session.execute(
        insert(Comment),
        [
            {
                "section_id": section.id,
                "revision_id": revision.id,
                "author_id": reviewer.id,
                "sector_id": reviewer.sector_id,
                "type": "editorial",
                "body": f"Bulk {n}",
                "status": "open",
                "quote_prefix": "",
                "quote_suffix": "",
                "orphaned": False,
            }
            for n in range(2000)
        ],
    )
    ids = session.scalars(select(Comment.id).where(Comment.section_id == section.id)).all()
    session.execute(
        insert(CommentReply),
        [{"comment_id": i, "author_id": reviewer.id, "body": "Me too."} for i in ids[::3]],
    )
    headers = token_for(filled.people[Role.OBSERVER])
    url = f"/api/v1/sections/{section.id}/comments"
    small, small_count = _get(client, f"{url}?limit=10", headers)
    cursor = small.headers["X-Next-Cursor"]
    later, later_count = _get(client, f"{url}?limit=500&after={cursor}", headers)
    whole, whole_count = _get(client, url, headers)
    assert [len(small.get_json()), len(later.get_json()), len(whole.get_json())] == [
        10,
        500,
        len(ids),
    ]
    assert later.get_json()[0]["id"] == small.get_json()[-1]["id"] + 1 or (
        later.get_json()[0]["id"] > small.get_json()[-1]["id"]
    )
    assert small_count == later_count == whole_count


def test_papers_and_versions_cost_the_same_statements_however_many(
    client, token_for, filled, create_paper, freeze_for_signature
):
    from app.api.schemas import PaperOut

    coordinator = filled.people[Role.COORDINATOR]
    headers = token_for(coordinator)
    papers_url, versions_url = "/api/v1/papers", f"/api/v1/papers/{filled.id}/versions"
    _, few_papers = _get(client, papers_url, headers)
    few_versions_answer, few_versions = _get(client, versions_url, headers)

    # More papers, in every status, all of them the coordinator's; more versions, one of
    # them for signature with a position on it.
    others = [create_paper() for _ in range(3)]
    for other in others:
        papers.add_member(other, coordinator.email, "observer", actor=None)
    in_review = version_service.freeze_version(others[0], others[0].people[Role.COORDINATOR], "r")
    rounds.open_round(
        others[0],
        others[0].people[Role.COORDINATOR],
        version_id=in_review.id,
        sectors=["SHS"],
        deadline=datetime.now(UTC) + timedelta(days=3),
    )
    freeze_for_signature(others[1], "v1")
    for n in range(3):
        version_service.freeze_version(filled, coordinator, f"v2.{n}")
    newest = freeze_for_signature(filled, "v3.0")
    signoff.record_position(newest, filled.people[Role.SIGNATORY], "abstain")
    session.flush()

    many_papers_answer, many_papers = _get(client, papers_url, headers)
    many_versions_answer, many_versions = _get(client, versions_url, headers)
    assert (many_papers, many_versions) == (few_papers, few_versions)

    listed = many_papers_answer.get_json()
    assert len(listed) == 2 + 3
    assert {"drafting", "in_review", "in_signature"} <= {p["status"] for p in listed}
    session.expire_all()
    mine = papers.list_papers(coordinator)
    assert listed == PaperOut(many=True).dump(mine)  # what the schema answers, paper by paper

    versions = many_versions_answer.get_json()
    assert len(versions) == len(few_versions_answer.get_json()) + 4
    assert {"superseded", "signed_off", "frozen"} <= {v["state"] for v in versions}
    assert versions[-1]["positions"][0]["position"] == "abstain"
    for version in versions:  # each as it answers on its own
        alone = client.get(f"/api/v1/versions/{version['id']}", headers=headers).get_json()
        assert alone == version


# --- HTTP caching ----------------------------------------------------------------------


def test_a_read_answers_with_an_etag_and_304_until_it_changes(client, token_for, filled):
    headers = token_for(filled.people[Role.OBSERVER])
    url = f"/api/v1/sections/{filled.section.id}/comments"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "private" in first.headers["Cache-Control"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert (again.status_code, again.data) == (304, b"")
    assert (
        client.get(f"{url}?limit=1", headers={**headers, "If-None-Match": etag}).status_code == 200
    )

    reviews.create_comment(
        filled.section,
        filled.people[Role.REVIEWER],
        reviews.NewComment(body="One more", type="editorial"),
    )
    session.flush()
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()[-1]["body"] == "One more"


def test_an_export_download_is_immutable_private_and_revalidates_with_304(
    client, token_for, filled, app
):
    import hashlib
    from pathlib import Path

    data = b"# The paper\n"
    made_id = session.scalar(
        insert(Export)
        .values(
            version_id=filled.version.id,
            format="md",
            options={},
            path="1/1/the-paper.md",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )
        .returning(Export.id)
    )
    made = session.get(Export, made_id)
    path = Path(app.config["EXPORTS_DIR"]) / made.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    headers = token_for(filled.people[Role.OBSERVER])
    url = f"/api/v1/exports/{made.id}/download"
    with client.get(url, headers=headers) as response:
        assert response.get_data() == data
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "private" in cache and "public" not in cache
    assert "max-age=31536000" in cache
    assert response.headers["ETag"].strip('"') == made.sha256
    assert response.headers["Last-Modified"]
    with client.get(url, headers={**headers, "If-None-Match": response.headers["ETag"]}) as again:
        assert again.status_code == 304 and again.get_data() == b""


def test_the_plain_alignment_matrix_says_what_its_schema_says(client, token_for, filled, app):
    import json

    from app.api.plain import matrix_out
    from app.api.schemas.alignment import AlignmentMatrixOut

    matrix = alignment.alignment_matrix(filled)
    plain = _sent(app, matrix_out(matrix))
    assert plain == json.loads(json.dumps(AlignmentMatrixOut().dump(matrix)))
    assert any(status for row in plain["rows"] for status in row["cells"].values())
    answered = client.get(
        f"/api/v1/papers/{filled.id}/alignment-matrix",
        headers=token_for(filled.people[Role.OBSERVER]),
    )
    assert answered.get_json() == plain


def test_the_plain_queue_sections_and_comments_say_what_their_schemas_say(
    client, token_for, filled
):
    from app.api.schemas.reviews import QueueCommentOut, QueueSectionOut
    from app.services import queue

    coordinator = filled.people[Role.COORDINATOR]
    filled.section.lead_author_id = None  # the coordinator answers for it
    session.flush()
    led = session.scalars(
        select(Section).where(Section.paper_id == filled.id).order_by(Section.position)
    ).all()[:3]
    for n, section in enumerate(led):  # one overdue, one due later, one undated
        section.lead_author_id = coordinator.id
        section.due_date = (datetime.now(UTC) + timedelta(days=(-2, 5, 0)[n])).date()
    led[2].due_date = None
    session.flush()
    objects = queue.comments_to_resolve(coordinator)
    assert len(objects) >= 2 and any(c.replies for c in objects)
    answered = client.get("/api/v1/me/queue", headers=token_for(coordinator)).get_json()
    assert answered["comments"] == QueueCommentOut(many=True).dump(objects)
    leading = queue.sections_i_lead(coordinator, datetime.now(UTC).date())
    assert answered["sections"] == QueueSectionOut(many=True).dump(leading)
    assert [s["overdue"] for s in answered["sections"]][:2] == [True, False]
    assert answered["sections"][-1]["due_date"] is None
    assert set(answered) == {"sections", "comments", "rounds", "versions"}


def test_the_plain_coverage_report_says_what_its_schema_says(client, token_for, filled, app):
    import json

    from app.api.plain import coverage_out
    from app.api.schemas.alignment import AlignmentCoverageOut

    section, coordinator = filled.section, filled.people[Role.COORDINATOR]
    item = alignment.alignment_matrix(filled).items[4]
    alignment.record_section_decision(
        section, coordinator, item_code=item.code, status="conflict", rationale="Disagrees."
    )
    report = alignment.coverage_report(filled)
    assert report.conflicts and report.unaddressed_items and report.sections_without_decisions
    plain = _sent(app, coverage_out(report))
    assert plain == json.loads(json.dumps(AlignmentCoverageOut().dump(report)))
    answered = client.get(
        f"/api/v1/papers/{filled.id}/coverage", headers=token_for(filled.people[Role.OBSERVER])
    )
    assert answered.get_json() == plain


def test_the_openapi_document_gives_every_list_its_limit_cursor_and_next_headers(app):
    import re

    spec = app.spec
    for template in LISTS:
        path = re.sub(r"\{(paper|section|version)\}", r"{\1_id}", template)
        operation = spec["paths"][path]["get"]
        query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert query["limit"]["schema"]["default"] == DEFAULT_LIMIT, path
        assert query["limit"]["schema"]["maximum"] == DEFAULT_LIMIT, path
        assert "after" in query, path
        assert {"Link", "X-Next-Cursor"} <= set(operation["responses"]["200"]["headers"]), path
        assert "400" in operation["responses"], path
