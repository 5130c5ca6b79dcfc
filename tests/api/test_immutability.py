"""Revisions, frozen versions and activity entries cannot be changed by any path."""

from __future__ import annotations

import pytest

from app.models import Activity, Revision, Role, Version
from app.models.immutability import ImmutableRecordError
from app.services import versions


@pytest.fixture
def frozen(create_paper, db):
    paper = create_paper()
    version = versions.freeze_version(paper, paper.people[Role.COORDINATOR], "v0.1")
    return paper, version


def test_no_endpoint_changes_them(client, frozen, token_for, db):
    paper, version = frozen
    headers = token_for(paper.people[Role.COORDINATOR])
    revision = db.query(Revision).first()
    activity = db.query(Activity).filter_by(paper_id=paper.id).first()
    for method in ("put", "patch", "delete"):
        for url in (
            f"/api/v1/versions/{version.id}",
            f"/api/v1/sections/{revision.section_id}/revisions",
            f"/api/v1/papers/{paper.id}/activity",
        ):
            response = getattr(client, method)(url, json={"label": "x"}, headers=headers)
            assert response.status_code == 405, (method, url)
    db.expire_all()
    assert db.get(Version, version.id).label == "v0.1"
    assert db.get(Activity, activity.id).action == activity.action


@pytest.mark.parametrize(
    "change",
    [
        lambda db, _version: setattr(db.query(Revision).first(), "body", "rewritten"),
        lambda _db, version: setattr(version, "sha256", "0" * 64),
        lambda _db, version: setattr(version, "label", "v9"),
        lambda db, _version: setattr(db.query(Activity).first(), "action", "forged"),
        lambda db, _version: db.delete(db.query(Revision).first()),
        lambda db, version: db.delete(version),
    ],
    ids=[
        "revision-body",
        "version-hash",
        "version-label",
        "activity",
        "delete-revision",
        "delete-version",
    ],
)
def test_the_orm_refuses_changes(frozen, db, change):
    _paper, version = frozen
    change(db, version)
    with pytest.raises(ImmutableRecordError):
        db.flush()
    db.rollback()


def test_signed_off_at_is_set_once(frozen, db):
    from app.db import utcnow

    _paper, version = frozen
    version.signed_off_at = utcnow()
    db.flush()
    version.signed_off_at = utcnow()
    with pytest.raises(ImmutableRecordError):
        db.flush()
    db.rollback()
