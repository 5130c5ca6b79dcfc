"""Exports through the API: Word and PDF a reader would accept, reproducible and tamper-checked.

pandoc and typst run for real; each test renders as little as it can (Markdown where the
format does not matter).
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from app import export
from app.models import Comment, Export, Role, Section
from app.services import papers, revisions, versions
from tests.conftest import TEST_OVERRIDE


@pytest.fixture
def paper(create_paper, create_user):
    """A template paper with two signatories, CLT and SHS."""
    paper = create_paper()
    second = create_user("SHS", name="Lars Berg")
    papers.add_member(paper, second.email, Role.SIGNATORY, actor=paper.people[Role.COORDINATOR])
    paper.signatories = [paper.people[Role.SIGNATORY], second]
    return paper


@pytest.fixture
def version(client, paper, token_for):
    response = client.post(
        f"/api/v1/papers/{paper.id}/versions",
        json={"label": "v1.0", "purpose": "signature", "override_reason": TEST_OVERRIDE},
        headers=token_for(paper.people[Role.COORDINATOR]),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _sign_off(client, paper, version, token_for):
    for signatory in paper.signatories:
        response = client.post(
            f"/api/v1/versions/{version['id']}/positions",
            json={"position": "approve"},
            headers=token_for(signatory),
        )
        assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"]["state"] == "signed_off"


class Finished:
    """A finished export job seen as the export it made: 201 for a new file, 200 for an
    identical one found, 422 when the job failed (its reason as the message)."""

    def __init__(self, status_code: int, data: dict):
        self.status_code, self._data = status_code, data

    def get_json(self):
        return self._data


def _export(client, version, headers, **body):
    """Ask for an export, let the worker make it, and answer with what it made."""
    from app import worker

    queued = client.post(f"/api/v1/versions/{version['id']}/exports", json=body, headers=headers)
    if queued.status_code != 202:
        return queued
    assert queued.get_json()["status"] == "queued"
    worker.run_burst(client.application, include_periodic=False)
    job = client.get(queued.get_json()["url"], headers=headers).get_json()
    if job["status"] == "failed":
        return Finished(422, {"error": {"message": job["reason"]}, "job": job})
    assert job["status"] == "ready", job
    made = client.get(job["export_url"], headers=headers).get_json()
    reused = made["created_at"] < job["created_at"]
    return Finished(200 if reused else 201, made)


def _download(client, made, headers):
    # Read and close the response, as a WSGI server does: that closes the file it streamed.
    with client.get(made["download_url"], headers=headers) as response:
        response.get_data()
    return response


def _headings(version) -> list[str]:
    return [f"{section['number']} {section['title']}" for section in version["sections"]]


def test_a_signed_docx_has_the_sections_in_order_and_a_sign_off_table(
    client, paper, version, token_for
):
    _sign_off(client, paper, version, token_for)
    headers = token_for(paper.people[Role.COORDINATOR])
    response = _export(client, version, headers, format="docx")
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["options"] == {
        "toc": False,
        "comments": False,
        "redline_against": None,
        "signed_off": True,
        "document_symbol": "",
        "disclaimer": False,
        "numbered_paragraphs": False,
    }

    download = _download(client, made, headers)
    assert download.status_code == 200
    assert download.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Disposition"].endswith("-v1.0.docx")
    assert hashlib.sha256(download.data).hexdigest() == made["sha256"]
    assert len(download.data) == made["size"]

    document = docx.Document(io.BytesIO(download.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    expected = _headings(version)
    assert [h for h in headings if h in set(expected)] == expected
    assert len(expected) > 5

    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Signatory")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (paper.signatories[0].name, "CLT", "Approve"),
        (paper.signatories[1].name, "SHS", "Approve"),
    ]
    assert "DRAFT" not in "".join(p.text for p in document.sections[0].header.paragraphs)

    # The same version and options: the same bytes, and the same export, not a second one.
    again = _export(client, version, headers, format="docx")
    assert again.status_code == 200
    assert again.get_json()["id"] == made["id"]
    assert again.get_json()["sha256"] == made["sha256"]
    listed = client.get(f"/api/v1/versions/{version['id']}/exports", headers=headers)
    assert [row["id"] for row in listed.get_json()] == [made["id"]]


def test_an_unsigned_pdf_has_the_title_the_headings_and_draft_on_every_page(
    client, paper, version, token_for
):
    headers = token_for(paper.people[Role.COORDINATOR])
    response = _export(client, version, headers, format="pdf")
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["options"]["signed_off"] is False
    download = _download(client, made, headers)
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].endswith("-v1.0-draft.pdf")

    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(download.data)).pages]
    assert len(pages) > 1
    assert all("DRAFT" in page for page in pages)
    text = " ".join(" ".join(page.split()) for page in pages)
    assert " ".join(paper.title.split()) in text
    for heading in _headings(version):
        assert " ".join(heading.split()) in text, heading


def test_a_tampered_file_is_refused_at_download(client, paper, version, token_for, db, app):
    headers = token_for(paper.people[Role.OBSERVER])
    made = _export(client, version, headers, format="md").get_json()
    assert _download(client, made, headers).status_code == 200

    path = Path(app.config["EXPORTS_DIR"]) / db.get(Export, made["id"]).path
    path.write_bytes(path.read_bytes().replace(b"# ", b"# Forged ", 1))
    response = _download(client, made, headers)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert "no longer matches the sha256" in error["message"]
    assert error["details"]["expected_sha256"] == made["sha256"]

    path.unlink()
    response = _download(client, made, headers)
    assert response.status_code == 409
    assert "missing" in response.get_json()["error"]["message"]

    # Exporting again makes the same bytes, so the recorded file is whole again.
    assert _export(client, version, headers, format="md").get_json()["id"] == made["id"]
    assert _download(client, made, headers).status_code == 200


def test_an_identical_export_is_answered_without_rendering_a_changed_ballot_is_rendered(
    client, paper, version, token_for, monkeypatch
):
    headers = token_for(paper.people[Role.OBSERVER])
    made = _export(client, version, headers, format="md").get_json()
    renders = []
    real_render = export.render

    def counting_render(*args, **kwargs):
        renders.append(args[1])
        return real_render(*args, **kwargs)

    monkeypatch.setattr(export, "render", counting_render)
    again = _export(client, version, headers, format="md")
    assert (again.status_code, again.get_json()["id"], renders) == (200, made["id"], [])
    assert "source_sha256" not in again.get_json()["options"]

    # A signatory's position changes what the file says: that one is rendered.
    client.post(
        f"/api/v1/versions/{version['id']}/positions",
        json={"position": "approve"},
        headers=token_for(paper.signatories[0]),
    )
    changed = _export(client, version, headers, format="md")
    assert changed.status_code == 201 and renders == ["md"]
    assert _download(client, changed.get_json(), headers).status_code == 200


def test_the_markdown_export_is_the_consolidated_text(client, paper, version, token_for):
    headers = token_for(paper.people[Role.AUTHOR])
    made = _export(client, version, headers, format="md").get_json()
    download = _download(client, made, headers)
    assert download.mimetype == "text/markdown"
    text = download.data.decode("utf-8")
    assert text.startswith(f"# {paper.title}\n")
    positions = [text.index(f"# {heading}\n") for heading in _headings(version)]
    assert positions == sorted(positions)
    shown = client.get(f"/api/v1/exports/{made['id']}", headers=headers).get_json()
    assert shown == made


def test_who_may_export(client, paper, version, token_for, create_user):
    response = _export(client, version, token_for(paper.people[Role.OBSERVER]), format="md")
    assert response.status_code == 201
    made = response.get_json()
    outsider = token_for(create_user("CI"))
    assert _export(client, version, outsider, format="md").status_code == 404
    assert client.get(f"/api/v1/exports/{made['id']}", headers=outsider).status_code == 404
    assert _download(client, made, outsider).status_code == 404


@pytest.mark.parametrize(
    "body,status,message",
    [
        ({"format": "pdf", "comments": True}, 400, "native Word features"),
        ({"format": "md", "redline_against": 1}, 400, "native Word features"),
        ({"format": "md", "toc": True}, 400, "table of contents"),
        ({"format": "odt"}, 400, "format"),
        ({"format": "docx", "colour": "red"}, 400, "colour"),
        ({"format": "docx", "redline_against": 999999}, 422, "earlier version"),
    ],
    ids=["comments-pdf", "redline-md", "toc-md", "unknown-format", "unknown-field", "redline"],
)
def test_options_a_format_cannot_honour_are_refused(
    client, paper, version, token_for, body, status, message
):
    response = _export(client, version, token_for(paper.people[Role.COORDINATOR]), **body)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_a_redline_must_be_against_an_earlier_version(client, paper, version, token_for):
    headers = token_for(paper.people[Role.COORDINATOR])
    later = client.post(
        f"/api/v1/papers/{paper.id}/versions", json={"label": "v1.1"}, headers=headers
    ).get_json()
    response = _export(client, version, headers, format="docx", redline_against=later["id"])
    assert response.status_code == 422
    assert "earlier version of the same paper" in response.get_json()["error"]["message"]


def _comment(section_id, revision_id, reviewer, **fields):
    values = {
        "section_id": section_id,
        "revision_id": revision_id,
        "author_id": reviewer.id,
        "sector_id": reviewer.sector_id,
        "type": "substantive",
        "body": "Please cite the 2005 Convention here.",
    }
    return Comment(**(values | fields))


def test_the_open_comments_on_the_frozen_text_become_word_comments(client, paper, token_for, db):
    headers = token_for(paper.people[Role.COORDINATOR])
    reviewer = paper.people[Role.REVIEWER]
    entry, revision = next(
        (entry, revision)
        for entry, revision in versions.frozen_texts(
            versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.9")
        )
        if revision is not None and len(revision.body.split()) > 8
    )
    passage = " ".join(revision.body.split()[2:6])
    db.add_all(
        [
            _comment(entry.section_id, revision.id, reviewer, quote_exact=passage),
            _comment(
                entry.section_id,
                revision.id,
                reviewer,
                body="Already settled.",
                status="resolved",
                decision="accepted",
            ),
        ]
    )
    db.flush()
    later = revisions.save_revision(
        db.get(Section, entry.section_id),
        paper.people[Role.COORDINATOR],
        body=revision.body + "\nA newer paragraph.\n",
        base_revision_id=revision.id,
    )
    db.add(_comment(entry.section_id, later.id, reviewer, body="On text v1.0 does not hold."))
    db.flush()
    version = client.get(f"/api/v1/papers/{paper.id}/versions", headers=headers).get_json()[0]

    made = _export(client, version, headers, format="docx", comments=True).get_json()
    document = docx.Document(io.BytesIO(_download(client, made, headers).data))
    assert [(c.author, c.text) for c in document.comments] == [
        (f"{reviewer.name} (SHS)", "Please cite the 2005 Convention here.")
    ]


def test_a_redline_marks_the_changes_since_the_earlier_version(client, paper, token_for, db):
    coordinator = paper.people[Role.COORDINATOR]
    headers = token_for(coordinator)
    earlier = versions.freeze_version(paper, coordinator, "v0.1")
    entry, revision = next((e, r) for e, r in versions.frozen_texts(earlier) if r is not None)
    revisions.save_revision(
        db.get(Section, entry.section_id),
        coordinator,
        body=revision.body.rstrip() + " Zanzibar.\n",
        base_revision_id=revision.id,
    )
    later = versions.freeze_version(paper, coordinator, "v0.2")
    response = _export(client, {"id": later.id}, headers, format="docx", redline_against=earlier.id)
    assert response.status_code == 201, response.get_json()
    data = _download(client, response.get_json(), headers).data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    insertions = re.findall(r"<w:ins\b.*?</w:ins>", xml, flags=re.S)
    assert ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", ins)) for ins in insertions] == [
        " Zanzibar."
    ]
    assert "<w:del " not in xml


def test_a_failed_render_is_a_clear_422_and_records_nothing(
    client, paper, version, token_for, monkeypatch, db
):
    def fail(*_args, **_kwargs):
        raise export.ExportError("pandoc timed out after 120 s")

    monkeypatch.setattr(export, "render", fail)
    response = _export(client, version, token_for(paper.people[Role.COORDINATOR]), format="pdf")
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert message == "Version v1.0 could not be exported as pdf: pandoc timed out after 120 s."
    assert db.query(Export).count() == 0


def test_an_export_is_a_job_queued_then_ready_and_a_failed_one_is_final(
    client, paper, version, token_for, monkeypatch, db
):
    from app import worker
    from app.models import ExportJob

    headers = token_for(paper.people[Role.COORDINATOR])
    url = f"/api/v1/versions/{version['id']}/exports"
    queued = client.post(url, json={"format": "md"}, headers=headers)
    assert queued.status_code == 202
    job = queued.get_json()
    assert job["status"] == "queued" and job["export_id"] is None
    assert job["url"] == f"/api/v1/export-jobs/{job['id']}"
    assert client.get(job["url"], headers=headers).get_json()["status"] == "queued"

    # A forced pandoc timeout fails its job with the reason; the worker goes on to the next.
    def fail(*_args, **_kwargs):
        raise export.ExportError("pandoc timed out after 1 s")

    real_render = export.render
    monkeypatch.setattr(export, "render", fail)
    doomed = client.post(url, json={"format": "pdf"}, headers=headers).get_json()
    worker.run_burst(client.application, include_periodic=False)
    first = client.get(job["url"], headers=headers).get_json()
    failed = client.get(doomed["url"], headers=headers).get_json()
    assert failed["status"] == "failed"
    assert (
        failed["reason"] == "Version v1.0 could not be exported as pdf: pandoc timed out after 1 s."
    )
    assert first["status"] == "failed"  # render was broken for it too, in the same burst
    monkeypatch.setattr(export, "render", real_render)

    again = client.post(url, json={"format": "md"}, headers=headers).get_json()
    worker.run_burst(client.application, include_periodic=False)
    ready = client.get(again["url"], headers=headers).get_json()
    assert ready["status"] == "ready"
    assert ready["download_url"] == f"/api/v1/exports/{ready['export_id']}/download"
    assert _download(client, {"download_url": ready["download_url"]}, headers).status_code == 200
    # Failed jobs stay failed: the worker does not try them again.
    worker.run_burst(client.application, include_periodic=False)
    assert db.get(ExportJob, doomed["id"]).status == "failed"


def test_a_job_left_running_by_a_killed_worker_fails_and_is_not_retried(
    client, paper, version, token_for, db
):
    from datetime import timedelta

    from app.db import utcnow
    from app.models import ExportJob
    from app.services import exports

    headers = token_for(paper.people[Role.COORDINATOR])
    job = client.post(
        f"/api/v1/versions/{version['id']}/exports", json={"format": "md"}, headers=headers
    ).get_json()
    row = db.get(ExportJob, job["id"])
    row.status, row.started_at = "running", utcnow() - timedelta(minutes=20)
    db.flush()
    assert exports.run_queued_jobs(Path(client.application.config["EXPORTS_DIR"])) == 0
    failed = client.get(job["url"], headers=headers).get_json()
    assert failed["status"] == "failed"
    assert failed["reason"] == "the worker stopped while making this export"


def test_a_text_that_would_hang_pandoc_is_a_422_within_the_timeout_and_not_retried(
    client, paper, token_for, db, monkeypatch
):
    """The security review's reproducer: 490 KB of nested block quotes."""
    coordinator = paper.people[Role.COORDINATOR]
    section = db.query(Section).filter_by(paper_id=paper.id).order_by(Section.id).first()
    latest = revisions.latest(section.id)
    revisions.save_revision(
        section,
        coordinator,
        body="> " * 245000 + "x",
        base_revision_id=latest.id if latest else None,
    )
    versions.freeze_version(paper, coordinator, "v0.9")
    headers = token_for(coordinator)
    version = client.get(f"/api/v1/papers/{paper.id}/versions", headers=headers).get_json()[0]
    monkeypatch.setenv("PLUME_PANDOC_TIMEOUT", "2")

    for allowed in (2 + 5, 1):  # the second request is answered from the failure cache
        started = time.monotonic()
        response = _export(client, version, headers, format="docx")
        assert time.monotonic() - started < allowed
        # The worker records the failure on the job, in words, and goes on.
        assert response.status_code == 422
        assert response.get_json()["job"]["status"] == "failed"
        error = response.get_json()["error"]
        assert error["message"].startswith("This text could not be converted within 2 s:")
    assert db.query(Export).count() == 0
    # The server is still there for the next request.
    assert client.get("/api/v1/me", headers=headers).status_code == 200
