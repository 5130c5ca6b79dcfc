"""Several requests at once on a real (committed) database: readers are never held up by a
long save, and never get "database is locked"."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from app import create_app, migrate
from app.db import session
from app.models import Role, Section
from app.services import papers, reference, revisions, users
from tests.conftest import BACKENDS, fresh_postgres_database, postgres_url

PASSWORD = "a long enough password"


@pytest.fixture(params=BACKENDS)
def live(request, tmp_path):
    """An app on its own database, with a paper whose section 1 has text, all committed."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    else:
        url = fresh_postgres_database(postgres_url("live"))
    migrate.upgrade(url)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        reference.load_reference(app.config["REFERENCE_DIR"])
        coordinator = users.create_user("c@example.org", "C", "CLT", password=PASSWORD)
        reader = users.create_user("r@example.org", "R", "SHS", password=PASSWORD)
        paper = papers.create_paper(coordinator, title="Live", language="en")
        papers.add_member(paper, reader.email, Role.REVIEWER, actor=coordinator)
        section = Section(paper_id=paper.id, position=0, number="1", title_en="One")
        session.add(section)
        session.flush()
        revision = revisions.save_revision(
            section, coordinator, body="First text.", base_revision_id=None, check_access=False
        )
        app.ids = {
            "paper": paper.id,
            "section": section.id,
            "revision": revision.id,
            "writer": users.create_token(coordinator, "t"),
            "reader": users.create_token(reader, "t"),
        }
        session.commit()
        session.remove()
    yield app
    app.extensions["plume.engine"].dispose()


@pytest.mark.slow
def test_readers_are_answered_while_a_long_save_holds_the_write_lock(live, monkeypatch):
    saving, saved = threading.Event(), threading.Event()

    def slow(*_args):
        # The save's transaction is open (and on SQLite holds the write lock) meanwhile.
        saving.set()
        time.sleep(1.5)

    monkeypatch.setattr(revisions, "_after_save", [*revisions._after_save, slow])
    ids = live.ids
    results: dict[str, object] = {}

    def save():
        response = live.test_client().post(
            f"/api/v1/sections/{ids['section']}/revisions",
            json={"body": "Second text.", "base_revision_id": ids["revision"]},
            headers={"Authorization": f"Bearer {ids['writer']}"},
        )
        results["save"] = response.status_code
        saved.set()

    # Signed in beforehand: signing in is a POST, which queues for the write lock.
    clients = [live.test_client() for _ in range(6)]
    for client in clients[1::2]:
        client.post("/login", data={"email": "r@example.org", "password": PASSWORD})

    def read(n: int):
        client = clients[n]
        if n % 2:
            response = client.get(f"/sections/{ids['section']}")
        else:
            response = client.get(
                f"/api/v1/papers/{ids['paper']}/sections",
                headers={"Authorization": f"Bearer {ids['reader']}"},
            )
        results[f"read {n}"] = (response.status_code, saved.is_set())

    def save_too():
        # A colleague's save on the same base: it queues for the lock (SQLite's busy wait,
        # PostgreSQL's row lock), then is refused as stale, never "database is locked".
        response = live.test_client().post(
            f"/api/v1/sections/{ids['section']}/revisions",
            json={"body": "Other text.", "base_revision_id": ids["revision"]},
            headers={"Authorization": f"Bearer {ids['writer']}"},
        )
        results["second save"] = response.status_code

    for n in range(2):  # templates compiled, connections open: only the waiting is timed
        read(n)
    writer = threading.Thread(target=save)
    writer.start()
    assert saving.wait(10)
    second = threading.Thread(target=save_too)
    readers = [threading.Thread(target=read, args=(n,)) for n in range(6)]
    for thread in [second, *readers]:
        thread.start()
    for thread in readers:
        thread.join(20)
    writer.join(20)
    second.join(20)

    assert results.pop("save") == 201
    assert results.pop("second save") == 409
    # Every reader got its page (never a 500 "database is locked") before the save ended.
    assert results == {f"read {n}": (200, False) for n in range(6)}
    with live.app_context():
        texts = [r.body for r in revisions.list_revisions(session.get(Section, ids["section"]))]
        assert texts == ["First text.", "Second text."]
        if session.get_bind().dialect.name == "sqlite":
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        session.remove()
