"""The one entry point that turns a version into bytes: `render(doc, fmt, options, cache_dir)`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from app.export.cache import PieceCache
from app.export.document import ExportError, ExportOptions, VersionDocument
from app.export.markdown import consolidated_markdown

Format = Literal["docx", "pdf", "md"]


def render(
    doc: VersionDocument,
    fmt: Format,
    options: ExportOptions | None = None,
    cache_dir: Path | None = None,
) -> bytes:
    """The export of `doc` as `fmt`. Same document and options: the same bytes.

    `cache_dir` keeps converted sections between exports (any folder the process may write;
    shared safely by several processes). `md` is the consolidated text, whatever the options.
    """
    options = options or ExportOptions()
    pieces = PieceCache(cache_dir)
    try:
        if fmt == "md":
            return consolidated_markdown(doc).encode("utf-8")
        if fmt == "docx":
            from app.export.docx import render_docx

            return render_docx(doc, options, pieces)
        if fmt == "pdf":
            from app.export.pdf import render_pdf

            return render_pdf(doc, options, pieces)
    except ExportError:
        raise
    except Exception as error:  # the contract: any failure is an ExportError (cause chained)
        raise ExportError(f"the {fmt} export failed: {error}") from error
    raise ExportError(f"unknown export format {fmt!r} (docx, pdf or md)")
