"""Section text full of script tags, event handlers and javascript: links: none of it is live.

The text is rendered on every page that shows it (section, history, editor preview, the
merge page, the version, the alignment pages with a rationale and a quoted passage full of
it, the comments beside the text, the review round and its matrix), and each page is
parsed as a browser would: no script but Plume's own, no on* attribute, no javascript:
URL, no frame or object.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.models import Role
from app.services import alignment, position_decisions, reviews, revisions, rounds, versions
from tests.web.helpers import Page, page

HOSTILE = """# Title <script>alert('h1')</script>

Intro <script>alert("inline")</script> and <SCRIPT SRC=https://evil.example/x.js></SCRIPT>

<img src=x onerror="alert(1)"> <svg onload=alert(2)><circle r=1 /></svg>

[markdown link](javascript:alert(3)) and [spaced]( javascript:alert(4) )

<a href="javascript:alert(5)">raw link</a> <a href="JaVaScRiPt:alert(6)">mixed case</a>
<a href="&#106;avascript:alert(7)">entity</a> <a href="java&#x09;script:alert(8)">tab</a>

<div onclick="alert(9)" onmouseover=alert(10)>div</div>
<iframe src="javascript:alert(11)"></iframe><object data="javascript:alert(12)"></object>
<embed src="javascript:alert(13)"><style>body { display: none }</style>
<form action="javascript:alert(14)"><button formaction="javascript:alert(15)">go</button></form>
<math><mi xlink:href="javascript:alert(16)">x</mi></math>
<details open ontoggle=alert(17)><summary>s</summary></details>
<p style="background:url(javascript:alert(18))">styled</p>
![image](javascript:alert(19))
<a href="data:text/html,<script>alert(20)</script>">data</a>
"""
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcdoc"}
NEVER = {"iframe", "object", "embed", "style", "base", "meta", "link", "form"}
_INVISIBLE = re.compile(r"[\x00-\x20]+")


def _live_hazards(html: str) -> list[str]:
    """Everything in the page that a browser would run or load from the hostile text."""
    parsed = Page(html)
    hazards = []
    for tag, attributes in parsed.elements:
        # A JSON data block is never run; what it holds cannot close it (tojson escapes "<").
        data_block = tag == "script" and attributes.get("type") == "application/json"
        if data_block:
            if not re.search(r"<script[^>]*application/json[^>]*>[^<]*</script>", html):
                hazards.append(f"<script {attributes}> holding markup")
        elif tag == "script" and not attributes.get("src", "").startswith("/assets/"):
            hazards.append(f"<script {attributes}>")
        if tag in NEVER and not _is_plume_own(tag, attributes):
            hazards.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                hazards.append(f"{tag}[{name}]")
            if name == "style":
                hazards.append(f"{tag}[style]")
            target = _INVISIBLE.sub("", value).lower()
            if name in URL_ATTRIBUTES and target.startswith(("javascript:", "data:text")):
                hazards.append(f"{tag}[{name}={value}]")
    return hazards


def _is_plume_own(tag: str, attributes: dict) -> bool:
    """Plume's own stylesheet, icon and forms (forms post to the site, with a CSRF token)."""
    if tag == "link":
        return attributes.get("href", "").startswith("/assets/")
    if tag == "meta":
        return set(attributes) <= {"charset", "name", "content"}
    if tag == "form":
        return attributes.get("action", "/").startswith("/") or "action" not in attributes
    return False


@pytest.fixture
def hostile(paper, db):
    author = paper.people[Role.AUTHOR]
    base = revisions.latest(paper.section.id)
    revision = revisions.save_revision(
        paper.section,
        author,
        body=HOSTILE,
        base_revision_id=base.id,
        summary='<script>alert("summary")</script><img src=x onerror=alert(21)>',
    )
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v-hostile")
    db.flush()
    coordinator = paper.people[Role.COORDINATOR]
    alignment.record_section_decision(
        paper.section,
        coordinator,
        item_code="REC2021.V3",
        status="conflict",
        rationale=HOSTILE,
        quote={
            "exact": '<a href="javascript:alert(5)">raw link</a>',
            "prefix": "<script>alert('prefix')</script>",
            "suffix": '<img src=x onerror="alert(22)">',
        },
    )
    position_decisions.record_position_decision(
        paper,
        coordinator,
        question="<script>alert('question')</script>",
        options=['<img src=x onerror="alert(23)">', "<svg onload=alert(24)>"],
        decision=HOSTILE,
        rationale=HOSTILE,
        sectors=["CLT"],
        section_id=paper.section.id,
    )
    # Comments full of it too: their words, their quotes and proposals, a reply, a
    # decision's rationale, in a review round whose matrix shows them all again.
    reviewer = paper.people[Role.REVIEWER]
    review_round = rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=["SHS"],
        deadline=datetime.now(UTC) + timedelta(days=7),
    )
    comment = reviews.create_comment(
        paper.section,
        reviewer,
        reviews.NewComment(
            body=HOSTILE,
            type="substantive",
            quote={
                "exact": '<a href="javascript:alert(5)">raw link</a>',
                "prefix": "<script>alert('comment prefix')</script>",
                "suffix": '<img src=x onerror="alert(25)">',
            },
            proposed_text='<img src=x onerror="alert(26)"> [x](javascript:alert(27))',
            round_id=review_round.id,
        ),
    )
    reviews.reply(comment, paper.people[Role.AUTHOR], "<script>alert('reply')</script>")
    rejected = reviews.create_comment(
        paper.section,
        reviewer,
        reviews.NewComment(
            body="<svg onload=alert(28)>",
            type="legal",
            quote={"exact": '<div onclick="alert(9)" onmouseover=alert(10)>div</div>'},
            proposed_text="<iframe src=javascript:alert(29)></iframe>",
        ),
    )
    reviews.resolve(rejected, coordinator, decision="rejected", rationale=HOSTILE)
    db.flush()
    paper.comment = comment
    paper.round = review_round
    paper.hostile = revision
    paper.base = base
    paper.version = version
    return paper


def test_the_hostile_text_renders_nothing_live_on_any_page(client, sign_in, hostile, post):
    paper, section = hostile, hostile.section
    sign_in(paper.people[Role.COORDINATOR])
    responses = {
        "section": client.get(f"/sections/{section.id}"),
        "history": client.get(f"/sections/{section.id}/history"),
        "editor": client.get(f"/sections/{section.id}/edit"),
        "preview": post(
            f"/sections/{section.id}/edit",
            {"body": HOSTILE, "base_revision_id": str(paper.hostile.id), "action": "preview"},
        ),
        "merge": post(
            f"/sections/{section.id}/edit",
            {"body": HOSTILE + "x", "base_revision_id": str(paper.base.id), "action": "save"},
        ),
        "version": client.get(f"/versions/{paper.version.id}"),
        "overview": client.get(f"/papers/{paper.id}"),
        "dashboard": client.get("/"),
        "activity": client.get(f"/papers/{paper.id}/activity"),
        "alignment": client.get(f"/papers/{paper.id}/alignment"),
        "cell": client.get(f"/sections/{section.id}/alignment/REC2021.V3"),
        "positions": client.get(f"/papers/{paper.id}/position-decisions"),
        "rounds": client.get(f"/papers/{paper.id}/rounds"),
        "round": client.get(f"/rounds/{paper.round.id}"),
        "matrix": client.get(f"/papers/{paper.id}/comment-matrix"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 409), name
        html = response.get_data(as_text=True)
        assert _live_hazards(html) == [], name
    # The text is still there to read, as text: nothing was silently dropped but the danger.
    assert "raw link" in page(responses["section"]).text
    assert "div" in page(responses["section"]).text
    # The merge page and the editor keep the source, escaped inside the textarea; the
    # alignment pages show the rationale and the decision as the text they are.
    for name in ("editor", "merge", "alignment", "cell", "positions", "section", "round", "matrix"):
        assert "&lt;script&gt;alert(" in responses[name].get_data(as_text=True), name
    # The quoted passage too, marked as plain text.
    assert "raw link&lt;/a&gt;</mark>" in responses["cell"].get_data(as_text=True)
    # In the section's text, the comment's passage is marked, its link still dead.
    marked = f'<mark class="quote" data-comments="{paper.comment.id}">raw link</mark>'
    assert marked in responses["section"].get_data(as_text=True)
    # The author's queue quotes the comments awaiting them: as text too.
    sign_in(paper.people[Role.AUTHOR])
    dashboard = client.get("/")
    assert _live_hazards(dashboard.get_data(as_text=True)) == []
    assert "&lt;script&gt;alert(" in dashboard.get_data(as_text=True)


def test_the_hazard_finder_finds_hazards():
    """The check above would catch a live script, handler or javascript: link."""
    assert _live_hazards('<p><img src="x" onerror="alert(1)"></p>') == ["img[onerror]"]
    assert _live_hazards("<script>alert(1)</script>") == ["<script {}>"]
    assert _live_hazards('<a href=" JavaScript:alert(1)">x</a>') == ["a[href= JavaScript:alert(1)]"]
    assert _live_hazards('<iframe src="https://example.org"></iframe>') == ["<iframe>"]
