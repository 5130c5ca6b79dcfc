"""The ballot: the rule that signs a version off, and the positions that feed it."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from app.models import Activity, PaperStatus, Position, Role
from app.models.immutability import ImmutableRecordError
from app.services import papers, signoff, stages, versions
from app.services.errors import BadInput, Conflict, Forbidden, NotFound

A, N, B, X = "approve", "no_objection", "block", "abstain"


@pytest.mark.parametrize(
    "ballot",
    [
        [A],
        [A, A],
        [A, N],
        [A, N, N],
        [A, X],
        [A, N, X],
        [X, A, X],
    ],
    ids=str,
)
def test_ballots_that_sign_off(ballot):
    assert signoff.is_signed_off(ballot)


@pytest.mark.parametrize(
    "ballot",
    [
        [],  # no signatories: nobody approved
        [None],  # no record
        [A, None],  # one signatory has not voted
        [A, X, None],
        [N],  # nobody approved
        [N, N],
        [N, X],
        [X],  # abstentions alone sign nothing off
        [X, X],
        [B],
        [A, B],  # a block stands
        [A, A, B],
        [A, N, X, B],
    ],
    ids=str,
)
def test_ballots_that_do_not_sign_off(ballot):
    assert not signoff.is_signed_off(ballot)


def test_every_ballot_of_three():
    """All 125 ballots of three signatories against the rule as the issue words it."""
    for ballot in itertools.product([None, A, N, B, X], repeat=3):
        expected = B not in ballot and None not in ballot and A in ballot
        assert signoff.is_signed_off(ballot) is expected, ballot


@pytest.fixture
def frozen(create_paper, create_user, db):
    """A paper with two signatories (CLT and SHS) and a frozen version."""
    paper = create_paper(blank=True)
    second = create_user("SHS", name="Second Signatory")
    papers.add_member(paper, second.email, Role.SIGNATORY, actor=paper.people[Role.COORDINATOR])
    paper.signatories = [paper.people[Role.SIGNATORY], second]
    version = versions.freeze_version(
        paper, paper.people[Role.COORDINATOR], "v0.1", purpose="signature"
    )
    return paper, version


def _positions(version):
    return [(entry.signatory.name, entry.position) for entry in signoff.ballot(version)]


def test_those_who_have_not_voted_show_as_no_record(frozen):
    paper, version = frozen
    first, second = paper.signatories
    assert _positions(version) == [(first.name, None), (second.name, None)]
    signoff.record_position(version, first, A)
    assert _positions(version) == [(first.name, A), (second.name, None)]
    assert version.signed_off_at is None


def test_the_last_needed_position_signs_the_version_and_the_paper_off(frozen, db):
    paper, version = frozen
    first, second = paper.signatories
    signoff.record_position(version, first, A)
    assert version.signed_off_at is None
    assert stages.paper_status(paper) == PaperStatus.IN_SIGNATURE
    signoff.record_position(version, second, N)
    assert version.signed_off_at is not None
    assert versions.version_state(version) == versions.VersionState.SIGNED_OFF
    assert stages.paper_status(paper) == PaperStatus.SIGNED_OFF
    actions = db.scalars(
        select(Activity.action).where(Activity.paper_id == paper.id).order_by(Activity.id)
    ).all()
    assert actions[-4:] == [
        "position.recorded",
        "position.recorded",
        "version.signed_off",
        "paper.status_changed",
    ]


def test_a_block_needs_a_reason(frozen, db):
    paper, version = frozen
    for reason in (None, "", "   "):
        with pytest.raises(BadInput, match="a block needs a reason"):
            signoff.record_position(version, paper.signatories[0], B, reason=reason)
    assert db.scalar(select(Position).where(Position.version_id == version.id)) is None
    blocked = signoff.record_position(
        version, paper.signatories[0], B, reason="  Section 4 misreads the 2005 Convention. "
    )
    assert blocked.reason == "Section 4 misreads the 2005 Convention."


def test_a_standing_block_holds_until_it_is_changed(frozen):
    paper, version = frozen
    first, second = paper.signatories
    signoff.record_position(version, first, B, reason="Not yet.")
    signoff.record_position(version, second, A)
    assert version.signed_off_at is None
    signoff.record_position(version, first, A)
    assert version.signed_off_at is not None
    history = signoff.position_history(version)
    assert [(p.user_id, p.position) for p in history] == [
        (first.id, B),
        (second.id, A),
        (first.id, A),
    ]
    assert _positions(version) == [(first.name, A), (second.name, A)]


def test_abstaining_does_not_block_but_an_approval_is_needed(frozen):
    paper, version = frozen
    first, second = paper.signatories
    signoff.record_position(version, first, X)
    signoff.record_position(version, second, N)
    assert version.signed_off_at is None
    signoff.record_position(version, second, A)
    assert version.signed_off_at is not None


def test_no_position_once_signed_off(frozen, db):
    paper, version = frozen
    first, second = paper.signatories
    signoff.record_position(version, first, A)
    signoff.record_position(version, second, A)
    count = len(signoff.position_history(version))
    with pytest.raises(Conflict, match="was signed off"):
        signoff.record_position(version, first, B, reason="Changed my mind.")
    assert len(signoff.position_history(version)) == count


def test_no_position_on_a_superseded_version(frozen):
    paper, version = frozen
    versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.2", purpose="signature")
    with pytest.raises(Conflict, match="superseded"):
        signoff.record_position(version, paper.signatories[0], A)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AUTHOR, Role.REVIEWER, Role.OBSERVER])
def test_only_signatories_vote(frozen, role):
    paper, version = frozen
    with pytest.raises(Forbidden, match="only a signatory"):
        signoff.record_position(version, paper.people[role], A)
    assert signoff.position_history(version) == []


def test_outsiders_do_not_learn_the_paper_exists(frozen, create_user):
    _paper, version = frozen
    with pytest.raises(NotFound):
        signoff.record_position(version, create_user("CI"), A)


def test_a_position_is_bound_to_the_hash_that_was_read(frozen):
    paper, version = frozen
    with pytest.raises(Conflict, match="sha256 differs"):
        signoff.record_position(version, paper.signatories[0], A, version_sha256="0" * 64)
    recorded = signoff.record_position(
        version, paper.signatories[0], A, version_sha256=version.sha256
    )
    assert recorded.version_sha256 == version.sha256


def test_positions_are_immutable(frozen, db):
    paper, version = frozen
    recorded = signoff.record_position(version, paper.signatories[0], A)
    recorded.position = B
    with pytest.raises(ImmutableRecordError):
        db.flush()
    db.rollback()


def test_a_signed_ballot_keeps_the_signatories_it_had(frozen, create_user):
    paper, version = frozen
    for signatory in paper.signatories:
        signoff.record_position(version, signatory, A)
    late = create_user("CI")
    papers.add_member(paper, late.email, Role.SIGNATORY, actor=paper.people[Role.COORDINATOR])
    assert [entry.signatory for entry in signoff.ballot(version)] == paper.signatories


def test_versions_awaiting_a_signatory(frozen):
    paper, version = frozen
    first, second = paper.signatories
    assert signoff.versions_awaiting(first) == [version]
    assert signoff.versions_awaiting(paper.people[Role.REVIEWER]) == []
    signoff.record_position(version, first, A)
    assert signoff.versions_awaiting(first) == []
    assert signoff.versions_awaiting(second) == [version]
    later = versions.freeze_version(
        paper, paper.people[Role.COORDINATOR], "v0.2", purpose="signature"
    )
    assert signoff.versions_awaiting(first) == [later]
    signoff.record_position(later, first, A)
    signoff.record_position(later, second, A)
    assert signoff.versions_awaiting(second) == []
