"""A section text built to be slow to render costs a bounded time once, then nothing."""

from __future__ import annotations

import time

from app.models import Role
from app.services import reviews, revisions
from app.web import render
from app.web.render import markdown
from tests.web.helpers import Page


def test_unclosed_brackets_render_once_in_linear_time_and_stay_text():
    started = time.monotonic()
    html = markdown("[" * 490000)
    assert time.monotonic() - started < 5  # the review measured 11.6 s
    assert html.count("[") == 490000
    # Links still work beside unclosed brackets.
    assert 'href="https://example.org"' in markdown("[[ [a](https://example.org) [b")


def test_nesting_is_bounded():
    html = markdown("> " * 245000 + "x")
    assert html.count("<blockquote>") <= 20


def test_the_pathological_section_page_renders_within_2_s_the_second_time(client, sign_in, paper):
    author = paper.people[Role.AUTHOR]
    latest = revisions.latest(paper.section.id)
    revisions.save_revision(
        paper.section,
        author,
        body="Intro [" + "[" * 490000 + "\n\n" + "> " * 1000 + "deep",
        base_revision_id=latest.id if latest else None,
    )
    sign_in(paper.people[Role.REVIEWER])
    path = f"/sections/{paper.section.id}"
    assert client.get(path).status_code == 200
    started = time.monotonic()
    response = client.get(path)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert "Intro [[[" in Page(response.get_data(as_text=True)).text


def _save(paper, body: str):
    latest = revisions.latest(paper.section.id)
    return revisions.save_revision(
        paper.section,
        paper.people[Role.AUTHOR],
        body=body,
        base_revision_id=latest.id if latest else None,
    )


def test_a_text_too_slow_to_render_costs_the_limit_once_and_offers_its_download(
    client, sign_in, paper, monkeypatch
):
    # 120,000 headings took 27 s on the review's machine; the limit stops the render at 1 s.
    monkeypatch.setenv("PLUME_PAGE_RENDER_SECONDS", "1")
    body = "# h\n" * 120000
    _save(paper, body)
    sign_in(paper.people[Role.REVIEWER])
    path = f"/sections/{paper.section.id}"
    started = time.monotonic()
    response = client.get(path)
    assert time.monotonic() - started < 4
    assert response.status_code == 200
    shown = Page(response.get_data(as_text=True))
    assert "This text is too long to show here" in shown.text
    download = f"/sections/{paper.section.id}/text.md"
    assert any(attributes.get("href") == download for _tag, attributes in shown.elements)
    assert shown.text.count("h") < 10_000  # not the 120,000 headings
    started = time.monotonic()
    assert "too long to show here" in client.get(path).get_data(as_text=True)
    assert time.monotonic() - started < 1  # the notice is cached: no second attempt
    file = client.get(download)
    assert file.status_code == 200
    assert file.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert file.get_data(as_text=True) == body


def test_a_long_ordinary_text_renders_outside_the_process_with_its_passages(client, sign_in, paper):
    body = (
        "## Scope\n\n" + "The sector reviews the heritage policy. " * 1500 + "\n\nFinal words here."
    )
    assert len(body) > render.INLINE_CHARS
    _save(paper, body)
    reviewer = paper.people[Role.REVIEWER]
    sign_in(reviewer)
    reviews.create_comment(
        paper.section,
        reviewer,
        reviews.NewComment(body="Why?", type="editorial", quote={"exact": "Final words"}),
    )
    html = client.get(f"/sections/{paper.section.id}").get_data(as_text=True)
    assert "too long to show here" not in html
    assert "<h3>Scope</h3>" in html or "<h2>Scope</h2>" in html
    assert '<mark class="quote"' in html and "Final words</mark>" in html
