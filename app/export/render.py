"""The one entry point that turns a version into bytes: `render(doc, fmt, options, cache_dir)`.

A conversion stopped by a limit (runner.RenderLimit) is remembered for the revisions it
converted, the format and the limits, in the piece cache (or, without one, in this process):
asking again fails at once instead of spending the limit again, and raising a limit retries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from app.export import runner
from app.export.cache import PieceCache, key
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
    if fmt == "md":
        return consolidated_markdown(doc).encode("utf-8")
    failure = _failure_key(doc, fmt, options)
    _raise_if_failed(pieces, failure)
    try:
        if fmt == "docx":
            from app.export.docx import render_docx

            return render_docx(doc, options, pieces)
        if fmt == "pdf":
            from app.export.pdf import render_pdf

            return render_pdf(doc, options, pieces)
    except runner.RenderLimit as error:
        _remember_failure(pieces, failure, error)
        raise
    except ExportError:
        raise
    except Exception as error:  # the contract: any failure is an ExportError (cause chained)
        raise ExportError(f"the {fmt} export failed: {error}") from error
    raise ExportError(f"unknown export format {fmt!r} (docx, pdf or md)")


_failures: dict[str, bytes] = {}  # without a cache folder: this process's memory


def _failure_key(doc: VersionDocument, fmt: str, options: ExportOptions) -> str:
    """What a stopped conversion depends on: the texts (by revision), the format, the limits."""
    texts = [section.revision_sha256 for section in doc.sections]
    texts += [annex.markdown for annex in doc.annexes]
    if options.redline_against is not None:
        texts += [section.revision_sha256 for section in options.redline_against.sections]
    return key("failed", fmt, texts, runner.limits().key())


def _raise_if_failed(pieces: PieceCache, failure: str) -> None:
    found = pieces.get("failed", failure) if pieces.root else _failures.get(failure)
    if found is not None:
        tool, kind, limit = json.loads(found)
        raise runner.RenderLimit(tool, kind, limit)


def _remember_failure(pieces: PieceCache, failure: str, error: runner.RenderLimit) -> None:
    data = json.dumps([error.tool, error.kind, error.limit]).encode("utf-8")
    if pieces.root:
        pieces.put("failed", failure, data)
    else:
        _failures[failure] = data
