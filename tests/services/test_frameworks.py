"""Framework files: the parser names the line at fault, the loader is all or nothing and
versioned, and a paper is checked against the frameworks it chooses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import session
from app.models import Framework, FrameworkItem
from app.services import reference
from app.services.errors import BadInput

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks"
HEADER = 'code: TEST\nversion: "1"\ntitle_en: A test framework\ntitle_fr: Un cadre de test\n'
GOOD_ITEM = "  - code: TEST.1\n    kind: value\n    title_en: One\n    title_fr: Un\n"


def _frameworks() -> int:
    return session.scalar(select(func.count()).select_from(Framework))


def test_the_sample_oecd_file_parses():
    spec = reference.parse_framework((DATA / "oecd-ai-2024.yaml").read_text(encoding="utf-8"))
    assert (spec.code, spec.version) == ("OECD-AI", "2024")
    assert spec.title_fr.startswith("Recommandation de l’OCDE")
    assert [item.code for item in spec.items][:2] == ["OECD-AI.1.1", "OECD-AI.1.2"]
    assert [item.kind for item in spec.items] == ["principle"] * 5 + ["policy_area"] * 5
    assert spec.items[2].title_en == "Transparency and explainability"
    assert spec.items[2].title_fr == "Transparence et explicabilité"
    assert spec.items[0].description_en == ""


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("broken-duplicate-code.yaml", 14, "duplicate code BROKEN-DUP.1 (first on line 6)"),
        ("broken-missing-title.yaml", 10, "missing title_fr"),
        ("broken-unknown-kind.yaml", 11, "unknown kind 'guideline'"),
    ],
)
def test_a_broken_file_is_refused_with_its_line_and_loads_nothing(db, name, line, message):
    before = _frameworks()
    path = DATA / name
    with pytest.raises(BadInput) as refused:
        reference.load_framework_file(path)
    assert refused.value.message.startswith(f"{path}:{line}: {message}")
    assert refused.value.details == {"file": str(path), "line": line}
    assert _frameworks() == before


def _with_item(old: str = "", new: str = "", *, extra: str = "") -> str:
    """The test header and one item, with `old` replaced by `new` and `extra` lines added."""
    return HEADER + "items:\n" + GOOD_ITEM.replace(old, new) + extra


FAULTS = [
    ("not-a-mapping", "", 1, "a framework file is a mapping"),
    ("a-list", "- just\n- a list\n", 1, "a framework file is a mapping"),
    ("bad-yaml", "code: [unclosed\n", 2, "not valid YAML"),
    ("no-version", HEADER.replace('version: "1"\n', ""), 1, "missing version"),
    # A YAML null is no title, though PyYAML composes it as the text "null".
    ("null-title", HEADER.replace("A test framework", "null"), 3, "missing title_en"),
    ("empty-items", HEADER + "items: []\n", 5, "a framework needs a non-empty list of items"),
    ("no-items", HEADER, 1, "a framework needs a non-empty list of items"),
    ("item-not-mapping", HEADER + "items:\n  - TEST.1\n", 6, "each item is a mapping"),
    ("tilde-title", _with_item("title_fr: Un", "title_fr: ~"), 9, "missing title_fr"),
    ("list-title", _with_item("title_en: One", "title_en: [One]"), 8, "title_en must be text"),
    ("kind-case", _with_item("kind: value", "kind: Value"), 7, "unknown kind 'Value'"),
    ("no-kind", _with_item("    kind: value\n", ""), 6, "missing kind"),
    # A repeated or misspelt key would otherwise be dropped without a word.
    ("repeated-key", _with_item(extra="    title_en: Again\n"), 10, "duplicate key title_en"),
    ("misspelt-key", _with_item(extra="    descripton_en: x\n"), 10, "unknown key 'descripton_en'"),
    ("header-key", HEADER + "source: x\nitems:\n" + GOOD_ITEM, 5, "unknown key 'source'"),
    # Item codes carry their framework's code, so that two frameworks never share one.
    ("no-prefix", _with_item("TEST.1", "P1"), 6, "item code 'P1' must be TEST."),
    ("bare-prefix", _with_item("TEST.1", "TEST."), 6, "item code 'TEST.' must be TEST."),
    ("pipe-in-code", _with_item("TEST.1", "TEST.1 | x"), 6, "item code 'TEST.1 | x' must be"),
    ("at-in-code", HEADER.replace("code: TEST", "code: T@2"), 1, "code 'T@2' may hold only"),
    # PostgreSQL would refuse these mid-load; the file is refused first, with the line.
    ("long-title", HEADER.replace("A test framework", "x" * 301), 3, "title_en is longer than 300"),
    ("long-version", HEADER.replace('"1"', '"' + "9" * 41 + '"'), 2, "version is longer than 40"),
    ("long-code", _with_item("TEST.1", "TEST." + "1" * 60), 6, "code is longer than 60"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [pytest.param(*fault[1:], id=fault[0]) for fault in FAULTS]
)
def test_every_fault_is_named_with_its_line(text, line, message):
    with pytest.raises(BadInput) as refused:
        reference.parse_framework(text, "oecd.yaml")
    assert refused.value.message.startswith(f"oecd.yaml:{line}: {message}"), refused.value.message


def test_a_file_of_the_shipped_shape_parses_whole():
    text = (
        HEADER
        + "items:\n"
        + GOOD_ITEM
        + (
            "  - code: TEST.2\n    kind: policy_area\n    title_en: ' Two '\n    title_fr: Deux\n"
            "    description_en: >-\n      Folded\n      text.\n    description_fr: ''\n"
        )
    )
    spec = reference.parse_framework(text)
    assert spec.items[1] == reference.ItemSpec(
        code="TEST.2",
        kind="policy_area",
        title_en="Two",
        title_fr="Deux",
        description_en="Folded text.",
        description_fr="",
    )


def test_the_shipped_files_parse():
    for path in sorted((reference.REFERENCE_DIR / "frameworks").glob("*.yaml")):
        spec = reference.parse_framework(path.read_text(encoding="utf-8"), str(path))
        assert all(item.code.startswith(f"{spec.code}.") for item in spec.items)


def test_loading_is_versioned_and_idempotent(db):
    framework, changed = reference.load_framework_file(DATA / "oecd-ai-2024.yaml")
    assert changed
    assert len(framework.items) == 10
    assert [item.code for item in framework.items][-1] == "OECD-AI.2.5"
    again, changed = reference.load_framework_file(DATA / "oecd-ai-2024.yaml")
    assert (again.id, changed) == (framework.id, False)

    older_text = (
        (DATA / "oecd-ai-2024.yaml")
        .read_text(encoding="utf-8")
        .replace('version: "2024"', 'version: "2019"')
    )
    older, changed = reference.load_framework(reference.parse_framework(older_text))
    assert changed and older.id != framework.id
    assert reference.find_framework("OECD-AI@2024").id == framework.id
    assert reference.find_framework("OECD-AI@2019").id == older.id
    # "CODE" alone is the newest loaded version.
    assert reference.find_framework("OECD-AI").id == older.id
    labels = [reference.framework_label(f) for f in reference.list_frameworks()]
    assert {"OECD-AI@2019", "OECD-AI@2024"} <= set(labels)
    assert (
        session.scalar(
            select(func.count())
            .select_from(FrameworkItem)
            .where(FrameworkItem.code == "OECD-AI.1.3")
        )
        == 2
    )


def test_reloading_a_version_corrects_titles_and_keeps_items(db):
    framework, _ = reference.load_framework_file(DATA / "oecd-ai-2024.yaml")
    text = (DATA / "oecd-ai-2024.yaml").read_text(encoding="utf-8")
    corrected = text.replace("title_en: Accountability", "title_en: Accountability (1.5)")
    # Drop the last item: past decisions may point at it, so it stays.
    corrected = corrected[: corrected.index("  - code: OECD-AI.2.5")]
    _, changed = reference.load_framework(reference.parse_framework(corrected))
    session.refresh(framework)
    assert changed
    titles = {item.code: item.title_en for item in framework.items}
    assert titles["OECD-AI.1.5"] == "Accountability (1.5)"
    assert "OECD-AI.2.5" in titles


def test_an_unknown_framework_names_the_loaded_ones(db):
    with pytest.raises(BadInput) as refused:
        reference.find_framework("OECD-AI")
    assert refused.value.details["frameworks"] == ["CONV2005@2005", "REC2021@2021"]
