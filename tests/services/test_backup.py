"""A backup restores into an empty database with every row, on either backend."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app import create_app, migrate
from app import db as plume_db
from app.models import Revision, Role, Section
from app.services import backup, revisions, versions
from app.services.errors import BadInput, Conflict


def test_backup_then_restore_into_an_empty_database(create_paper, db, tmp_path):
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    section = db.scalars(select(Section).where(Section.paper_id == paper.id)).first()
    base = revisions.latest(section.id)
    revisions.save_revision(
        section,
        coordinator,
        body="Le patrimoine « vivant » et l’IA.\n",
        base_revision_id=base.id if base else None,
    )
    versions.freeze_version(paper, coordinator, "v0.1")
    out = io.StringIO()
    counts = backup.dump(out)
    assert counts["papers"] >= 1 and counts["revisions"] >= 1

    url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    migrate.upgrade(url)
    other = create_app({"DATABASE_URL": url, "TESTING": True})
    try:
        with other.app_context():
            restored = backup.restore(io.StringIO(out.getvalue()))
            plume_db.session.commit()
            assert restored == counts
            texts = plume_db.session.scalars(select(Revision.body)).all()
            assert "Le patrimoine « vivant » et l’IA.\n" in texts
            # The restored database is empty no more: a second restore is refused.
            with pytest.raises(Conflict):
                backup.restore(io.StringIO(out.getvalue()))
            plume_db.session.rollback()
    finally:
        other.extensions["plume.engine"].dispose()


def test_restore_refuses_what_is_not_a_backup(db, create_paper):
    create_paper()
    sections = db.scalar(select(func.count()).select_from(Section))
    with pytest.raises(BadInput):
        backup.restore(io.StringIO("{not json"))
    with pytest.raises(BadInput):
        backup.restore(io.StringIO('{"format": "something-else"}'))
    # Nothing was touched: the paper's sections are all still there.
    assert sections > 0
    assert db.scalar(select(func.count()).select_from(Section)) == sections
