"""Builders for export tests: plain VersionDocument objects, no database."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

from app.export import (
    Annex,
    ExportSection,
    OpenComment,
    SignoffRow,
    VersionDocument,
)

FROZEN = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def section(number: str, title: str, body: str, *, level: int | None = None, key: str = ""):
    """An ExportSection whose hash is the body's (as the services compute it)."""
    return ExportSection(
        number=number,
        title=title,
        level=level if level is not None else number.count(".") + 1,
        body=body,
        revision_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        key=key or number,
    )


def comment(
    id: int,
    section_number: str,
    exact: str | None,
    *,
    prefix: str = "",
    suffix: str = "",
    body: str = "Please reword.",
    author: str = "Amina Diallo",
    sector: str = "CLT",
    proposed_text: str | None = None,
):
    return OpenComment(
        id=id,
        section_number=section_number,
        author=author,
        sector=sector,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        body=body,
        proposed_text=proposed_text,
        created_at=datetime(2025, 3, 1, 10, id % 60, tzinfo=UTC),
    )


SECTIONS = (
    section(
        "1",
        "Introduction",
        "Artificial intelligence is changing how culture is made and shared.\n\n"
        "The quick brown fox jumps over the lazy dog.",
    ),
    section(
        "1.1",
        "Scope",
        "This paper covers museums, heritage and the creative industries.\n\n"
        "- tangible heritage\n- living heritage\n\nSee the [Recommendation](https://www.unesco.org/).",
    ),
    section("2", "Challenges", "Bias in algorithms and access to content.[^1]\n\n[^1]: A note."),
    section("2.1", "Intellectual property", "Who owns a work that a model produced?"),
    section(
        "3", "Priority axes", "| Axis | Lead |\n|---|---|\n| Heritage | CLT |\n| Ethics | SHS |"
    ),
)

SIGNOFFS = (
    SignoffRow("Ernesto Ottone", "CLT", "approve", datetime(2025, 3, 20, tzinfo=UTC)),
    SignoffRow("Gabriela Ramos", "SHS", "no_objection", datetime(2025, 3, 21, tzinfo=UTC)),
    SignoffRow("Legal Affairs", "LA", None, None),
)


def make_doc(**overrides) -> VersionDocument:
    """A small version (5 sections, 3 signatories, 1 annex); keyword arguments override fields."""
    doc = VersionDocument(
        paper_title="Artificial intelligence and culture",
        language="en",
        version_label="v0.3",
        version_sha256=hashlib.sha256(b"v0.3").hexdigest(),
        frozen_at=FROZEN,
        signed_off=False,
        signoffs=SIGNOFFS,
        sections=SECTIONS,
        annexes=(Annex("Alignment matrix", "| Item | Status |\n|---|---|\n| P1 | aligned |"),),
    )
    return replace(doc, **overrides)


def docx_part(data: bytes, name: str) -> str:
    """One XML part of a .docx, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")
