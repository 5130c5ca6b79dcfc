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


def reference_frameworks(language: str = "en"):
    """Every framework in app/reference, as the annex builder receives them."""
    from pathlib import Path

    import yaml

    from app.export.annexes import AnnexFramework, AnnexItem

    folder = Path(__file__).resolve().parents[2] / "app" / "reference" / "frameworks"
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = tuple(AnnexItem(item["code"], item[f"title_{language}"]) for item in data["items"])
        found.append(AnnexFramework(data["code"], data[f"title_{language}"], items))
    return tuple(found)


LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


def large_doc(sections: int = 60, comments: int = 300, language: str = "en") -> VersionDocument:
    """A paper of `sections` sections, checked against every framework (a decision on most
    items, some with long rationales and quotes), with `comments` resolved comments."""
    from app.export.annexes import AlignmentEntry, CommentEntry, alignment_annex, comment_annex

    body = (
        "Culture is a global public good, and artificial intelligence changes how it is made. " * 6
        + f"\n\nA very long word: {LONG_WORD} and https://example.org/{'very-long-path/' * 8}.\n\n"
        + "| Axis | Lead | Note |\n|---|---|---|\n"
        + "".join(f"| Axis {n} | CLT | A line of the table |\n" for n in range(80))
    )
    texts = tuple(
        section(str(n + 1), f"Section title number {n + 1}", body if n % 10 == 0 else body[:400])
        for n in range(sections)
    )
    frameworks = reference_frameworks(language)
    statuses = ("aligned", "partial", "gap", "conflict", "not_applicable")
    entries = []
    for f_index, framework in enumerate(frameworks):
        for i_index, item in enumerate(framework.items):
            for offset in range(i_index % 4):
                number = str((i_index * 7 + offset * 13 + f_index) % sections + 1)
                entries.append(
                    AlignmentEntry(
                        number,
                        f"Section title number {number}",
                        item.code,
                        statuses[(i_index + offset) % 5],
                        "The section sets out how the item is met. " * (1 + offset),
                        "Culture is a global public good" if offset == 1 else None,
                    )
                )
    types = ("editorial", "substantive", "legal", "alignment")
    decisions = ("accepted", "accepted_modified", "rejected", "noted", "")
    rows = [
        CommentEntry(
            number=n + 1,
            section_number=str(n % sections + 1),
            section_title=f"Section title number {n % sections + 1}",
            sector=("CLT", "SHS", "CI", "LA")[n % 4],
            author=f"Reviewer {n % 17}",
            created_at=FROZEN,
            passage="Culture is a global public good" if n % 3 else "",
            type=types[n % 4],
            comment=f"Comment {n + 1}: please reword this passage. " * (1 + n % 3),
            proposed_change="A clearer sentence." if n % 5 == 0 else "",
            decision=decisions[n % 5],
            rationale="Agreed with the sector." if n % 5 else "",
        )
        for n in range(comments)
    ]
    annexes = (alignment_annex(frameworks, entries, language), comment_annex(rows, language))
    return make_doc(sections=texts, annexes=annexes, language=language, signed_off=True)
