"""Exports that cannot hang: every converter run is bounded in time and memory, stopped runs
are remembered per revision, and no temporary folder outlives its process for long."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.export import ExportOptions, RenderLimit, pdf, render, runner
from tests.export.builders import make_doc, section

NESTED_QUOTES = "> " * 245000 + "x"


def pathological(body: str = NESTED_QUOTES):
    return replace(make_doc(), sections=(section("1", "Pathological", body),))


def pandoc_processes() -> set[int]:
    """This process's pandoc children (another test worker may be running its own)."""
    found = subprocess.run(
        ["pgrep", "-P", str(os.getpid()), "-f", "pypandoc/files/pandoc"], capture_output=True
    )
    return {int(pid) for pid in found.stdout.split()}


def test_nested_quotes_stop_at_the_pandoc_timeout(monkeypatch, cache_dir):
    monkeypatch.setenv("PLUME_PANDOC_TIMEOUT", "1")
    before = pandoc_processes()
    started = time.monotonic()
    with pytest.raises(RenderLimit) as stopped:
        render(pathological(), "docx", ExportOptions(), cache_dir=cache_dir)
    assert time.monotonic() - started < 1 + 5
    assert (stopped.value.tool, stopped.value.kind, stopped.value.limit) == ("pandoc", "time", 1)
    assert "more than 1 s" in str(stopped.value)
    assert pandoc_processes() <= before  # the whole group was killed

    # Remembered for these revisions: the next request fails at once, without pandoc.
    started = time.monotonic()
    with pytest.raises(RenderLimit):
        render(pathological(), "docx", ExportOptions(), cache_dir=cache_dir)
    assert time.monotonic() - started < 0.5
    # Another text is not affected.
    assert render(make_doc(), "docx", ExportOptions(), cache_dir=cache_dir)[:2] == b"PK"


def test_a_raised_limit_retries(monkeypatch, cache_dir):
    monkeypatch.setenv("PLUME_PANDOC_TIMEOUT", "0.001")
    with pytest.raises(RenderLimit):
        render(make_doc(), "docx", ExportOptions(), cache_dir=cache_dir)
    monkeypatch.setenv("PLUME_PANDOC_TIMEOUT", "60")
    assert render(make_doc(), "docx", ExportOptions(), cache_dir=cache_dir)[:2] == b"PK"


def test_nested_quotes_stop_at_the_memory_limit(monkeypatch):
    monkeypatch.setenv("PLUME_RENDER_MEMORY_MB", "300")
    with pytest.raises(RenderLimit) as stopped:
        render(pathological(), "docx", ExportOptions())
    assert (stopped.value.kind, stopped.value.limit) == ("memory", 300)
    assert "more than 300 MB" in str(stopped.value)


def test_typst_is_stopped_at_its_timeout_and_the_next_export_works(monkeypatch):
    pdf.COMPILER.stop()
    # Shorter than any compile: a small document on a quiet machine lays out in about 50 ms.
    monkeypatch.setenv("PLUME_TYPST_TIMEOUT", "0.001")
    started = time.monotonic()
    with pytest.raises(RenderLimit) as stopped:
        render(make_doc(), "pdf", ExportOptions())
    assert (stopped.value.tool, stopped.value.kind) == ("typst", "time")
    assert time.monotonic() - started < 5
    monkeypatch.setenv("PLUME_TYPST_TIMEOUT", "60")
    assert render(make_doc(), "pdf", ExportOptions()).startswith(b"%PDF")


def test_typst_runs_in_a_child_process_under_the_memory_limit(monkeypatch):
    monkeypatch.setenv("PLUME_TYPST_KEEP_MB", "512")  # kept warm, to be looked at
    assert render(make_doc(), "pdf", ExportOptions()).startswith(b"%PDF")
    child = pdf.COMPILER._child
    assert child is not None and child.pid != os.getpid() and child.poll() is None
    limits = Path(f"/proc/{child.pid}/limits").read_text()
    line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
    assert str(runner.limits().memory_mb * 1024 * 1024) in line


def test_sweep_removes_the_folders_of_dead_processes(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"plume-{dead.pid}"
    (stale / "pandoc-x").mkdir(parents=True)
    (stale / "pandoc-x" / "00000.md").write_text("draft text")
    alive = tmp_path / f"plume-{os.getppid()}"
    alive.mkdir()
    other = tmp_path / "plume-cache"
    other.mkdir()
    assert runner.sweep(tmp_path) == [stale]
    assert not stale.exists() and alive.exists() and other.exists()


def test_kill_9_during_an_export_leaves_nothing_after_the_next_start(tmp_path):
    """The parent is killed mid-export: pandoc dies with it, the next process sweeps."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path.cwd())}
    script = (
        "from tests.export.test_limits import pathological\n"
        "from app.export import render, ExportOptions\n"
        "render(pathological(), 'docx', ExportOptions())\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    deadline = time.monotonic() + 20
    folder = tmp_path / f"plume-{parent.pid}"
    while not any(folder.glob("pandoc-*/*.md")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(folder.glob("pandoc-*/*.md"))
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    time.sleep(0.5)
    assert folder.exists()  # nothing could clean it...
    survivors = subprocess.run(["pgrep", "-s", str(parent.pid)], capture_output=True)
    assert survivors.stdout == b""  # ...but pandoc died with its parent
    subprocess.run(
        [sys.executable, "-c", "from app.export import runner; runner.process_folder()"],
        env=env,
        check=True,
    )
    assert not folder.exists()


def test_a_typst_child_that_holds_too_much_ends_after_the_export(monkeypatch):
    """typst never gives its memory back: no worker keeps a child holding gigabytes."""
    monkeypatch.setenv("PLUME_TYPST_KEEP_MB", "512")
    pdf.COMPILER.stop()
    assert render(make_doc(), "pdf", ExportOptions()).startswith(b"%PDF")
    warm = pdf.COMPILER._child
    assert warm is not None and warm.poll() is None  # a small paper keeps its child warm
    monkeypatch.setenv("PLUME_TYPST_KEEP_MB", "1")
    assert render(make_doc(version_label="v0.4"), "pdf", ExportOptions()).startswith(b"%PDF")
    assert pdf.COMPILER._child is None and warm.poll() is not None
    # The next export starts a fresh child, and by default none stays after an export.
    monkeypatch.delenv("PLUME_TYPST_KEEP_MB")
    assert render(make_doc(), "pdf", ExportOptions()).startswith(b"%PDF")
    assert pdf.COMPILER._child is None
