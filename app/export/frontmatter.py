"""What an export says before the sections: the draft or signed-off notice and the sign-off page.

Written as Markdown by Plume (every value escaped), converted in the same pandoc run as the
sections, once per export: it is small, and it is the part that changes when a signatory records
a position.
"""

from __future__ import annotations

import re

from app.export.document import VersionDocument
from app.export.labels import day, labels
from app.export.markdown import normalize_line
from app.export.pandoc import TRUSTED, escape


def notice(doc: VersionDocument) -> str:
    """One line under the title: a draft warning, or that the version is signed off."""
    words = labels(doc.language)
    if not doc.signed_off:
        return f"**{escape(words['draft_notice'])}**\n"
    signed, hash_label = escape(words["signed_notice"]), escape(words["hash"])
    colon = escape(words["colon"])
    return f"**{signed}\\.** {hash_label}{colon} `{_hex(doc.version_sha256)}`\n"


def _hex(value: str) -> str:
    """A hash as it may appear in a code span: letters and digits only."""
    return "".join(char for char in value if char.isascii() and char.isalnum())


def signoff_page(doc: VersionDocument) -> str:
    """The sign-off page of a signed-off version as Markdown ("" for a draft).

    One row per required signatory: name, sector, position ("no record" when none), date; a
    reason column when any signatory gave one; then the version's SHA-256. The page starts with
    a level-1 heading, which starts a new page in both writers' styles.
    """
    if not doc.signed_off:
        return ""
    words = labels(doc.language)
    with_reason = any(row.reason for row in doc.signoffs)
    head = [words["signatory"], words["sector"], words["position"], words["date"]]
    if with_reason:
        head.append(words["reason"])
    rows = []
    for row in doc.signoffs:
        name = normalize_line(row.name)
        if row.job_title and row.job_title.strip():
            name += ", " + normalize_line(row.job_title)
        cells = [
            name,
            normalize_line(row.sector),
            words[row.position] if row.position else words["no_record"],
            day(row.recorded_at) if row.recorded_at else "",
        ]
        if with_reason:
            cells.append(normalize_line(row.reason or ""))
        rows.append(cells)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(escape(cell) for cell in cells) + " |"

    table = [line(head), "|" + "---|" * len(head), *(line(cells) for cells in rows)]
    override = []
    if doc.override_reason:
        # Printed with the ballot it qualifies: the signatures were given knowing it.
        override = [
            f"**{escape(words['override'])}** {escape(normalize_line(doc.override_reason))}"
        ]
    return (
        "\n\n".join(
            [
                f"# {TRUSTED} {escape(words['signoff'])}",
                "\n".join(table),
                *override,
                f"{escape(words['hash'])}{escape(words['colon'])}",
                f"`{_hex(doc.version_sha256)}`",
            ]
        )
        + "\n"
    )


def disclaimer_page(doc: VersionDocument) -> str:
    """The disclaimer page ("" unless the paper asks for one), as Markdown."""
    if not doc.disclaimer.strip():
        return ""
    words = labels(doc.language)
    paragraphs = [escape(p) for p in doc.disclaimer.split("\n\n") if p.strip()]
    return "\n\n".join([f"# {TRUSTED} {escape(words['disclaimer'])}", *paragraphs]) + "\n"


def used_acronyms(doc: VersionDocument) -> list[tuple[str, str]]:
    """The acronyms the text uses (a code written as a word in a section's title or text),
    in alphabetical order."""
    text = "\n".join(f"{s.title}\n{s.body}" for s in doc.sections)
    found = {
        code: meaning
        for code, meaning in doc.acronyms
        if code and re.search(rf"(?<![\w.]){re.escape(code)}(?![\w])", text)
    }
    return sorted(found.items())


def acronyms_page(doc: VersionDocument) -> str:
    """The list of acronyms ("" when the text uses none), as Markdown."""
    found = used_acronyms(doc)
    if not found:
        return ""
    words = labels(doc.language)
    lines = [
        f"- **{escape(normalize_line(code))}**{escape(words['colon'])} {escape(meaning)}"
        for code, meaning in found
    ]
    return f"# {TRUSTED} {escape(words['acronyms'])}\n\n" + "\n".join(lines) + "\n"


def front_pages(doc: VersionDocument) -> str:
    """What comes between the cover and the sections: disclaimer, acronyms, sign-off page."""
    return "\n".join(
        page for page in (disclaimer_page(doc), acronyms_page(doc), signoff_page(doc)) if page
    )
