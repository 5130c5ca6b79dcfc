"""The PDF's layout, read back with pdfplumber: what a reader of the printed paper would see.

A paper with many sections, every framework and hundreds of comments: nothing runs off a page,
no two lines are printed over each other, every row of the annexes is there, on landscape pages.
"""

from __future__ import annotations

import io
from dataclasses import replace
from itertools import pairwise

import pdfplumber
import pytest

from app.export import ExportOptions, render
from app.export.annexes import short_code
from tests.export.builders import LONG_WORD, large_doc, reference_frameworks
from tests.export.layout import column_text, read, squeeze


def check_layout(data: bytes, doc, frameworks, comments: list[str] | None = None) -> list[dict]:
    """Nothing outside a page, no lines over each other, annexes landscape, and every item row
    and every comment (`comments`: each comment's text; by default the large_doc's) there."""
    pages = read(data)
    for number, page in enumerate(pages, start=1):
        assert page["outside"] == [], f"page {number}: drawn outside the page"
        assert page["overlaps"] == [], f"page {number}: lines over each other"
    first_annex = next(i for i, page in enumerate(pages) if "Annex A" in page["text"][:300])
    assert all(page["landscape"] for page in pages[first_annex:])
    assert not any(page["landscape"] for page in pages[:first_annex])

    items = column_text(pages, "Item")
    for framework in frameworks:
        for item in framework.items:
            row = f"{short_code(framework.code, item.code)} — {item.title}"
            assert squeeze(row) in items, row
    column = column_text(pages, "Comment", beside="Passage")
    if comments is None:
        count = len(doc.annexes[1].markdown.splitlines()) - 2
        comments = [f"Comment {number}: please reword" for number in range(1, count + 1)]
    for text in set(comments):
        assert column.count(squeeze(text)) >= comments.count(text), text
    return pages


@pytest.mark.slow
def test_sixty_sections_every_framework_three_hundred_comments():
    doc = large_doc(sections=60, comments=300)
    check_layout(render(doc, "pdf", ExportOptions(toc=True)), doc, reference_frameworks())


def test_a_draft_with_long_tables_long_words_and_annexes_stays_on_its_pages():
    doc = replace(large_doc(sections=12, comments=40), signed_off=False)
    pages = check_layout(render(doc, "pdf", ExportOptions(toc=True)), doc, reference_frameworks())
    body = squeeze("".join(page["text"] for page in pages))
    assert squeeze(LONG_WORD) in body  # broken across lines, not cut
    # Each 80-row table goes on over a page break, under its repeated header row.
    assert sum(page["text"].count("Axis Lead Note") for page in pages) > 2  # 2 tables


def test_french_annexes_print_words_not_codes():
    doc = large_doc(sections=3, comments=6, language="fr")
    pages = read(render(doc, "pdf"))
    text = "\n".join(page["text"] for page in pages)
    for word in ("Rédactionnel", "De fond", "Juridique", "Rejeté"):
        assert word in text
    assert squeeze("Accepté avec modifications") in column_text(
        pages, "Décision", beside="Justification"
    )
    for code in ("substantive", "accepted_modified", "editorial"):
        assert code not in text
    assert "Annexe A : Alignement" in text.replace("\u202f", " ")


def test_cover_title_is_set_ragged_right():
    title = "Artificial intelligence and culture: a policy paper whose title wraps onto two lines"
    data = render(replace(large_doc(sections=1, comments=1), paper_title=title), "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        words = [w for w in pdf.pages[0].extract_words(extra_attrs=["size"]) if w["size"] > 20]
    first_line = [w for w in words if abs(w["top"] - words[0]["top"]) < 2]
    gaps = [b["x0"] - a["x1"] for a, b in pairwise(first_line)]
    assert len(first_line) < len(words)  # it wraps
    assert max(gaps) < 0.4 * 24  # word spaces of a 24 pt font, not stretched to the margin
