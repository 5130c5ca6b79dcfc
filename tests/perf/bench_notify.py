"""Notification benchmark (not a test): what telling people costs a request, both databases.

    .venv/bin/python tests/perf/bench_notify.py [--reps 15] [--backend sqlite|postgresql]

Two requests through the API, each measured with notifications on and off (the same
request, `notifications.ENABLED` switched), on a paper whose SC sector has 200 members and
whose ED sector has 1:
  round    POST /papers/{id}/rounds for the 200-member sector, then for the 1-member one;
  mention  POST /sections/{id}/comments whose text @mentions 20 members, then 1.
It prints the SQL statements each request sent (the same for 200 as for 1: the fan-out is
one INSERT … SELECT) and the median request time, on and off, with their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PLUME_QUEUE_URL", "memory://")

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app, migrate  # noqa: E402
from app.db import session  # noqa: E402
from app.models import Role, Section  # noqa: E402
from app.services import notifications, papers, reference, revisions, users, versions  # noqa: E402

POSTGRES = os.environ.get(
    "PLUME_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/plume_bench_notify"
)


def fresh_database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    target = make_url(POSTGRES)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return POSTGRES


def setup(app):
    with app.app_context():
        reference.load_reference(app.config["REFERENCE_DIR"])
        coordinator = users.create_user("coord@bench.test", "Coord", "CLT")
        paper = papers.create_paper(
            coordinator, template_dir=Path(app.config["DRAFTS_DIR"]) / "ai-and-culture"
        )
        many = []
        for n in range(200):
            person = users.create_user(f"sc{n}@bench.test", f"Member{n:03d} SC", "SC")
            papers.add_member(paper, person.email, Role.REVIEWER, actor=coordinator)
            many.append(person)
        lone = users.create_user("ed@bench.test", "Lone ED", "ED")
        papers.add_member(paper, lone.email, Role.REVIEWER, actor=coordinator)
        version = versions.freeze_version(paper, coordinator, "v1")
        section = session.query(Section).filter_by(paper_id=paper.id).first()
        current = revisions.latest(section.id)
        revisions.save_revision(
            section,
            coordinator,
            body="A text to comment on.",
            base_revision_id=current.id if current else None,
        )
        tokens = {
            "coordinator": users.create_token(coordinator, "bench"),
            "reviewer": users.create_token(lone, "bench"),
        }
        session.commit()
        return {
            "paper": paper.id,
            "version": version.id,
            "section": section.id,
            "names": [person.name for person in many],
            "tokens": tokens,
        }


def measure(app, client, method, path, body, token, reps) -> tuple[int, float]:
    engine = app.extensions["plume.engine"]
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    times = []
    statements = None
    for _ in range(reps):
        seen.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        answer = client.open(
            path, method=method, json=body(), headers={"Authorization": f"Bearer {token}"}
        )
        times.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", count)
        assert answer.status_code < 300, answer.get_json()
        statements = len(seen)
    return statements, statistics.median(times) * 1000


def run(backend: str, reps: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_database(backend, Path(folder))
        migrate.upgrade(url)
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "EXPORTS_DIR": str(Path(folder) / "x")}
        )
        ids = setup(app)
        client = app.test_client()
        deadline = (datetime.now(UTC) + timedelta(days=9)).isoformat()
        rows = []
        for label, sector in (("round, 200 members", "SC"), ("round, 1 member", "ED")):
            result = {}
            for enabled in (True, False):
                notifications.ENABLED["notify"] = enabled
                result[enabled] = measure(
                    app,
                    client,
                    "POST",
                    f"/api/v1/papers/{ids['paper']}/rounds",
                    lambda sector=sector: {
                        "version_id": ids["version"],
                        "sectors": [sector],
                        "deadline": deadline,
                    },
                    ids["tokens"]["coordinator"],
                    reps,
                )
            rows.append((label, result))
        for label, count in (("comment, 20 mentions", 20), ("comment, 1 mention", 1)):
            mentions = " ".join(f"@{name}" for name in ids["names"][:count])
            result = {}
            for enabled in (True, False):
                notifications.ENABLED["notify"] = enabled
                result[enabled] = measure(
                    app,
                    client,
                    "POST",
                    f"/api/v1/sections/{ids['section']}/comments",
                    lambda mentions=mentions: {"body": f"See {mentions}.", "type": "editorial"},
                    ids["tokens"]["reviewer"],
                    reps,
                )
            rows.append((label, result))
        notifications.ENABLED["notify"] = True
        print(f"\n{backend}: median of {reps} requests")
        print(f"{'request':<22} {'statements on/off':>18} {'ms on':>8} {'ms off':>8} {'ratio':>6}")
        for label, result in rows:
            (s_on, t_on), (s_off, t_off) = result[True], result[False]
            print(
                f"{label:<22} {s_on:>9}/{s_off:<8} {t_on:>8.1f} {t_off:>8.1f} {t_on / t_off:>6.2f}"
            )
        app.extensions["plume.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    for backend in args.backend or ["sqlite", "postgresql"]:
        run(backend, args.reps)


if __name__ == "__main__":
    main()
