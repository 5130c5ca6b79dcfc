"""Export benchmark (not a test): Plume's DOCX and PDF exports against raw pandoc / typst.

    .venv/bin/python tests/perf/bench_export.py [--sections 60] [--only docx,comments,pdf]
    make bench SECTIONS=1000 REPS=1

The document: N sections (chapters of 5 subsections; 60 by default), about 700 words each (60
sections: 42,000 words; 1,000: 717,000, built the same way: more than the issue's estimate of
400,000), a pipe table in every third section, lists, links, footnotes and 5 open comments per
section (300 at 60, 5,000 at 1,000). For each format it measures
  raw       pandoc on the document's consolidated Markdown (md -> docx; for PDF md -> typst, then
            typst.compile in the measuring process), the same pandoc binary with the same
            reference.docx;
  cold      Plume's export with an empty cache, in a fresh process (no warm compiler);
  re-export Plume's export after 2 sections changed, in the process that made the cold export
            (as a gunicorn worker would), with its cache;
and prints seconds (median of --reps runs, each in a fresh process), the ratio to raw, and the
peak resident memory (RSS) of the exporting process and of its children (pandoc, the typst
child), sampled every 50 ms from /proc, with what they still hold once the export is done.
Goals: cold <= 1.15 x raw (Word comments included), re-export <= 0.3 x raw; a PDF export's peak
(process and children) <= 1.2 x raw typst's and <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.export import (  # noqa: E402
    ExportOptions,
    ExportSection,
    OpenComment,
    SignoffRow,
    VersionDocument,
    consolidated_markdown,
    render,
)

VOCABULARY = """
    culture heritage artificial intelligence museums creative industries ethics recommendation
    data privacy access bias diversity member states sector policy framework implementation
    intellectual property algorithm audience living expressions convention communities
    archives libraries artists rights transparency accountability governance literacy
    sustainability emergency preservation dissemination engagement democratisation sensitivity
    legal gaps opportunities stakeholders regional perspectives guidelines priorities actions
"""
WORDS = VOCABULARY.split()
SECTORS = ["CLT", "SHS", "CI", "ED", "SC"]


def sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        length = rng.randint(12, 24)
        out.append(sentence(rng, length))
        count += length
    text = " ".join(out)
    # Some inline formatting, as real drafts have.
    return text.replace(" ethics ", " **ethics** ", 1).replace(" data ", " *data* ", 1)


def section_body(rng: random.Random, index: int, words: int, with_table: bool) -> str:
    blocks: list[str] = []
    count = 0
    while count < words:
        size = rng.randint(80, 140)
        blocks.append(paragraph(rng, size))
        count += size
        if rng.random() < 0.15:
            blocks.append("\n".join(f"- {sentence(rng, 8)}" for _ in range(4)))
            count += 32
    blocks.insert(
        1, f"See the [2021 Recommendation](https://www.unesco.org/ethics-ai/{index}).[^n{index}]"
    )
    blocks.append(f"[^n{index}]: {sentence(rng, 15)}")
    if with_table:
        rows = ["| Axis | Principle | Sector | Status |", "|---|---|---|---|"]
        rows += [
            f"| {rng.choice(WORDS)} {i} | {rng.choice(WORDS)} | {rng.choice(SECTORS)} | "
            f"{rng.choice(['aligned', 'partial', 'gap'])} |"
            for i in range(6)
        ]
        blocks.insert(len(blocks) // 2, "\n".join(rows))
    return "\n\n".join(blocks)


def benchmark_document(seed: int = 2021, sections_wanted: int = 60) -> VersionDocument:
    """60 sections, ~42,000 words, 20 pipe tables, 300 open comments (scaled with the sections:
    1,000 give ~717,000 words, 334 tables, 5,000 comments)."""
    rng = random.Random(seed)
    sections: list[ExportSection] = []
    comments: list[OpenComment] = []
    for chapter in range(1, (sections_wanted + 5) // 6 + 1):
        for sub in range(0, 6):
            index = len(sections)
            if index >= sections_wanted:
                break
            number = f"{chapter}" if sub == 0 else f"{chapter}.{sub}"
            body = section_body(rng, index, 560, with_table=index % 3 == 0)
            sha = hashlib.sha256(body.encode()).hexdigest()
            title = f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)}"
            sections.append(
                ExportSection(number, title, 1 if sub == 0 else 2, body, sha, key=f"k{index}")
            )
            for n in range(5):
                start = rng.randrange(0, len(body) // 2)
                start = body.index(" ", start) + 1
                end = body.index(" ", body.index(" ", start + 20) + 1)
                comments.append(
                    OpenComment(
                        id=len(comments) + 1,
                        section_number=number,
                        author=f"Reviewer {n}",
                        sector=SECTORS[n],
                        exact=body[start:end],
                        prefix=body[max(0, start - 32) : start],
                        suffix=body[end : end + 32],
                        body=sentence(rng, 20),
                        proposed_text=sentence(rng, 10) if n % 2 else None,
                        created_at=datetime(2025, 3, 1 + n, 10, 0, tzinfo=UTC),
                    )
                )
    return VersionDocument(
        paper_title="Artificial intelligence and culture: a UNESCO position paper",
        language="en",
        version_label="v0.9",
        version_sha256=hashlib.sha256(b"benchmark").hexdigest(),
        frozen_at=datetime(2025, 4, 2, 15, 0, tzinfo=UTC),
        signed_off=False,
        signoffs=(SignoffRow("ADG Culture", "CLT", None, None),),
        sections=tuple(sections),
        open_comments=tuple(comments),
    )


def two_sections_changed(doc: VersionDocument) -> VersionDocument:
    """The next version: two sections edited (a word changed, a sentence added)."""
    sections = list(doc.sections)
    for index in (7, len(sections) * 7 // 10):
        body = (
            sections[index].body.replace(" culture ", " cultural life ", 1) + "\n\nA new sentence."
        )
        sections[index] = replace(
            sections[index], body=body, revision_sha256=hashlib.sha256(body.encode()).hexdigest()
        )
    # A re-export is of the next version: new label, hash and date.
    return replace(
        doc,
        sections=tuple(sections),
        version_label="v1.0",
        version_sha256=hashlib.sha256(b"benchmark v1.0").hexdigest(),
        frozen_at=datetime(2025, 4, 9, 11, 0, tzinfo=UTC),
    )


# -- memory ------------------------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(root: int) -> list[int]:
    """The processes under `root` (from /proc/*/stat's parent ids)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Meter:
    """Peak RSS (MB) of this process and of its children (summed) while the `with` block runs,
    sampled every 50 ms; `held_*`: what they hold once it is done."""

    def __init__(self) -> None:
        self.peak_self = self.peak_children = 0
        self.held_self = self.held_children = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        own = _rss_kb(os.getpid())
        children = sum(_rss_kb(pid) for pid in _descendants(os.getpid()))
        self.peak_self = max(self.peak_self, own)
        self.peak_children = max(self.peak_children, children)
        return own, children

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self._sample()

    def __enter__(self) -> Meter:
        self._children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.held_self, self.held_children = self._sample()
        # A short-lived child (pandoc) may end between two samples: the kernel's high-water
        # mark of the reaped children counts it when it rose during the block.
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if reaped > self._children_before:
            self.peak_children = max(self.peak_children, reaped)

    def figures(self, seconds: float) -> dict[str, float]:
        mb = 1024
        return {
            "seconds": seconds,
            "peak_self": self.peak_self / mb,
            "peak_children": self.peak_children / mb,
            "held_self": self.held_self / mb,
            "held_children": self.held_children / mb,
        }


# -- scenarios (each runs in its own process) -----------------------------------------------


def raw(doc: VersionDocument, fmt: str, dialect: str = "markdown") -> dict[str, float]:
    """Plain pandoc (and typst, in this process) on the consolidated Markdown."""
    from app.export import pandoc
    from app.export.docx import REFERENCE

    markdown = consolidated_markdown(doc).encode("utf-8")
    with Meter() as meter:
        start = time.perf_counter()
        if fmt == "docx":
            args = ["--sandbox", "-f", dialect, "-t", "docx", "--reference-doc", str(REFERENCE)]
            pandoc.run([*args, "-o", "-"], markdown, 0)
        else:
            import typst

            source = pandoc.run(["--sandbox", "-f", dialect, "-t", "typst", "-s"], markdown, 0)
            with tempfile.TemporaryDirectory() as root:
                typst.compile(source, root=root, ignore_system_fonts=True, timestamp=0)
        seconds = time.perf_counter() - start
    return meter.figures(seconds)


def timed_render(
    doc: VersionDocument, fmt: str, options: ExportOptions, cache: Path
) -> dict[str, float]:
    with Meter() as meter:
        start = time.perf_counter()
        render(doc, fmt, options, cache)
        seconds = time.perf_counter() - start
    return meter.figures(seconds)


def child(scenario: str, sections: int) -> list[dict[str, float]]:
    """Run one scenario: "FORMAT:KIND[:CACHE]"; the figures it measured."""
    fmt, kind, *rest = scenario.split(":", 2)
    options = ExportOptions(comments=kind == "comments")
    doc = benchmark_document(sections_wanted=sections)
    # No export limit gets in the way of a measurement (the paper is legitimately large).
    os.environ.setdefault("PLUME_PANDOC_TIMEOUT", "3600")
    os.environ.setdefault("PLUME_TYPST_TIMEOUT", "3600")
    os.environ.setdefault("PLUME_RENDER_MEMORY_MB", "20000")
    if kind == "raw":
        return [raw(doc, fmt)]
    if kind == "raw-plume-dialect":
        from app.export.pandoc import DIALECT

        return [raw(doc, fmt, DIALECT)]
    if kind == "prime":  # a cold export into a cache another process will use
        return [timed_render(doc, fmt, options, Path(rest[0]))]
    if kind == "elsewhere":  # the re-export, in a process that did not make the cold one
        return [timed_render(two_sections_changed(doc), fmt, options, Path(rest[0]))]
    with tempfile.TemporaryDirectory() as cache_dir:  # cold, then re-export in this process
        cold = timed_render(doc, fmt, options, Path(cache_dir))
        again = timed_render(two_sections_changed(doc), fmt, options, Path(cache_dir))
    return [cold, again]


def run_child(scenario: str, sections: int) -> list[dict[str, float]]:
    done = subprocess.run(
        [sys.executable, __file__, "--sections", str(sections), "--child", scenario],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"{scenario} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(reps: int, scenario: str, sections: int) -> list[dict[str, float]]:
    """Each figure of a scenario, as the median over `reps` fresh processes."""
    runs = [run_child(scenario, sections) for _ in range(reps)]
    return [
        {name: statistics.median(run[i][name] for run in runs) for name in runs[0][i]}
        for i in range(len(runs[0]))
    ]


def elsewhere(reps: int, fmt: str, sections: int) -> dict[str, float]:
    """Re-export in a fresh process (cache warm, typst compiler cold)."""
    figures = []
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as cache_dir:
            run_child(f"{fmt}:prime:{cache_dir}", sections)
            figures.append(run_child(f"{fmt}:elsewhere:{cache_dir}", sections)[0])
    return {name: statistics.median(f[name] for f in figures) for name in figures[0]}


HEADER = (
    f"{'format':<9}{'measure':<50}{'seconds':>8}{'x raw':>7}"
    f"{'peak MB':>9}{'+child':>8}{'held MB':>9}{'+child':>8}  goal"
)


def row(fmt: str, label: str, figures: dict[str, float], raw_seconds: float, goal: float | None):
    ratio = figures["seconds"] / raw_seconds
    verdict = "" if goal is None else f"<= {goal:.2f} " + ("ok" if ratio <= goal else "MISSED")
    print(
        f"{fmt:<9}{label:<50}{figures['seconds']:>8.2f}{ratio:>7.2f}"
        f"{figures['peak_self']:>9.0f}{figures['peak_children']:>8.0f}"
        f"{figures['held_self']:>9.0f}{figures['held_children']:>8.0f}  {verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--sections", type=int, default=60)
    parser.add_argument("--only", default="docx,comments,pdf", help="rows: docx,comments,pdf")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sections)))
        return

    doc = benchmark_document(sections_wanted=args.sections)
    words = len(consolidated_markdown(doc).split())
    tables = sum(section.body.count("\n|---|") for section in doc.sections)
    print(
        f"document: {len(doc.sections)} sections, {words} words, {tables} pipe tables, "
        f"{len(doc.open_comments)} open comments; each figure the median of {args.reps} runs, "
        "each run in a fresh process; memory: peak and held RSS of the exporting process "
        "and (+child) of its children\n"
    )
    print(HEADER)
    only = set(args.only.split(","))
    n = args.sections
    if only & {"docx", "comments"}:
        (raw_docx,) = median_of(args.reps, "docx:raw", n)
        row("docx", "raw: pandoc -f markdown -t docx", raw_docx, raw_docx["seconds"], None)
    if "docx" in only:
        (dialect,) = median_of(args.reps, "docx:raw-plume-dialect", n)
        row("docx", "  (raw with Plume's CommonMark dialect)", dialect, raw_docx["seconds"], None)
        cold, again = median_of(args.reps, "docx:plain", n)
        row("docx", "Plume cold (empty cache)", cold, raw_docx["seconds"], 1.15)
        row("docx", "Plume re-export, 2 sections changed", again, raw_docx["seconds"], 0.30)
    if "comments" in only:
        cold_c, again_c = median_of(args.reps, "docx:comments", n)
        label = f"Word comments ({len(doc.open_comments)}): cold"
        row("docx+c", label, cold_c, raw_docx["seconds"], 1.15)
        row("docx+c", "Word comments: re-export, 2 changed", again_c, raw_docx["seconds"], 0.30)
    if "pdf" in only:
        print()
        (raw_pdf,) = median_of(args.reps, "pdf:raw", n)
        row("pdf", "raw: pandoc -> typst, typst.compile", raw_pdf, raw_pdf["seconds"], None)
        cold, again = median_of(args.reps, "pdf:plain", n)
        row("pdf", "Plume cold (empty cache)", cold, raw_pdf["seconds"], 1.15)
        row("pdf", "Plume re-export, 2 sections changed", again, raw_pdf["seconds"], 0.30)
        row(
            "pdf",
            "  re-export in another process",
            elsewhere(args.reps, "pdf", n),
            raw_pdf["seconds"],
            None,
        )
        # typst.compile ran in the measuring process (pandoc before it, as a child).
        raw_peak = raw_pdf["peak_self"]
        for label, figures in (("cold", cold), ("re-export", again)):
            peak = figures["peak_self"] + figures["peak_children"]
            print(
                f"pdf      memory, {label}: peak {peak:.0f} MB (process + children) = "
                f"{peak / raw_peak:.2f} x raw typst's {raw_peak:.0f} MB (goal <= 1.20 and "
                f"<= 1500 MB); held after: {figures['held_self'] + figures['held_children']:.0f} MB"
            )


if __name__ == "__main__":
    main()
