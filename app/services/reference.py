"""Reference data: sectors and frameworks, loaded from the YAML files in app/reference/.

Framework files are checked whole before anything is written, and every complaint names
the file and line at fault, because people edit them by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from app.db import session
from app.models import ActivityAction, Framework, FrameworkItem, ItemKind, Sector, User
from app.services import activity
from app.services.errors import BadInput

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


@dataclass(frozen=True)
class ItemSpec:
    code: str
    kind: str
    title_en: str
    title_fr: str
    description_en: str = ""
    description_fr: str = ""


@dataclass(frozen=True)
class FrameworkSpec:
    code: str
    version: str
    title_en: str
    title_fr: str
    items: tuple[ItemSpec, ...] = field(default_factory=tuple)


# Codes go into URLs, Markdown tables and "CODE@VERSION" labels: keep them plain.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NULL_TAG = "tag:yaml.org,2002:null"
HEADER_KEYS = ("code", "version", "title_en", "title_fr", "items")
ITEM_KEYS = ("code", "kind", "title_en", "title_fr", "description_en", "description_fr")


def parse_framework(text: str, source: str = "<framework>") -> FrameworkSpec:
    """Read a framework file; a BadInput names the line of the first fault."""

    def fail(node: yaml.Node | None, reason: str, **params):
        line = node.start_mark.line + 1 if node is not None else 1
        raise BadInput(reason, {"file": source, "line": line}, file=source, line=line, **params)

    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise BadInput(
            "framework_yaml", {"file": source, "line": line}, file=source, line=line
        ) from exc
    if not isinstance(root, yaml.MappingNode):
        fail(root, "framework_not_mapping")

    def keys_of(mapping: yaml.MappingNode, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
        # A misspelt or repeated key would otherwise be dropped without a word.
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in mapping.value:
            key = key_node.value
            if key not in allowed:
                fail(key_node, "framework_unknown_key", key=key, allowed=list(allowed))
            if key in found:
                first = found[key][0].start_mark.line + 1
                fail(key_node, "framework_duplicate_key", key=key, first=first)
            found[key] = (key_node, value_node)
        return {key: value for key, (_, value) in found.items()}

    def text_of(mapping, values: dict, key: str, model, *, required=True) -> str:
        node = values.get(key)
        if node is not None and not isinstance(node, yaml.ScalarNode):
            fail(node, "framework_not_text", key=key)
        value = "" if node is None or node.tag == _NULL_TAG else str(node.value).strip()
        if not value:
            if required:
                fail(node or mapping, "framework_missing", key=key)
            return ""
        # The column's own limit: PostgreSQL would refuse a longer value mid-load.
        limit = model.__table__.c[key].type.length
        if limit and len(value) > limit:
            fail(node, "framework_too_long", key=key, limit=limit)
        return value

    header_values = keys_of(root, HEADER_KEYS)
    header = {
        key: text_of(root, header_values, key, Framework)
        for key in ("code", "version", "title_en", "title_fr")
    }
    code = header["code"]
    if not _CODE.fullmatch(code):
        fail(header_values["code"], "framework_code", code=code)
    items_node = header_values.get("items")
    if not isinstance(items_node, yaml.SequenceNode) or not items_node.value:
        fail(items_node or root, "framework_no_items")

    kinds = {kind.value for kind in ItemKind}
    seen: dict[str, int] = {}
    items = []
    for node in items_node.value:
        if not isinstance(node, yaml.MappingNode):
            fail(node, "framework_item_not_mapping")
        values = keys_of(node, ITEM_KEYS)
        item_code = text_of(node, values, "code", FrameworkItem)
        suffix = item_code.removeprefix(f"{code}.")
        if suffix == item_code or not _CODE.fullmatch(suffix):
            # The prefix keeps item codes unique across the frameworks a paper is checked against.
            fail(values["code"], "framework_item_code", item_code=item_code, code=code)
        if item_code in seen:
            fail(values["code"], "framework_duplicate_code", code=item_code, first=seen[item_code])
        seen[item_code] = node.start_mark.line + 1
        kind = text_of(node, values, "kind", FrameworkItem)
        if kind not in kinds:
            fail(values["kind"], "framework_kind", kind=kind, kinds=sorted(kinds))
        items.append(
            ItemSpec(
                code=item_code,
                kind=kind,
                title_en=text_of(node, values, "title_en", FrameworkItem),
                title_fr=text_of(node, values, "title_fr", FrameworkItem),
                description_en=text_of(
                    node, values, "description_en", FrameworkItem, required=False
                ),
                description_fr=text_of(
                    node, values, "description_fr", FrameworkItem, required=False
                ),
            )
        )
    return FrameworkSpec(**header, items=tuple(items))


def load_framework(spec: FrameworkSpec, *, actor: User | None = None) -> tuple[Framework, bool]:
    """Create the framework version, or bring an already loaded one up to the file.

    Returns the framework and whether anything changed. Items are never removed: past
    decisions point at them.
    """
    framework = session.scalar(
        select(Framework).where(Framework.code == spec.code, Framework.version == spec.version)
    )
    changed = framework is None
    if framework is None:
        framework = Framework(code=spec.code, version=spec.version, title_en="", title_fr="")
        session.add(framework)
    changed |= _assign(framework, title_en=spec.title_en, title_fr=spec.title_fr)
    existing = {item.code: item for item in framework.items}
    for position, item_spec in enumerate(spec.items):
        item = existing.get(item_spec.code)
        if item is None:
            item = FrameworkItem(code=item_spec.code)
            framework.items.append(item)
            changed = True
        changed |= _assign(
            item,
            position=position,
            kind=item_spec.kind,
            title_en=item_spec.title_en,
            title_fr=item_spec.title_fr,
            description_en=item_spec.description_en,
            description_fr=item_spec.description_fr,
        )
    session.flush()
    if changed:
        activity.record(
            actor,
            ActivityAction.FRAMEWORK_LOADED,
            framework,
            after={"code": spec.code, "version": spec.version, "items": len(spec.items)},
        )
    return framework, changed


def load_framework_file(path: Path, *, actor: User | None = None) -> tuple[Framework, bool]:
    """Parse and load one framework file, all or nothing."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput("framework_unreadable", path=str(path), detail=str(exc)) from exc
    return load_framework(parse_framework(text, str(path)), actor=actor)


def load_sectors(rows: list[dict]) -> int:
    """Create or update sectors by code; returns how many changed."""
    changed = 0
    for row in rows:
        sector = session.scalar(select(Sector).where(Sector.code == row["code"]))
        if sector is None:
            sector = Sector(code=row["code"], name_en="", name_fr="")
            session.add(sector)
        if _assign(sector, name_en=row["name_en"], name_fr=row["name_fr"]):
            changed += 1
    session.flush()
    return changed


def load_reference(folder: Path = REFERENCE_DIR, *, actor: User | None = None) -> dict:
    """The shipped sectors and frameworks. Running it twice changes nothing."""
    folder = Path(folder)
    rows = yaml.safe_load((folder / "sectors.yaml").read_text(encoding="utf-8"))
    summary = {"sectors_changed": load_sectors(rows), "frameworks_changed": []}
    for path in sorted((folder / "frameworks").glob("*.yaml")):
        framework, changed = load_framework_file(path, actor=actor)
        if changed:
            summary["frameworks_changed"].append(framework.code)
    return summary


def list_sectors() -> list[Sector]:
    """Every sector, by code."""
    return list(session.scalars(select(Sector).order_by(Sector.code)))


def list_frameworks() -> list[Framework]:
    """Every loaded framework, each version, by code then version."""
    return list(session.scalars(select(Framework).order_by(Framework.code, Framework.version)))


def framework_label(framework: Framework) -> str:
    """How people and the API name one version of a framework: "REC2021@2021"."""
    return f"{framework.code}@{framework.version}"


def find_framework(name: str) -> Framework:
    """The framework named "CODE@VERSION", or by "CODE" alone its newest loaded version."""
    code, _, version = name.strip().partition("@")
    query = select(Framework).where(Framework.code == code)
    if version:
        query = query.where(Framework.version == version)
    framework = session.scalar(query.order_by(Framework.id.desc()).limit(1))
    if framework is None:
        known = [framework_label(f) for f in list_frameworks()]
        raise BadInput("unknown_framework", {"frameworks": known}, name=name)
    return framework


def find_frameworks(names: list[str]) -> list[Framework]:
    """Each named framework (see find_framework)."""
    return [find_framework(name) for name in names]


def _assign(obj, **values) -> bool:
    """Set attributes that differ; True when any did."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed
