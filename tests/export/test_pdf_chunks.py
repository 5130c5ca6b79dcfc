"""A large PDF, compiled in chunks of sections and merged (app/export/pdf_chunks.py), reads like
one compiled whole: continuous page and footnote numbers, a contents whose page numbers and
links lead to the headings, an outline, the same bytes each time; a re-export recompiles only
the chunk whose section changed. The chunk size is made small so a small paper spans several.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pypdf
import pytest

from app.export import ExportOptions, render
from tests.export.builders import large_doc, make_doc, reference_frameworks, section
from tests.export.test_layout import check_layout

CHAPTERS = 6


def paper(**changes):
    """Chapters of three sections each, a footnote in every section, a chapter of two pages."""
    sections = []
    for chapter in range(1, CHAPTERS + 1):
        for sub in range(3):
            number = f"{chapter}" if sub == 0 else f"{chapter}.{sub}"
            words = " ".join(["Culture is a global public good."] * (160 if chapter == 2 else 12))
            body = f"Text of {number}: {words}[^n]\n\n[^n]: The note of section {number}."
            sections.append(section(number, f"Part {number}", body))
    return make_doc(sections=tuple(sections), **changes)


@pytest.fixture
def chunked(monkeypatch):
    monkeypatch.setenv("PLUME_PDF_CHUNKED_FROM", "1")
    monkeypatch.setenv("PLUME_PDF_CHUNK_SECTIONS", "4")  # a chunk: about two chapters


def read(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def heading_pages(reader: pypdf.PdfReader) -> dict[str, int]:
    """Where each section heading is drawn (1-based page), read off the pages' text."""
    found = {}
    for number, page in enumerate(reader.pages, start=1):
        for match in re.finditer(r"^(\d+(?:\.\d+)?) Part \1$", page.extract_text(), re.M):
            found.setdefault(match.group(1), number)
    return found


def test_a_chunked_export_numbers_pages_and_footnotes_on_across_chunks(chunked):
    data = render(paper(), "pdf", ExportOptions(toc=True))
    reader = read(data)
    total = len(reader.pages)
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert "DRAFT" in text and "Artificial intelligence and culture" in text
    # Every section's footnote, numbered 1, 2, 3... in the order of the sections.
    notes = re.findall(r"^(\d+) ?The note of section ([\d.]+?)\.$", "\n".join(texts), re.M)
    sections = [s.number for s in paper().sections]
    assert notes == [(str(index), number) for index, number in enumerate(sections, start=1)]


def test_a_chunked_export_lays_out_the_pages_one_compile_does(chunked, monkeypatch):
    chunked_pdf = read(render(paper(), "pdf", ExportOptions(toc=True)))
    monkeypatch.setenv("PLUME_PDF_CHUNKED_FROM", "1000")
    whole = read(render(paper(), "pdf", ExportOptions(toc=True)))
    assert len(chunked_pdf.pages) == len(whole.pages)
    assert heading_pages(chunked_pdf) == heading_pages(whole)
    assert len(heading_pages(whole)) == CHAPTERS * 3
    assert outline(chunked_pdf) == outline(whole)


def outline(reader: pypdf.PdfReader, entries: list | None = None) -> list:
    """The bookmarks: title and page, nested."""
    return [
        outline(reader, entry)
        if isinstance(entry, list)
        else (entry.title, reader.get_destination_page_number(entry))
        for entry in (reader.outline if entries is None else entries)
    ]


def test_the_contents_and_the_outline_lead_to_the_headings(chunked):
    reader = read(render(paper(), "pdf", ExportOptions(toc=True)))
    drawn = heading_pages(reader)
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    listed = dict(re.findall(r"^(\d+(?:\.\d+)?) Part \1[ .]*?(\d+)$", contents, re.M))
    assert {number: int(page) for number, page in listed.items()} == drawn

    # Each entry's link goes to its heading's page, in the order of the contents.
    targets = [
        reader.get_page_number(annotation.get_object()["/Dest"][0].get_object()) + 1
        for annotation in reader.pages[1]["/Annots"]
    ]
    pages = enumerate(reader.pages[2:], start=3)
    annex = next(n for n, page in pages if "Annex A" in page.extract_text())
    assert targets == [*sorted(drawn.values()), annex]
    assert reader.pages[annex - 1].mediabox.width > reader.pages[annex - 1].mediabox.height

    # The outline (bookmarks): the chapters, their sections under them, each at its page.
    outline = reader.outline
    chapters = [entry for entry in outline if not isinstance(entry, list)]
    expected = [f"{n} Part {n}" for n in range(1, CHAPTERS + 1)] + ["Annex A: Alignment matrix"]
    assert [c.title for c in chapters] == expected
    assert reader.get_destination_page_number(chapters[-1]) + 1 == annex
    for chapter in chapters[:-1]:
        number = chapter.title.split()[0]
        assert reader.get_destination_page_number(chapter) + 1 == drawn[number]
    subsections = [entry for group in outline if isinstance(group, list) for entry in group]
    assert len(subsections) == CHAPTERS * 2
    for entry in subsections:
        assert reader.get_destination_page_number(entry) + 1 == drawn[entry.title.split()[0]]


def test_a_chunked_export_gives_the_same_bytes_with_or_without_a_cache(chunked, cache_dir):
    doc = paper(signed_off=True)
    first = render(doc, "pdf", ExportOptions(toc=True))
    assert render(doc, "pdf", ExportOptions(toc=True)) == first
    assert render(doc, "pdf", ExportOptions(toc=True), cache_dir) == first
    assert render(doc, "pdf", ExportOptions(toc=True), cache_dir) == first
    assert "DRAFT" not in "".join(page.extract_text() for page in read(first).pages)
    assert read(first).metadata.title == doc.paper_title
    assert read(first).metadata.creation_date.isoformat() == "2025-03-14T09:30:00+00:00"


def test_a_re_export_recompiles_only_the_chunk_of_the_changed_section(chunked, cache_dir):
    doc = paper()
    render(doc, "pdf", ExportOptions(), cache_dir)
    compiled = set((cache_dir / "pdf-chunk").rglob("*"))
    chunks = [path for path in compiled if path.is_file()]
    assert len(chunks) >= 3

    sections = list(doc.sections)
    changed = replace(sections[4], body=sections[4].body.replace("Text of", "New text of"))
    sections[4] = changed
    later = replace(doc, sections=tuple(sections), version_label="v0.4")
    data = render(later, "pdf", ExportOptions(), cache_dir)
    new = {p for p in (cache_dir / "pdf-chunk").rglob("*") if p.is_file()} - set(chunks)
    assert len(new) == 1  # the other chunks came from the cache
    text = "".join(page.extract_text() for page in read(data).pages)
    assert "New text of 2.1" in text and "v0.4" in text and "v0.3" not in text


def test_numbered_paragraphs_number_on_across_chunks(chunked):
    data = render(paper(numbered_paragraphs=True), "pdf", ExportOptions())
    text = "\n".join(page.extract_text() for page in read(data).pages)
    numbered = re.findall(r"^(\d+)\. ?Text of ([\d.]+):", text, re.M)
    sections = [s.number for s in paper().sections]
    assert numbered == [(str(index), number) for index, number in enumerate(sections, start=1)]


def test_a_chunked_export_stays_on_its_pages_with_its_annexes_landscape(chunked):
    doc = replace(large_doc(sections=12, comments=40), signed_off=False)
    check_layout(render(doc, "pdf", ExportOptions(toc=True)), doc, reference_frameworks())
