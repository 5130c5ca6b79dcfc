"""The one runner for every converter process (pandoc, typst): bounded in time and in memory.

Any member can save legal Markdown that a converter takes minutes and gigabytes to convert (a
few hundred thousand nested block quotes, brackets, headings). So every conversion runs in a
child process of its own session, with an address-space limit set in the child
(`PLUME_RENDER_MEMORY_MB`, default 1,500) and a deadline (`PLUME_PANDOC_TIMEOUT`,
`PLUME_TYPST_TIMEOUT`, default 60 s) after which the child's whole process group is killed.
A stopped conversion raises `RenderLimit`, which says which limit it met.

Temporary files live under one folder per process (`<tmp>/plume-<pid>/`), removed at exit; a
process killed with SIGKILL cannot remove its own, so the next process to start sweeps the
folders of processes that no longer run (`sweep()`), and no draft text stays behind for long.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.export.document import ExportError

PREFIX = "plume-"
DEFAULT_TIMEOUT = 60
DEFAULT_MEMORY_MB = 1500
_FOLDER = re.compile(rf"^{PREFIX}(\d+)$")
_lock = threading.Lock()
_made: dict[int, Path] = {}


class RenderLimit(ExportError):
    """A conversion stopped because it met a limit: `kind` "time" (seconds) or "memory" (MB)."""

    def __init__(self, tool: str, kind: str, limit: int) -> None:
        self.tool, self.kind, self.limit = tool, kind, limit
        unit = "s" if kind == "time" else "MB"
        super().__init__(f"{tool} was stopped: the text needs more than {limit} {unit} to convert")


@dataclass(frozen=True)
class Limits:
    pandoc_seconds: float
    typst_seconds: float
    memory_mb: int

    def key(self) -> list:
        """What a cached failure depends on: a raised limit retries the conversion."""
        return [self.pandoc_seconds, self.typst_seconds, self.memory_mb]


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def limits() -> Limits:
    """The limits from the environment, read at each run (a test or an operator may change them)."""
    return Limits(
        pandoc_seconds=_number("PLUME_PANDOC_TIMEOUT", DEFAULT_TIMEOUT),
        typst_seconds=_number("PLUME_TYPST_TIMEOUT", DEFAULT_TIMEOUT),
        memory_mb=int(_number("PLUME_RENDER_MEMORY_MB", DEFAULT_MEMORY_MB)),
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the temporary folders of Plume processes that no longer run; returns them."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        found = _FOLDER.match(entry.name)
        if not found or int(found.group(1)) == os.getpid() or _alive(int(found.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def process_folder() -> Path:
    """This process's temporary folder (made on first use, after sweeping dead processes')."""
    pid = os.getpid()  # per call: a forked worker gets a folder of its own
    with _lock:
        folder = _made.get(pid)
        if folder is None or not folder.is_dir():
            sweep()
            folder = Path(tempfile.gettempdir()) / f"{PREFIX}{pid}"
            folder.mkdir(mode=0o700, exist_ok=True)
            if pid not in _made:
                atexit.register(_remove_own, pid, folder)
            _made[pid] = folder
        return folder


def _remove_own(pid: int, folder: Path) -> None:
    if os.getpid() == pid:
        shutil.rmtree(folder, ignore_errors=True)


def temporary_folder(prefix: str) -> tempfile.TemporaryDirectory:
    """A temporary folder under this process's folder (removed when the `with` ends)."""
    return tempfile.TemporaryDirectory(prefix=prefix, dir=process_folder())


try:  # Linux: a child is killed when the thread that started it dies (kill -9 included)
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None
_PR_SET_PDEATHSIG = 1


def _limit(megabytes: int, cpu_seconds: float | None) -> None:  # runs in the child, before exec
    size = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if cpu_seconds is not None:
        # A backstop that holds even if the parent is gone before the deadline.
        soft = int(cpu_seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def start(
    argv: list[str], env: dict[str, str], memory_mb: int, cpu_seconds: float | None = None
) -> subprocess.Popen:
    """Start a converter in a session of its own (so its whole group can be killed), with
    its memory limited and, for a one-off run, its CPU time.
    """
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=process_folder(),
        start_new_session=True,
        preexec_fn=lambda: _limit(memory_mb, cpu_seconds),
    )


def kill_group(process: subprocess.Popen) -> None:
    """Kill the process and everything it started, and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


_MEMORY_WORDS = re.compile(
    r"out of memory|heap overflow|heap exhausted|memory allocation|cannot allocate|MemoryError|"
    r"failed to allocate|memory exhausted",
    re.IGNORECASE,
)


def ran_out_of_memory(returncode: int | None, stderr: str) -> bool:
    """Whether a child's end looks like its memory limit (a failed allocation aborts it)."""
    if returncode in (-signal.SIGSEGV, -signal.SIGABRT, 251):
        return True
    return bool(_MEMORY_WORDS.search(stderr))


def run(tool: str, argv: list[str], stdin: bytes, *, timeout: float, env: dict[str, str]) -> bytes:
    """Run one converter to its end: its stdout, or ExportError (RenderLimit at a limit)."""
    memory = limits().memory_mb
    try:
        process = start(argv, env, memory, cpu_seconds=timeout)
    except OSError as error:
        raise ExportError(f"{tool} could not be started: {error}") from error
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
        raise RenderLimit(tool, "time", round(timeout)) from None
    except BaseException:
        kill_group(process)
        raise
    if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise RenderLimit(tool, "time", round(timeout))
    if process.returncode != 0:
        message = err.decode("utf-8", "replace").strip()
        if ran_out_of_memory(process.returncode, message):
            raise RenderLimit(tool, "memory", memory)
        raise ExportError(f"{tool} failed: {message or f'exit {process.returncode}'}")
    return out


def read_exactly(stream, size: int, deadline: float) -> bytes:
    """`size` bytes from a child's pipe, or TimeoutError at `deadline`, EOFError at its end."""
    fd = stream.fileno()
    chunks, missing = [], size
    while missing:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
