"""A review round through the API: comments, permissions, the matrix in three formats, my
queue, and a constant number of SQL statements however many comments a section has."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta

import docx
import pytest
from sqlalchemy import event, insert, select

from app.db import session
from app.models import Comment, CommentReply, ReviewRound, Role, Section
from app.services import alignment, papers, revisions

TEXT = (
    "Museums use machine learning to describe large collections.\n\n"
    "Generative AI raises questions of authenticity for intangible heritage, which "
    "communities must keep control of.\n\n"
    "Sound archives remain fragile."
)
PASSAGE = "raises questions of authenticity for intangible heritage"


@pytest.fixture
def paper(create_paper, create_user):
    """The template paper; section 3.4 led by the author and written; a second author who
    does not lead it, and a reviewer from CI next to the one from SHS."""
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    section.lead_author_id = paper.people[Role.AUTHOR].id
    _write(section, coordinator, TEXT)
    paper.section = section
    paper.other_author = create_user("CLT", name="Other Author")
    papers.add_member(paper, paper.other_author.email, Role.AUTHOR, actor=coordinator)
    paper.ci_reviewer = create_user("CI", name="Ines Castro")
    papers.add_member(paper, paper.ci_reviewer.email, Role.REVIEWER, actor=coordinator)
    paper.outsider = create_user("SC", name="Not A Member")
    session.flush()
    return paper


def _write(section, user, body):
    current = revisions.latest(section.id)
    return revisions.save_revision(
        section, user, body=body, base_revision_id=current.id if current else None
    )


@pytest.fixture
def api(client, token_for):
    """Call the API as a user: api(user).post(url, json=...)."""

    class As:
        def __init__(self, user):
            self.headers = token_for(user)

        def get(self, url, **kwargs):
            return client.get(url, headers=self.headers, **kwargs)

        def post(self, url, json):
            return client.post(url, json=json, headers=self.headers)

        def patch(self, url, json):
            return client.patch(url, json=json, headers=self.headers)

    return As


def _comment(api, user, paper, **extra):
    body = {
        "body": "Who decides what is authentic?",
        "type": "substantive",
        "quote": {"exact": PASSAGE, "prefix": "Generative AI ", "suffix": ", which"},
        "proposed_text": "raises questions of authenticity and consent for intangible heritage",
        **extra,
    }
    return api(user).post(f"/api/v1/sections/{paper.section.id}/comments", json=body)


def _count_rows(model) -> int:
    return len(session.scalars(select(model.id)).all())


# --- comments -------------------------------------------------------------------------


def test_a_comment_comes_back_anchored_with_its_sector(api, paper):
    response = _comment(api, paper.people[Role.REVIEWER], paper)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sector"] == "SHS"
    assert body["quote"]["exact"] == PASSAGE
    assert TEXT[body["anchor"]["start"] : body["anchor"]["end"]] == PASSAGE
    assert body["status"] == "open" and body["orphaned"] is False

    listed = api(paper.people[Role.OBSERVER]).get(f"/api/v1/sections/{paper.section.id}/comments")
    assert [c["id"] for c in listed.get_json()] == [body["id"]]


def test_a_quote_not_in_the_text_is_a_422_and_writes_nothing(api, paper):
    before = _count_rows(Comment)
    response = _comment(api, paper.people[Role.REVIEWER], paper, quote={"exact": "not there"})
    assert response.status_code == 422
    assert "not in the text" in response.get_json()["error"]["message"]
    assert _count_rows(Comment) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "substantive"}, "body"),
        ({"body": "x", "type": "rude"}, "type"),
        ({"body": "x", "type": "legal", "colour": "red"}, "colour"),
        ({"body": "x", "type": "legal", "quote": {"prefix": "a"}}, "exact"),
    ],
)
def test_bad_comments_are_400_naming_the_field(api, paper, body, field):
    response = api(paper.people[Role.REVIEWER]).post(
        f"/api/v1/sections/{paper.section.id}/comments", json=body
    )
    assert response.status_code == 400
    assert field in str(response.get_json()["error"])


def test_an_alignment_comment_names_an_existing_item(api, paper):
    reviewer = paper.people[Role.REVIEWER]
    ok = _comment(api, reviewer, paper, type="alignment", item_code="REC2021.P8")
    assert ok.status_code == 201 and ok.get_json()["item_code"] == "REC2021.P8"
    unknown = _comment(api, reviewer, paper, type="alignment", item_code="REC2021.P99")
    assert unknown.status_code == 422


def test_an_alignment_comment_names_an_item_of_the_papers_own_frameworks(api, paper):
    coordinator, reviewer = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    alignment.choose_frameworks(paper, coordinator, ["REC2021"])
    other = _comment(api, reviewer, paper, type="alignment", item_code="CONV2005.GP1")
    assert other.status_code == 422
    assert "REC2021" in other.get_json()["error"]["message"]
    assert (
        _comment(api, reviewer, paper, type="alignment", item_code="REC2021.P7").status_code == 201
    )


# --- the permission matrix -------------------------------------------------------------

ROLES = ["coordinator", "lead_author", "other_author", "reviewer", "signatory", "observer"]


def _person(paper, who):
    return {
        "coordinator": paper.people[Role.COORDINATOR],
        "lead_author": paper.people[Role.AUTHOR],
        "other_author": paper.other_author,
        "reviewer": paper.people[Role.REVIEWER],
        "signatory": paper.people[Role.SIGNATORY],
        "observer": paper.people[Role.OBSERVER],
        "outsider": paper.outsider,
    }[who]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 201),
        ("lead_author", 201),
        ("other_author", 201),
        ("reviewer", 201),
        ("signatory", 403),
        ("observer", 403),
        ("outsider", 404),
    ],
)
def test_who_may_comment(api, paper, who, status):
    assert _comment(api, _person(paper, who), paper).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 201),
        ("lead_author", 201),
        ("reviewer", 201),
        ("signatory", 201),
        ("observer", 403),
        ("outsider", 404),
    ],
)
def test_who_may_reply(api, paper, who, status):
    comment = _comment(api, paper.people[Role.REVIEWER], paper).get_json()
    response = api(_person(paper, who)).post(
        f"/api/v1/comments/{comment['id']}/replies", json={"body": "Noted, thank you."}
    )
    assert response.status_code == status
    if status == 201:
        assert response.get_json()["replies"][-1]["body"] == "Noted, thank you."


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("lead_author", 200),
        ("other_author", 403),
        ("reviewer", 403),
        ("signatory", 403),
        ("observer", 403),
        ("outsider", 404),
    ],
)
def test_who_may_resolve_and_apply(api, paper, who, status):
    comment = _comment(api, paper.people[Role.REVIEWER], paper).get_json()
    before = revisions.latest(paper.section.id).id
    response = api(_person(paper, who)).post(
        f"/api/v1/comments/{comment['id']}/resolution",
        json={"decision": "accepted", "apply_suggestion": True},
    )
    assert response.status_code == status, response.get_json()
    latest = revisions.latest(paper.section.id)
    if status == 200:
        assert response.get_json()["decision"] == "accepted"
        assert latest.id != before
        assert "authenticity and consent for intangible heritage" in latest.body
    else:
        assert latest.id == before
        shown = api(paper.people[Role.COORDINATOR]).get(f"/api/v1/comments/{comment['id']}")
        assert shown.get_json()["status"] == "open"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 200),
        ("lead_author", 403),
        ("reviewer", 403),
        ("signatory", 403),
        ("observer", 403),
    ],
)
def test_who_may_reopen(api, paper, who, status):
    comment = _comment(api, paper.people[Role.REVIEWER], paper).get_json()
    resolved = api(paper.people[Role.AUTHOR]).post(
        f"/api/v1/comments/{comment['id']}/resolution",
        json={"decision": "rejected", "rationale": "Out of scope for this paper."},
    )
    assert resolved.status_code == 200
    response = api(_person(paper, who)).post(
        f"/api/v1/comments/{comment['id']}/reopen", json={"rationale": "SHS insists."}
    )
    assert response.status_code == status
    if status == 200:
        history = response.get_json()["history"]
        assert [(h["action"], h["decision"]) for h in history] == [
            ("resolved", "rejected"),
            ("reopened", None),
        ]
        assert response.get_json()["status"] == "open"


def test_a_rejection_without_a_rationale_is_refused(api, paper):
    comment = _comment(api, paper.people[Role.REVIEWER], paper).get_json()
    response = api(paper.people[Role.AUTHOR]).post(
        f"/api/v1/comments/{comment['id']}/resolution", json={"decision": "rejected"}
    )
    assert response.status_code == 422
    assert "rationale" in response.get_json()["error"]["message"]


def test_edit_and_withdraw_only_until_answered(api, paper):
    reviewer = paper.people[Role.REVIEWER]
    comment = _comment(api, reviewer, paper).get_json()
    url = f"/api/v1/comments/{comment['id']}"
    assert api(reviewer).patch(url, json={"body": "Sharper."}).get_json()["body"] == "Sharper."
    assert api(paper.people[Role.AUTHOR]).patch(url, json={"body": "Mine?"}).status_code == 403
    api(paper.people[Role.AUTHOR]).post(f"{url}/replies", json={"body": "Which part?"})
    refused = api(reviewer).patch(url, json={"status": "withdrawn"})
    assert refused.status_code == 409
    assert api(reviewer).get(url).get_json()["status"] == "open"


# --- rounds -----------------------------------------------------------------------------


_labels = itertools.count(1)


def _freeze(api, paper, **extra) -> dict:
    response = api(paper.people[Role.COORDINATOR]).post(
        f"/api/v1/papers/{paper.id}/versions", json={"label": f"v0.{next(_labels)}", **extra}
    )
    assert response.status_code == 201
    return response.get_json()


def _open_round(api, paper, who=None, **extra):
    version = _freeze(api, paper)
    deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    body = {"version_id": version["id"], "sectors": ["SHS", "LA"], "deadline": deadline, **extra}
    return api(who or paper.people[Role.COORDINATOR]).post(
        f"/api/v1/papers/{paper.id}/rounds", json=body
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 201),
        ("lead_author", 403),
        ("reviewer", 403),
        ("signatory", 403),
        ("observer", 403),
        ("outsider", 404),
    ],
)
def test_who_may_open_a_round(api, paper, who, status):
    response = _open_round(api, paper, who=_person(paper, who))
    assert response.status_code == status


def test_a_round_with_a_past_deadline_or_unknown_sector_is_refused(api, paper):
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert _open_round(api, paper, deadline=past).status_code == 422
    unknown = _open_round(api, paper, sectors=["SHS", "XYZ"])
    assert unknown.status_code == 422
    assert "XYZ" in unknown.get_json()["error"]["message"]
    assert _count_rows(ReviewRound) == 0


def test_a_review_round_from_opening_to_its_matrix(api, paper):
    coordinator, reviewer = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    review_round = _open_round(api, paper).get_json()
    assert review_round["sectors"] == ["LA", "SHS"] and review_round["open"] is True

    # The section is revised after the freeze: a round comment quotes the frozen text and
    # is carried onto the current one.
    current = revisions.latest(paper.section.id)
    revisions.save_revision(
        paper.section, coordinator, body="A new opening.\n\n" + TEXT, base_revision_id=current.id
    )

    # The invited sector comments; another sector's reviewer cannot.
    made = _comment(api, reviewer, paper, round_id=review_round["id"])
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["round_id"] == review_round["id"]
    anchor = made.get_json()["anchor"]
    assert anchor["revision_id"] == revisions.latest(paper.section.id).id
    refused = _comment(api, paper.ci_reviewer, paper, round_id=review_round["id"])
    assert refused.status_code == 403
    assert "not invited" in refused.get_json()["error"]["message"]
    second = _comment(
        api,
        reviewer,
        paper,
        round_id=review_round["id"],
        type="editorial",
        quote={"exact": "Sound archives"},
        proposed_text=None,
        body="=SUM(A1) “typographic” quotes, accents: é.",
    )
    assert second.status_code == 201

    # A passage only today's text has is quoted from it.
    today = _comment(
        api, reviewer, paper, round_id=review_round["id"], quote={"exact": "A new opening."}
    )
    assert today.status_code == 201, today.get_json()
    assert today.get_json()["revision_id"] == revisions.latest(paper.section.id).id
    api(reviewer).patch(f"/api/v1/comments/{today.get_json()['id']}", json={"status": "withdrawn"})

    # After the deadline: refused with a clear error, until the coordinator extends it.
    session.get(ReviewRound, review_round["id"]).deadline = datetime.now(UTC) - timedelta(hours=1)
    late = _comment(api, reviewer, paper, round_id=review_round["id"])
    assert late.status_code == 409
    assert "closed" in late.get_json()["error"]["message"]
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    extended = api(coordinator).patch(
        f"/api/v1/rounds/{review_round['id']}", json={"deadline": later}
    )
    assert extended.status_code == 200 and extended.get_json()["open"] is True
    assert (
        api(reviewer)
        .patch(f"/api/v1/rounds/{review_round['id']}", json={"deadline": later})
        .status_code
        == 403
    )
    assert _comment(api, reviewer, paper, round_id=review_round["id"]).status_code == 201
    # A comment outside the round does not belong to it.
    assert _comment(api, paper.ci_reviewer, paper).status_code == 201

    # Resolve one.
    first_id = made.get_json()["id"]
    api(paper.people[Role.AUTHOR]).post(
        f"/api/v1/comments/{first_id}/resolution",
        json={"decision": "accepted_modified", "rationale": "Consent added, wording ours."},
    )

    matrix_url = f"/api/v1/rounds/{review_round['id']}/matrix"
    rows = api(coordinator).get(matrix_url).get_json()["rows"]
    assert len(rows) == 3
    first = next(row for row in rows if row["comment_id"] == first_id)
    assert first == {
        **first,
        "sector": "SHS",
        "section_number": "3.4",
        "section_title": "Museums and cultural institutions",
        "passage": PASSAGE,
        "type": "substantive",
        "decision": "accepted_modified",
        "rationale": "Consent added, wording ours.",
    }

    # Filters.
    assert len(api(coordinator).get(matrix_url + "?type=editorial").get_json()["rows"]) == 1
    assert len(api(coordinator).get(matrix_url + "?decision=open").get_json()["rows"]) == 2
    assert (
        len(api(coordinator).get(matrix_url + "?decision=accepted_modified").get_json()["rows"])
        == 1
    )
    assert api(coordinator).get(matrix_url + "?sector=CI").get_json()["rows"] == []
    assert api(coordinator).get(matrix_url + "?decision=perhaps").status_code == 400
    whole_paper = api(coordinator).get(f"/api/v1/papers/{paper.id}/comment-matrix?sector=CI")
    assert len(whole_paper.get_json()["rows"]) == 1

    # CSV: one row per comment, accents intact, formulas defused.
    response = api(coordinator).get(matrix_url + "?format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0] == [
        "Sector",
        "Section",
        "Section title",
        "Passage",
        "Type",
        "Comment",
        "Proposed change",
        "Decision",
        "Rationale",
    ]
    assert len(table) == 1 + 3
    assert "'=SUM(A1) “typographic” quotes, accents: é." in [row[5] for row in table]

    # Word: a landscape table, one row per comment plus the header.
    response = api(coordinator).get(matrix_url + "?format=docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    assert document.sections[0].page_width > document.sections[0].page_height
    (word_table,) = document.tables
    assert len(word_table.rows) == 1 + 3
    assert word_table.rows[0].cells[0].text == "Sector"
    assert {row.cells[0].text for row in word_table.rows[1:]} == {"SHS"}


# --- my queue ---------------------------------------------------------------------------


def test_my_queue_lists_what_waits_for_each_person(api, paper, today):
    coordinator, author = paper.people[Role.COORDINATOR], paper.people[Role.AUTHOR]
    overdue = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "2")
    )
    overdue.lead_author_id = author.id
    overdue.due_date = today - timedelta(days=3)
    paper.section.due_date = today + timedelta(days=10)
    comment = _comment(api, paper.people[Role.REVIEWER], paper).get_json()
    review_round = _open_round(api, paper).get_json()

    mine = api(author).get("/api/v1/me/queue").get_json()
    assert [(s["number"], s["overdue"]) for s in mine["sections"]] == [("2", True), ("3.4", False)]
    assert [c["id"] for c in mine["comments"]] == [comment["id"]]

    reviewer_queue = api(paper.people[Role.REVIEWER]).get("/api/v1/me/queue").get_json()
    assert [r["id"] for r in reviewer_queue["rounds"]] == [review_round["id"]]
    assert reviewer_queue["rounds"][0]["my_sector_comments"] == 0
    assert api(paper.ci_reviewer).get("/api/v1/me/queue").get_json()["rounds"] == []

    signatory_queue = api(paper.people[Role.SIGNATORY]).get("/api/v1/me/queue").get_json()
    assert signatory_queue["versions"] == []  # the round's version is for review: no ballot
    signed = _freeze(api, paper, purpose="signature", override_reason="A test signs early.")
    signatory_queue = api(paper.people[Role.SIGNATORY]).get("/api/v1/me/queue").get_json()
    assert [v["id"] for v in signatory_queue["versions"]] == [signed["id"]]

    # Once resolved, the comment leaves the author's queue.
    api(coordinator).post(
        f"/api/v1/comments/{comment['id']}/resolution", json={"decision": "noted"}
    )
    assert api(author).get("/api/v1/me/queue").get_json()["comments"] == []


# --- a constant number of statements ----------------------------------------------------


def _add_comments(paper, count: int) -> None:
    """`count` comments, each with a reply, in bulk."""
    section, reviewer = paper.section, paper.people[Role.REVIEWER]
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
                "body": f"Comment {n}",
                "status": "open",
                "quote_exact": PASSAGE,
                "quote_prefix": "",
                "quote_suffix": "",
                "anchor_revision_id": revision.id,
                "anchor_start": TEXT.index(PASSAGE),
                "anchor_end": TEXT.index(PASSAGE) + len(PASSAGE),
                "orphaned": False,
            }
            for n in range(count)
        ],
    )
    ids = session.scalars(select(Comment.id).where(Comment.section_id == section.id)).all()
    session.execute(
        insert(CommentReply),
        [
            {"comment_id": cid, "author_id": paper.people[Role.AUTHOR].id, "body": "Ok"}
            for cid in ids
        ],
    )


def _statements_for(client, token_for, paper, expected: int) -> int:
    headers = token_for(paper.people[Role.OBSERVER])
    session.expire_all()
    connection = session.connection()
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        response = client.get(f"/api/v1/sections/{paper.section.id}/comments", headers=headers)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert response.status_code == 200
    listed = response.get_json()
    assert len(listed) == expected and all(len(c["replies"]) == 1 for c in listed)
    return len(seen)


def test_listing_2000_comments_takes_as_many_statements_as_listing_2(
    client, token_for, create_paper, paper
):
    small = paper
    _add_comments(small, 2)
    big = create_paper()
    big.section = session.scalar(
        select(Section).where(Section.paper_id == big.id, Section.number == "3.4")
    )
    _write(big.section, big.people[Role.COORDINATOR], TEXT)
    big.people[Role.OBSERVER] = small.people[Role.OBSERVER]
    papers.add_member(
        big, small.people[Role.OBSERVER].email, Role.OBSERVER, actor=big.people[Role.COORDINATOR]
    )
    _add_comments(big, 2000)
    session.flush()
    assert _statements_for(client, token_for, small, 2) == _statements_for(
        client, token_for, big, 2000
    )
