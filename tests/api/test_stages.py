"""Versions with a purpose through the API: blockers answered with 409 and links, the
override printed on the sign-off page of the DOCX and the PDF, positions only for signature."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pypdf
import pytest

from app.db import utcnow
from app.models import Role, Section
from app.services import reviews, rounds, versions

REASON = "The minister signs on Friday; the open points go into v1.1."


@pytest.fixture
def paper(create_paper):
    return create_paper()


def _freeze(client, paper, token_for, **body):
    return client.post(
        f"/api/v1/papers/{paper.id}/versions",
        json=body,
        headers=token_for(paper.people[Role.COORDINATOR]),
    )


def test_review_is_the_default_purpose_and_positions_on_it_are_a_409(client, paper, token_for):
    response = _freeze(client, paper, token_for, label="v0.1")
    assert response.status_code == 201, response.get_json()
    version = response.get_json()
    assert version["purpose"] == "review"
    assert version["positions"] == []
    refused = client.post(
        f"/api/v1/versions/{version['id']}/positions",
        json={"position": "approve"},
        headers=token_for(paper.people[Role.SIGNATORY]),
    )
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "positions_need_signature_version"
    assert error["message"].startswith("Version v0.1 was frozen for review")


def test_an_unknown_purpose_is_a_400(client, paper, token_for):
    response = _freeze(client, paper, token_for, label="v0.1", purpose="approval")
    assert response.status_code == 400


def test_freezing_for_signature_answers_409_with_every_blocker_and_its_link(
    client, paper, token_for, db
):
    coordinator = paper.people[Role.COORDINATOR]
    review = versions.freeze_version(paper, coordinator, "v0.1")
    review_round = rounds.open_round(
        paper,
        coordinator,
        version_id=review.id,
        sectors=["SHS"],
        deadline=utcnow() + timedelta(days=3),
    )
    section = review.sections[1]
    reviews.create_comment(
        db.get(Section, section.section_id),
        paper.people[Role.REVIEWER],
        reviews.NewComment(body="Too vague.", type="substantive", round_id=review_round.id),
    )

    response = _freeze(client, paper, token_for, label="v1.0", purpose="signature")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "signature_blocked"
    blockers = error["details"]["blockers"]
    assert error["message"].startswith(
        f"This version cannot be frozen for signature: {len(blockers)} points are still open"
    )
    codes = [blocker["code"] for blocker in blockers]
    assert set(codes) == {
        "blocker_open_round",
        "blocker_section_not_approved",
        "blocker_open_comments",
        "blocker_expected_alignment",
    }
    by_code = {blocker["code"]: blocker for blocker in blockers}
    assert by_code["blocker_open_round"]["link"].endswith(f"/rounds/{review_round.id}")
    assert by_code["blocker_open_round"]["message"].startswith(
        f"Review round {review_round.id} on v0.1 is still open, until "
    )
    comments = by_code["blocker_open_comments"]
    assert comments["section_id"] == section.section_id
    assert comments["count"] == 1
    assert comments["link"].endswith(f"/sections/{section.section_id}#comments")
    assert by_code["blocker_expected_alignment"]["link"].endswith(f"/papers/{paper.id}/alignment")
    assert all(blocker["link"].startswith("http") for blocker in blockers)
    listed = client.get(
        f"/api/v1/papers/{paper.id}/versions", headers=token_for(paper.people[Role.OBSERVER])
    )
    assert [v["label"] for v in listed.get_json()] == ["v0.1"]
    paper_now = client.get(f"/api/v1/papers/{paper.id}", headers=token_for(coordinator))
    assert paper_now.get_json()["status"] == "in_review"


def _sign(client, paper, version, token_for):
    response = client.post(
        f"/api/v1/versions/{version['id']}/positions",
        json={"position": "approve"},
        headers=token_for(paper.people[Role.SIGNATORY]),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"]["state"] == "signed_off"


def _export_text(client, version, headers, fmt: str) -> str:
    from app import worker

    queued = client.post(
        f"/api/v1/versions/{version['id']}/exports", json={"format": fmt}, headers=headers
    )
    assert queued.status_code == 202, queued.get_json()
    worker.run_burst(client.application, include_periodic=False)
    made = client.get(queued.get_json()["url"], headers=headers).get_json()
    assert made["status"] == "ready", made
    with client.get(made["download_url"], headers=headers) as download:
        data = download.get_data()
    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_an_override_is_recorded_shown_and_printed_on_the_sign_off_page(client, paper, token_for):
    response = _freeze(
        client, paper, token_for, label="v1.0", purpose="signature", override_reason=REASON
    )
    assert response.status_code == 201, response.get_json()
    version = response.get_json()
    assert version["purpose"] == "signature"
    assert version["override_reason"] == REASON
    headers = token_for(paper.people[Role.COORDINATOR])
    assert client.get(f"/api/v1/papers/{paper.id}", headers=headers).get_json()["status"] == (
        "in_signature"
    )
    _sign(client, paper, version, token_for)
    assert client.get(f"/api/v1/papers/{paper.id}", headers=headers).get_json()["status"] == (
        "signed_off"
    )

    for fmt in ("docx", "pdf"):
        text = " ".join(_export_text(client, version, headers, fmt).split())
        signoff_page = text[text.index("Sign-off") :]
        assert "Frozen for signature although points were still open." in signoff_page, fmt
        assert REASON in signoff_page, fmt


def test_a_newer_signature_version_supersedes_the_ballot(client, paper, token_for):
    first = _freeze(
        client, paper, token_for, label="v1.0", purpose="signature", override_reason=REASON
    ).get_json()
    client.post(
        f"/api/v1/versions/{first['id']}/positions",
        json={"position": "block", "reason": "Section 4 is wrong."},
        headers=token_for(paper.people[Role.SIGNATORY]),
    )
    second = _freeze(
        client, paper, token_for, label="v1.1", purpose="signature", override_reason=REASON
    )
    assert second.status_code == 201
    headers = token_for(paper.people[Role.OBSERVER])
    shown = client.get(f"/api/v1/versions/{first['id']}", headers=headers).get_json()
    assert shown["state"] == "superseded"
    assert [row["position"] for row in shown["positions"]] == ["block"]  # kept
