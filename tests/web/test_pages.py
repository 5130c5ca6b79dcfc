"""The foundation's pages and forms: dashboard, overview, section, editor, versions, activity."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from app import worker
from app.models import Activity, Export, Revision, Role, Section, Version
from app.services import revisions, versions
from app.services import sections as section_service
from tests.web.helpers import page


def _latest(section) -> Revision:
    return revisions.latest(section.id)


# Dashboard


def test_dashboard_lists_the_sections_i_lead_overdue_first(client, sign_in, paper, db, today):
    coordinator, author = paper.people[Role.COORDINATOR], paper.people[Role.AUTHOR]
    rows = section_service.list_sections(paper.id, coordinator)
    late, later = rows[4].section, rows[5].section
    section_service.update_section(
        late, coordinator, lead_author_id=author.id, due_date=today - timedelta(days=3)
    )
    section_service.update_section(
        later, coordinator, lead_author_id=author.id, due_date=today + timedelta(days=30)
    )
    sign_in(author)
    text = page(client.get("/")).text
    assert "Sections I lead 3" in text
    assert text.index(late.title_en) < text.index(later.title_en)
    assert text.index(later.title_en) < text.index(paper.section.title_en)  # no date: last
    assert "overdue" in text.split(late.title_en)[1].split(later.title_en)[0]
    assert paper.title in text


def test_dashboard_lists_versions_awaiting_my_signature(
    client, sign_in, paper, freeze_for_signature
):
    coordinator = paper.people[Role.COORDINATOR]
    versions.freeze_version(paper, coordinator, "v0.1")  # for review: nothing to sign
    sign_in(paper.people[Role.SIGNATORY])
    text = page(client.get("/")).text
    assert "No version awaits your signature." in text
    freeze_for_signature(paper, "v0.2")
    text = page(client.get("/")).text
    assert "Versions awaiting my signature 1" in text
    assert "v0.2" in text


# Paper overview


def test_overview_shows_every_section_at_a_glance(client, sign_in, paper, db, today):
    coordinator = paper.people[Role.COORDINATOR]
    section_service.update_section(paper.section, coordinator, due_date=today - timedelta(days=1))
    sign_in(paper.people[Role.OBSERVER])
    response = client.get(f"/papers/{paper.id}")
    assert response.status_code == 200
    parsed = page(response)
    count = db.query(Section).filter_by(paper_id=paper.id).count()
    assert len(parsed.find("th", scope="row")) == count
    row = response.get_data(as_text=True).split(f'id="row-{paper.section.id}"')[1].split("</tr>")[0]
    assert "overdue" in row
    assert paper.people[Role.AUTHOR].name in row
    assert "Drafting" in row
    # The progress bar counts every section by state.
    assert f"Drafting {count}" in parsed.text or "Drafting" in parsed.text
    # An observer sees no form to change anything.
    assert not parsed.find("form", action=f"/sections/{paper.section.id}/assignment")


def test_a_long_overview_shows_fifty_sections_a_page_and_counts_them_all(
    client, sign_in, paper, db
):
    from sqlalchemy import insert

    db.execute(
        insert(Section),
        [
            {
                "paper_id": paper.id,
                "position": 1000 + n,
                "number": f"90.{n}",
                "title_en": f"Extra {n}",
            }
            for n in range(120)
        ],
    )
    db.flush()
    count = db.query(Section).filter_by(paper_id=paper.id).count()
    from app.web.views.papers import OVERVIEW_ROWS

    sign_in(paper.people[Role.OBSERVER])
    first = page(client.get(f"/papers/{paper.id}"))
    assert len(first.find("th", scope="row")) == OVERVIEW_ROWS
    assert f"Sections 1–{OVERVIEW_ROWS} of {count}" in first.text
    # The progress bar counts every section, not only this page's.
    (bar,) = first.find("svg", class_="progress-bar")
    assert bar["viewbox" if "viewbox" in bar else "viewBox"] == f"0 0 {count} 1"
    assert "Extra 119" not in first.text and "Next sections" in first.text
    assert first.find("a", href=f"/papers/{paper.id}?page=2", class_="button small")
    second = page(client.get(f"/papers/{paper.id}?page=3"))
    assert len(second.find("th", scope="row")) == count - 2 * OVERVIEW_ROWS
    assert "Extra 119" in second.text and "Extra 0 " not in second.text
    assert "Next sections" not in second.text and "Previous sections" in second.text


def test_overview_is_not_found_for_a_non_member(client, sign_in, paper, create_user):
    sign_in(create_user())
    assert client.get(f"/papers/{paper.id}").status_code == 404


def test_coordinator_assigns_a_section_from_the_overview(client, sign_in, paper, post, db):
    coordinator, author = paper.people[Role.COORDINATOR], paper.people[Role.AUTHOR]
    section = section_service.list_sections(paper.id, coordinator)[6].section
    sign_in(coordinator)
    parsed = page(client.get(f"/papers/{paper.id}"))
    assert parsed.find("form", action=f"/sections/{section.id}/assignment")
    response = post(
        f"/sections/{section.id}/assignment",
        {
            "lead_author_id": str(author.id),
            "due_date": "2027-03-01",
            "next": f"/papers/{paper.id}#row-{section.id}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/papers/{paper.id}#row-{section.id}"
    db.expire_all()
    assert section.lead_author_id == author.id
    assert section.due_date == date(2027, 3, 1)
    assert db.query(Activity).filter_by(action="section.updated", target_id=section.id).count()
    assert "assignment saved" in page(client.get(f"/papers/{paper.id}")).text


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.REVIEWER, Role.AUTHOR, Role.SIGNATORY])
def test_only_the_coordinator_assigns(client, sign_in, paper, post, db, role):
    sign_in(paper.people[role])
    response = post(f"/sections/{paper.section.id}/assignment", {"due_date": "2027-03-01"})
    assert response.status_code == 403
    assert "You may not do this" in page(response).text
    db.expire_all()
    assert paper.section.due_date is None


def test_a_form_without_the_csrf_token_is_refused(client, sign_in, paper, db):
    sign_in(paper.people[Role.COORDINATOR])
    response = client.post(
        f"/sections/{paper.section.id}/assignment", data={"due_date": "2027-03-01"}
    )
    assert response.status_code == 400
    db.expire_all()
    assert paper.section.due_date is None


def test_a_malformed_date_comes_back_to_the_overview(client, sign_in, paper, post):
    sign_in(paper.people[Role.COORDINATOR])
    response = post(
        f"/sections/{paper.section.id}/assignment",
        {"due_date": "next week", "next": f"/papers/{paper.id}#row-{paper.section.id}"},
    )
    # Back on the overview, the reason said there (not on a bare error page).
    assert response.status_code == 302
    assert response.headers["Location"] == f"/papers/{paper.id}#row-{paper.section.id}"
    overview = page(client.get(f"/papers/{paper.id}"))
    assert overview.find("p", class_="flash flash-error", role="alert")
    assert "YYYY-MM-DD" in overview.text


def test_lead_author_submits_the_section_for_review(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.AUTHOR])
    parsed = page(client.get(f"/sections/{paper.section.id}"))
    assert [b["value"] for b in parsed.find("button", name="state")] == ["in_review"]
    response = post(f"/sections/{paper.section.id}/state", {"state": "in_review"})
    assert response.status_code == 302
    db.expire_all()
    assert paper.section.state == "in_review"


def test_an_illegal_move_is_refused_naming_the_allowed_ones(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.COORDINATOR])
    response = post(f"/sections/{paper.section.id}/state", {"state": "approved"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sections/{paper.section.id}"
    shown = page(client.get(f"/sections/{paper.section.id}"))
    assert shown.find("p", class_="flash flash-error", role="alert")
    assert "it can go to: In review." in shown.text
    db.expire_all()
    assert paper.section.state == "drafting"


def test_an_observer_cannot_change_a_state(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.OBSERVER])
    assert not page(client.get(f"/sections/{paper.section.id}")).find("button", name="state")
    response = post(f"/sections/{paper.section.id}/state", {"state": "in_review"})
    assert response.status_code == 403
    db.expire_all()
    assert paper.section.state == "drafting"


# Section page, history, editor


def test_section_page_renders_the_markdown_text(client, sign_in, paper):
    author = paper.people[Role.AUTHOR]
    revisions.save_revision(
        paper.section,
        author,
        body="Museums use **AI** to describe collections.\n\n- one\n- two\n",
        base_revision_id=_latest(paper.section).id,
        summary="Tighten",
    )
    sign_in(paper.people[Role.REVIEWER])
    response = client.get(f"/sections/{paper.section.id}")
    html = response.get_data(as_text=True)
    assert "<strong>AI</strong>" in html
    assert "<li>one</li>" in html
    text = page(response).text
    assert "Revision 2 by " + author.name in text
    assert paper.section.brief[:40] in text
    # A reviewer may not edit: no edit link, no editor.
    assert not page(response).find("a", href=f"/sections/{paper.section.id}/edit")


def test_history_shows_a_word_level_diff(client, sign_in, paper):
    author = paper.people[Role.AUTHOR]
    first = revisions.save_revision(
        paper.section,
        author,
        body="Museums use AI to describe collections.",
        base_revision_id=_latest(paper.section).id,
    )
    second = revisions.save_revision(
        paper.section,
        author,
        body="Museums use machine learning to describe their collections.",
        base_revision_id=first.id,
    )
    sign_in(paper.people[Role.OBSERVER])
    response = client.get(
        f"/sections/{paper.section.id}/history", query_string={"from": first.id, "to": second.id}
    )
    html = response.get_data(as_text=True)
    assert "<del>AI</del>" in html
    assert "<ins>machine learning</ins>" in html
    assert "<ins>their </ins>" in html
    assert "3 words added" in page(response).text
    # By default the history shows what the latest revision changed.
    default = client.get(f"/sections/{paper.section.id}/history").get_data(as_text=True)
    assert "<ins>machine learning</ins>" in default


def test_author_saves_a_revision_from_the_editor(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.AUTHOR])
    base = _latest(paper.section)
    editor = page(client.get(f"/sections/{paper.section.id}/edit"))
    assert editor.find("input", name="base_revision_id")[0]["value"] == str(base.id)
    assert editor.find("textarea", name="body")
    response = post(
        f"/sections/{paper.section.id}/edit",
        {
            "body": "A new text.\r\nOn two lines.\r\n",
            "base_revision_id": str(base.id),
            "summary": "Rewrite",
            "action": "save",
        },
    )
    assert response.status_code == 302
    saved = _latest(paper.section)
    assert saved.number == base.number + 1
    assert saved.body == "A new text.\nOn two lines.\n"
    assert saved.summary == "Rewrite"
    assert "Revision 2 saved" in page(client.get(response.headers["Location"])).text


def test_preview_renders_without_saving(client, sign_in, paper, post):
    sign_in(paper.people[Role.AUTHOR])
    base = _latest(paper.section)
    response = post(
        f"/sections/{paper.section.id}/edit",
        {"body": "Some *emphasis*.", "base_revision_id": str(base.id), "action": "preview"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<em>emphasis</em>" in html
    assert "Some *emphasis*." in html  # still in the textarea
    assert _latest(paper.section).id == base.id


def test_a_stale_save_keeps_my_text_and_shows_theirs_and_the_diff(client, sign_in, paper, post, db):
    author, coordinator = paper.people[Role.AUTHOR], paper.people[Role.COORDINATOR]
    base = _latest(paper.section)
    sign_in(author)
    client.get(f"/sections/{paper.section.id}/edit")
    # Meanwhile the coordinator saves.
    theirs = revisions.save_revision(
        paper.section,
        coordinator,
        body="Museums use AI to describe collections.",
        base_revision_id=base.id,
    )
    db.flush()
    mine = "Museums use AI to catalogue collections."
    response = post(
        f"/sections/{paper.section.id}/edit",
        {"body": mine, "base_revision_id": str(base.id), "summary": "Mine", "action": "save"},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    parsed = page(response)
    assert parsed.find("textarea", name="body")
    assert mine in html  # my text is in the editor, not lost
    assert coordinator.name in parsed.text
    assert "<del>describe</del>" in html and "<ins>catalogue</ins>" in html
    # The form now stands on their revision, so that saving the merge works.
    assert parsed.find("input", name="base_revision_id")[0]["value"] == str(theirs.id)
    assert _latest(paper.section).id == theirs.id
    merged = "Museums use AI to describe and catalogue collections."
    response = post(
        f"/sections/{paper.section.id}/edit",
        {"body": merged, "base_revision_id": str(theirs.id), "action": "save"},
    )
    assert response.status_code == 302
    assert _latest(paper.section).body == merged


def test_a_refused_save_keeps_the_text_in_the_editor(client, sign_in, paper, post, db):
    coordinator = paper.people[Role.COORDINATOR]
    section_service.update_section(paper.section, coordinator, state="in_review")
    section_service.update_section(paper.section, coordinator, state="approved")
    db.flush()
    sign_in(coordinator)
    response = post(
        f"/sections/{paper.section.id}/edit",
        {
            "body": "Words I typed for an hour.",
            "base_revision_id": str(_latest(paper.section).id),
            "action": "save",
        },
    )
    assert response.status_code == 409
    assert "Words I typed for an hour." in response.get_data(as_text=True)
    assert "approved" in page(response).text


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OBSERVER, Role.SIGNATORY])
def test_a_reviewer_cannot_edit(client, sign_in, paper, post, role):
    sign_in(paper.people[role])
    base = _latest(paper.section)
    assert client.get(f"/sections/{paper.section.id}/edit").status_code == 403
    response = post(
        f"/sections/{paper.section.id}/edit",
        {"body": "Not mine to write.", "base_revision_id": str(base.id), "action": "save"},
    )
    assert response.status_code == 403
    assert _latest(paper.section).id == base.id


# Versions and sign-off


def test_coordinator_freezes_a_version(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.COORDINATOR])
    listing = page(client.get(f"/papers/{paper.id}/versions"))
    assert listing.find("input", name="label")[0]["value"] == "v0.1"
    response = post(f"/papers/{paper.id}/versions", {"label": "v0.1"})
    assert response.status_code == 302
    version = db.query(Version).filter_by(paper_id=paper.id).one()
    assert response.headers["Location"] == f"/versions/{version.id}"
    shown = page(client.get(f"/versions/{version.id}"))
    assert "Version v0.1" in shown.text
    assert version.sha256 in shown.text
    assert "For review" in shown.text
    assert "it has no ballot" in shown.text  # frozen for review: nobody signs it
    assert paper.section.title_en in shown.text  # the frozen text is readable here
    again = post(f"/papers/{paper.id}/versions", {"label": "v0.1"})
    assert again.status_code == 409
    refused = page(again)
    assert "This paper already has a version labelled v0.1." in refused.text
    assert refused.find("input", name="label")[0]["value"] == "v0.1"


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.REVIEWER, Role.OBSERVER, Role.SIGNATORY])
def test_only_the_coordinator_freezes(client, sign_in, paper, post, db, role):
    sign_in(paper.people[role])
    assert not page(client.get(f"/papers/{paper.id}/versions")).find("input", name="label")
    response = post(f"/papers/{paper.id}/versions", {"label": "v9"})
    assert response.status_code == 403
    assert not db.query(Version).filter_by(paper_id=paper.id).count()


def test_signatory_approves_and_the_version_is_signed_off(
    client, sign_in, paper, post, db, freeze_for_signature
):
    version = freeze_for_signature(paper)
    sign_in(paper.people[Role.SIGNATORY])
    form = page(client.get(f"/versions/{version.id}"))
    assert form.find("input", name="version_sha256")[0]["value"] == version.sha256
    response = post(
        f"/versions/{version.id}/positions",
        {"position": "approve", "version_sha256": version.sha256},
    )
    assert response.status_code == 302
    text = page(client.get(f"/versions/{version.id}")).text
    assert "Approve" in text
    assert "Signed off" in text
    assert "Record my position" not in text  # nothing more to record on a signed-off version


def test_a_block_needs_a_reason(client, sign_in, paper, post, freeze_for_signature):
    version = freeze_for_signature(paper)
    sign_in(paper.people[Role.SIGNATORY])
    response = post(f"/versions/{version.id}/positions", {"position": "block"})
    assert response.status_code == 400
    assert "reason" in page(response).text


def test_an_observer_cannot_record_a_position(client, sign_in, paper, post, freeze_for_signature):
    version = freeze_for_signature(paper)
    sign_in(paper.people[Role.OBSERVER])
    assert not page(client.get(f"/versions/{version.id}")).find("input", name="position")
    response = post(f"/versions/{version.id}/positions", {"position": "approve"})
    assert response.status_code == 403


# Activity and members


def test_activity_feed_lists_changes_newest_first(client, sign_in, paper):
    sign_in(paper.people[Role.OBSERVER])
    response = client.get(f"/papers/{paper.id}/activity")
    assert response.status_code == 200
    entries = page(response).find("li")
    assert entries
    text = page(response).text
    assert text.index("updated a section") < text.index("created the paper")


def test_coordinator_adds_a_member(client, sign_in, paper, post, create_user, db):
    newcomer = create_user("SC", name="Sam Okafor")
    sign_in(paper.people[Role.COORDINATOR])
    response = post(f"/papers/{paper.id}/members", {"email": newcomer.email, "role": "reviewer"})
    assert response.status_code == 302
    assert "Sam Okafor" in page(client.get(f"/papers/{paper.id}/members")).text


def test_an_author_cannot_add_members(client, sign_in, paper, post, create_user):
    newcomer = create_user("SC")
    sign_in(paper.people[Role.AUTHOR])
    assert not page(client.get(f"/papers/{paper.id}/members")).find("input", name="email")
    response = post(f"/papers/{paper.id}/members", {"email": newcomer.email, "role": "coordinator"})
    assert response.status_code == 403


def test_unknown_pages_are_a_404_in_the_house_style(client, sign_in, paper):
    sign_in(paper.people[Role.OBSERVER])
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "This page does not exist" in page(response).text
    assert client.get("/sections/999999").status_code == 404


# Exports


def test_a_member_exports_a_version_and_downloads_the_docx(client, sign_in, paper, post, db):
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.2")
    sign_in(paper.people[Role.OBSERVER])  # circulating is reading: any member may export
    response = post(f"/versions/{version.id}/exports", {"format": "docx", "toc": "1"})
    assert response.status_code == 302
    job_page = response.headers["Location"]
    assert "/export-jobs/" in job_page
    waiting = client.get(job_page).get_data(as_text=True)
    assert "Waiting for the worker" in waiting and 'http-equiv="refresh"' in waiting
    worker.run_burst(client.application, include_periodic=False)
    made = db.query(Export).filter_by(version_id=version.id).one()
    done = page(client.get(job_page))
    assert "Word document ready to download." in done.text
    assert done.find("a", href=f"/exports/{made.id}/download")
    shown = page(client.get(f"/versions/{version.id}"))
    assert "Word document" in shown.text and "draft" in shown.text
    link = shown.find("a", href=f"/exports/{made.id}/download")
    assert link
    with client.get(f"/exports/{made.id}/download") as download:
        assert download.status_code == 200
        data = download.data
        disposition = download.headers["Content-Disposition"]
    assert data[:2] == b"PK"
    assert hashlib.sha256(data).hexdigest() == made.sha256
    assert "attachment" in disposition and "v0.2-draft.docx" in disposition
    # Asking again gives the same file, not a second one.
    again = post(f"/versions/{version.id}/exports", {"format": "docx", "toc": "1"})
    assert again.status_code == 302
    worker.run_burst(client.application, include_periodic=False)
    assert db.query(Export).filter_by(version_id=version.id).count() == 1


def test_an_export_with_impossible_options_is_refused(client, sign_in, paper, post, db):
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.2")
    sign_in(paper.people[Role.COORDINATOR])
    response = post(f"/versions/{version.id}/exports", {"format": "md", "comments": "1"})
    assert response.status_code == 400
    assert "Word" in page(response).text
    assert not db.query(Export).filter_by(version_id=version.id).count()


def test_a_non_member_cannot_download(client, sign_in, paper, post, create_user, db):
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.2")
    sign_in(paper.people[Role.COORDINATOR])
    post(f"/versions/{version.id}/exports", {"format": "md"})
    worker.run_burst(client.application, include_periodic=False)
    made = db.query(Export).filter_by(version_id=version.id).one()
    sign_in(create_user())
    assert client.get(f"/exports/{made.id}/download").status_code == 404


def test_the_overview_asks_the_roles_once_not_once_per_section(client, sign_in, paper, db):
    from sqlalchemy import event

    sign_in(paper.people[Role.COORDINATOR])
    sections = db.query(Section).filter_by(paper_id=paper.id).count()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/papers/{paper.id}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    # The viewer's roles: "SELECT paper_members.role FROM paper_members WHERE … user_id = ?".
    roles = [
        s
        for s in statements
        if s.split()[:4] == ["SELECT", "paper_members.role", "FROM", "paper_members"]
    ]
    assert sections > 20
    assert len(statements) < sections, len(statements)
    assert len(roles) <= 3, len(roles)
