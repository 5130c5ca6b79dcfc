"""The consolidated text: the md export, and what a version's hash can be taken over."""

from __future__ import annotations

from dataclasses import replace

from app.export import ExportOptions, consolidated_markdown, render
from tests.export.builders import SECTIONS, make_doc, section


def test_consolidated_text_has_title_version_date_sections_and_annexes_in_order():
    text = consolidated_markdown(make_doc())
    lines = text.splitlines()
    assert lines[0] == "# Artificial intelligence and culture"
    assert "v0.3" in lines[2] and "2025-03-14 09:30 UTC" in lines[2]
    headings = [line for line in lines if line.startswith("##")]
    assert headings == [
        "## 1 Introduction",
        "### 1.1 Scope",
        "## 2 Challenges",
        "### 2.1 Intellectual property",
        "## 3 Priority axes",
        "## Annex A: Alignment matrix",
    ]
    assert "The quick brown fox jumps over the lazy dog." in text
    assert text.index("Priority axes") < text.index("| P1 | aligned |")


def test_consolidated_text_is_deterministic_and_ignores_sign_off_state():
    doc = make_doc()
    signed = replace(doc, signed_off=True, version_sha256="f" * 64)
    assert consolidated_markdown(doc) == consolidated_markdown(make_doc())
    # The hash and the sign-off are recorded after freezing: the text cannot depend on them.
    assert consolidated_markdown(signed) == consolidated_markdown(doc)


def test_consolidated_text_normalises_line_ends_and_forbidden_characters():
    doc = make_doc(sections=(section("1", "Intro", "one\r\ntwo\x00\ue0f0 three\r\n\r\n"),))
    assert "one\ntwo three\n" in consolidated_markdown(doc)
    assert "\r" not in consolidated_markdown(doc)


def test_md_export_is_the_consolidated_text():
    doc = make_doc()
    assert render(doc, "md", ExportOptions()) == consolidated_markdown(doc).encode("utf-8")
    assert render(doc, "md", ExportOptions(toc=True, comments=True)) == render(doc, "md", None)


def test_section_order_is_the_documents():
    doc = make_doc(sections=tuple(reversed(SECTIONS)))
    text = consolidated_markdown(doc)
    assert text.index("3 Priority axes") < text.index("1 Introduction")
