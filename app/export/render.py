"""The one entry point that turns a version into bytes: `render(doc, fmt, options, cache_dir)`.

A conversion stopped by a limit (runner.RenderLimit) is remembered for the revisions it
converted, the format and the limits, in the piece cache (or, without one, in this process):
asking again fails at once instead of spending the limit again, and raising a limit retries.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.export import formats, runner
from app.export.cache import PieceCache, key
from app.export.document import ExportError, ExportOptions, VersionDocument


def render(
    doc: VersionDocument,
    fmt: str,
    options: ExportOptions | None = None,
    cache_dir: Path | None = None,
) -> bytes:
    """The export of `doc` as `fmt` (a name in `formats.FORMATS`). Same document and options:
    the same bytes.

    `cache_dir` keeps converted sections between exports (any folder the process may write;
    shared safely by several processes). Options a format does not honour are ignored here
    (the service refuses them before).
    """
    renderer = formats.get(fmt).render
    options = options or ExportOptions()
    pieces = PieceCache(cache_dir)
    failure = _failure_key(doc, fmt, options)
    _raise_if_failed(pieces, failure)
    try:
        return renderer(doc, options, pieces)
    except runner.RenderLimit as error:
        _remember_failure(pieces, failure, error)
        raise
    except ExportError:
        raise
    except Exception as error:  # the contract: any failure is an ExportError (cause chained)
        raise ExportError(f"the {fmt} export failed: {error}") from error


_failures: dict[str, bytes] = {}  # without a cache folder: this process's memory


def _failure_key(doc: VersionDocument, fmt: str, options: ExportOptions) -> str:
    """What a stopped conversion depends on: the texts (by revision), the format, the limits."""
    texts = [section.revision_sha256 for section in doc.sections]
    texts += [annex.markdown for annex in doc.annexes]
    if options.redline_against is not None:
        texts += [section.revision_sha256 for section in options.redline_against.sections]
    numbered = ["numbered"] if doc.numbered_paragraphs else []
    return key("failed", fmt, texts, runner.limits().key(), *numbered)


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
