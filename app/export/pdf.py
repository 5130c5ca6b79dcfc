"""PDF export: pandoc's typst writer, Plume's typst template, and the `typst` compiler.

Each section's typst is cached (a section's typst depends on its own text only), so pandoc only
converts the sections not seen before; the template and the pieces are joined into one in-memory
source and compiled by a `typst.Compiler` kept for the life of the process. Its incremental
cache makes small edits cheap to re-lay; an edit that moves page breaks costs about a cold
compile, which the template keeps short (no hyphenation: see template.typ).

Memory: typst memoises layout in-process and never gives it back; compiling a 40,000-word
paper holds about 200 MB, a 700,000-word one about 2.7 GB (typst's own frames and caches: the
raw compiler needs as much on the same text). So no long-lived process may keep it: the child
that compiles ends after each export (PLUME_TYPST_KEEP_MB, default 0, keeps it warm while it
holds less), and a paper of more than PLUME_PDF_CHUNKED_FROM parts (default 150) is compiled
in chunks, each by a fresh child, and merged (pdf_chunks.py): its peak is one chunk's.

The PDF always shows the clean current text: Word comments and tracked changes are review
features of the DOCX, so neither option changes the PDF.
"""

from __future__ import annotations

import atexit
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.export import cache, frontmatter, pandoc, pdf_chunks, runner
from app.export.document import ExportError, ExportOptions, VersionDocument
from app.export.labels import epoch, labels, original_line, place_and_date, stamp
from app.export.markdown import normalize_line
from app.export.parts import plan_parts

TEMPLATE = Path(__file__).resolve().parent / "template.typ"
CHILD = Path(__file__).resolve().parent / "typst_child.py"
NUMBERED = Path(__file__).resolve().parent / "numbered_paragraphs.lua"
LANGUAGES = ("en", "fr")


def render_pdf(doc: VersionDocument, options: ExportOptions, pieces: cache.PieceCache) -> bytes:
    """The PDF of a version (same document and options: same bytes)."""
    # Numbered paragraphs put a marker in each converted paragraph: other pieces.
    numbered = ("numbered",) if doc.numbered_paragraphs else ()
    writer_key = ("typst", pandoc.pandoc_version(), *numbered)
    parts = plan_parts(doc, ExportOptions(toc=options.toc), writer_key)
    cached: dict[str, str] = {}
    for part in parts:
        data = pieces.get("typst", part.key)
        if data is not None:
            cached[part.name] = data.decode("utf-8")

    extra = ["--lua-filter", str(NUMBERED)] if numbered else []
    # A paper compiled in chunks is converted in batches too: each pandoc run then holds a
    # chunk's text, not the paper's (about 1 GB at 1,000 sections), and has its own deadline.
    batch = pdf_chunks.chunk_sections() if pdf_chunks.chunked(len(parts)) else len(parts)
    written: list[tuple[str, str]] = []
    back = ""
    for start in range(0, max(len(parts), 1), max(batch, 1)):
        group = parts[start : start + batch]
        if start and all(part.name in cached for part in group):
            written.extend((part.name, "") for part in group)
            continue
        plan = pandoc.Plan()
        if not start:
            plan.trusted(frontmatter.front_pages(doc))
        for part in group:
            plan.mark(part.name)
            if part.name not in cached:
                plan.extend(part.text.chunks())
        plan.mark("end")
        for name, text in split_typst(pandoc.convert(plan, "typst", extra).decode("utf-8")):
            if name == "back":
                back = text  # what follows the last mark (nothing, in practice)
            elif name != "front" or not start:
                written.append((name, text))
    written.append(("back", back))

    keys = {part.name: part.key for part in parts}
    # Chapters (and the sign-off page) start on a new page.
    new_page = {part.name for part in parts if part.level == 1} | {"front"}
    annexes = {f"a{index}": annex for index, annex in enumerate(doc.annexes)}
    levels = {part.name: part.level for part in parts}
    items: list[pdf_chunks.Item] = []
    landscape = False
    for name, text in written:
        if name in cached:
            text = cached[name]
        elif name in keys:
            pieces.put("typst", keys[name], text.encode("utf-8"))
        flip = name in annexes and not landscape
        if flip:
            # The annexes are wide tables: landscape pages from the first annex on (a page
            # set rule starts a new page).
            landscape = True
        breaks = not flip and name in new_page and bool(text.strip())
        if name in annexes:
            text = column_widths(text, annexes[name].widths)
        if has_long_word(text):
            text = f"#long-words[\n{text}\n]\n"
        items.append(pdf_chunks.Item(name, levels.get(name, 0), landscape, flip, breaks, text))
    if pdf_chunks.chunked(len(parts)):
        return pdf_chunks.render(doc, options, items, pieces)
    body = [item.typst() for item in items]
    source = _template(doc, options) + "\n" + "".join(body) + _document_title(doc)
    return COMPILER.compile(source, epoch(doc.frozen_at))


def split_typst(written: str) -> list[tuple[str, str]]:
    """Cut the typst writer's output at the marker paragraphs: front, pieces..., back."""
    out: list[tuple[str, str]] = []
    name, position = "front", 0
    mark = pandoc.MARK
    while (found := written.find(mark, position)) >= 0:
        end_of_name = written.index(mark, found + 1)
        line_start = written.rfind("\n", 0, found) + 1
        line_end = written.find("\n", end_of_name)
        line_end = len(written) if line_end < 0 else line_end + 1
        out.append((name, written[position:line_start]))
        name, position = written[found + 1 : end_of_name], line_end
    out.append(("back" if name == "end" else name, written[position:]))
    return out


# What typst writes that is not text a reader sees: link targets, table set-up lines, and the
# opening and closing of the writer's function calls (`#footnote[`, `#strong[`, `]`), which
# would otherwise glue a word to the next ("Recommendation].#footnote[Diversity" is not a
# long word: before this, every section with a footnote after a link got the costly rule).
_NOT_TEXT = re.compile(
    r'#link\("[^"]*"\)|^\s*(?:align|columns): .*$|#[a-z][\w.]*(?:\([^()"]*\))?\[|\]',
    re.MULTILINE,
)
_LONG_WORD = re.compile(r"\S{24,}")


def has_long_word(typst: str) -> bool:
    """Whether a part's typst may show a word too long for a line (see template.typ)."""
    return _LONG_WORD.search(_NOT_TEXT.sub(" ", typst)) is not None


_COLUMNS = re.compile(r"^(\s*columns: )\d+,$", re.MULTILINE)


def column_widths(typst: str, widths: tuple[tuple[int, ...], ...]) -> str:
    """The typst of an annex with each table's columns given their relative widths, in order."""
    found = iter(widths)

    def replace(match: re.Match[str]) -> str:
        mine = next(found, None)
        if not mine:
            return match.group(0)
        return match.group(1) + "(" + ", ".join(f"{w}fr" for w in mine) + "),"

    return _COLUMNS.sub(replace, typst)


def typst_string(value: str) -> str:
    """A typst string literal holding exactly `value` (backslash, quote, controls escaped)."""
    escaped = []
    for char in value:
        if char in '\\"':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or char in "\u2028\u2029":
            escaped.append(f"\\u{{{ord(char):x}}}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _template(doc: VersionDocument, options: ExportOptions) -> str:
    """The template with the version's values filled in as typst literals."""
    values = ", ".join(
        f"{typst_string(name)}: "
        + (("true" if value else "false") if isinstance(value, bool) else typst_string(value))
        for name, value in _values(doc, options).items()
    )
    language = doc.language if doc.language in LANGUAGES else "en"
    return (
        TEMPLATE.read_text(encoding="utf-8")
        .replace("PLUME_LANG", typst_string(language))
        .replace("PLUME_META", f"({values})")
    )


def _document_title(doc: VersionDocument) -> str:
    """The PDF's title, set last: a set rule before the body would restyle (and re-lay) it all."""
    return f"\n#set document(title: {typst_string(normalize_line(doc.paper_title))})\n"


def _values(doc: VersionDocument, options: ExportOptions) -> dict[str, str | bool]:
    """What the template shows: the cover, header, footer and DRAFT mark."""
    words = labels(doc.language)
    return {
        "title": normalize_line(doc.paper_title),
        "symbol": normalize_line(doc.document_symbol),
        "organisation": words["organisation"],
        "sector": normalize_line(doc.sector_name),
        "dateline": place_and_date(doc.frozen_at, doc.language),
        "original": original_line(doc.language),
        "signed": doc.signed_off,
        "toc": options.toc,
        "draft": words["draft"],
        "notice": words["signed_notice"] if doc.signed_off else words["draft_notice"],
        "version-word": words["version"],
        "version": normalize_line(doc.version_label),
        "frozen-word": words["frozen"],
        "stamp": stamp(doc.frozen_at),
        "hash-label": words["hash"],
        "colon": words["colon"],
        "sha": doc.version_sha256,
        "short": doc.version_sha256[:12],
        "contents": words["contents"],
        "page": words["page"],
        "of": words["of"],
    }


# A typst source this long (about 150 sections) holds more than the default keep_mb() once
# laid out, so its child would end after the export anyway.
WARM_SOURCE_MAX = 1_500_000


def keep_mb() -> int:
    """How much a typst child may hold between exports (PLUME_TYPST_KEEP_MB, default 0: a
    child per export, so that no process keeps the compiler's memory between exports; a
    warm child makes a re-export about 13 % faster and holds what typst laid out)."""
    try:
        value = int(os.environ.get("PLUME_TYPST_KEEP_MB", "0"))
    except ValueError:
        return 0
    return max(0, value)


def resident_mb(pid: int) -> int:
    """A process's resident memory in MB (0 when it cannot be read: not Linux, or gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class WarmCompiler:
    """One typst process per Plume process, reused so that its incremental cache stays warm,
    as long as it holds little memory (`_release_memory`).

    typst runs in a child process (app/export/typst_child.py) started by the runner, so that a
    document that takes too long or too much memory to lay out is stopped (its process group
    killed, a new child started for the next export) without harming the server.

    (Values go into the source rather than through sys_inputs: the typst package rebuilds its
    library when sys_inputs are passed, which throws the incremental cache away.)

    Its root is an empty folder under the process's temporary folder: the source is compiled
    from memory, so nothing in a document can read a file (typst confines file access to the
    root). Only the fonts embedded in typst are used, so the same source gives the same PDF on
    every machine.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen | None = None
        self._pid: int | None = None
        self._compiled = 0

    def _ready(self, memory_mb: int) -> subprocess.Popen:
        child = self._child
        if child is not None and (self._pid != os.getpid() or child.poll() is not None):
            if self._pid == os.getpid():
                runner.kill_group(child)
            child = None  # a forked worker starts its own
        if child is None:
            root = runner.process_folder() / "typst-root"
            root.mkdir(exist_ok=True)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            argv = [sys.executable, "-I", str(CHILD), str(root)]
            try:
                child = runner.start(argv, env, memory_mb)
            except OSError as error:
                raise ExportError(f"typst could not be started: {error}") from error
            if self._pid is None:
                atexit.register(self.stop)
            self._child, self._pid, self._compiled = child, os.getpid(), 0
        return child

    def stop(self) -> None:
        """End the child (the next compile starts a fresh one)."""
        if self._child is not None and self._pid == os.getpid():
            runner.kill_group(self._child)
        self._child = None

    def compile(self, source: str, timestamp: int, end: bool = False) -> bytes:
        """The PDF of `source`; with `end` (a chunk: pdf_chunks.py), `<pdf size> `, an untagged
        PDF and the JSON of the source's `<plume-end>` metadata."""
        limits = runner.limits()
        with self._lock:
            try:
                if self._compiled and len(source) > WARM_SOURCE_MAX:
                    # A large document cannot stay warm (see keep_mb): whatever the child
                    # holds from earlier exports would only add to its peak.
                    self.stop()
                try:
                    return self._compile(source, timestamp, limits, end)
                except runner.RenderLimit as error:
                    if error.kind != "memory" or self._compiled == 0:
                        raise
                # A warm child holds typst's caches from earlier documents: try once from cold.
                self.stop()
                return self._compile(source, timestamp, limits, end)
            finally:
                self._release_memory()

    def _release_memory(self) -> None:
        """End the child when it holds more than keep_mb(): typst keeps every layout it made,
        and a web or queue worker must not hold gigabytes between exports. The next export
        then starts a fresh child (its incremental cache, worth about an eighth of a re-export,
        is lost only for documents this large)."""
        child = self._child
        alive = child is not None and self._pid == os.getpid() and child.poll() is None
        if alive and resident_mb(child.pid) > keep_mb():
            self.stop()

    def _compile(self, source: str, timestamp: int, limits: runner.Limits, end: bool) -> bytes:
        child = self._ready(limits.memory_mb)
        deadline = time.monotonic() + limits.typst_seconds
        data = source.encode("utf-8")
        mode = b" end" if end else b""
        try:
            child.stdin.write(b"%d %d%s\n" % (timestamp, len(data), mode) + data)
            child.stdin.flush()
            header = b""
            while not header.endswith(b"\n"):
                header += runner.read_exactly(child.stdout, 1, deadline)
            answer, size = header.split()
            body = runner.read_exactly(child.stdout, int(size), deadline)
        except TimeoutError:
            self.stop()
            raise runner.RenderLimit("typst", "time", round(limits.typst_seconds)) from None
        except (EOFError, OSError, ValueError):
            try:
                returncode = child.wait(timeout=2)
                stderr = child.stderr.read().decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                returncode, stderr = None, ""
            self.stop()
            if runner.ran_out_of_memory(returncode, stderr):
                raise runner.RenderLimit("typst", "memory", limits.memory_mb) from None
            raise ExportError(f"typst stopped: {stderr.strip() or returncode}") from None
        self._compiled += 1
        if answer == b"memory":
            self.stop()
            raise runner.RenderLimit("typst", "memory", limits.memory_mb)
        if answer != b"ok":
            raise ExportError(body.decode("utf-8", "replace"))
        return body


COMPILER = WarmCompiler()
