"""The export formats, registered once.

Everything that differs between formats is here: the media type and file extension of a
download, the name people read (an English message, translated by the pages), the options a
format honours, and the function that renders it. The database's CHECK on `exports.format`
(`models.ExportFormat`), the service's option checks, the API's schema, the CLI's choices and
the web's labels all read this table. Adding a format is a module with its `render` function,
an entry below, and a migration for the CHECK (tests/test_migrations.py fails without it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.export.cache import PieceCache
from app.export.document import ExportError, ExportOptions, VersionDocument

Renderer = Callable[[VersionDocument, ExportOptions, PieceCache], bytes]

TOC, COMMENTS, REDLINE = "toc", "comments", "redline_against"


def N_(message: str) -> str:
    """Marks a message for extraction (`make translations`); the pages translate it."""
    return message


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    label: str
    options: frozenset[str]
    render: Renderer


def _markdown(doc: VersionDocument, _options: ExportOptions, pieces: PieceCache) -> bytes:
    from app.export.markdown import consolidated_markdown

    return consolidated_markdown(doc, pieces).encode("utf-8")


def _docx(doc: VersionDocument, options: ExportOptions, pieces: PieceCache) -> bytes:
    from app.export.docx import render_docx

    return render_docx(doc, options, pieces)


def _pdf(doc: VersionDocument, options: ExportOptions, pieces: PieceCache) -> bytes:
    from app.export.pdf import render_pdf

    return render_pdf(doc, options, pieces)


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            N_("Word document"),
            frozenset({TOC, COMMENTS, REDLINE}),
            _docx,
        ),
        Format("pdf", "application/pdf", "pdf", N_("PDF"), frozenset({TOC}), _pdf),
        Format("md", "text/markdown", "md", N_("Markdown"), frozenset(), _markdown),
    )
}


def get(name: str) -> Format:
    """The format of that name, or an ExportError naming the ones there are."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format {name!r} ({', '.join(FORMATS)})") from None


def supporting(option: str) -> list[str]:
    """The names of the formats that honour `option`."""
    return [fmt.name for fmt in FORMATS.values() if option in fmt.options]
