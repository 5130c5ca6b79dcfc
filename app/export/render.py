"""The one entry point that turns a version into bytes: `render(doc, fmt, options, cache_dir)`."""

from __future__ import annotations

from pathlib import Path

from app.export import formats
from app.export.cache import PieceCache
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
    try:
        return renderer(doc, options or ExportOptions(), PieceCache(cache_dir))
    except ExportError:
        raise
    except Exception as error:  # the contract: any failure is an ExportError (cause chained)
        raise ExportError(f"the {fmt} export failed: {error}") from error
