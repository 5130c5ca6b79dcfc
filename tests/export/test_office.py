"""The DOCX as LibreOffice shows it (what a reader without Word sees): converted to PDF with
`soffice --headless` and read back like the PDF export. Skips without LibreOffice (fails in CI).
"""

from __future__ import annotations

import io
import shutil

import pdfplumber
import pytest

from app.export import ExportOptions, render
from tests.conftest import _unavailable
from tests.export.layout import read
from tests.export.test_layout import check_layout
from tests.perf.render_samples import annex_pages, office_pdf, reference_frameworks, template_doc

pytestmark = [pytest.mark.office, pytest.mark.slow]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The 27-section template (REC2021 + CONV2005) exported to DOCX, as LibreOffice's PDF."""
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        _unavailable("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer")
    doc = template_doc("en")
    data = office_pdf(render(doc, "docx", ExportOptions(toc=True)), tmp_path_factory.mktemp("lo"))
    return doc, data


def test_annex_a_takes_at_most_six_pages(office):
    _doc, data = office
    pages = annex_pages(data, ["Annex A: Alignment", "Annex B: Comment"])
    assert 1 <= len(pages["Annex A: Alignment"]) <= 6, pages


def test_the_contents_page_shows_the_headings(office):
    doc, data = office
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    contents = next(text for text in texts[:4] if "Contents" in text)
    for section in doc.sections:
        if section.level <= 3:
            assert f"{section.number} {section.title}"[:40] in contents.replace("\n", " ")
    assert "Annex A: Alignment with the reference frameworks" in contents


def test_the_layout_holds_in_libreoffice(office):
    doc, data = office
    comments = ["Please make the example more concrete"] * (2 * len(doc.sections))
    check_layout(data, doc, reference_frameworks("en"), comments)
    assert read(data)[0]["landscape"] is False
