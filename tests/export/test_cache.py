"""The converted-section cache: a re-export converts only what changed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from app.export import ExportOptions, render
from app.export.cache import PieceCache
from tests.export.builders import docx_part, make_doc, section


def cached(cache_dir: Path, kind: str) -> set[str]:
    return {path.name for path in (cache_dir / kind).glob("*/*")}


def one_section_changed(doc):
    sections = list(doc.sections)
    sections[2] = section("2", "Challenges", "Bias in algorithms, and access to content.")
    return replace(doc, sections=tuple(sections))


@pytest.mark.parametrize(("fmt", "kind"), [("docx", "docx"), ("pdf", "typst")])
def test_a_re_export_converts_only_the_changed_section(cache_dir, fmt, kind):
    doc = make_doc()
    render(doc, fmt, ExportOptions(), cache_dir)
    first = cached(cache_dir, kind)
    assert len(first) == len(doc.sections) + len(doc.annexes)

    changed = one_section_changed(doc)
    render(changed, fmt, ExportOptions(), cache_dir)
    assert len(cached(cache_dir, kind) - first) == 1  # one new conversion: section 2

    # Nothing new to convert the second time, and the bytes are those of a cold export.
    again = cached(cache_dir, kind)
    warm = render(changed, fmt, ExportOptions(), cache_dir)
    assert cached(cache_dir, kind) == again
    assert warm == render(changed, fmt, ExportOptions())


def test_a_re_export_runs_pandoc_on_the_changed_section_only(cache_dir, monkeypatch):
    from app.export import pandoc

    converted: list[list[str]] = []
    original = pandoc.convert

    def spy(plan, to, extra=None, epoch=None):
        converted.append([text for trusted, text in plan.chunks if not trusted])
        return original(plan, to, extra, epoch)

    monkeypatch.setattr(pandoc, "convert", spy)
    doc = make_doc()
    render(doc, "docx", ExportOptions(), cache_dir)
    assert len(converted[-1]) == len(doc.sections) + len(doc.annexes)
    render(one_section_changed(doc), "docx", ExportOptions(), cache_dir)
    assert converted[-1] == ["Bias in algorithms, and access to content."]


def test_the_sign_off_state_needs_no_section_converted_again(cache_dir):
    doc = make_doc()
    render(doc, "docx", ExportOptions(), cache_dir)
    before = cached(cache_dir, "docx")
    render(replace(doc, signed_off=True), "docx", ExportOptions(), cache_dir)
    assert cached(cache_dir, "docx") == before


def test_cache_writes_are_atomic_and_leave_no_temporary_files(cache_dir):
    pieces = PieceCache(cache_dir)
    pieces.put("docx", "ab" + "0" * 62, b"one")
    pieces.put("docx", "ab" + "0" * 62, b"two")
    assert pieces.get("docx", "ab" + "0" * 62) == b"two"
    assert [p.name for p in (cache_dir / "docx" / "ab").iterdir()] == ["ab" + "0" * 62]
    assert PieceCache(None).get("docx", "x") is None


def test_a_wrong_revision_hash_never_serves_stale_text(cache_dir):
    """The cache keys on the text itself, not only on the hash the caller passes."""
    doc = make_doc()
    first = render(doc, "docx", ExportOptions(), cache_dir)
    sections = list(doc.sections)
    sections[0] = replace(sections[0], body="Entirely new text.")  # same revision_sha256
    second = render(replace(doc, sections=tuple(sections)), "docx", ExportOptions(), cache_dir)
    assert second != first
    assert "Entirely new text." in docx_part(second, "word/document.xml")


def test_a_long_text_converted_in_several_runs_gives_the_bytes_of_one_run(cache_dir, monkeypatch):
    from app.export import docx, pandoc
    from tests.export.builders import comment

    runs: list[int] = []
    original = pandoc.convert

    def counting(plan, to, extra=None, epoch=None):
        runs.append(sum(1 for trusted, _ in plan.chunks if not trusted))
        return original(plan, to, extra, epoch)

    monkeypatch.setattr(pandoc, "convert", counting)
    doc = make_doc(
        open_comments=(comment(1, "1", "brown fox"), comment(2, "1.1", "creative industries")),
        numbered_paragraphs=True,
    )
    options = ExportOptions(toc=True, comments=True)
    monkeypatch.setenv("PLUME_PANDOC_JOBS", "1")
    one_run = render(doc, "docx", options)
    assert len(runs) == 1

    runs.clear()
    monkeypatch.setenv("PLUME_PANDOC_JOBS", "3")
    monkeypatch.setattr(docx, "RUN_CHARS", 1)
    assert render(doc, "docx", options, cache_dir) == one_run
    assert len(runs) == 3 and sum(runs) == len(doc.sections) + len(doc.annexes)


def test_a_cached_section_shows_its_comments_as_they_are_now(cache_dir):
    from tests.export.builders import comment

    def word_comments(doc) -> list[str]:
        data = render(doc, "docx", ExportOptions(comments=True), cache_dir)
        xml = docx_part(data, "word/comments.xml")
        return re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)

    doc = make_doc(open_comments=(comment(1, "1", "brown fox", body="Too animal."),))
    assert "Too animal." in word_comments(doc)
    edited = replace(doc, open_comments=(comment(1, "1", "brown fox", body="Say it plainly."),))
    assert word_comments(edited) == ["Say it plainly."]
    fewer = replace(doc, open_comments=())
    assert word_comments(fewer) == []
