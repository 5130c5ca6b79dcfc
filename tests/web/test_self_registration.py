"""Self-registration domains: an admin's setting (page and API), merged with the environment's,
each change in the activity log."""

from __future__ import annotations

from app.models import Activity, ActivityAction, SelfRegistrationDomain
from app.services import self_registration
from tests.web.helpers import page


def test_only_an_admin_sees_and_changes_the_domains(client, create_user, sign_in, post, db):
    sign_in(create_user("CLT"))
    assert client.get("/admin/self-registration").status_code == 403
    assert (
        post("/admin/self-registration", {"domain": "unesco.org", "sector": "CLT"}).status_code
        == 403
    )
    assert db.query(SelfRegistrationDomain).count() == 0


def test_a_bad_or_taken_domain_comes_back_with_the_reason_and_the_input(
    client, create_user, sign_in, post, db
):
    sign_in(create_user("CLT", admin=True))
    response = post("/admin/self-registration", {"domain": "someone@unesco.org", "sector": "ED"})
    assert response.status_code == 400
    shown = page(response)
    assert "is not an e-mail domain" in shown.text
    assert any(a.get("value") == "someone@unesco.org" for _t, a in shown.elements)
    assert (
        post("/admin/self-registration", {"domain": "unesco.org", "sector": "ED"}).status_code
        == 302
    )
    again = post("/admin/self-registration", {"domain": "UNESCO.ORG", "sector": "CLT"})
    assert again.status_code == 409
    assert "already open" in page(again).text
    assert db.query(SelfRegistrationDomain).count() == 1


def test_the_environments_domains_are_shown_and_an_admins_choice_wins(
    app, client, create_user, sign_in, post, monkeypatch, db
):
    monkeypatch.setitem(app.config, "OIDC_SELF_REGISTRATION", {"unesco.org": "CLT", "un.org": "ED"})
    sign_in(create_user("CLT", admin=True))
    listed = page(client.get("/admin/self-registration"))
    assert "un.org" in listed.text and "PLUME_OIDC_SELF_REGISTRATION" in listed.text
    assert (
        post("/admin/self-registration", {"domain": "unesco.org", "sector": "SHS"}).status_code
        == 302
    )
    assert (
        self_registration.sector_for("a@unesco.org", app.config["OIDC_SELF_REGISTRATION"]) == "SHS"
    )
    assert self_registration.sector_for("a@un.org", app.config["OIDC_SELF_REGISTRATION"]) == "ED"
    assert (
        self_registration.sector_for("a@example.org", app.config["OIDC_SELF_REGISTRATION"]) is None
    )


def test_the_api_opens_lists_and_closes_a_domain_in_the_activity_log(
    app, create_user, token_for, db
):
    api = app.test_client()
    admin = create_user("CLT", admin=True)
    headers = token_for(admin)
    made = api.post(
        "/api/v1/admin/self-registration-domains",
        json={"domain": "unesco.org", "sector": "shs"},
        headers=headers,
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["domain"] == "unesco.org" and body["sector"] == "SHS" and body["source"] == "admin"
    listed = api.get("/api/v1/admin/self-registration-domains", headers=headers).get_json()
    assert [entry["domain"] for entry in listed] == ["unesco.org"]
    removed = api.delete(f"/api/v1/admin/self-registration-domains/{body['id']}", headers=headers)
    assert removed.status_code == 204
    assert api.get("/api/v1/admin/self-registration-domains", headers=headers).get_json() == []
    actions = [
        (entry.action, entry.actor_id)
        for entry in db.query(Activity)
        .filter_by(target_type="selfregistrationdomain")
        .order_by(Activity.id)
    ]
    assert actions == [
        (ActivityAction.SELF_REGISTRATION_DOMAIN_ADDED, admin.id),
        (ActivityAction.SELF_REGISTRATION_DOMAIN_REMOVED, admin.id),
    ]

    reviewer = token_for(create_user("SHS"))
    refused = api.post(
        "/api/v1/admin/self-registration-domains",
        json={"domain": "un.org", "sector": "ED"},
        headers=reviewer,
    )
    assert refused.status_code == 403
    bad = api.post(
        "/api/v1/admin/self-registration-domains",
        json={"domain": "un.org\x00", "sector": "ED"},
        headers=headers,
    )
    assert bad.status_code in (400, 422)
    missing = api.delete("/api/v1/admin/self-registration-domains/999999", headers=headers)
    assert missing.status_code == 404
