"""PDF export (pandoc's typst writer + typst), read back with pypdf."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest

from app.export import ExportOptions, render
from tests.export.builders import comment, make_doc, section


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def draft_pdf() -> bytes:
    return render(make_doc(), "pdf", ExportOptions(toc=True))


@pytest.fixture(scope="module")
def signed_pdf() -> bytes:
    return render(make_doc(signed_off=True), "pdf", ExportOptions())


def test_title_and_every_section_heading_are_there(draft_pdf):
    text = "\n".join(pages(draft_pdf))
    assert "Artificial intelligence and culture" in text
    for heading in (
        "1 Introduction",
        "1.1 Scope",
        "2 Challenges",
        "2.1 Intellectual property",
        "3 Priority axes",
        "Annex A: Alignment matrix",
    ):
        assert heading in text
    assert "The quick brown fox jumps over the lazy dog." in text
    assert text.index("Bias in algorithms") < text.index("Who owns a work")


def test_table_of_contents_when_asked(draft_pdf, signed_pdf):
    assert "Contents" in pages(draft_pdf)[1]
    assert all("Contents" not in page for page in pages(signed_pdf))


def test_draft_on_every_page_of_a_draft_and_on_none_of_a_signed_version(draft_pdf, signed_pdf):
    draft_pages = pages(draft_pdf)
    assert len(draft_pages) >= 3
    assert all("DRAFT" in page for page in draft_pages)
    assert all("DRAFT" not in page for page in pages(signed_pdf))


def test_signed_version_has_a_sign_off_page_listing_signatories(signed_pdf):
    signoff = next(page for page in pages(signed_pdf) if "Sign-off" in page)
    for expected in ("Ernesto Ottone", "Approve", "2025-03-20", "Gabriela Ramos", "No objection"):
        assert expected in signoff
    assert "Legal Affairs" in signoff and "no record" in signoff
    assert make_doc().version_sha256 in signoff


def test_running_header_and_footer(draft_pdf):
    doc = make_doc()
    last = pages(draft_pdf)[-1]
    assert "Artificial intelligence and culture" in last
    assert doc.version_sha256[:12] in last and "v0.3" in last
    assert f"Page {len(pages(draft_pdf))} of {len(pages(draft_pdf))}" in last


def test_same_document_and_options_give_the_same_bytes(tmp_path):
    doc = make_doc(signed_off=True)
    first = render(doc, "pdf", ExportOptions(toc=True))
    assert render(doc, "pdf", ExportOptions(toc=True)) == first
    assert render(doc, "pdf", ExportOptions(toc=True), tmp_path) == first
    assert render(doc, "pdf", ExportOptions(toc=True), tmp_path) == first


def test_pdf_shows_the_clean_current_text_whatever_the_review_options():
    earlier = make_doc(version_label="v0.2")
    later = make_doc(
        sections=(section("1", "Introduction", "The slow brown fox leaps over the lazy dog."),),
        open_comments=(comment(1, "1", "brown fox", body="A reviewer remark."),),
        frozen_at=datetime(2025, 4, 1, tzinfo=UTC),
    )
    plain = render(later, "pdf", ExportOptions())
    reviewed = render(later, "pdf", ExportOptions(comments=True, redline_against=earlier))
    assert reviewed == plain
    text = "\n".join(pages(reviewed))
    assert "The slow brown fox leaps over the lazy dog." in text
    assert "quick" not in text and "A reviewer remark" not in text


def test_french_accents_and_typographic_quotes_survive():
    doc = make_doc(
        language="fr",
        paper_title="L’intelligence artificielle et la culture",
        sections=(
            section("1", "Préambule", "« L’été dernier », dit-elle, “c’était déjà l’IA”. Œuvres."),
        ),
        annexes=(),
    )
    text = "\n".join(pages(render(doc, "pdf", ExportOptions())))
    assert "« L’été dernier », dit-elle, “c’était déjà l’IA”. Œuvres." in text
    assert "1 Préambule" in text
    assert "L’intelligence artificielle et la culture" in text
    assert "PROJET / DRAFT" in text
