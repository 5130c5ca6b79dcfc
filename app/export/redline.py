"""Changes between two versions of a section as pandoc insertion/deletion spans (tracked changes).

The diff runs on pandoc ASTs, not on Markdown, so formatting never shows up as a change and the
result is always valid. Blocks are matched first (difflib.SequenceMatcher over the blocks); a
paragraph, heading or list that was edited is then compared word by word (SequenceMatcher over
its inline elements: pandoc already splits text into one Str per word and Space between them),
so exactly the changed words become w:del / w:ins in Word. Formatted runs (emphasis, links) count
as one token each.

Comment spans (see comments.py) take no part in the comparison: they ride along with the word
that follows them.
"""

from __future__ import annotations

import copy
import json
from difflib import SequenceMatcher
from typing import Any

from app.export import ast

_COMMENT_CLASSES = {"comment-start", "comment-end"}
_INLINE_CONTAINERS = {"Para", "Plain"}


class Redliner:
    """Marks changes with one author and date (pandoc's `insertion` / `deletion` spans)."""

    def __init__(self, author: str, date: str) -> None:
        self.author, self.date = author, date

    # -- marking whole elements -------------------------------------------------------------

    def _span(self, kind: str, inlines: list[Any]) -> ast.Node:
        return ast.span(inlines, ast.attr("", [kind], author=self.author, date=self.date))

    def mark_blocks(self, blocks: list[Any], kind: str) -> list[Any]:
        """Every piece of text in `blocks` marked as inserted or deleted."""
        return [self._mark_block(block, kind) for block in copy.deepcopy(blocks)]

    def _mark_block(self, block: Any, kind: str) -> Any:
        if not isinstance(block, dict):
            return block
        t = block.get("t")
        if t in _INLINE_CONTAINERS and block["c"]:
            block["c"] = [self._span(kind, block["c"])]
        elif t == "Header":
            block["c"][2] = [self._span(kind, block["c"][2])]
        elif t == "CodeBlock":
            # A code block has no inline text to mark: show it as code in a marked paragraph.
            return ast.para([self._span(kind, [{"t": "Code", "c": [ast.attr(), block["c"][1]]}])])
        elif t == "LineBlock":
            block["c"] = [[self._span(kind, line)] if line else line for line in block["c"]]
        elif "c" in block:
            block["c"] = self._mark_nested(block["c"], kind)
        return block

    def _mark_nested(self, value: Any, kind: str) -> Any:
        if isinstance(value, list):
            return [self._mark_nested(item, kind) for item in value]
        if isinstance(value, dict) and "t" in value:
            return self._mark_block(value, kind)
        return value

    def mark_inlines(self, inlines: list[Any], kind: str) -> list[Any]:
        return [self._span(kind, copy.deepcopy(inlines))] if inlines else []

    # -- comparing --------------------------------------------------------------------------

    def blocks(self, old: list[Any], new: list[Any]) -> list[Any]:
        """`new`, with what changed since `old` marked (deleted text kept, struck through)."""
        matcher = SequenceMatcher(None, _keys(old), _keys(new), autojunk=False)
        out: list[Any] = []
        for op, o1, o2, n1, n2 in matcher.get_opcodes():
            if op == "equal":
                out.extend(new[n1:n2])
            elif op == "delete":
                out.extend(self.mark_blocks(old[o1:o2], "deletion"))
            elif op == "insert":
                out.extend(self.mark_blocks(new[n1:n2], "insertion"))
            else:
                out.extend(self._replace(old[o1:o2], new[n1:n2]))
        return out

    def _replace(self, old: list[Any], new: list[Any]) -> list[Any]:
        """Pair edited blocks of the same kind and compare them; the rest is deleted/inserted."""
        out: list[Any] = []
        paired = 0
        for before, after in zip(old, new, strict=False):
            merged = self._pair(before, after)
            if merged is None:
                break
            out.append(merged)
            paired += 1
        out.extend(self.mark_blocks(old[paired:], "deletion"))
        out.extend(self.mark_blocks(new[paired:], "insertion"))
        return out

    def _pair(self, before: Any, after: Any) -> Any:
        """`after` compared with `before` when they are the same kind of block; else None."""
        t = after.get("t")
        if t != before.get("t"):
            return None
        if t in _INLINE_CONTAINERS:
            return {"t": t, "c": self.inlines(before["c"], after["c"])}
        if t == "Header" and before["c"][0] == after["c"][0]:
            level, attributes, _ = after["c"]
            return {"t": t, "c": [level, attributes, self.inlines(before["c"][2], after["c"][2])]}
        if t == "BlockQuote":
            return {"t": t, "c": self.blocks(before["c"], after["c"])}
        if t == "BulletList":
            return {"t": t, "c": self._items(before["c"], after["c"])}
        if t == "OrderedList" and before["c"][0] == after["c"][0]:
            return {"t": t, "c": [after["c"][0], self._items(before["c"][1], after["c"][1])]}
        return None

    def _items(self, old: list[Any], new: list[Any]) -> list[Any]:
        """List items compared as a sequence; an edited item is compared block by block."""
        matcher = SequenceMatcher(None, _keys(old), _keys(new), autojunk=False)
        out: list[Any] = []
        for op, o1, o2, n1, n2 in matcher.get_opcodes():
            if op == "equal":
                out.extend(new[n1:n2])
                continue
            olds, news = old[o1:o2], new[n1:n2]
            for index in range(max(len(olds), len(news))):
                if index < len(olds) and index < len(news):
                    out.append(self.blocks(olds[index], news[index]))
                elif index < len(olds):
                    out.append(self.mark_blocks(olds[index], "deletion"))
                else:
                    out.append(self.mark_blocks(news[index], "insertion"))
        return out

    def inlines(self, old: list[Any], new: list[Any]) -> list[Any]:
        """`new` inlines with the words changed since `old` marked."""
        old_tokens = [item for item in old if not _is_comment(item)]
        new_tokens, riders = _tokens(new)
        matcher = SequenceMatcher(
            None,
            [_key(item) for item in old_tokens],
            [_key(item) for item in new_tokens],
            autojunk=False,
        )
        out: list[Any] = []
        for op, o1, o2, n1, n2 in matcher.get_opcodes():
            if op in ("delete", "replace"):
                out.extend(self.mark_inlines(old_tokens[o1:o2], "deletion"))
            if op in ("equal", "insert", "replace"):
                out.extend(
                    self._emit(new_tokens, riders, n1, n2, None if op == "equal" else "insertion")
                )
        out.extend(riders[len(new_tokens)])
        return out

    def _emit(
        self, tokens: list[Any], riders: list[list[Any]], start: int, stop: int, kind: str | None
    ) -> list[Any]:
        """Tokens start..stop, each after its comment spans, marked with `kind` if any.

        A comment span is never put inside a tracked change: the marked run is split around it.
        """
        out: list[Any] = []
        run: list[Any] = []
        for index in range(start, stop):
            if riders[index]:
                if run:
                    out.extend(self.mark_inlines(run, kind) if kind else run)
                    run = []
                out.extend(riders[index])
            run.append(tokens[index])
        if run:
            out.extend(self.mark_inlines(run, kind) if kind else run)
        return out


def _is_comment(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("t") == "Span"
        and bool(_COMMENT_CLASSES & set(item["c"][0][1]))
    )


def _tokens(inlines: list[Any]) -> tuple[list[Any], list[list[Any]]]:
    """The inlines without comment spans, and the comment spans before each (one list more)."""
    tokens: list[Any] = []
    riders: list[list[Any]] = [[]]
    for item in inlines:
        if _is_comment(item):
            riders[-1].append(item)
        else:
            tokens.append(item)
            riders.append([])
    # riders[i] goes before tokens[i]; riders[len(tokens)] goes at the end.
    return tokens, riders


def _key(node: Any) -> str:
    """How an element compares: without comments; a line break in the source is a space."""
    if isinstance(node, dict) and node.get("t") == "SoftBreak":
        node = {"t": "Space"}
    return json.dumps(_without_comments(node), sort_keys=True, ensure_ascii=False)


def _keys(items: list[Any]) -> list[str]:
    return [_key(item) for item in items]


def _without_comments(node: Any) -> Any:
    if isinstance(node, list):
        kept = [_without_comments(item) for item in node if not _is_comment(item)]
        return _merge_strings(kept)
    if isinstance(node, dict):
        if node.get("t") == "SoftBreak":
            return {"t": "Space"}
        return {key: _without_comments(value) for key, value in node.items()}
    return node


def _merge_strings(items: list[Any]) -> list[Any]:
    """Adjacent Str elements as one (a comment marker inside a word splits it in two)."""
    merged: list[Any] = []
    for item in items:
        if (
            merged
            and isinstance(item, dict)
            and item.get("t") == "Str"
            and isinstance(merged[-1], dict)
            and merged[-1].get("t") == "Str"
        ):
            merged[-1] = {"t": "Str", "c": merged[-1]["c"] + item["c"]}
        else:
            merged.append(item)
    return merged
