"""The search's text functions: Plume's tokenizer cuts where FTS5's does, stems and queries."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services.search_text import fts5_match, parse, stem, terms, tokens

DRAFTS = Path(__file__).resolve().parents[2] / "drafts"
TRICKY = [
    "Les droits d’auteur des musées, droit d'auteur REC2021.P7 l’intelligence",
    "e\u0301te\u0301 décomposé, œuvre, Straße, ﬁn, ǅ",
    "emoji 🎨 art «guillemets» — tiret co-création 3,5 % 2½ °C € x² ①",
    "snake_case 中文字符 日本語 a\u200bb zero\u00a0width Ⅻ ١٢٣ ʼa",
    "\ue000private\ue001 tab\tnew\nline",
]


def fts5_tokens(texts: list[str]) -> list[list[str]]:
    """How SQLite's FTS5 (unicode61 remove_diacritics 2) cuts each text."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')"
    )
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    connection.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", list(enumerate(texts)))
    cut = [
        [
            term
            for (term,) in connection.execute(
                "SELECT term FROM v WHERE doc = ? ORDER BY offset", (i,)
            )
        ]
        for i in range(len(texts))
    ]
    connection.close()
    return cut


def test_plume_cuts_text_where_fts5_does():
    """The stems line up with the words snippet() marks only if both cut alike."""
    texts = TRICKY + [path.read_text(encoding="utf-8") for path in sorted(DRAFTS.rglob("*.md"))]
    assert len(texts) > 20
    for text, cut in zip(texts, fts5_tokens(texts), strict=True):
        assert len(tokens(text)) == len(cut), text[:80]


def test_stems_are_one_token_each_in_the_same_order():
    for text in TRICKY:
        for language in ("en", "fr"):
            stems = terms(text, language).split(" ")
            assert len(stems) == len(tokens(text))
            assert all(len(tokens(s)) == 1 for s in stems)


@pytest.mark.parametrize(
    ("a", "b", "language"),
    [
        ("musées", "musée", "fr"),
        ("musées", "musees", "fr"),
        ("œuvres", "oeuvre", "fr"),
        ("générative", "generative", "fr"),
        ("museums", "museum", "en"),
        ("digitising", "digitise", "en"),
    ],
)
def test_forms_of_a_word_meet(a, b, language):
    assert stem(a, language) == stem(b, language)


def test_queries_read_as_websearch_reads_them():
    assert fts5_match(parse("musées patrimoine"), "fr") == '("muse" AND "patrimoin")'
    # Both apostrophes; a word of two tokens is a phrase; stop words are dropped.
    assert fts5_match(parse("les droits d’auteur"), "fr") == fts5_match(
        parse("les droits d'auteur"), "fr"
    )
    assert fts5_match(parse("le musée"), "fr") == '("muse")'
    assert fts5_match(parse('"droits d\'auteur" -musée'), "fr") == (
        '(("droit d auteur") NOT ("muse"))'
    )
    assert fts5_match(parse("museum OR library -archive or"), "en") == (
        '("museum") OR (("librari") NOT ("archiv"))'
    )
    # Nothing positive to look for.
    assert fts5_match(parse("-museum"), "en") is None
    assert fts5_match(parse("the of"), "en") is None
    assert parse('"unclosed phrase').clauses[0].required == [["unclosed", "phrase"]]
    # FTS5's own syntax in a query is only words, each quoted.
    assert fts5_match(parse('NEAR(a b) col:x "*'), "en") == '("near a" AND "b" AND "col x")'
