"""Search benchmark (not a test): Plume's search against a bare full-text query, both databases.

    .venv/bin/python tests/perf/bench_search.py [--reps 25] [--backend sqlite|postgresql]

The paper: 1,000 sections (a revision of about 120 words each) and 20,000 comments (about
25 words each) from five sectors, plus a second paper the reader is not a member of. For
each query it measures, in the same run and on the same index:
  bare   the ranked first page written by hand: the 20 best matches with their snippets
         (PostgreSQL: tsv @@ websearch_to_tsquery, ts_rank, ts_headline; SQLite: FTS5
         MATCH, ORDER BY rank (bm25), snippet());
  plume  app.services.search.search() for a paper member: the same page plus the reader's
         scope, what each hit points at (section, author, sector), the facets and the total;
and prints milliseconds (the median, p50, of at least --reps turns and 3 s; the two take
turns), the ratio plume / bare (goal <= 2) and the number of SQL statements Plume sent, on
this paper and on a paper of 10 sections: a search costs the same number whatever the
paper's size. On SQLite the load's write-ahead log is checkpointed first, as a server's
is between writes.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app, migrate  # noqa: E402
from app.db import session  # noqa: E402
from app.models import (  # noqa: E402
    Comment,
    Paper,
    PaperMember,
    Revision,
    Role,
    Section,
    Sector,
    User,
)
from app.services import reference, search, search_index  # noqa: E402
from app.services.search import FTS_WEIGHTS, HEADLINE_OPTIONS, Filters  # noqa: E402
from app.services.search_text import MARK_END, MARK_START, fts5_match, parse  # noqa: E402

VOCABULARY = """
    culture heritage artificial intelligence museums creative industries ethics recommendation
    data privacy access bias diversity member states sector policy framework implementation
    intellectual property algorithm audience living expressions convention communities
    archives libraries artists rights transparency accountability governance literacy
    sustainability emergency preservation dissemination engagement democratisation sensitivity
    legal gaps opportunities stakeholders regional perspectives guidelines priorities actions
    provenance consent repatriation photogrammetry watermarking licensing translation
"""
WORDS = VOCABULARY.split()
RARE = ["photogrammetry", "repatriation", "watermarking"]
SECTORS = ["CLT", "SHS", "CI", "ED", "SC"]
QUERIES = [
    "heritage",
    "intellectual property",
    '"data privacy" -bias',
    "photogrammetry or watermarking",
    "repatriation consent",
]
SECTIONS, COMMENTS, SMALL_SECTIONS = 1_000, 20_000, 10


def sentence(rng: random.Random, length: int) -> str:
    # Rare words are rare: one sentence in forty carries one.
    words = [rng.choice(WORDS[:-7]) for _ in range(length)]
    if rng.random() < 0.025:
        words[rng.randrange(length)] = rng.choice(RARE)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def make_database(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='plume-bench-')}/bench.sqlite3"
    base = make_url(
        os.environ.get(
            "PLUME_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/plume_test"
        )
    )
    url = base.set(database=f"plume_bench_search_{os.getpid()}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def build_paper(rng, people, sectors, title: str, sections: int, comments: int) -> int:
    """A paper written straight into the tables (as a restore would), then indexed."""
    now = datetime.now(UTC)
    coordinator = people[0]
    paper = Paper(title=title, language="en", created_by_id=coordinator.id)
    session.add(paper)
    session.flush()
    session.execute(
        insert(PaperMember),
        [
            {"paper_id": paper.id, "user_id": p.id, "role": Role.REVIEWER, "created_at": now}
            for p in people
        ],
    )
    first = session.scalar(select(Section.id).order_by(Section.id.desc()).limit(1)) or 0
    session.execute(
        insert(Section),
        [
            {
                "id": first + n + 1,
                "paper_id": paper.id,
                "position": n,
                "number": str(n + 1),
                "title_en": " ".join(rng.choice(WORDS[:-7]) for _ in range(4)).capitalize(),
                "title_fr": "",
                "brief": "",
                "brief_fr": "",
                "expected_items": [],
                "state": "drafting",
                "created_at": now,
            }
            for n in range(sections)
        ],
    )
    section_ids = [first + n + 1 for n in range(sections)]
    first_revision = session.scalar(select(Revision.id).order_by(Revision.id.desc()).limit(1)) or 0
    session.execute(
        insert(Revision),
        [
            {
                "id": first_revision + n + 1,
                "section_id": section_id,
                "number": 1,
                "body": "\n\n".join(
                    " ".join(sentence(rng, 12) for _ in range(5)) for _ in range(2)
                ),
                "summary": "",
                "sha256": "0" * 64,
                "author_id": coordinator.id,
                "created_at": now,
            }
            for n, section_id in enumerate(section_ids)
        ],
    )
    rows = []
    for n in range(comments):
        author = rng.choice(people)
        section_id = rng.choice(section_ids)
        rows.append(
            {
                "section_id": section_id,
                "revision_id": first_revision + section_ids.index(section_id) + 1,
                "author_id": author.id,
                "sector_id": author.sector_id,
                "type": "substantive",
                "body": " ".join(sentence(rng, 12) for _ in range(2)),
                "quote_prefix": "",
                "quote_suffix": "",
                "orphaned": False,
                "status": "open" if n % 4 else "resolved",
                "decision": None if n % 4 else "noted",
                "rationale": None if n % 4 else sentence(rng, 8),
                "created_at": now,
            }
        )
    for start in range(0, len(rows), 2000):
        session.execute(insert(Comment), rows[start : start + 2000])
    search_index.reindex(session.connection(), [paper.id])
    session.commit()
    return paper.id


def bare(backend: str, query: str) -> int:
    """The ranked first page with snippets, straight from the index."""
    if backend == "postgresql":
        statement = text(
            "SELECT d.id, top.r, ts_headline('plume_english', d.heading || E'\\n\\n' || d.body, "
            "q, :options) FROM (SELECT id, ts_rank(tsv, q) AS r FROM search_documents, "
            "websearch_to_tsquery('plume_english', :q) AS q WHERE tsv @@ q "
            "ORDER BY r DESC LIMIT 20) AS top JOIN search_documents d ON d.id = top.id, "
            "websearch_to_tsquery('plume_english', :q) AS q ORDER BY top.r DESC"
        )
        params = {"q": parse(query).text, "options": HEADLINE_OPTIONS}
    else:
        statement = text(
            "SELECT rowid, rank, snippet(search_fts, -1, :start, :end, '…', 24) FROM search_fts "
            "WHERE search_fts MATCH :match AND rank MATCH :weights ORDER BY rank LIMIT 20"
        )
        params = {
            "match": fts5_match(parse(query), "en"),
            "weights": FTS_WEIGHTS,
            "start": MARK_START,
            "end": MARK_END,
        }
    return len(session.execute(statement, params).all())


def timed(functions, reps: int, seconds: float = 3.0) -> list[float]:
    """Each function's median time in ms (p50), the functions taking turns rep after rep: on
    a shared machine the load then weighs on both sides of a ratio alike. At least `reps`
    turns, and as many more as fill `seconds`: a burst of the neighbours' load then moves
    the median of a 3 ms query no more than that of a 40 ms one."""
    for function in functions:
        function()  # warm: caches, plans
        session.rollback()
    times = [[] for _ in functions]
    until = time.perf_counter() + seconds
    while len(times[0]) < reps or time.perf_counter() < until:
        for function, spent in zip(functions, times, strict=True):
            started = time.perf_counter()
            function()
            spent.append(time.perf_counter() - started)
            session.rollback()
    return [statistics.median(spent) * 1000 for spent in times]


def statements(function) -> int:
    session.rollback()  # from a cold identity map, as a request starts
    engine = session.get_bind()
    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(sent)


def run(backend: str, reps: int) -> list[dict]:
    url = make_database(backend)
    try:
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        with app.app_context():
            reference.load_reference(app.config["REFERENCE_DIR"])
            session.commit()
            sectors = {s.code: s for s in session.scalars(select(Sector))}
            people = []
            for n in range(10):
                user = User(
                    email=f"bench{n}@example.org",
                    name=f"Bench {n}",
                    sector_id=sectors[SECTORS[n % len(SECTORS)]].id,
                    session_nonce=str(n),
                )
                session.add(user)
                people.append(user)
            session.flush()
            rng = random.Random(2026)
            started = time.perf_counter()
            big = build_paper(rng, people, sectors, "Big paper", SECTIONS, COMMENTS)
            small = build_paper(rng, people, sectors, "Small paper", SMALL_SECTIONS, 20)
            outsider = User(
                email="other@example.org",
                name="Other",
                sector_id=people[0].sector_id,
                session_nonce="x",
            )
            session.add(outsider)
            session.flush()
            build_paper(rng, [outsider], sectors, "Someone else's paper", 50, 500)
            # The planner's statistics, as autovacuum gathers them on a live PostgreSQL a moment
            # after such a load (and `ANALYZE` on SQLite): without them both planners guess.
            session.execute(text("ANALYZE"))
            session.commit()
            if backend == "sqlite":
                # The load's 25 MB are still in the write-ahead log, whose index every page read
                # looks up first. On a server, SQLite's auto-checkpoint copies them into the
                # database and the next write starts the log afresh; here no write comes.
                connection = session.get_bind().raw_connection()  # no transaction around it
                try:
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    connection.close()
            load = time.perf_counter() - started
            reader = people[1]
            # As wsgi.py does once the app is loaded: what the process holds by now (the app,
            # and here the paper just built) is left out of the collector's walks, which
            # otherwise land on whichever side of a ratio allocates the most.
            gc.collect()
            gc.freeze()
            print(
                f"\n{backend}: built and indexed {SECTIONS} sections and {COMMENTS} comments "
                f"(+ two small papers) in {load:.1f} s"
            )
            rows = []
            for query in QUERIES:

                def plume(paper_id=big, query=query):
                    return search.search(reader, query, Filters(paper_id=paper_id))

                results = plume()
                bare_ms, plume_ms = timed([lambda query=query: bare(backend, query), plume], reps)
                rows.append(
                    {
                        "backend": backend,
                        "query": query,
                        "hits": results.total,
                        "bare_ms": bare_ms,
                        "plume_ms": plume_ms,
                        "ratio": plume_ms / bare_ms,
                        "statements": statements(plume),
                        "statements_small": statements(lambda query=query: plume(small, query)),
                    }
                )
        app.extensions["plume.engine"].dispose()
    finally:
        drop_database(url)
    return rows


def table(rows: list[dict]) -> None:
    print(
        f"\n{'backend':<11} {'query':<32} {'hits':>6} {'bare ms':>8} {'plume ms':>9} "
        f"{'ratio':>6} {'stmts':>5} {'small':>5}",
        flush=True,
    )
    for row in rows:
        print(
            f"{row['backend']:<11} {row['query']:<32} {row['hits']:>6} {row['bare_ms']:>8.1f} "
            f"{row['plume_ms']:>9.1f} {row['ratio']:>6.2f} {row['statements']:>5} "
            f"{row['statements_small']:>5}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=25)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    rows = []
    for backend in args.backend or ["sqlite", "postgresql"]:
        done = run(backend, args.reps)
        table(done)  # each database's figures as soon as they are measured
        rows += done
    table(rows)
    worst = max(row["ratio"] for row in rows)
    # A query without hits skips the page's details and the section facet's titles, so
    # counts differ between queries; what must not happen is a count that grows with size.
    bounded = all(
        max(r["statements"] for r in rows if r["backend"] == backend)
        <= max(r["statements_small"] for r in rows if r["backend"] == backend)
        for backend in {r["backend"] for r in rows}
    )
    print(
        f"\nworst ratio {worst:.2f} (goal <= 2.00); statements no more on 1,000 sections "
        f"than on 10: {bounded}"
    )


if __name__ == "__main__":
    main()
