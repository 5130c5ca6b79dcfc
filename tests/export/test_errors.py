"""Every failure surfaces as an ExportError with a message that says what went wrong."""

from __future__ import annotations

import pytest

from app.export import ExportError, ExportOptions, pandoc, pdf, render
from tests.export.builders import make_doc


def test_unknown_format():
    with pytest.raises(ExportError, match="unknown export format 'odt'"):
        render(make_doc(), "odt", ExportOptions())  # type: ignore[arg-type]


def test_pandoc_missing(monkeypatch):
    monkeypatch.setattr(pandoc, "pandoc_path", lambda: "/nonexistent/pandoc")
    with pytest.raises(ExportError, match="pandoc could not be started"):
        render(make_doc(), "docx", ExportOptions())


def test_pandoc_timeout(monkeypatch):
    monkeypatch.setenv("PLUME_PANDOC_TIMEOUT", "0.001")
    with pytest.raises(ExportError, match="pandoc was stopped"):
        render(make_doc(), "docx", ExportOptions())


def test_typst_failure(monkeypatch, tmp_path):
    broken = tmp_path / "broken.typ"
    broken.write_text("#let x = (\n", encoding="utf-8")
    monkeypatch.setattr(pdf, "TEMPLATE", broken)
    with pytest.raises(ExportError, match="typst could not compile"):
        render(make_doc(), "pdf", ExportOptions())
