"""The canonical consolidated text of a version, and the clean-up every section body goes through.

`consolidated_markdown` is what the `md` export returns and what a version's hash can be taken
over: it holds the title, the version label and date, the sections in order under their numbers,
and the annexes. It leaves out the version hash and the sign-off state, which are recorded after
the text is frozen, so hashing it is not circular.
"""

from __future__ import annotations

import re

from app.export.document import VersionDocument
from app.export.labels import annex_letter, labels, stamp

# Characters that the export pipeline uses as its own markers (see pandoc.py and comments.py);
# a section body may not carry them, or a user could forge a marker.
MARKER_CHARS = "\ue0f0\ue0f1\ue0f2\ue0f3\ue0f4"

# Everything XML 1.0 forbids (C0 controls but tab and newline, lone surrogates, U+FFFE/U+FFFF),
# plus the markers above. Left in, such a character would make the .docx unreadable.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff" + MARKER_CHARS + "]")


def normalize_body(text: str) -> str:
    """A body with Unix line ends, without forbidden characters, and without trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", text).rstrip()


def normalize_line(text: str) -> str:
    """A one-line value (a title, a name): forbidden characters dropped, whitespace collapsed."""
    return " ".join(_UNWANTED.sub("", text).split())


def heading_text(number: str, title: str) -> str:
    """A section heading as the reader sees it: "2.1 Title"."""
    number, title = normalize_line(number), normalize_line(title)
    return f"{number} {title}" if number else title


def annex_heading(index: int, title: str, language: str) -> str:
    """An annex heading: "Annex A: Title" (French: "Annexe A : Title", a narrow no-break
    space before the colon)."""
    words = labels(language)
    separator = words["colon"] + " "
    return f"{words['annex']} {annex_letter(index)}{separator}{normalize_line(title)}"


# What would start Markdown markup in a line Plume writes (a heading, the version line).
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~^$@!&])")


def markdown_line(text: str) -> str:
    """A one-line value (a title, a label) as Markdown that shows exactly that text."""
    return _MARKUP.sub(r"\\\1", normalize_line(text))


def consolidated_markdown(doc: VersionDocument) -> str:
    """The canonical consolidated text of a version (deterministic: same document, same text)."""
    words = labels(doc.language)
    parts = [
        f"# {markdown_line(doc.paper_title)}",
        f"{words['version']} {markdown_line(doc.version_label)} — "
        f"{words['frozen']} {stamp(doc.frozen_at)}",
    ]
    for section in doc.sections:
        hashes = "#" * min(section.level + 1, 6)
        parts.append(f"{hashes} {markdown_line(heading_text(section.number, section.title))}")
        body = normalize_body(section.body)
        if body:
            parts.append(body)
    for index, annex in enumerate(doc.annexes):
        parts.append(f"## {markdown_line(annex_heading(index, annex.title, doc.language))}")
        body = normalize_body(annex.markdown)
        if body:
            parts.append(body)
    return "\n\n".join(parts) + "\n"
