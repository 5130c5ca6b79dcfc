"""Export benchmark (not a test): Plume's DOCX and PDF exports against raw pandoc / typst.

    .venv/bin/python tests/perf/bench_export.py [--reps 3]

The document: 60 sections (10 chapters of 5 subsections), about 40,000 words, 20 pipe tables,
lists, links, footnotes and 300 open comments. For each format it measures
  raw       pandoc on the document's consolidated Markdown (md -> docx; for PDF md -> typst, then
            typst.compile), the same pandoc binary with the same reference.docx;
  cold      Plume's export with an empty cache, in a fresh process (no warm compiler);
  re-export Plume's export after 2 sections changed, in the process that made the cold export
            (as a gunicorn worker would), with its cache;
and prints seconds (median of --reps runs, each in a fresh process) and the ratio to raw. Goals:
cold <= 1.15 x raw, re-export <= 0.3 x raw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
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


def benchmark_document(seed: int = 2021) -> VersionDocument:
    """60 sections, ~40,000 words, 20 pipe tables, 300 open comments."""
    rng = random.Random(seed)
    sections: list[ExportSection] = []
    comments: list[OpenComment] = []
    for chapter in range(1, 11):
        for sub in range(0, 6):
            index = len(sections)
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
    for index in (7, 42):
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


# -- scenarios (each runs in its own process) -----------------------------------------------


def raw(fmt: str, dialect: str = "markdown") -> float:
    """Seconds for plain pandoc (and typst) on the consolidated Markdown."""
    from app.export import pandoc
    from app.export.docx import REFERENCE

    markdown = consolidated_markdown(benchmark_document()).encode("utf-8")
    start = time.perf_counter()
    if fmt == "docx":
        args = ["--sandbox", "-f", dialect, "-t", "docx", "--reference-doc", str(REFERENCE)]
        pandoc.run([*args, "-o", "-"], markdown, 0)
    else:
        import typst

        source = pandoc.run(["--sandbox", "-f", dialect, "-t", "typst", "-s"], markdown, 0)
        with tempfile.TemporaryDirectory() as root:
            typst.compile(source, root=root, ignore_system_fonts=True, timestamp=0)
    return time.perf_counter() - start


def timed_render(doc: VersionDocument, fmt: str, options: ExportOptions, cache: Path) -> float:
    start = time.perf_counter()
    render(doc, fmt, options, cache)
    return time.perf_counter() - start


def child(scenario: str) -> list[float]:
    """Run one scenario: "FORMAT:KIND[:CACHE]"; the seconds it measured."""
    fmt, kind, *rest = scenario.split(":", 2)
    options = ExportOptions(comments=kind == "comments")
    doc = benchmark_document()
    if kind == "raw":
        return [raw(fmt)]
    if kind == "raw-plume-dialect":
        from app.export.pandoc import DIALECT

        return [raw(fmt, DIALECT)]
    if kind == "prime":  # a cold export into a cache another process will use
        return [timed_render(doc, fmt, options, Path(rest[0]))]
    if kind == "elsewhere":  # the re-export, in a process that did not make the cold one
        return [timed_render(two_sections_changed(doc), fmt, options, Path(rest[0]))]
    with tempfile.TemporaryDirectory() as cache_dir:  # cold, then re-export in this process
        cold = timed_render(doc, fmt, options, Path(cache_dir))
        again = timed_render(two_sections_changed(doc), fmt, options, Path(cache_dir))
    return [cold, again]


def run_child(scenario: str) -> list[float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", scenario],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(reps: int, scenario: str) -> list[float]:
    """Each figure of a scenario, as the median over `reps` fresh processes."""
    runs = [run_child(scenario) for _ in range(reps)]
    return [statistics.median(run[i] for run in runs) for i in range(len(runs[0]))]


def elsewhere(reps: int, fmt: str) -> float:
    """Re-export seconds in a fresh process (cache warm, typst compiler cold)."""
    figures = []
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as cache_dir:
            run_child(f"{fmt}:prime:{cache_dir}")
            figures.append(run_child(f"{fmt}:elsewhere:{cache_dir}")[0])
    return statistics.median(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return

    doc = benchmark_document()
    words = len(consolidated_markdown(doc).split())
    tables = sum(section.body.count("\n|---|") for section in doc.sections)
    print(
        f"document: {len(doc.sections)} sections, {words} words, {tables} pipe tables, "
        f"{len(doc.open_comments)} open comments; each figure the median of {args.reps} runs, "
        "each run in a fresh process\n"
    )
    print(f"{'format':<7}{'measure':<52}{'seconds':>8}{'x raw':>7}  goal")
    for fmt in ("docx", "pdf"):
        (raw_seconds,) = median_of(args.reps, f"{fmt}:raw")
        cold, again = median_of(args.reps, f"{fmt}:plain")
        rows: list[tuple[str, float, float | None]] = [
            (
                "raw: pandoc -f markdown" + (" -> typst, typst.compile" if fmt == "pdf" else ""),
                raw_seconds,
                None,
            ),
            ("Plume cold (empty cache)", cold, 1.15),
            ("Plume re-export, 2 sections changed (same process)", again, 0.30),
        ]
        if fmt == "docx":
            (dialect,) = median_of(args.reps, "docx:raw-plume-dialect")
            cold_c, again_c = median_of(args.reps, "docx:comments")
            rows[1:1] = [("  (raw with Plume's CommonMark dialect)", dialect, None)]
            rows += [
                ("  with the 300 comments as Word comments: cold", cold_c, None),
                ("  with the 300 comments as Word comments: re-export", again_c, None),
            ]
        else:
            rows.append(
                ("  re-export in another process (typst cold)", elsewhere(args.reps, fmt), None)
            )
        for label, seconds, goal in rows:
            ratio = seconds / raw_seconds
            verdict = (
                "" if goal is None else f"<= {goal:.2f} " + ("ok" if ratio <= goal else "MISSED")
            )
            print(f"{fmt:<7}{label:<52}{seconds:>8.3f}{ratio:>7.2f}  {verdict}")
        print()


if __name__ == "__main__":
    main()
