"""Fixtures: every database test runs on SQLite and on PostgreSQL.

The schema is built by running the migrations, once per backend per session; the shipped
reference data is loaded and committed. Each test then runs inside a transaction that is
rolled back (SQLAlchemy's "join an external transaction" recipe with savepoints).
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app, migrate
from app import db as plume_db
from app.models import Role
from app.ratelimit import limiter
from app.services import papers, reference, users

IN_CI = os.environ.get("CI") == "true"
# The worker's queue lives in the test process unless a run names one (CI names Redis).
os.environ.setdefault("PLUME_QUEUE_URL", "memory://")
POSTGRES_URL = os.environ.get(
    "PLUME_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/plume_test"
)
BACKENDS = ["sqlite", "postgresql"]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (a skip is a failure under CI=true)", pytrace=False)
    pytest.skip(reason)


# Databases this run created, dropped when it ends.
_CREATED: set[str] = set()


def postgres_url(purpose: str = "") -> str:
    """This run's own PostgreSQL database: two runs on one machine (two developers, or a
    developer and CI) must not drop each other's database mid-test."""
    url = make_url(POSTGRES_URL)
    name = "_".join(part for part in (url.database, purpose, str(os.getpid())) if part)
    return url.set(database=name).render_as_string(hide_password=False)


def fresh_postgres_database(url: str) -> str:
    """Drop and create the test database; skips (fails in CI) when PostgreSQL is not there."""
    target = make_url(url)
    _CREATED.add(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    except Exception as exc:
        _unavailable(f"PostgreSQL is not reachable at {target.host}:{target.port}: {exc}")
    finally:
        admin.dispose()
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """An empty database of each backend, migrated to head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'plume.sqlite3'}"
    else:
        url = fresh_postgres_database(postgres_url())
    migrate.upgrade(url)
    return url


class ClosingClient(FlaskClient):
    """A test client that closes each response, as a server does once the answer is sent:
    the work a request leaves for after its answer (`db.after_commit`) then runs."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "EXPORTS_DIR": str(tmp_path_factory.mktemp("exports")),
            "SECRET_KEY": "test",
            # Production's Argon2 costs ~0.1 s of both cores a hash, and the tests sign in
            # hundreds of times; the timing test of sign-in sets production's back.
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            "WTF_CSRF_ENABLED": True,
        }
    )
    app.test_client_class = ClosingClient
    with app.app_context():
        reference.load_reference(app.config["REFERENCE_DIR"])
        plume_db.session.commit()
    yield app
    plume_db.session.remove()
    app.extensions["plume.engine"].dispose()


@pytest.fixture
def db(app):
    """The session, inside a transaction rolled back after the test."""
    engine = app.extensions["plume.engine"]
    connection = engine.connect()
    transaction = connection.begin()
    app.extensions["plume.bind"] = connection
    context = app.app_context()
    context.push()
    limiter.reset()  # each test starts with no failed sign-ins counted
    try:
        yield plume_db.session
    finally:
        plume_db.session.remove()
        context.pop()
        app.extensions["plume.bind"] = engine
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def create_user(db):
    counter = iter(range(1, 1_000_000))

    def create(
        sector: str = "CLT",
        *,
        name: str | None = None,
        admin: bool = False,
        password: str | None = None,
        email: str | None = None,
    ):
        n = next(counter)
        return users.create_user(
            email or f"user{n}-{sector.lower()}@example.org",
            name or f"User {n}",
            sector,
            password=password,
            is_admin=admin,
        )

    return create


@pytest.fixture
def token_for(db):
    """Authorization headers for a user."""

    def headers(user) -> dict:
        return {"Authorization": f"Bearer {users.create_token(user, 'test')}"}

    return headers


@pytest.fixture
def drafts_dir(app):
    from pathlib import Path

    return Path(app.config["DRAFTS_DIR"])


@pytest.fixture
def create_paper(db, create_user, drafts_dir):
    """A paper with one member per role; from the shipped template unless blank=True."""

    def create(*, blank: bool = False, language: str = "en"):
        people = {
            role: create_user(sector)
            for role, sector in [
                (Role.COORDINATOR, "CLT"),
                (Role.AUTHOR, "CLT"),
                (Role.REVIEWER, "SHS"),
                (Role.SIGNATORY, "CLT"),
                (Role.OBSERVER, "ED"),
            ]
        }
        paper = papers.create_paper(
            people[Role.COORDINATOR],
            title="A test paper" if blank else None,
            language=language,
            template_dir=None if blank else drafts_dir / "ai-and-culture",
        )
        for role, user in people.items():
            if role != Role.COORDINATOR:
                papers.add_member(paper, user.email, role, actor=people[Role.COORDINATOR])
        paper.people = people
        return paper

    return create


# Why the tests' template papers are frozen for signature with their sections in drafting.
TEST_OVERRIDE = "Signed in a test, before the template's sections are reviewed."


@pytest.fixture
def freeze_for_signature(db):
    """Freeze a paper for signature, overriding whatever stands in the way (as a test may)."""
    from app.services import versions

    def freeze(paper, label: str = "v1.0", *, override_reason: str | None = TEST_OVERRIDE):
        return versions.freeze_version(
            paper,
            paper.people[Role.COORDINATOR],
            label,
            purpose="signature",
            override_reason=override_reason,
        )

    return freeze


@pytest.fixture
def today():
    return date.today()


def pytest_sessionfinish(session, exitstatus):
    for url in _CREATED:
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
                )
        except Exception:
            pass  # PostgreSQL went away: nothing left to clean
        finally:
            admin.dispose()


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only run on the PostgreSQL backend alone."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec else None
        if item.get_closest_marker("postgres_only") and backend == "sqlite":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
