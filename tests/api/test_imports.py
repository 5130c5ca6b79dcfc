"""POST /api/v1/papers/{id}/imports and `plume import-docx`: the report, and hostile files
refused with a 4xx, nothing written (both databases)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.db import session
from app.models import Activity, Comment, CommentReply, ImportedItem, Role
from tests.docx_import.hostile import HOSTILE
from tests.services.test_imports import returned_file, setup  # noqa: F401  (a fixture)


def post(client, paper, headers, data: bytes, name: str = "returned.docx", **fields):
    form = {"file": (io.BytesIO(data), name), **{k: str(v).lower() for k, v in fields.items()}}
    return client.post(
        f"/api/v1/papers/{paper.id}/imports",
        data=form,
        headers=headers,
        content_type="multipart/form-data",
    )


def written() -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Comment, CommentReply, ImportedItem, Activity)
    )


def test_an_upload_answers_the_report_of_every_remark(client, setup, token_for):  # noqa: F811
    paper, version, sections = setup
    headers = token_for(paper.people[Role.COORDINATOR])
    data = returned_file(paper, version, sections, reviewer_name="Nobody Known")
    dry = post(client, paper, headers, data, dry_run=True)
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["dry_run"] and dry.get_json()["counts"]["created"] == 5
    response = post(client, paper, headers, data)
    report = response.get_json()
    assert response.status_code == 200, report
    assert report["counts"] == {"created": 5, "duplicate": 0, "unplaced": 0}
    assert report["version_id"] == version.id and report["export_id"] == "feedfacecafebeef"
    item = report["items"][0]
    assert set(item) >= {"kind", "section_id", "quote", "author", "user_id", "comment_id"}
    assert item["quote"] == "machine learning" and item["section_id"] == sections[0].id
    listed = client.get(f"/api/v1/sections/{sections[0].id}/comments", headers=headers)
    assert any(c["id"] == item["comment_id"] for c in listed.get_json())
    again = post(client, paper, headers, data).get_json()
    assert again["counts"] == {"created": 0, "duplicate": 5, "unplaced": 0}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_and_nothing_is_written(client, setup, token_for, name):  # noqa: F811
    paper, _, _ = setup
    make, reason = HOSTILE[name]
    headers = token_for(paper.people[Role.COORDINATOR])
    before = written()
    response = post(client, paper, headers, make())
    assert 400 <= response.status_code < 500, response.get_json()
    assert response.get_json()["error"]["code"] == reason
    assert written() == before


def test_a_file_over_the_upload_limit_is_413(client, app, setup, token_for, monkeypatch):  # noqa: F811
    paper, version, sections = setup
    data = returned_file(paper, version, sections, reviewer_name="X")
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", len(data) - 1)
    response = post(client, paper, token_for(paper.people[Role.COORDINATOR]), data)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "import_too_large"
    assert str(len(data) - 1) in response.get_json()["error"]["message"]


def test_a_docm_is_refused_by_its_name(client, setup, token_for):  # noqa: F811
    paper, version, sections = setup
    data = returned_file(paper, version, sections, reviewer_name="X")
    response = post(client, paper, token_for(paper.people[Role.COORDINATOR]), data, "r.docm")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "import_macros"


def test_a_file_from_another_paper_is_422_and_says_so(client, setup, create_paper, token_for):  # noqa: F811
    paper, version, sections = setup
    other = create_paper()
    data = returned_file(paper, version, sections, reviewer_name="X")
    response = post(client, other, token_for(other.people[Role.COORDINATOR]), data)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "import_other_paper"
    assert f"paper {paper.id}" in error["message"]


def test_an_observer_may_not_import(client, setup, token_for):  # noqa: F811
    paper, version, sections = setup
    data = returned_file(paper, version, sections, reviewer_name="X")
    response = post(client, paper, token_for(paper.people[Role.OBSERVER]), data)
    assert response.status_code == 403


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cuts=st.lists(st.integers(0, 4000), min_size=1, max_size=6))
def test_mangled_uploads_end_in_a_4xx_or_a_report_never_a_500(client, setup, token_for, cuts):  # noqa: F811
    paper, version, sections = setup
    data = bytearray(returned_file(paper, version, sections, reviewer_name="X"))
    for cut in cuts:
        if cut < len(data):
            data[cut] ^= 0xFF
    response = post(client, paper, token_for(paper.people[Role.COORDINATOR]), bytes(data))
    assert response.status_code < 500, response.get_data(as_text=True)


def test_the_command_line_reports_and_a_dry_run_writes_nothing(app, setup, tmp_path):  # noqa: F811
    paper, version, sections = setup
    path = tmp_path / "returned.docx"
    path.write_bytes(returned_file(paper, version, sections, reviewer_name="X"))
    runner = app.test_cli_runner()
    before = written()
    result = runner.invoke(args=["import-docx", str(paper.id), str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "dry run: 5 created, 0 duplicate, 0 unplaced"
    assert "created   comment" in result.output
    assert written() == before
