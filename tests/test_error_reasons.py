"""Every refusal names a reason that has a whole sentence: no service raises English."""

from __future__ import annotations

import ast
from pathlib import Path

from app.errors import MESSAGES
from app.services import errors as domain

APP = Path(__file__).resolve().parents[1] / "app"
DOMAIN = {
    name
    for name, value in vars(domain).items()
    if isinstance(value, type) and issubclass(value, domain.DomainError)
} | {"SignatureBlocked"}
# NotFound reads "Not found." whatever its reason, so that no one learns what exists.
SILENT = {"NotFound"}


def _reasons(node: ast.expr) -> list[tuple[int, str]]:
    """The reason strings an argument can be: a literal, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.lineno, node.value)]
    if isinstance(node, ast.IfExp):
        return _reasons(node.body) + _reasons(node.orelse)
    return []


def _raised() -> list[tuple[str, int, str, str]]:
    """(file, line, class or helper, reason) for every refusal named in the app."""
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in DOMAIN:
                argument = node.args[0]
            elif name == "require" and len(node.args) >= 2:  # PaperPermissions.require
                argument = node.args[1]
            else:
                continue
            for line, reason in _reasons(argument):
                found.append((str(path.relative_to(APP)), line, name, reason))
    return found


def test_every_raise_names_a_reason_not_a_sentence():
    sentences = [entry for entry in _raised() if " " in entry[3] or entry[3] != entry[3].lower()]
    assert sentences == []


def test_every_reason_has_a_sentence():
    raised = _raised()
    assert len(raised) > 100
    missing = [entry for entry in raised if entry[2] not in SILENT and entry[3] not in MESSAGES]
    assert missing == []
