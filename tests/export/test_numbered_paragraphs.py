"""Numbered paragraphs (a paper setting): the body paragraphs of the sections are numbered 1,
2, 3... across the paper, as UN documents are, in Word and in the PDF. Headings, lists, block
quotes, tables and everything outside the sections (cover, contents, disclaimer, acronyms,
sign-off page, annexes) are not."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import docx

from app.export import ExportOptions, SignoffRow, render
from app.export.labels import labels
from tests.export.builders import FROZEN, comment, docx_part, make_doc, section
from tests.export.layout import read

SECTIONS = (
    section("1", "Introduction", "First paragraph.\n\nSecond paragraph."),
    section(
        "1.1",
        "Scope",
        "Third paragraph introduces a list:\n\n- an item\n- another item\n\n"
        "> A quoted passage.\n\n### A heading of the author\n\nFourth paragraph.",
    ),
    section("2", "Empty", ""),
    section("3", "Table", "| Axis | Lead |\n|---|---|\n| Heritage | CLT |\n\nFifth paragraph."),
)


def numbered_doc(**changes):
    doc = make_doc(
        sections=SECTIONS,
        numbered_paragraphs=True,
        disclaimer=labels("en")["disclaimer_text"],
        document_symbol="CLT/2027/PP/1",
        signoffs=(SignoffRow("Ernesto Ottone", "CLT", "approve", FROZEN, job_title="ADG"),),
    )
    return replace(doc, **changes)


def _numbers(lines):
    return [int(m.group(1)) for line in lines if (m := re.match(r"(\d+)\.\s", line))]


def _word(data):
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def test_word_numbers_the_body_paragraphs_across_the_paper():
    paragraphs = _word(render(numbered_doc(), "docx", ExportOptions(toc=True)))
    numbered = [p for p in paragraphs if re.match(r"\d+\.\t", p)]
    assert numbered == [
        "1.\tFirst paragraph.",
        "2.\tSecond paragraph.",
        "3.\tThird paragraph introduces a list:",
        "4.\tFourth paragraph.",
        "5.\tFifth paragraph.",
    ]
    # Not the headings, the list items, the quote, the cover, the disclaimer or the annex.
    for text in ("1 Introduction", "an item", "A quoted passage.", "A heading of the author"):
        assert text in paragraphs, text
    assert "Annex A: Alignment matrix" in paragraphs
    assert "CLT/2027/PP/1" in paragraphs


def test_the_pdf_numbers_the_same_paragraphs():
    pages = read(render(numbered_doc(), "pdf", ExportOptions(toc=True)))
    lines = [line for page in pages for line in page["text"].splitlines()]
    assert _numbers(lines) == [1, 2, 3, 4, 5]
    assert "1. First paragraph." in lines and "5. Fifth paragraph." in lines
    assert "• an item" in lines and "A quoted passage." in lines


def test_without_the_setting_nothing_is_numbered_and_the_cache_keeps_them_apart(tmp_path):
    plain, numbered = numbered_doc(numbered_paragraphs=False), numbered_doc()
    for fmt in ("docx", "pdf"):
        first = render(plain, fmt, cache_dir=tmp_path)
        with_numbers = render(numbered, fmt, cache_dir=tmp_path)
        assert render(plain, fmt, cache_dir=tmp_path) == first
        assert render(numbered, fmt, cache_dir=tmp_path) == with_numbers != first
        assert render(numbered, fmt) == with_numbers  # the same bytes without the cache
    assert not [p for p in _word(render(plain, "docx")) if re.match(r"\d+\.\t", p)]
    pages = read(render(plain, "pdf"))
    assert not _numbers(line for page in pages for line in page["text"].splitlines())


def test_numbers_with_word_comments_and_after_an_edit():
    doc = numbered_doc(open_comments=(comment(1, "1", "Second paragraph"),))
    paragraphs = _word(render(doc, "docx", ExportOptions(comments=True)))
    assert [p.split("\t")[0] for p in paragraphs if re.match(r"\d+\.\t", p)] == [
        "1.",
        "2.",
        "3.",
        "4.",
        "5.",
    ]
    # A paragraph added early moves every later number: they are counted, not stored.
    edited = replace(doc, sections=(section("1", "Introduction", "New.\n\nFirst.\n\nSecond."),))
    assert [p for p in _word(render(edited, "docx")) if re.match(r"\d+\.\t", p)] == [
        "1.\tNew.",
        "2.\tFirst.",
        "3.\tSecond.",
    ]


def test_a_returned_file_reads_back_without_the_numbers():
    from app.docx_import.reader import read_docx

    def bodies(doc):
        return [(s.key, s.body) for s in read_docx(render(doc, "docx")).sections]

    numbered = bodies(numbered_doc())
    assert numbered == bodies(numbered_doc(numbered_paragraphs=False))
    assert any(body.startswith("First paragraph.") for _key, body in numbered)


def test_a_paragraph_the_redline_shows_deleted_takes_no_number():
    earlier = numbered_doc(
        sections=(section("1", "Introduction", "First.\n\nGone tomorrow.\n\nSecond."),),
        version_label="v0.2",
    )
    later = numbered_doc(
        sections=(section("1", "Introduction", "First.\n\nSecond.\n\nAdded."),),
        frozen_at=FROZEN.replace(day=FROZEN.day + 1),
    )
    body = docx_part(
        render(later, "docx", ExportOptions(redline_against=earlier)), "word/document.xml"
    )
    shown = []
    for paragraph in re.findall(r"<w:p[ >].*?</w:p>", body):
        text = "".join(
            re.findall(r"<w:(?:t|delText)(?: [^>]*)?>([^<]*)</w:(?:t|delText)>", paragraph)
        )
        if text.strip(". ") in ("First", "Gone tomorrow", "Second", "Added") or re.match(
            r"\d+\.", text
        ):
            shown.append(text)
    # The deleted paragraph is shown struck through, without a number; the added one is numbered.
    assert shown == ["1.First.", "Gone tomorrow.", "2.Second.", "3.Added."]
