"""The shipped AI-and-culture template: well-formed, and what the terms of reference ask for."""

from __future__ import annotations

from sqlalchemy import select

from app.models import FrameworkItem, Sector
from app.services.templates import number_key, read_template


def test_the_template_reads_in_document_order(drafts_dir):
    template = read_template(drafts_dir / "ai-and-culture")
    numbers = [section.number for section in template.sections]
    assert numbers == sorted(numbers, key=number_key)
    assert numbers[:3] == ["1", "2", "3"]
    assert {"3.1", "3.2", "3.3", "3.4", "3.5"} <= set(numbers)  # the ToR's domains
    assert template.frameworks == ("REC2021", "CONV2005")
    for section in template.sections:
        assert section.title_en and section.title_fr and section.title_fr != section.title_en
        assert len(section.brief) > 80 and section.brief_fr
        assert section.body.strip(), f"section {section.number} has no opening text"


def test_the_template_names_only_known_sectors_and_items(db, drafts_dir):
    template = read_template(drafts_dir / "ai-and-culture")
    sectors = set(db.scalars(select(Sector.code)))
    items = set(db.scalars(select(FrameworkItem.code)))
    for section in template.sections:
        assert set(section.reviewers) <= sectors, section.number
        assert section.expected_items and set(section.expected_items) <= items, section.number


def test_the_terms_of_reference_points_are_covered(drafts_dir):
    briefs = " ".join(s.brief for s in read_template(drafts_dir / "ai-and-culture").sections)
    for point in ("ToR (a)", "ToR (b)", "ToR (c)", "ToR (d)", "ToR (e)", "ToR (f)"):
        assert point in briefs
    assert "cultural institutions can align their AI strategies" in briefs


def test_number_key_orders_like_a_reader():
    numbers = ["3", "2.10", "A", "2.2", "10", "2"]
    assert sorted(numbers, key=number_key) == ["2", "2.2", "2.10", "3", "10", "A"]
