"""The export's annexes: the alignment matrix and the comment resolution matrix, as they
stood when the version was frozen."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import select

from app.db import session
from app.models import Role, Section
from app.services import alignment, exports, reviews, revisions, versions


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    current = revisions.latest(section.id)
    revisions.save_revision(
        section,
        paper.people[Role.COORDINATOR],
        body="Museums describe collections with AI; curators keep the last word.",
        base_revision_id=current.id,
    )
    paper.section = section
    return paper


def _comment(paper, body: str):
    return reviews.create_comment(
        paper.section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(
            body=body,
            type="substantive",
            quote={"exact": "curators keep the last word"},
            proposed_text="curators decide",
        ),
    )


def test_a_version_without_decisions_or_comments_has_no_annex(paper):
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.1")
    assert exports.build_document(version).annexes == ()


def test_the_annexes_show_the_review_as_it_was_when_frozen(paper, app, tmp_path):
    coordinator = paper.people[Role.COORDINATOR]
    alignment.record_section_decision(
        paper.section, coordinator, item_code="REC2021.P7", status="partial", rationale="Half."
    )
    first = _comment(paper, "Who are the curators?")
    second = _comment(paper, "Say which museums.")
    reviews.resolve(first, coordinator, decision="rejected", rationale="Clear enough.")
    version = versions.freeze_version(paper, coordinator, "v0.2")

    # After the freeze: more decisions and comments, none of which the export may show.
    reviews.resolve(second, coordinator, decision="noted")
    _comment(paper, "A comment made after the freeze.")
    alignment.record_section_decision(
        paper.section, coordinator, item_code="REC2021.P7", status="aligned", rationale="Done."
    )

    doc = exports.build_document(version)
    assert doc.authors == (coordinator.name,)  # the file's creator in docProps/core.xml
    assert "REC2021" in doc.keywords
    titles = [annex.title for annex in doc.annexes]
    assert titles == ["Alignment with the reference frameworks", "Comment resolution matrix"]
    annex = doc.annexes[0].markdown
    row = next(line for line in annex.splitlines() if line.startswith("| P7 — "))
    # The decision in force at the freeze: partial (P), decision 1, in the 3.4 column.
    assert row.split("|")[2].strip() == "P \\[1\\]"
    decisions = annex.split("**Decisions**")[1]
    assert "| 1 | 3\\.4 | P7 | Partial | Half\\. |" in decisions
    assert "Done" not in annex and "Aligned" not in decisions

    made, _created = exports.create_export(version, coordinator, "docx", exports_dir=tmp_path)
    document = docx.Document(io.BytesIO((tmp_path / made.path).read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Annex A: Alignment with the reference frameworks" in headings
    assert "Annex B: Comment resolution matrix" in headings
    (matrix,) = [t for t in document.tables if "Sector" in [c.text for c in t.rows[0].cells]]
    rows = [[cell.text for cell in row.cells] for row in matrix.rows[1:]]
    assert [(row[2], row[3], row[5], row[8], row[9]) for row in rows] == [
        ("SHS", "User 3", "Substantive", "Rejected", "Clear enough."),
        ("SHS", "User 3", "Substantive", "Open", ""),
    ]
    assert rows[0][7].startswith("Who are the curators? Proposed change: “curators decide”")
    # The annexes are in a landscape section of their own, after the portrait pages.
    sections = document.sections
    assert [s.page_width > s.page_height for s in sections] == [False, True]


def test_the_document_carries_the_paper_un_settings(paper):
    coordinator = paper.people[Role.COORDINATOR]
    paper.document_symbol = "CLT/2027/PP/1"
    paper.disclaimer = True
    version = versions.freeze_version(paper, coordinator, "v0.1")
    doc = exports.build_document(version)
    assert doc.document_symbol == "CLT/2027/PP/1"
    assert "do not commit the Organization" in doc.disclaimer
    assert doc.sector_name == coordinator.sector.name_en
    assert ("REC2021", "Recommendation on the Ethics of Artificial Intelligence") in doc.acronyms
    assert ("CLT", "Culture") in doc.acronyms
    paper.disclaimer = False
    assert exports.build_document(version).disclaimer == ""
