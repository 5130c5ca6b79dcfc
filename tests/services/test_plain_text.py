"""Markdown as its page shows it, for the search index (app/text/plain.py)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from app.text.plain import plain_text

CASES = [
    ("**bold**, __strong__, *it*, _it_ and ~~struck~~", "bold, strong, it, it and struck"),
    ("snake_case and 2 * 3", "snake_case and 2 3"),
    ('see [the report](https://x.org/a_b "Title") now', "see the report now"),
    ("![a map](map.png) and [a ref][r]", "a map and a ref"),
    ("<https://x.org> <span class='x'>inline</span> <!-- note -->", "https://x.org inline"),
    (
        "## Heading ##\n\n> quoted\n\n- one\n* two\n1. three",
        "Heading\n\nquoted\n\none\ntwo\n1. three",
    ),
    ("| a | b |\n|---|:-:|\n| c | d |", "a b\n\nc d"),
    ("```python\nrun()\n```", "run()"),
    ("escaped \\*stars\\* and \\_under\\_", "escaped *stars* and _under_"),
    ("a rule\n\n---\n\n[r]: https://x.org", "a rule"),
    ("Les droits d’auteur des musées", "Les droits d’auteur des musées"),
    ("", ""),
]


@pytest.mark.parametrize(("markdown", "shown"), CASES)
def test_markup_goes_and_the_words_stay(markdown, shown):
    assert plain_text(markdown) == shown


@pytest.mark.parametrize("text", ["[" * 50_000, "<a " * 30_000, "![x](" * 30_000, "_*" * 50_000])
def test_hostile_markdown_costs_linear_time(text):
    started = time.process_time()
    plain_text(text)
    assert time.process_time() - started < 2


def test_the_migrations_frozen_copy_agrees():
    # migrations/versions/20261130_search_plain_text.py re-stored the index with a copy.
    path = Path(__file__).resolve().parents[2] / "migrations/versions/20261130_search_plain_text.py"
    spec = importlib.util.spec_from_file_location("search_plain_text", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for markdown, _shown in CASES:
        assert module._plain_text(markdown) == plain_text(markdown)
