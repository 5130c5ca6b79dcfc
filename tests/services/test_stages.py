"""Versions with a purpose: what stands in a signature's way, supersession, and the status
read off the work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.errors import message
from app.models import Activity, PaperStatus, Role, SectionState
from app.services import alignment, exports, reviews, rounds, signoff, stages, versions
from app.services.errors import BadInput, Conflict


@pytest.fixture
def paper(create_paper):
    return create_paper()


def _coordinator(paper):
    return paper.people[Role.COORDINATOR]


def _sections(paper, db):
    from app.models import Section

    return list(
        db.scalars(select(Section).where(Section.paper_id == paper.id).order_by(Section.position))
    )


def settle(paper, db) -> None:
    """What a paper ready for signature looks like: every section approved, every alignment
    item its template expects decided."""
    for section in _sections(paper, db):
        section.state = SectionState.APPROVED
    for missing in alignment.coverage_report(paper).expected_without_decision:
        for item in missing.items:
            alignment.record_section_decision(
                missing.section,
                _coordinator(paper),
                item_code=item.code,
                status="aligned",
                rationale="Covered in this section.",
            )
    db.flush()


def _comment(paper, section, review_round=None, body="Please say more."):
    return reviews.create_comment(
        section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(
            body=body, type="editorial", round_id=review_round.id if review_round else None
        ),
    )


def _round(paper, version, days=3):
    return rounds.open_round(
        paper,
        _coordinator(paper),
        version_id=version.id,
        sectors=["SHS"],
        deadline=utcnow() + timedelta(days=days),
    )


def _actions(db, paper, action):
    return list(
        db.scalars(select(Activity).where(Activity.paper_id == paper.id, Activity.action == action))
    )


def test_a_version_is_for_review_by_default_and_takes_no_position(paper, app):
    version = versions.freeze_version(paper, _coordinator(paper), "v0.1")
    assert version.purpose == "review"
    assert signoff.ballot(version) == []
    with pytest.raises(Conflict) as refused:
        signoff.record_position(version, paper.people[Role.SIGNATORY], "approve")
    assert refused.value.reason == "positions_need_signature_version"
    assert message(refused.value, "en") == (
        "Version v0.1 was frozen for review: positions are recorded only on a version "
        "frozen for signature."
    )
    assert message(refused.value, "fr") == (
        "La version v0.1 a été figée pour relecture : les positions ne s’enregistrent que sur "
        "une version figée pour signature."
    )


def test_an_unknown_purpose_is_refused(paper):
    with pytest.raises(BadInput) as refused:
        versions.freeze_version(paper, _coordinator(paper), "v0.1", purpose="approval")
    assert refused.value.reason == "version_purpose"


def test_freezing_for_signature_lists_every_blocker(paper, db, app):
    coordinator = _coordinator(paper)
    sections = _sections(paper, db)
    review = versions.freeze_version(paper, coordinator, "v0.1")
    review_round = _round(paper, review)
    _comment(paper, sections[1], review_round, "One.")
    _comment(paper, sections[1], review_round, "Two.")
    _comment(paper, sections[3], review_round, "Three.")

    with pytest.raises(stages.SignatureBlocked) as refused:
        versions.freeze_version(paper, coordinator, "v1.0", purpose="signature")
    blockers = refused.value.blockers
    reasons = {blocker.reason for blocker in blockers}
    assert reasons == {
        "blocker_open_round",
        "blocker_section_not_approved",
        "blocker_open_comments",
        "blocker_expected_alignment",
    }
    assert [b.round_id for b in blockers if b.reason == "blocker_open_round"] == [review_round.id]
    not_approved = [b.section_id for b in blockers if b.reason == "blocker_section_not_approved"]
    assert not_approved == [section.id for section in sections]
    # Open comments are counted per section.
    counted = {
        b.section_id: b.params["count"] for b in blockers if b.reason == "blocker_open_comments"
    }
    assert counted == {sections[1].id: 2, sections[3].id: 1}
    assert any(b.reason == "blocker_expected_alignment" for b in blockers)
    assert refused.value.params["count"] == len(blockers)
    assert [b["code"] for b in refused.value.details["blockers"]] == [b.reason for b in blockers]
    assert versions.list_versions(paper.id) == [review]  # nothing frozen

    comments = next(b for b in blockers if b.reason == "blocker_open_comments")
    assert message(comments.error, "en") == (
        f"Section {sections[1].number} “{sections[1].title_en}” has open comments: 2."
    )
    assert message(comments.error, "fr") == (
        f"La section {sections[1].number} « {sections[1].title_en} » a des commentaires "
        "ouverts : 2."
    )
    state = next(b for b in blockers if b.reason == "blocker_section_not_approved")
    number, title = sections[0].number, sections[0].title_en
    assert message(state.error, "en").startswith(
        f"Section {number} “{title}” is not approved: it is at “"
    )
    assert message(state.error, "fr").startswith(
        f"La section {number} « {title} » n’est pas approuvée : elle est à l’état « "
    )


def test_a_blank_override_is_no_override(paper):
    with pytest.raises(stages.SignatureBlocked):
        versions.freeze_version(
            paper, _coordinator(paper), "v1.0", purpose="signature", override_reason="   "
        )


def test_an_override_is_recorded_with_what_it_overrode(paper, db):
    version = versions.freeze_version(
        paper,
        _coordinator(paper),
        "v1.0",
        purpose="signature",
        override_reason="The minister signs on Friday; sections 4 and 5 follow in v1.1.",
    )
    assert version.purpose == "signature"
    assert version.override_reason.startswith("The minister signs on Friday")
    frozen = _actions(db, paper, "version.frozen")[-1]
    assert frozen.after["override_reason"] == version.override_reason
    assert {b["code"] for b in frozen.after["overridden"]} >= {"blocker_section_not_approved"}
    document = exports.build_document(version)
    assert document.override_reason == version.override_reason


def test_a_settled_paper_freezes_for_signature_without_a_reason(paper, db):
    settle(paper, db)
    assert stages.signature_blockers(paper) == []
    version = versions.freeze_version(
        paper, _coordinator(paper), "v1.0", purpose="signature", override_reason="Not needed."
    )
    assert version.override_reason is None  # nothing stood in the way: nothing overridden


def test_a_newer_version_closes_the_older_ballot_and_keeps_its_positions(paper, db):
    settle(paper, db)
    coordinator = _coordinator(paper)
    first = versions.freeze_version(paper, coordinator, "v1.0", purpose="signature")
    signoff.record_position(first, paper.people[Role.SIGNATORY], "block", reason="Section 4.")
    second = versions.freeze_version(paper, coordinator, "v1.1", purpose="signature")
    assert versions.version_state(first) == versions.VersionState.SUPERSEDED
    assert [p.position for p in signoff.position_history(first)] == ["block"]
    assert signoff.ballot(first)[0].position == "block"
    superseded = _actions(db, paper, "version.superseded")
    assert [(a.target_id, a.after["superseded_by"]) for a in superseded] == [(first.id, second.id)]
    with pytest.raises(Conflict):
        signoff.record_position(first, paper.people[Role.SIGNATORY], "approve")
    assert signoff.versions_awaiting(paper.people[Role.SIGNATORY]) == [second]


def test_the_paper_goes_through_every_status(paper, db):
    """drafting → in_review → consolidating → drafting → in_signature → signed_off →
    drafting (a newer freeze), the signed version staying signed and exportable."""
    coordinator = _coordinator(paper)
    sections = _sections(paper, db)
    assert stages.paper_status(paper) == PaperStatus.DRAFTING

    review = versions.freeze_version(paper, coordinator, "v0.1")
    assert stages.paper_status(paper) == PaperStatus.DRAFTING
    review_round = _round(paper, review)
    assert stages.paper_status(paper) == PaperStatus.IN_REVIEW
    comment = _comment(paper, sections[2], review_round)

    review_round.deadline = utcnow() - timedelta(minutes=1)  # the deadline passes
    db.flush()
    assert stages.paper_status(paper) == PaperStatus.CONSOLIDATING

    reviews.resolve(comment, coordinator, decision="noted")
    assert stages.paper_status(paper) == PaperStatus.DRAFTING

    settle(paper, db)
    signed = versions.freeze_version(paper, coordinator, "v1.0", purpose="signature")
    assert stages.paper_status(paper) == PaperStatus.IN_SIGNATURE
    signoff.record_position(signed, paper.people[Role.SIGNATORY], "approve")
    assert signed.signed_off_at is not None
    assert stages.paper_status(paper) == PaperStatus.SIGNED_OFF

    versions.freeze_version(paper, coordinator, "v1.1")
    assert stages.paper_status(paper) == PaperStatus.DRAFTING
    assert versions.version_state(signed) == versions.VersionState.SIGNED_OFF
    assert exports.build_document(signed).signed_off is True

    changes = [
        (a.before["status"], a.after["status"]) for a in _actions(db, paper, "paper.status_changed")
    ]
    assert changes == [
        ("drafting", "in_review"),
        ("drafting", "in_signature"),
        ("in_signature", "signed_off"),
        ("signed_off", "drafting"),
    ]
