"""`plume load-framework FILE`: another framework of the shipped shape, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db import session
from app.models import Framework, FrameworkItem, Role

DATA = Path(__file__).resolve().parent / "data" / "frameworks"


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def _count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_load_a_framework_then_check_a_paper_against_it(runner, client, create_paper, token_for):
    result = runner.invoke(args=["load-framework", str(DATA / "oecd-ai-2024.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OECD-AI 2024: 10 items, loaded"
    framework = session.scalar(select(Framework).where(Framework.code == "OECD-AI"))
    assert [item.code for item in framework.items][:3] == [
        "OECD-AI.1.1",
        "OECD-AI.1.2",
        "OECD-AI.1.3",
    ]

    paper = create_paper()
    headers = token_for(paper.people[Role.COORDINATOR])
    listed = client.get("/api/v1/frameworks", headers=headers).get_json()
    assert ("OECD-AI", "2024") in [(f["code"], f["version"]) for f in listed]
    chosen = client.put(
        f"/api/v1/papers/{paper.id}/frameworks",
        json={"frameworks": ["REC2021", "OECD-AI@2024"]},
        headers=headers,
    )
    assert chosen.status_code == 200, chosen.get_json()
    assert chosen.get_json()["frameworks"] == ["OECD-AI@2024", "REC2021@2021"]
    section = client.get(f"/api/v1/papers/{paper.id}/sections", headers=headers).get_json()[0]
    decided = client.post(
        f"/api/v1/sections/{section['id']}/alignments",
        json={"item_code": "OECD-AI.1.3", "status": "gap", "rationale": "Not yet discussed."},
        headers=headers,
    )
    assert decided.status_code == 201, decided.get_json()


def test_loading_the_same_file_twice_changes_nothing(runner):
    path = str(DATA / "oecd-ai-2024.yaml")
    runner.invoke(args=["load-framework", path])
    before = (_count(Framework), _count(FrameworkItem))
    result = runner.invoke(args=["load-framework", path])
    assert result.exit_code == 0, result.output
    assert "already loaded, nothing changed" in result.output
    assert (_count(Framework), _count(FrameworkItem)) == before


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("broken-duplicate-code.yaml", ":14: duplicate code BROKEN-DUP.1 (first on line 6)"),
        ("broken-missing-title.yaml", ":10: missing title_fr"),
        ("broken-unknown-kind.yaml", ":11: unknown kind 'guideline'"),
    ],
)
def test_a_broken_file_is_refused_with_the_line_and_nothing_is_loaded(runner, name, complaint):
    before = (_count(Framework), _count(FrameworkItem))
    result = runner.invoke(args=["load-framework", str(DATA / name)])
    assert result.exit_code != 0
    assert f"{DATA / name}{complaint}" in result.output
    assert (_count(Framework), _count(FrameworkItem)) == before


def test_a_missing_file_is_refused(runner, tmp_path):
    result = runner.invoke(args=["load-framework", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code != 0
    assert "Error: Cannot read " in result.output and "nowhere.yaml" in result.output
