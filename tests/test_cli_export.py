"""`plume export`: the same export as the API, from the command line."""

from __future__ import annotations

import hashlib

import docx
import pytest
from sqlalchemy import func, select

from app.db import session
from app.models import Export, Role
from app.services import versions


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def version(create_paper):
    paper = create_paper()
    return versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.1")


def _exports() -> int:
    return session.scalar(select(func.count()).select_from(Export))


def test_export_writes_the_file_and_prints_its_sha256_and_path(runner, version, tmp_path):
    out = tmp_path / "paper.md"
    result = runner.invoke(args=["export", str(version.id), "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    digest, path = result.output.strip().splitlines()[-1].split("  ")
    assert path == str(out)
    data = out.read_bytes()
    assert hashlib.sha256(data).hexdigest() == digest
    assert data.decode("utf-8").startswith("# Artificial intelligence and culture")
    recorded = session.scalar(select(Export).where(Export.version_id == version.id))
    assert (recorded.format, recorded.sha256, recorded.created_by_id) == ("md", digest, None)

    again = runner.invoke(args=["export", str(version.id), "--format", "md"])
    assert again.exit_code == 0, again.output
    assert "already exported" in again.output
    assert again.output.strip().splitlines()[-1].split("  ")[0] == digest
    assert _exports() == 1


def test_export_docx_with_a_table_of_contents_into_a_folder(runner, version, tmp_path):
    result = runner.invoke(
        args=["export", str(version.id), "--format", "docx", "--toc", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    _digest, path = result.output.strip().splitlines()[-1].split("  ")
    assert path.startswith(str(tmp_path)) and path.endswith("-v0.1-draft.docx")
    document = docx.Document(path)
    # The UN cover block: the organisation first, then (after sector and symbol) the title.
    assert document.paragraphs[0].text.startswith("United Nations Educational")
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text.startswith("Artificial intelligence and culture")


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "999999", "--format", "md"], "version 999999 does not exist"),
        (["export", "{id}", "--format", "pdf", "--comments"], "native Word features"),
        (["export", "{id}", "--format", "odt"], "'odt' is not one of"),
    ],
    ids=["unknown-version", "comments-pdf", "unknown-format"],
)
def test_export_refuses_bad_input_and_records_nothing(runner, version, args, message):
    result = runner.invoke(args=[arg.format(id=version.id) for arg in args])
    assert result.exit_code != 0
    assert message in result.output
    assert _exports() == 0
