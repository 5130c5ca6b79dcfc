"""Reading a returned .docx: identity, sections, comments, replies, resolved threads, changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from app.docx_import import read_docx
from app.docx_import.reader import parse_date
from app.export import ExportOptions, render
from tests.docx_import.word import (
    WordComment,
    WordFile,
    comment_end,
    comment_start,
    deleted,
    inserted,
    run,
)
from tests.export.builders import make_doc

PROPS = {
    "PlumePaperId": "4",
    "PlumeVersionId": "9",
    "PlumeVersionSha256": "ab" * 32,
    "PlumeExportId": "0123456789abcdef",
}


def reviewed_file() -> bytes:
    """Two sections; a thread with a reply; a resolved thread; a replacement; an insertion."""
    return WordFile(
        sections=[
            (
                "11",
                "1 Introduction",
                [
                    run("Artificial intelligence is ")
                    + comment_start(0)
                    + run("changing how culture")
                    + comment_end(0)
                    + run(" is made and shared."),
                    run("The quick ")
                    + deleted("brown", "Amina Diallo", 101)
                    + inserted("red", "Amina Diallo", 102)
                    + run(" fox jumps over the lazy dog"),
                ],
            ),
            (
                "12",
                "2 Challenges",
                [
                    comment_start(2)
                    + run("Bias in algorithms")
                    + comment_end(2)
                    + run(" and access")
                    + inserted(" to content", "Jean Martin (SHS)", 103),
                ],
            ),
        ],
        comments=[
            WordComment(0, "Amina Diallo", "Too vague.", initials="AD"),
            WordComment(1, "Jean Martin (SHS)", "Agreed, say which practices.", parent=0),
            WordComment(
                2, "Amina Diallo", "Name the sources.", date="0-00-00T00:00:00Z", done=True
            ),
        ],
        properties=PROPS,
    ).build()


def test_the_identity_sections_and_every_remark_are_read():
    found = read_docx(reviewed_file())
    assert found.identity.paper_id == 4 and found.identity.version_id == 9
    assert found.identity.export_id == "0123456789abcdef"
    assert [(s.key, s.heading) for s in found.sections] == [
        ("11", "1 Introduction"),
        ("12", "2 Challenges"),
    ]
    # Deleted text is part of the exported text, inserted text is not.
    assert found.sections[0].body == (
        "Artificial intelligence is changing how culture is made and shared.\n"
        "The quick brown fox jumps over the lazy dog"
    )
    by_id = {(item.kind, item.word_id): item for item in found.items}
    first = by_id[("comment", "0")]
    assert (first.section, first.where, first.exact) == (0, "passage", "changing how culture")
    assert first.prefix == "Artificial intelligence is "
    assert first.suffix.startswith(" is made and shared.")
    assert (first.author, first.initials, first.body) == ("Amina Diallo", "AD", "Too vague.")
    assert first.date == datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
    answer = by_id[("reply", "1")]
    assert answer.parent == "0" and answer.body == "Agreed, say which practices."
    resolved = by_id[("comment", "2")]
    assert resolved.resolved and resolved.date is None and resolved.section == 1
    assert resolved.exact == "Bias in algorithms"
    suggestions = [item for item in found.items if item.kind == "suggestion"]
    assert [(s.section, s.exact, s.proposed, s.author) for s in suggestions] == [
        (0, "brown", "red", "Amina Diallo"),  # a deletion then an insertion: one replacement
        (1, "access", "access to content", "Jean Martin (SHS)"),  # an insertion: its word
    ]


def test_odd_dates_authors_and_initials_never_fail():
    for value in ("0-00-00T00:00:00Z", "", "yesterday", "2025-13-45T99:00:00Z", "2025-04-02"):
        parse_date(value)
    data = WordFile(
        sections=[("5", "1 A", [comment_start(7) + run("text") + comment_end(7)])],
        comments=[WordComment(7, "", "", initials="", date="not a date")],
    ).build()
    (item,) = read_docx(data).items
    assert (item.author, item.initials, item.date, item.body) == ("", "", None, "")


def test_a_comment_on_a_heading_or_across_sections_keeps_its_quote():
    data = WordFile(
        sections=[
            ("1", "1 Introduction", [run("First text.")]),
            ("2", "2 Challenges", [run("Second ") + comment_start(4) + run("text.")]),
            ("3", "3 Axes", [run("Third") + comment_end(4) + run(" text.")]),
        ],
        comments=[WordComment(4, "A", "Across")],
        properties=PROPS,
    ).build()
    (item,) = read_docx(data).items
    assert (item.section, item.where) == (1, "across")
    assert item.exact == "text.\n3 Axes\nThird"


def test_an_export_read_back_has_its_sections_by_bookmark_and_no_remarks():
    doc = replace(make_doc(), paper_id=3, version_id=8)
    found = read_docx(render(doc, "docx", ExportOptions()))
    assert found.identity.paper_id == 3 and found.identity.version_sha256 == doc.version_sha256
    assert [s.key for s in found.sections] == ["1", "1.1", "2", "2.1", "3"]
    assert found.sections[3].body == "Who owns a work that a model produced?"
    assert "Alignment matrix" not in found.sections[-1].body  # the annex is outside
    assert found.items == []


def test_without_bookmarks_sections_are_found_by_their_headings():
    data = WordFile(
        sections=[(None, "1 Introduction", [run("One.")]), (None, "2 Challenges", [run("Two.")])]
    ).build()
    found = read_docx(data)
    assert not found.identity.is_plume
    assert [(s.key, s.heading, s.body) for s in found.sections] == [
        (None, "1 Introduction", "One."),
        (None, "2 Challenges", "Two."),
    ]


def test_a_change_inside_a_comments_range_leaves_the_quote_as_exported():
    data = WordFile(
        sections=[
            (
                "1",
                "1 A",
                [
                    run("The ")
                    + comment_start(0)
                    + run("quick ")
                    + deleted("brown", "R", 1)
                    + inserted("red", "R", 2)
                    + run(" fox")
                    + comment_end(0)
                    + run(" jumps.")
                ],
            )
        ],
        comments=[WordComment(0, "R", "Which fox?")],
        properties=PROPS,
    ).build()
    comment, change = read_docx(data).items
    assert (comment.kind, comment.exact, comment.prefix) == ("comment", "quick brown fox", "The ")
    assert (change.kind, change.exact, change.proposed) == ("suggestion", "brown", "red")
    assert change.prefix == "The quick " and change.suffix == " fox jumps."
