"""The `plume` command line: clear output, non-zero exit on bad input, nothing half-written."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from app.db import session
from app.models import Framework, FrameworkItem, Paper, Section, Sector, User


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


def _count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_load_reference_twice_changes_nothing(runner):
    before = (_count(Sector), _count(Framework), _count(FrameworkItem))
    result = runner.invoke(args=["load-reference"])
    assert result.exit_code == 0, result.output
    assert "sectors changed: 0; frameworks changed: none" in result.output
    assert (_count(Sector), _count(Framework), _count(FrameworkItem)) == before


def test_the_shipped_frameworks(runner):
    items = session.scalars(
        select(FrameworkItem.code).join(Framework).where(Framework.code == "REC2021")
    ).all()
    expected = (
        [f"REC2021.V{i}" for i in range(1, 5)]
        + [f"REC2021.P{i}" for i in range(1, 11)]
        + [f"REC2021.PA{i}" for i in range(1, 12)]
    )
    assert sorted(items) == sorted(expected)
    french = session.scalar(select(FrameworkItem).where(FrameworkItem.code == "REC2021.P1"))
    assert french.title_fr and french.title_fr != french.title_en
    convention = session.scalar(select(Framework).where(Framework.code == "CONV2005"))
    assert len(convention.items) == 8


def test_users_create_prints_the_token_last(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Focal@Example.org",
            "--name",
            "Focal Point",
            "--sector",
            "clt",
            "--token",
        ]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["email"] == "focal@example.org"
    assert me["sector"] == "CLT"


def test_users_create_refuses_an_unknown_sector(runner):
    before = _count(User)
    result = runner.invoke(
        args=["users", "create", "x@example.org", "--name", "X", "--sector", "NOPE"]
    )
    assert result.exit_code != 0
    assert "There is no sector “NOPE”." in result.output
    assert _count(User) == before


def test_import_template_twice_makes_two_papers(runner, drafts_dir):
    before = _count(Paper)
    ids = []
    for _ in range(2):
        result = runner.invoke(args=["import-template", str(drafts_dir / "ai-and-culture")])
        assert result.exit_code == 0, result.output
        ids.append(int(result.output.strip().splitlines()[-1]))
    assert ids[0] != ids[1]
    assert _count(Paper) == before + 2
    counts = [
        session.scalar(select(func.count()).select_from(Section).where(Section.paper_id == i))
        for i in ids
    ]
    assert counts[0] == counts[1] == len(list((drafts_dir / "ai-and-culture").glob("*.md")))


def test_import_template_in_french_warns_of_a_section_left_in_english(runner, drafts_dir, tmp_path):
    folder = shutil.copytree(drafts_dir / "ai-and-culture", tmp_path / "ai-and-culture")
    (folder / "fr" / "04-3-bias.md").unlink()
    result = runner.invoke(args=["import-template", str(folder), "--language", "fr"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: the template has no 'fr' text for sections 4.3: they start in another language\n"
    )
    paper = session.get(Paper, int(result.stdout.strip().splitlines()[-1]))
    assert paper.language == "fr"
    assert result.stdout.startswith(f"created paper {paper.id}: Intelligence artificielle")
    complete = runner.invoke(args=["import-template", str(drafts_dir / "ai-and-culture")])
    assert complete.exit_code == 0 and complete.stderr == ""


def test_import_of_a_broken_template_writes_nothing(runner, tmp_path):
    (tmp_path / "paper.yaml").write_text("title_en: Broken\nframeworks: [REC2021]\n")
    (tmp_path / "01-intro.md").write_text("---\nnumber: '1'\ntitle_en: Intro\n---\nText.\n")
    (tmp_path / "02-orphan.md").write_text("---\nnumber: '3.1'\ntitle_en: Orphan\n---\n")
    before = _count(Paper)
    result = runner.invoke(args=["import-template", str(tmp_path)])
    assert result.exit_code != 0
    assert "section 3.1 has no parent" in result.output
    assert _count(Paper) == before


def test_add_member(runner, create_user, drafts_dir):
    user = create_user("SHS")
    paper = runner.invoke(args=["import-template", str(drafts_dir / "ai-and-culture")])
    paper_id = paper.output.strip().splitlines()[-1]
    ok = runner.invoke(args=["papers", "add-member", paper_id, user.email, "reviewer"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(args=["papers", "add-member", paper_id, user.email, "reviewer"])
    assert again.exit_code != 0
    assert "already holds the role Reviewer" in again.output
    bad_role = runner.invoke(args=["papers", "add-member", paper_id, user.email, "editor"])
    assert bad_role.exit_code != 0
    assert "A role is coordinator, author" in bad_role.output
    # The command line loads the paper as the API does: an unknown one is refused the same way.
    unknown = runner.invoke(args=["papers", "add-member", "999999", user.email, "reviewer"])
    assert unknown.exit_code != 0
    assert "paper 999999 does not exist." in unknown.output
