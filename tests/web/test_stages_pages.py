"""The freeze form asks what a version is for, and answers a refusal on the same page."""

from __future__ import annotations

from app.models import Role, Version
from tests.web.helpers import page


def test_freezing_for_signature_shows_every_blocker_with_a_link_and_keeps_the_form(
    client, sign_in, paper, post, db
):
    sign_in(paper.people[Role.COORDINATOR])
    listing = page(client.get(f"/papers/{paper.id}/versions"))
    assert [r["value"] for r in listing.find("input", name="purpose")] == ["review", "signature"]
    response = post(f"/papers/{paper.id}/versions", {"label": "v1.0", "purpose": "signature"})
    assert response.status_code == 409
    shown = page(response)
    assert "This version cannot be frozen for signature" in shown.text
    assert shown.find("ul", class_="blockers")
    links = [a.get("href") for a in shown.find("a")]
    assert f"/sections/{paper.section.id}" in links
    assert f"/papers/{paper.id}/alignment" in links
    assert shown.find("input", name="label")[0]["value"] == "v1.0"
    assert "checked" in shown.find("input", name="purpose", value="signature")[0]
    assert not db.query(Version).filter_by(paper_id=paper.id).count()


def test_an_override_is_shown_on_the_version_page(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.COORDINATOR], language="fr")
    refused = post(f"/papers/{paper.id}/versions", {"label": "v1.0", "purpose": "signature"})
    assert "Cette version ne peut pas être figée pour signature" in page(refused).text
    response = post(
        f"/papers/{paper.id}/versions",
        {"label": "v1.0", "purpose": "signature", "override_reason": "Urgence ministérielle."},
    )
    assert response.status_code == 302
    shown = page(client.get(response.headers["Location"]))
    assert shown.find("div", id="override-reason")
    assert "Urgence ministérielle." in shown.text
    assert "Pour signature" in shown.text
    assert "En signature" in shown.text  # the paper's status, in the header
