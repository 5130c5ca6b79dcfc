"""Rules of the house that a reader should not have to check by eye."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _calls(name: str):
    """(file, call) for every call of `<something>.<name>(...)` in the app's code."""
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == name
            ):
                yield path.relative_to(APP.parent), node


def test_every_activity_entry_is_named_by_the_enum():
    """A free string is a typo waiting to happen and a label someone forgot."""
    loose = [
        f"{path}:{call.lineno}"
        for path, call in _calls("record")
        if isinstance(call.func.value, ast.Name)
        and call.func.value.id == "activity"
        and len(call.args) >= 2
        and isinstance(call.args[1], ast.Constant)
    ]
    assert loose == []
