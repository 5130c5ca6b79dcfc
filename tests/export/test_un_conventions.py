"""The conventions a reader of a UNESCO document expects: the cover block, the symbol in the
header, the place and date line, the original language, acronyms, disclaimer, job titles."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import docx

from app.export import ExportOptions, SignoffRow, render
from app.export.labels import labels, original_line, place_and_date
from tests.export.builders import make_doc, section
from tests.export.layout import read

FROZEN = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)


def un_doc(language: str = "en", **changes):
    doc = make_doc(
        language=language,
        frozen_at=FROZEN,
        signed_off=True,
        sector_name="Culture Sector",
        document_symbol="CLT/2027/PP/1",
        disclaimer=labels(language)["disclaimer_text"],
        sections=(
            section("1", "Introduction", "CLT and SHS wrote this; REC2021 applies."),
            section("2", "Scope", "Nothing about education (EDUCATION and SCIENCE are words)."),
        ),
        acronyms=(
            ("CLT", "Culture Sector"),
            ("SHS", "Social and Human Sciences Sector"),
            ("SC", "Natural Sciences Sector"),
            ("REC2021", "Recommendation on the Ethics of Artificial Intelligence"),
            ("ED", "Education Sector"),
        ),
        signoffs=(
            SignoffRow("Ernesto Ottone", "CLT", "approve", FROZEN, job_title="ADG for Culture"),
        ),
    )
    return replace(doc, **changes)


def test_the_place_and_date_line_and_the_original_language():
    assert place_and_date(FROZEN, "en") == "Paris, 15 January 2027"
    assert place_and_date(FROZEN, "fr") == "Paris, le 15 janvier 2027"
    assert place_and_date(datetime(2027, 3, 1, tzinfo=UTC), "fr") == "Paris, le 1er mars 2027"
    assert original_line("en") == "Original: English"
    assert original_line("fr") == "Original\u202f: français"


def test_the_pdf_cover_block_header_and_front_pages():
    pages = read(render(un_doc(), "pdf"))
    cover = pages[0]["text"]
    for line in (
        "United Nations Educational, Scientific and Cultural Organization",
        "Culture Sector",
        "CLT/2027/PP/1",
        "Paris, 15 January 2027",
        "Original: English",
    ):
        assert line in cover, line
    assert all(page["text"].startswith("CLT/2027/PP/1 · ") for page in pages)
    text = "\n".join(page["text"] for page in pages)
    assert "Disclaimer" in text and "do not commit" in text
    acronyms = text.split("Acronyms")[1].split("Sign-off")[0]
    assert "CLT: Culture Sector" in acronyms and "SHS:" in acronyms and "REC2021:" in acronyms
    assert "ED:" not in acronyms and "SC:" not in acronyms  # not used in the text
    assert "Ernesto Ottone, ADG for Culture" in text


def test_the_word_cover_block_header_and_front_pages_in_french():
    data = render(un_doc("fr"), "docx", ExportOptions(toc=True))
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:3] == [
        "Organisation des Nations Unies pour l’éducation, la science et la culture",
        "Culture Sector",
        "CLT/2027/PP/1",
    ]
    assert "Paris, le 15 janvier 2027" in paragraphs
    assert "Original\u202f: français" in paragraphs
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Avertissement", "Sigles et acronymes", "Approbation"]
    assert "CLT/2027/PP/1 · " in document.sections[0].header.paragraphs[0].text
    names = [row.cells[0].text for row in document.tables[0].rows]
    assert "Ernesto Ottone, ADG for Culture" in names


def test_without_symbol_disclaimer_or_acronyms_nothing_is_added():
    doc = un_doc(document_symbol="", disclaimer="", acronyms=())
    text = "\n".join(page["text"] for page in read(render(doc, "pdf")))
    assert "Disclaimer" not in text and "Acronyms" not in text
    assert "CLT/2027" not in text
