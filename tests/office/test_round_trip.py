"""The Word round trip through a real LibreOffice: export a version, review it in LibreOffice
(comments, tracked changes) as a reviewer would, save as .docx, import, and find every remark
on its passage and section; applying the suggestions performs the reviewer's changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import export
from app.db import session
from app.docx_import import read_docx
from app.models import Comment, Role, Section
from app.services import exports, imports, reviews, revisions, versions

pytestmark = pytest.mark.office

FIRST = (
    "Museums use *machine learning* to catalogue their collections.\n\n"
    "The quick brown fox jumps over the lazy dog."
)
SECOND = "Bias in algorithms shapes access to cultural content."


@pytest.fixture
def paper_and_version(create_paper):
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    sections = list(
        session.scalars(
            select(Section).where(Section.paper_id == paper.id).order_by(Section.position)
        )
    )[:2]
    for section, body in zip(sections, (FIRST, SECOND), strict=True):
        base = revisions.latest(section.id)
        revisions.save_revision(
            section, coordinator, body=body, base_revision_id=base.id if base else None
        )
    return paper, versions.freeze_version(paper, coordinator, "v1"), sections


def test_a_review_made_in_libreoffice_comes_home(paper_and_version, libreoffice, tmp_path):
    paper, version, (one, two) = paper_and_version
    coordinator, reviewer = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    exported = export.render(exports.build_document(version), "docx", export.ExportOptions())

    reviewed = libreoffice(
        exported,
        tmp_path,
        author=reviewer.name,  # LibreOffice signs tracked changes with its user's name
        actions=[
            {"comment": "machine learning", "text": "Which techniques?", "author": reviewer.name},
            {"comment": "Bias in algorithms", "text": "Cite a study.", "author": "Kim Lee (CI)"},
            {"replace": "brown", "by": "red"},
            {"insert_after": "their collections", "text": " and archives"},
            {"replace": "shapes", "by": "limits"},
        ],
    )
    # LibreOffice kept what lets the file find its way home.
    identity = read_docx(reviewed).identity
    assert (identity.paper_id, identity.version_id) == (paper.id, version.id)

    report = imports.import_docx(paper.id, coordinator, reviewed)
    assert report.counts == {"created": 5, "duplicate": 0, "unplaced": 0}, report.to_json()
    found = {
        (item.kind, item.section_id, item.quote, item.user_id): session.get(
            Comment, item.comment_id
        )
        for item in report.items
    }
    assert set(found) == {
        ("comment", one.id, "machine learning", reviewer.id),
        ("comment", two.id, "Bias in algorithms", coordinator.id),  # an unknown author
        ("suggestion", one.id, "brown", reviewer.id),
        ("suggestion", one.id, "collections", reviewer.id),
        ("suggestion", two.id, "shapes", reviewer.id),
    }
    unknown = found[("comment", two.id, "Bias in algorithms", coordinator.id)]
    assert unknown.body == "Cite a study.\n\n— from Kim Lee (CI) (Word)"
    for comment in found.values():
        text = revisions.latest(comment.section_id).body
        assert text[comment.anchor_start : comment.anchor_end] == comment.quote_exact

    # Accepting every suggestion performs exactly the reviewer's changes.
    for (kind, _, _, _), comment in sorted(found.items(), key=lambda entry: entry[1].id):
        if kind == "suggestion":
            session.refresh(comment)
            reviews.resolve(comment, coordinator, decision="accepted", apply_suggestion=True)
    assert revisions.latest(one.id).body == FIRST.replace("brown", "red").replace(
        "their collections", "their collections and archives"
    )
    assert revisions.latest(two.id).body == SECOND.replace("shapes", "limits")

    # The same file again brings nothing twice.
    again = imports.import_docx(paper.id, coordinator, reviewed, dry_run=True)
    assert again.counts == {"created": 0, "duplicate": 5, "unplaced": 0}
