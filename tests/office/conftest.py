"""LibreOffice, driven through its UNO bridge by Debian's python3 (python3-uno).

A missing office suite skips locally and fails under CI=true (as the database and browser
fixtures do).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("review_in_libreoffice.py")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (a skip is a failure under CI=true)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def libreoffice():
    """A function that reviews a .docx in LibreOffice: (data, author, actions) -> bytes."""
    if shutil.which("soffice") is None:
        _unavailable("soffice is missing: install Debian's libreoffice-writer")
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        _unavailable("the UNO bridge is missing: install Debian's python3-uno")

    def review(data: bytes, folder: Path, *, author: str, actions: list[dict]) -> bytes:
        source, target = folder / "exported.docx", folder / "reviewed.docx"
        source.write_bytes(data)
        spec = folder / "review.json"
        spec.write_text(
            json.dumps(
                {"in": str(source), "out": str(target), "author": author, "actions": actions}
            ),
            encoding="utf-8",
        )
        done = subprocess.run(
            [SYSTEM_PYTHON, str(SCRIPT), str(spec)],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return target.read_bytes()

    return review
