"""A content-addressed cache of converted pieces (a section's DOCX XML, its typst, its AST).

Revisions never change, so a piece converted once is good for every later export that holds the
same text with the same converter. Keys hash everything the piece depends on; files are written
to a temporary name and renamed, so a reader never sees half a file and concurrent exports
(other gunicorn workers) can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path


def _package_sha256() -> str:
    """The sha256 of this package's code and data, and of the text helpers it uses (where a
    comment's passage is, which links are unsafe): any change to them invalidates every piece."""
    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent
    helpers = [folder.parent / "text" / name for name in ("passages.py", "links.py")]
    for path in [*sorted(folder.iterdir()), *helpers]:
        if path.suffix in (".py", ".lua", ".typ", ".docx"):
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


PIPELINE_VERSION = _package_sha256()


def key(*parts: object) -> str:
    """A cache key: the sha256 of the parts (JSON-encoded) and of the package's code."""
    blob = json.dumps([PIPELINE_VERSION, *parts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class PieceCache:
    """Pieces stored as `<root>/<kind>/<key[:2]>/<key>`; with no root, nothing is kept."""

    def __init__(self, root: Path | None) -> None:
        self.root = Path(root) if root is not None else None

    def _path(self, kind: str, name: str) -> Path:
        assert self.root is not None
        return self.root / kind / name[:2] / name

    def get(self, kind: str, name: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            return self._path(kind, name).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, kind: str, name: str, data: bytes) -> None:
        """Store atomically: write a temporary file beside the target, then rename it."""
        if self.root is None:
            return
        path = self._path(kind, name)
        # Unique per process and thread, so concurrent writers never share a temporary file.
        temporary = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
