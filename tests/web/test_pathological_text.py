"""A section text built to be slow to render costs a bounded time once, then nothing."""

from __future__ import annotations

import time

from app.models import Role
from app.services import revisions
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
