"""Builders for pandoc's JSON AST (pandoc-types 1.23), for what Plume adds to parsed text.

Comment text, tracked-change spans and rebuilt headings are made here from plain strings, never
parsed as Markdown: a comment such as "use *this* <b>" is text, whatever characters it has.
"""

from __future__ import annotations

import re
from typing import Any

Node = dict[str, Any]
Attr = list[Any]


def attr(identifier: str = "", classes: list[str] | None = None, **pairs: str) -> Attr:
    """An element's attributes: [id, [classes], [[key, value], ...]] (keys in call order)."""
    return [
        identifier,
        classes or [],
        [[key.replace("_", "-"), value] for key, value in pairs.items()],
    ]


SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def text(value: str) -> list[Node]:
    """Plain text as inlines: words as Str, runs of whitespace as one Space (a no-break space
    stays inside its word, as typed)."""
    inlines: list[Node] = []
    for word in SPACES.split(value):
        if not word:
            continue
        if inlines:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return inlines


def lines(value: str) -> list[Node]:
    """Multi-line plain text as inlines, keeping its line breaks."""
    inlines: list[Node] = []
    for line in value.strip().splitlines():
        if inlines:
            inlines.append({"t": "LineBreak"})
        inlines.extend(text(line))
    return inlines


def strong(inlines: list[Node]) -> Node:
    return {"t": "Strong", "c": inlines}


def span(inlines: list[Node], attributes: Attr) -> Node:
    return {"t": "Span", "c": [attributes, inlines]}


def para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


def header(level: int, inlines: list[Node], classes: list[str] | None = None) -> Node:
    """A heading without an identifier, so that no writer adds a bookmark or label for it."""
    return {"t": "Header", "c": [max(1, min(level, 6)), attr("", classes), inlines]}


def stringify(node: Any) -> str:
    """The plain text of any AST fragment (Str values, spaces and breaks as spaces)."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            kind = value.get("t")
            if kind == "Str":
                out.append(value["c"])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif kind in ("Code", "Math"):
                out.append(value["c"][1])
            elif kind in ("Span", "Link", "Image"):
                walk(value["c"][1])
            elif kind == "Quoted":
                out.append("“")
                walk(value["c"][1])
                out.append("”")
            elif "c" in value:
                walk(value["c"])

    walk(node)
    return "".join(out)
