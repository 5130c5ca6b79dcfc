"""The declarative base, the constraint naming convention, and the session.

One session per app context; the web and API layers commit once per request at
the request boundary, services only flush.

On SQLite, the database runs in WAL mode: readers never wait for a writer, nor a writer
for readers. A request that only reads (GET, HEAD, OPTIONS) opens a plain deferred
transaction; any other request (and the CLI, the worker, the tests) takes the write lock
up front with BEGIN IMMEDIATE, so that two writers queue instead of failing. A GET that
writes says so with `will_write()` before its first statement.
"""

from __future__ import annotations

import enum
import threading
from datetime import UTC, datetime

import orjson
from flask import current_app, g, has_app_context, has_request_context, request
from flask.globals import app_ctx, request_ctx
from sqlalchemy import CheckConstraint, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ARG002 (SQLAlchemy's signature)
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Plume stores timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):  # noqa: ARG002 (SQLAlchemy's signature)
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def result_processor(self, dialect, coltype):
        """On SQLite, the stored text read as UTC in one C call: parsing it, then
        `replace(tzinfo=...)`, cost ~1 µs a value, milliseconds on a list of thousands
        of comments (issue 17). Text that carries its own offset is read as before."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        parse, as_utc = datetime.fromisoformat, self.process_result_value
        slow = super().result_processor(dialect, coltype)

        def process(value):
            if value is None:
                return None
            if isinstance(value, str):
                try:
                    return parse(value + "+00:00")
                except ValueError:
                    pass
            return slow(value) if slow else as_utc(value, dialect)

        return process


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_check(column: str, values: type[enum.Enum], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that keeps `column` within the values of a str Enum."""
    allowed = ", ".join(f"'{member.value}'" for member in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column)


def _scope() -> int:
    """One session per request, else per app context (CLI, tests), else per thread."""
    if has_request_context():
        return id(request_ctx._get_current_object())
    if has_app_context():
        return id(app_ctx._get_current_object())
    return threading.get_ident()


class _AppSession(Session):
    """Binds to the current app's database, so that several apps (tests) can coexist."""

    def get_bind(self, mapper=None, clause=None, **kwargs):  # noqa: ARG002 (Session's)
        return current_app.extensions["plume.bind"]


# join_transaction_mode only matters when the bind is a Connection already in a
# transaction: the tests' rolled-back outer transaction. With an Engine it changes nothing.
session = scoped_session(
    sessionmaker(
        class_=_AppSession, expire_on_commit=False, join_transaction_mode="create_savepoint"
    ),
    scopefunc=_scope,
)


def make_engine(url: str, **options) -> Engine:
    # JSON columns read by orjson: a matrix's 1,000 sections' expected items were a tenth of
    # its request through json.loads.
    options.setdefault("json_deserializer", orjson.loads)
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _fix_sqlite(engine)
    return engine


def _fix_sqlite(engine: Engine) -> None:
    """WAL, foreign keys on, and let SQLAlchemy (not pysqlite) emit BEGIN so SAVEPOINTs work."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if _is_file(engine):
            # Readers see the last commit while a writer works; a writer's commit appends to
            # the log instead of waiting for every reader to finish. NORMAL is durable in WAL
            # but for the last commits before a power cut, never corrupt.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # A page cache of 32 MB rather than SQLite's 2 MB: a search reads every match's
            # document, and a paper of 1,000 sections and 20,000 comments has ~25 MB of them.
            # Pages are only held once read; the cache lives as long as the connection.
            cursor.execute("PRAGMA cache_size=-32768")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock(conn) else "BEGIN")


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_file(engine: Engine) -> bool:
    return engine.url.database not in (None, "", ":memory:")


def _wants_write_lock(conn) -> bool:
    """Whether a transaction starts with the write lock: every one that may write.

    A deferred transaction that writes after reading cannot wait for the lock (SQLite
    refuses at once, "database is locked"), so only requests that only read go without.
    """
    if not _is_file(conn.engine):
        return False
    if has_request_context() and request.method in READ_METHODS:
        return bool(g.get("plume_will_write"))
    return True


def will_write() -> None:
    """Say, before the first statement of a GET request, that it will write (a remembered
    language choice): its transaction then takes SQLite's write lock up front."""
    g.plume_will_write = True


def after_commit(job, *args) -> None:
    """Run `job(*args)` once this transaction has committed, in a transaction of its own:
    work a request leaves for after its answer (a save's re-anchoring that ran out of time).

    The request's boundary hands it to `run_after_response`; elsewhere (the CLI, a test
    calling services) it waits in the session until `run_pending()`.
    """
    session.info.setdefault("plume.after_commit", []).append((job, args))


def discard_pending() -> None:
    """Forget the work of a transaction that was rolled back."""
    session.info.pop("plume.after_commit", None)


def end_request(response):
    """One commit per request, at the boundary (the API's and the web's `after_request`): a
    successful response commits what the services flushed and then runs its deferred work;
    anything else rolls back, so a refused request never leaves a half-written row."""
    if response.status_code < 400:
        session.commit()
        run_after_response(response)
    else:
        session.rollback()
        discard_pending()
    return response


def run_after_response(response) -> None:
    """After a committed request, run its deferred work once the response has been sent."""
    jobs = session.info.pop("plume.after_commit", [])
    if jobs:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _run(app, jobs))


def run_pending() -> None:
    """Run the deferred work of the committed transaction now, in this context."""
    for job, args in session.info.pop("plume.after_commit", []):
        job(*args)
        session.commit()


def _run(app, jobs) -> None:
    # A new app context: a session of its own, after the request's has been removed.
    with app.app_context():
        for job, args in jobs:
            try:
                job(*args)
                session.commit()
            except Exception:  # the work is left as it was; the next save takes it up
                session.rollback()
                app.logger.exception("deferred work %s%r failed", job.__name__, args)
        session.remove()


def init_app(app) -> None:
    engine = make_engine(app.config["DATABASE_URL"], **app.config.get("ENGINE_OPTIONS", {}))
    app.extensions["plume.engine"] = engine
    app.extensions["plume.bind"] = engine

    @app.teardown_request
    @app.teardown_appcontext
    def _remove_session(_exc):
        session.remove()
