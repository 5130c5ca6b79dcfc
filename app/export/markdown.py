"""The canonical consolidated text of a version, and the clean-up every section body goes through.

`consolidated_markdown` is what the `md` export returns and what a version's hash can be taken
over: it holds the title, the version label and date, the sections in order under their numbers,
and the annexes. It leaves out the version hash and the sign-off state, which are recorded after
the text is frozen, so hashing it is not circular.
"""

from __future__ import annotations

import itertools
import re

from app.export.document import VersionDocument
from app.export.labels import annex_letter, labels, stamp
from app.text.links import may_hold_unsafe_link

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


def consolidated_markdown(doc: VersionDocument, pieces=None) -> str:
    """The canonical consolidated text of a version (deterministic: same document, same text).

    A body is written as its author typed it, unless it may hold a link that the one link rule
    (app/text/links.py) refuses: then pandoc rewrites it through the same filters as the other
    formats (`safe_bodies`), and the unsafe links become their text. `pieces` (a
    cache.PieceCache) keeps those rewritten bodies.
    """
    words = labels(doc.language)
    rewritten = safe_bodies(doc, pieces)
    parts = [
        f"# {markdown_line(doc.paper_title)}",
        f"{words['version']} {markdown_line(doc.version_label)} — "
        f"{words['frozen']} {stamp(doc.frozen_at)}",
    ]
    for index, section in enumerate(doc.sections):
        hashes = "#" * min(section.level + 1, 6)
        parts.append(f"{hashes} {markdown_line(heading_text(section.number, section.title))}")
        body = rewritten.get(index, normalize_body(section.body))
        if body:
            parts.append(body)
    for index, annex in enumerate(doc.annexes):
        parts.append(f"## {markdown_line(annex_heading(index, annex.title, doc.language))}")
        body = normalize_body(annex.markdown)
        if body:
            parts.append(body)
    return "\n\n".join(parts) + "\n"


_MARKER_LINE = re.compile("^\ue0f0([^\ue0f0\n]+)\ue0f0$", re.MULTILINE)


def safe_bodies(doc: VersionDocument, pieces=None) -> dict[int, str]:
    """{section index: its body rewritten by pandoc} for the bodies that may hold an unsafe link.

    One pandoc run for all of them (CommonMark in and out, sanitize_blocks.lua and
    sanitize_inlines.lua on the way), each under a trusted heading at its level so that its own
    headings go below it as in the other formats; footnotes stay after their paragraph.
    """
    from app.export import cache, pandoc

    store = cache.PieceCache(None) if pieces is None else pieces
    found: dict[int, str] = {}
    todo: dict[int, tuple[str, int, str]] = {}
    for index, section in enumerate(doc.sections):
        body = normalize_body(section.body)
        if not may_hold_unsafe_link(body):
            continue
        level = min(section.level + 1, 6)
        name = cache.key("md-body", pandoc.pandoc_version(), level, body)
        data = store.get("md", name)
        if data is not None:
            found[index] = data.decode("utf-8")
        else:
            todo[index] = (name, level, body)
    if not todo:
        return found
    plan = pandoc.Plan()
    for index, (_name, level, body) in todo.items():
        plan.mark(f"s{index}")
        plan.heading(level, "-")
        plan.source(body)
    plan.mark("end")
    writer = "commonmark+footnotes+pipe_tables+strikeout"
    written = pandoc.convert(plan, writer, ["--reference-location=block", "--wrap=preserve"])
    text = written.decode("utf-8")
    for match, following in itertools.pairwise(_MARKER_LINE.finditer(text)):
        index = int(match.group(1)[1:])
        piece = text[match.end() : following.start()].strip("\n")
        # Its first block is the trusted heading put there to place its headings.
        body = piece.split("\n\n", 1)[1].strip() if "\n\n" in piece else ""
        found[index] = body
        store.put("md", todo[index][0], body.encode("utf-8"))
    return found
