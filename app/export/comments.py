"""Open comments as native Word comments, anchored on the passage they quote.

A comment quotes its passage as a W3C TextQuoteSelector (exact text, a little text before and
after) on the section's Markdown. We find the passage in the Markdown and mark each end of it
with a plain marker: a private-use character around the comment's id (user text cannot hold
it, Plume strips it).

Usually (comments without tracked changes) the markers carry the comment's id
(`mark_passages`): pandoc writes them as text in the one run that writes the .docx, and
docx_comments.annotate turns them into Word comment ranges and writes the comments, in Python,
on the section's piece. With tracked changes, the section's AST is built in Python (redline.py):
the markers carry the comment's index (`mark`) and `place` turns them into pandoc's
`comment-start` / `comment-end` spans in the AST.

A comment on the whole section (no `exact`), or whose passage cannot be found or whose markers
fell where no comment can go (inside code or a link target), is anchored on the section heading:
a comment is never lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from app.export import ast
from app.export.document import OpenComment
from app.export.labels import iso, labels
from app.export.markdown import normalize_line
from app.text import passages

START, END = "\ue0f1", "\ue0f2"
_MARKER = re.compile(f"([{START}{END}])([0-9]+)\\1")
_STRAY = re.compile(f"[{START}{END}]")
# What opens a block at the start of a line: a marker placed before it would unmake the block.
_BLOCK_PREFIX = re.compile(r"[ \t]*(?:#{1,6}|>+|[-*+]|[0-9]+[.)]|\|)?[ \t]*")


def locate(body: str, comment: OpenComment, *, whole_words: bool = False) -> tuple[int, int] | None:
    """Where the comment's passage is in `body`: the occurrence its prefix and suffix fit best.

    `whole_words` (a section with tracked changes) widens it to whole words."""
    exact = _lf(comment.exact or "")
    found = passages.best_occurrence(body, exact, _lf(comment.prefix), _lf(comment.suffix))
    if found is None:
        return None
    start, end = _whole_words(body, *found) if whole_words else found
    if start == 0 or body[start - 1] == "\n":
        start = min(_BLOCK_PREFIX.match(body, start).end(), end)
    return (start, end) if start < end else None


def _whole_words(body: str, start: int, end: int) -> tuple[int, int]:
    """The passage widened to whole words (as far as the spaces around it): a marker inside a
    word splits it in two, and the redline would then show the word deleted and re-typed."""
    while start > 0 and not body[start - 1].isspace():
        start -= 1
    while end < len(body) and not body[end].isspace():
        end += 1
    return start, end


def _lf(text: str) -> str:
    """Line ends as in a normalised body (the quote was taken on the text as saved)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def mark(body: str, anchors: dict[int, tuple[int, int]]) -> str:
    """`body` with a start and an end marker around each anchored passage (keyed by index)."""
    inserts: list[tuple[int, int, str]] = []
    for index, (start, end) in anchors.items():
        inserts.append((start, 1, f"{START}{index}{START}"))
        inserts.append((end, 0, f"{END}{index}{END}"))  # ends before starts at one position
    return _inserted(body, inserts)


def mark_passages(body: str, anchors: dict[int, tuple[int, int]]) -> str:
    """`body` with a start and an end marker around each anchored passage (keyed by comment
    id), for docx_comments.annotate. A marker never goes right after a backslash (which would
    then stand for itself and no longer escape what follows): it moves before the run of
    backslashes."""
    inserts: list[tuple[int, int, str]] = []
    for comment_id, (start, end) in anchors.items():
        inserts.append((_before_backslashes(body, start), 1, f"{START}{comment_id}{START}"))
        inserts.append((_before_backslashes(body, end), 0, f"{END}{comment_id}{END}"))
    return _inserted(body, inserts)


def strip_markers(text: str) -> str:
    """`text` without comment markers (and without a stray marker character)."""
    if START not in text and END not in text:
        return text
    return _STRAY.sub("", _MARKER.sub("", text))


def _inserted(body: str, inserts: list[tuple[int, int, str]]) -> str:
    """`body` with each (position, order, marker) put in, in position order (at one
    position, ends, order 0, before starts, order 1)."""
    out, position = [], 0
    for at, _, marker in sorted(inserts):
        out.append(body[position:at])
        out.append(marker)
        position = at
    out.append(body[position:])
    return "".join(out)


def _before_backslashes(body: str, at: int) -> int:
    while at > 0 and body[at - 1] == "\\":
        at -= 1
    return at


def comment_text(comment: OpenComment, language: str) -> list[ast.Node]:
    """What the Word comment says: the comment, then the proposed text if any."""
    inlines = ast.lines(comment.body)
    if comment.proposed_text:
        inlines += [
            {"t": "LineBreak"},
            ast.strong(ast.text(labels(language)["proposed"])),
            {"t": "Space"},
            *ast.lines(comment.proposed_text),
        ]
    return inlines


def start_span(comment: OpenComment, language: str) -> ast.Node:
    """Where the comment starts; pandoc pairs it with its end by the comment's id."""
    author = f"{normalize_line(comment.author)} ({normalize_line(comment.sector)})"
    attributes = ast.attr(
        "", ["comment-start"], id=str(comment.id), author=author, date=iso(comment.created_at)
    )
    return ast.span(comment_text(comment, language), attributes)


def end_span(comment: OpenComment) -> ast.Node:
    return ast.span([], ast.attr("", ["comment-end"], id=str(comment.id)))


def place(
    blocks: list[Any], comments: Sequence[OpenComment], language: str
) -> tuple[list[Any], list[int]]:
    """Turn the markers in `blocks` into comment spans.

    Returns the blocks and the indexes of the comments that found no place in the text (to be
    anchored on the heading). Markers outside plain text are dropped.
    """
    seen: list[tuple[str, int]] = []
    _collect(blocks, seen)
    starts = {index for kind, index in seen if kind == START}
    placed = {
        index
        for kind, index in seen
        if kind == END and index in starts and seen.index((START, index)) < seen.index((END, index))
    }
    blocks = _replace(blocks, placed, comments, language)
    return blocks, [index for index in range(len(comments)) if index not in placed]


def anchor_on_heading(
    heading: list[ast.Node], indexes: list[int], comments: Sequence[OpenComment], language: str
) -> list[ast.Node]:
    """Heading inlines wrapped by the comments at `indexes` (whole-section comments)."""
    starts = [start_span(comments[index], language) for index in indexes]
    ends = [end_span(comments[index]) for index in reversed(indexes)]
    return [*starts, *heading, *ends]


def _collect(node: Any, seen: list[tuple[str, int]]) -> None:
    """The markers found in Str elements, in document order."""
    if isinstance(node, list):
        for item in node:
            _collect(item, seen)
    elif isinstance(node, dict):
        if node.get("t") == "Str":
            seen.extend((m.group(1), int(m.group(2))) for m in _MARKER.finditer(node["c"]))
        elif "c" in node:
            _collect(node["c"], seen)


def _replace(node: Any, placed: set[int], comments: Sequence[OpenComment], language: str) -> Any:
    """`node` with its markers turned into comment spans (or dropped). Copy on write: a
    subtree without a marker is returned as it is, so a long section costs one walk."""
    if isinstance(node, str):
        # A marker in code or in a link target: dropped.
        return _MARKER.sub("", node) if (START in node or END in node) else node
    if isinstance(node, list):
        out: list[Any] | None = None
        for position, item in enumerate(node):
            if isinstance(item, dict) and item.get("t") == "Str":
                if START not in item["c"] and END not in item["c"]:
                    if out is not None:
                        out.append(item)
                    continue
                replaced = _split(item["c"], placed, comments, language)
            else:
                new = _replace(item, placed, comments, language)
                if new is item:
                    if out is not None:
                        out.append(item)
                    continue
                replaced = [new]
            if out is None:
                out = list(node[:position])
            out.extend(replaced)
        return node if out is None else out
    if isinstance(node, dict):
        changed = {
            key: new
            for key, value in node.items()
            if (new := _replace(value, placed, comments, language)) is not value
        }
        return {**node, **changed} if changed else node
    return node


def _split(
    value: str, placed: set[int], comments: Sequence[OpenComment], language: str
) -> list[ast.Node]:
    out: list[ast.Node] = []
    position = 0
    for match in _MARKER.finditer(value):
        if match.start() > position:
            out.append({"t": "Str", "c": value[position : match.start()]})
        index = int(match.group(2))
        if index in placed:
            if match.group(1) == START:
                out.append(start_span(comments[index], language))
            else:
                out.append(end_span(comments[index]))
        position = match.end()
    if position < len(value):
        out.append({"t": "Str", "c": value[position:]})
    return out
