"""The UN fields are set through the API: a paper's document settings (symbol, disclaimer page,
numbered paragraphs) by its coordinator, a person's job title by that person; the exports made
afterwards show them and record the settings they used."""

from __future__ import annotations

import io
import re

import docx
import pdfplumber
import pytest

from app.models import Role, User
from tests.api.test_exports import _download, _export, _sign_off
from tests.conftest import TEST_OVERRIDE


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    paper.signatories = [paper.people[Role.SIGNATORY]]
    return paper


def _patch(client, paper, headers, **body):
    return client.patch(f"/api/v1/papers/{paper.id}", json=body, headers=headers)


def _activity(client, paper, headers):
    entries = client.get(f"/api/v1/papers/{paper.id}/activity", headers=headers).get_json()
    return [entry for entry in entries if entry["action"] == "paper.settings_changed"]


def test_the_coordinator_sets_the_document_settings_and_the_feed_says_so(client, paper, token_for):
    headers = token_for(paper.people[Role.COORDINATOR])
    response = _patch(
        client, paper, headers, document_symbol="  CLT/2027/PP/1 ", numbered_paragraphs=True
    )
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["document_symbol"] == "CLT/2027/PP/1"
    assert shown["numbered_paragraphs"] is True and shown["disclaimer"] is False
    assert client.get(f"/api/v1/papers/{paper.id}", headers=headers).get_json()[
        "document_symbol"
    ] == ("CLT/2027/PP/1")
    [entry] = _activity(client, paper, headers)
    assert entry["before"] == {"document_symbol": "", "numbered_paragraphs": False}
    assert entry["after"] == {"document_symbol": "CLT/2027/PP/1", "numbered_paragraphs": True}
    # Sending what is already set records nothing; symbols as UN documents write them pass.
    assert _patch(client, paper, headers, document_symbol="CLT/2027/PP/1").status_code == 200
    assert len(_activity(client, paper, headers)) == 1
    for symbol in ("41 C/5 Add.1", "E/CN.6/2027/L.1", "CLT-2027/WS/3 (Rev.2)", ""):
        response = _patch(client, paper, headers, document_symbol=symbol)
        assert response.get_json()["document_symbol"] == symbol
    assert _patch(client, paper, headers, disclaimer=True).get_json()["disclaimer"] is True


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"document_symbol": "<script>alert(1)</script>"}, 400, "document_symbol"),
        ({"document_symbol": "CLT/" + "9" * 60}, 400, "document_symbol"),
        ({"document_symbol": "CLT  2027"}, 400, "document_symbol"),
        ({"document_symbol": "/CLT"}, 400, "document_symbol"),
        ({"document_symbol": "CLT/2027\nPP/1"}, 400, "document_symbol"),
        ({"document_symbol": "CLT\x002027"}, 422, "document_symbol"),
        ({"document_symbol": "CLT\x07"}, 422, "document_symbol"),
        ({"document_symbol": 12}, 400, "document_symbol"),
        ({"disclaimer": "yes"}, 400, "disclaimer"),
        ({"numbered_paragraphs": 1}, 400, "numbered_paragraphs"),
        ({"title": "Another"}, 400, "title"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(client, paper, token_for, body, status, field):
    headers = token_for(paper.people[Role.COORDINATOR])
    response = _patch(client, paper, headers, **body)
    assert response.status_code == status, response.get_json()
    assert field in str(response.get_json()["error"]), response.get_json()
    shown = client.get(f"/api/v1/papers/{paper.id}", headers=headers).get_json()
    assert (shown["document_symbol"], shown["disclaimer"]) == ("", False)
    assert not _activity(client, paper, headers)


def test_only_the_coordinator_changes_the_settings(client, paper, token_for, create_user):
    for role in (Role.AUTHOR, Role.SIGNATORY, Role.OBSERVER):
        response = _patch(client, paper, token_for(paper.people[role]), document_symbol="X/1")
        assert response.status_code == 403, response.get_json()
    outsider = create_user("SHS")
    response = _patch(client, paper, token_for(outsider), document_symbol="X/1")
    assert response.status_code == 404


def test_my_job_title(client, paper, token_for, db):
    signatory = paper.people[Role.SIGNATORY]
    headers = token_for(signatory)
    response = client.patch(
        "/api/v1/me",
        json={"job_title": "  Assistant Director-General  for Culture "},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["job_title"] == "Assistant Director-General for Culture"
    assert client.get("/api/v1/me", headers=headers).get_json()["job_title"] == (
        "Assistant Director-General for Culture"
    )
    for bad, status in (("a\nb", 400), ("x" * 201, 400), ("a\x00b", 422), (None, 400)):
        response = client.patch("/api/v1/me", json={"job_title": bad}, headers=headers)
        assert response.status_code == status, response.get_json()
        assert "job_title" in str(response.get_json()["error"])
    db.expire_all()
    assert db.get(User, signatory.id).job_title == "Assistant Director-General for Culture"


def _word_text(data: bytes) -> tuple[list[str], str, list[str]]:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    header = document.sections[0].header.paragraphs[0].text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return paragraphs, header, cells


def test_the_exports_show_what_was_set_through_the_api(client, paper, token_for):
    coordinator = token_for(paper.people[Role.COORDINATOR])
    signatory = token_for(paper.people[Role.SIGNATORY])
    client.patch("/api/v1/me", json={"job_title": "ADG for Culture"}, headers=signatory)
    _patch(client, paper, coordinator, document_symbol="CLT/2027/PP/1", numbered_paragraphs=True)
    version = client.post(
        f"/api/v1/papers/{paper.id}/versions",
        json={"label": "v1.0", "purpose": "signature", "override_reason": TEST_OVERRIDE},
        headers=coordinator,
    ).get_json()
    _sign_off(client, paper, version, token_for)

    made = _export(client, version, coordinator, format="docx").get_json()
    assert made["options"]["document_symbol"] == "CLT/2027/PP/1"
    assert made["options"]["numbered_paragraphs"] is True
    data = _download(client, made, coordinator).data
    paragraphs, header, cells = _word_text(data)
    assert "CLT/2027/PP/1" in paragraphs[:4]
    assert header.startswith("CLT/2027/PP/1 · ")
    name = paper.people[Role.SIGNATORY].name
    assert f"{name}, ADG for Culture" in cells
    numbers = [int(p.split(".")[0]) for p in paragraphs if re.match(r"\d+\.\t", p)]
    assert numbers and numbers == list(range(1, len(numbers) + 1))

    made_pdf = _export(client, version, coordinator, format="pdf").get_json()
    with pdfplumber.open(io.BytesIO(_download(client, made_pdf, coordinator).data)) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert "CLT/2027/PP/1" in pages[0]
    assert all(page.startswith("CLT/2027/PP/1 · ") for page in pages)
    assert f"{name}, ADG for Culture" in "\n".join(pages)
    assert "\n1. " in "\n".join(pages)

    # Another symbol is another export (the first stays as it was); the same one is reused.
    _patch(client, paper, coordinator, document_symbol="CLT/2027/PP/2", numbered_paragraphs=False)
    again = _export(client, version, coordinator, format="docx")
    assert again.status_code == 201
    assert again.get_json()["options"]["document_symbol"] == "CLT/2027/PP/2"
    assert again.get_json()["sha256"] != made["sha256"]
    paragraphs, header, _cells = _word_text(_download(client, again.get_json(), coordinator).data)
    assert header.startswith("CLT/2027/PP/2 · ")
    assert not [p for p in paragraphs if re.match(r"\d+\.\t", p)]
    assert _download(client, made, coordinator).status_code == 200
    assert _export(client, version, coordinator, format="docx").status_code == 200
