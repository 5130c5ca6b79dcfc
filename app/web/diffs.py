"""A word-level diff between two revisions (revisions.DiffOp list), as the pages show it."""

from __future__ import annotations

from html import escape

from markupsafe import Markup


def diff_html(ops) -> Markup:
    """A word-level diff (revisions.DiffOp list) as <ins> and <del> in running text."""
    parts = []
    for op in ops:
        text = escape(op.text, quote=False)
        if op.op == "insert":
            parts.append(f"<ins>{text}</ins>")
        elif op.op == "delete":
            parts.append(f"<del>{text}</del>")
        else:
            parts.append(text)
    return Markup("".join(parts))


def diff_counts(ops) -> tuple[int, int]:
    """(words inserted, words deleted)."""
    inserted = sum(len(op.text.split()) for op in ops if op.op == "insert")
    deleted = sum(len(op.text.split()) for op in ops if op.op == "delete")
    return inserted, deleted
