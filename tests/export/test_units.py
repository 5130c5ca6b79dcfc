"""The pieces under the exports: anchoring, word diff, escaping, cutting a .docx."""

from __future__ import annotations

from app.export import ast, comments, pandoc, pdf
from app.export.redline import Redliner
from tests.export.builders import comment


def test_locate_uses_prefix_and_suffix_to_pick_the_right_occurrence():
    body = "The fox ran. Then the fox slept. The fox woke."
    second = comments.locate(body, comment(1, "1", "fox", prefix="Then the ", suffix=" slept"))
    assert second == (body.index("fox slept"), body.index("fox slept") + 3)
    assert comments.locate(body, comment(2, "1", "wolf")) is None
    assert comments.locate(body, comment(3, "1", None)) is None


def test_locate_never_puts_a_marker_before_block_syntax():
    body = "Intro.\n\n- first item\n- second item"
    start, end = comments.locate(body, comment(1, "1", "- first item"))
    assert body[start:end] == "first item"


def test_mark_wraps_each_passage_and_keeps_the_text():
    body = "one two three"
    marked = comments.mark(body, {0: (4, 7), 1: (0, 13)})
    assert comments._MARKER.sub("", marked) == body
    assert marked.index(f"{comments.START}0{comments.START}") == marked.index("two") - 3


def test_redline_word_diff():
    liner = Redliner("Plume", "2025-01-01T00:00:00Z")
    old = ast.text("The quick brown fox jumps")
    new = ast.text("The slow brown fox jumps high")
    out = liner.inlines(old, new)
    spans = [
        (item["c"][0][1][0], ast.stringify(item["c"][1])) for item in out if item.get("t") == "Span"
    ]
    assert spans == [("deletion", "quick"), ("insertion", "slow"), ("insertion", " high")]
    assert ast.stringify(liner.inlines(old, old)) == "The quick brown fox jumps"


def test_redline_a_line_break_in_the_source_is_not_a_change():
    liner = Redliner("Plume", "2025-01-01T00:00:00Z")
    old = [{"t": "Str", "c": "a"}, {"t": "SoftBreak"}, {"t": "Str", "c": "b"}]
    new = [{"t": "Str", "c": "a"}, {"t": "Space"}, {"t": "Str", "c": "b"}]
    assert all(item.get("t") != "Span" for item in liner.inlines(old, new))


def test_markdown_escape_makes_any_text_literal():
    assert (
        pandoc.escape("2.1 *AI* & <b> #1 [x](y)")
        == "2\\.1 \\*AI\\* \\& \\<b\\> \\#1 \\[x\\]\\(y\\)"
    )


def test_typst_string_escapes_quotes_backslashes_and_controls():
    assert pdf.typst_string('a "b" \\ c') == '"a \\"b\\" \\\\ c"'
    assert pdf.typst_string("x\ny") == '"x\\u{a}y"'
    assert pdf.typst_string('#read("/etc/passwd")') == '"#read(\\"/etc/passwd\\")"'


def test_split_typst_cuts_at_markers():
    m = pandoc.MARK
    written = f"front\n\n{m}s0{m}\n\n= One\n\n{m}s1{m}\n\n{m}end{m}\n\nback\n"
    assert pdf.split_typst(written) == [
        ("front", "front\n\n"),
        ("s0", "\n= One\n\n"),
        ("s1", "\n"),
        ("back", "\nback\n"),
    ]
