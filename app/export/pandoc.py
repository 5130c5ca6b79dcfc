"""Running pandoc: always the binary that pypandoc-binary ships, always sandboxed, always bounded.

One run converts a whole *plan*: Markdown files that Plume writes itself (headings, the sign-off
page, markers) and the untrusted section texts, each in its own file. `--file-scope` makes pandoc
parse every file on its own, so one section's unclosed code fence, footnote labels or link
definitions never reach another, and a section's output depends on its own text only (which is
what lets Plume cache it).

Section texts are read as CommonMark (the dialect of the web preview) with footnotes, pipe
tables, strikeout and smart quotes, and *without* raw HTML. That dialect has no raw blocks, raw
attributes, spans, divs, attributes, maths or citations, so nothing in a text can reach a
writer's raw output. The Lua filters then move headings under their section and turn images
into inert text, and `--sandbox` stops any reader or writer from touching a file that is not on
the command line. SOURCE_DATE_EPOCH replaces the wall clock.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.export import ast, runner
from app.export.document import ExportError
from app.text.links import may_hold_unsafe_link

HERE = Path(__file__).resolve().parent
DIALECT = "commonmark-raw_html+footnotes+pipe_tables+strikeout+smart"
BLOCK_FILTER = HERE / "sanitize_blocks.lua"
INLINE_FILTER = HERE / "sanitize_inlines.lua"

# A paragraph holding only MARK around a name marks where a piece of the output starts; a
# heading that starts with TRUSTED was written by Plume. User text never holds either.
MARK = "\ue0f0"
TRUSTED = "\ue0f3"
_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

Chunk = tuple[bool, str]  # (trusted?, Markdown)


@cache
def pandoc_path() -> str:
    """The pandoc binary shipped by pypandoc-binary.

    The wheel keeps it in `pypandoc/files/`; looking there directly spares the pandoc runs
    with which `pypandoc.get_pandoc_path()` probes every candidate (0.1 s a process).
    """
    spec = importlib.util.find_spec("pypandoc")
    if spec is not None and spec.origin:
        name = "pandoc.exe" if os.name == "nt" else "pandoc"
        bundled = Path(spec.origin).parent / "files" / name
        if os.access(bundled, os.X_OK):
            return str(bundled)
    try:
        import pypandoc

        path = pypandoc.get_pandoc_path()
    except (ImportError, OSError) as error:
        raise ExportError(f"pandoc is not available: {error}") from error
    if not path or not os.access(path, os.X_OK):
        raise ExportError(f"pandoc is not available at {path!r}")
    return path


@cache
def pandoc_version() -> str:
    """pandoc's version, part of every cache key: another pandoc may write other bytes."""
    out = run(["--version"], b"")
    return out.decode("utf-8", "replace").splitlines()[0].strip()


@cache
def api_version() -> list[int]:
    """The version of pandoc's JSON AST, which a JSON input must state."""
    return json.loads(run(["-f", "markdown", "-t", "json"], b""))["pandoc-api-version"]


def run(args: list[str], stdin: bytes, epoch: int | None = None) -> bytes:
    """Run pandoc with `args`, feeding `stdin`, through the runner (bounded in time and
    memory); its stdout, or ExportError with its message (RenderLimit at a limit).
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    limits = runner.limits()
    # pandoc's own heap limit makes it stop cleanly ("Heap exhausted") below the rlimit.
    heap = ["+RTS", f"-M{max(64, limits.memory_mb - 200)}m", "-RTS"]
    return runner.run(
        "pandoc", [pandoc_path(), *heap, *args], stdin, timeout=limits.pandoc_seconds, env=env
    )


_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def escape(text: str) -> str:
    """Plain text as Markdown that means exactly that text (all ASCII punctuation escaped).

    Runs of spaces become one; no-break spaces are kept (French puts one before a colon)."""
    text = " ".join(part for part in _SPACES.split(text) if part)
    return "".join("\\" + char if char in _PUNCTUATION else char for char in text)


@dataclass
class Plan:
    """What one pandoc run converts: Markdown chunks, Plume's own or untrusted, in order."""

    chunks: list[Chunk] = field(default_factory=list)

    def trusted(self, markdown: str) -> None:
        """Markdown that Plume wrote (every user value in it went through `escape`)."""
        self.chunks.append((True, markdown))

    def mark(self, name: str) -> None:
        """Mark where the output piece `name` starts (the marker paragraph is cut out later)."""
        self.trusted(f"{MARK}{name}{MARK}\n")

    def heading(self, level: int, text: str) -> None:
        """A section heading; user headings in the text that follows go below it."""
        self.trusted(f"{'#' * max(1, min(level, 6))} {TRUSTED} {escape(text)}\n")

    def source(self, markdown: str) -> None:
        """Untrusted Markdown (a section body)."""
        self.chunks.append((False, markdown))

    def extend(self, chunks: tuple[Chunk, ...] | list[Chunk]) -> None:
        self.chunks.extend(chunks)


def convert(plan: Plan, to: str, extra: list[str] | None = None, epoch: int | None = None) -> bytes:
    """Convert a plan with pandoc's `to` writer (sandboxed, bounded in time and memory)."""
    filters = ["--lua-filter", str(BLOCK_FILTER)]
    if any(not trusted and _needs_inline_filter(_unmarked(text)) for trusted, text in plan.chunks):
        filters += ["--lua-filter", str(INLINE_FILTER)]
    with runner.temporary_folder("pandoc-") as folder:
        paths = []
        for index, text in enumerate(_files(plan.chunks)):
            path = Path(folder) / f"{index:05d}.md"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        args = ["--sandbox", "--file-scope", "-f", DIALECT, "-t", to, "-o", "-"]
        return run([*args, *filters, *(extra or []), *paths], b"", epoch)


_COMMENT_MARKER = re.compile("([\ue0f1\ue0f2])[0-9]+\\1")


def _needs_inline_filter(markdown: str) -> bool:
    return "![" in markdown or may_hold_unsafe_link(markdown)


def _unmarked(markdown: str) -> str:
    """Markdown without Plume's Word comment markers (comments.mark_passages), which could
    otherwise split a "![" or a link's scheme and hide it from these checks."""
    return _COMMENT_MARKER.sub("", markdown) if "\ue0f1" in markdown else markdown


def _files(chunks: list[Chunk]) -> list[str]:
    """The chunks as files: Plume's chunks joined, and each untrusted text ending a file.

    Nothing at the end of a CommonMark file can change how a closed block before it parses
    (Plume's text has no link for a definition to resolve), so a section's marker and heading
    can share the file of its body; what follows a body always starts a new file.
    """
    files: list[str] = []
    open_file: list[str] | None = None
    for trusted, text in chunks:
        if open_file is None:
            open_file = []
            files.append("")
        open_file.append(text)
        files[-1] = "\n\n".join(open_file)
        if not trusted:
            open_file = None
    return files


def convert_ast(
    blocks: list[ast.Node], to: str, extra: list[str] | None = None, epoch: int | None = None
) -> bytes:
    """Convert blocks built in Python (already parsed and sanitised) with pandoc's `to` writer."""
    document = {"pandoc-api-version": api_version(), "meta": {}, "blocks": blocks}
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return run(["--sandbox", "-f", "json", "-t", to, "-o", "-", *(extra or [])], payload, epoch)
