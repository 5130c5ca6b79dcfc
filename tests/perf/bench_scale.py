"""Scale benchmark (not a test): Plume's pages and endpoints on a paper ten times too big.

    .venv/bin/python tests/perf/bench_scale.py                      # PostgreSQL, 1,000 sections
    .venv/bin/python tests/perf/bench_scale.py --db sqlite          # SQLite, 200 sections
    .venv/bin/python tests/perf/bench_scale.py --profile            # and the top frames

It builds a paper of --sections sections (default 1,000 on PostgreSQL, 200 on SQLite) with
20 comments, 5 replies and about 7 alignment decisions per section (20,000 / 5,000 / 7,100 at
1,000 sections), one section holding 2,000 comments, a frozen version and an open round; then
serves it with `gunicorn -w 2` (as `make run` does) and, for each request of issue 17's table,
prints p50 and p95 at concurrency 1 and 8, the ratio of the p50 at concurrency 1 to a *bare
query* and the SQL statements per request.

The bare query returns the same rows as JSON: the SQL that the request needs, run through
SQLAlchemy Core and `json.dumps`, served by a second `gunicorn -w 2` on the same database and
measured with the same client in the same run, its requests taking turns with Plume's (a
shared machine's speed drifts). Goal: p50 <= 2x the bare query for every API
endpoint and <= 3x for every web page, statements constant.

The write benchmark then saves revisions through the API on sections with 0, 200, 500 and
2,000 open comments: an ordinary edit (one word), and the removal of a paragraph that 20 %
of the comments quote (the paragraph is put back, untimed, after each timed save). A save
that gunicorn kills at its 30 s timeout is printed as such: it was lost. Each cell is the
p50 / p95 of the saves, and in brackets the ratio of its p50 to a *bare save* measured
interleaved with it (one revision row inserted and committed by the bare app): the load of
a shared machine moves both. No worker runs: a section past reviews.INLINE_COMMENTS is
left to it, so these are the times until the author has the answer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-1"
VOCABULARY = """
    culture heritage artificial intelligence museums creative industries ethics recommendation
    data privacy access bias diversity member states sector policy framework implementation
    intellectual property algorithm audience living expressions convention communities
    archives libraries artists rights transparency accountability governance literacy
    sustainability emergency preservation dissemination engagement democratisation sensitivity
    legal gaps opportunities stakeholders regional perspectives guidelines priorities actions
"""
WORDS = VOCABULARY.split()
SECTORS = ["CLT", "SHS", "CI", "ED", "SC"]
BIG = 2_000  # the comments on the section whose page and API list are measured
WRITE_COUNTS = (0, 200, 500, 2_000)
# The share of a write section's comments that quote the paragraph the benchmark removes.
REMOVED_SHARE = 0.2
REMOVED_PARAGRAPH = 2


# --- the paper -------------------------------------------------------------------------


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, words: int) -> str:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(sentence(rng))
    return " ".join(out)


def section_text(rng: random.Random, paragraphs: int) -> list[str]:
    return [paragraph(rng, rng.randint(90, 140)) for _ in range(paragraphs)]


def passage_in(body: str, rng: random.Random, lo: int, hi: int) -> tuple[int, int]:
    """A run of 4 to 10 words of body[lo:hi], as (start, end)."""
    spaces = [m.start() for m in re.finditer(" ", body[lo:hi])]
    first = rng.randrange(0, max(1, len(spaces) - 11))
    start = lo + (spaces[first] + 1 if first < len(spaces) else 0)
    last = min(first + rng.randint(4, 10), len(spaces) - 1)
    end = lo + spaces[last] if last > first else hi
    return start, end


@dataclass
class Built:
    url: str
    paper_id: int
    big_section_id: int
    # {"edit": {n: section id}, "remove": {n: section id}}
    write_sections: dict
    coordinator_token: str
    author_token: str
    observer_token: str
    author_email: str
    observer_email: str
    counts: dict


def build(url: str, sections: int, seed: int = 17) -> Built:
    """The benchmark paper, committed to the (empty) database at `url`."""
    from sqlalchemy import func, insert, select

    from app import create_app, migrate
    from app.db import session
    from app.models import (
        AlignmentDecision,
        Comment,
        CommentReply,
        FrameworkItem,
        Revision,
        Role,
        Section,
    )
    from app.services import alignment, papers, reference, rounds, users, versions

    rng = random.Random(seed)
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        reference.load_reference(app.config["REFERENCE_DIR"])
        people = {}
        for role, sector in [
            ("coordinator", "CLT"),
            ("author", "CLT"),
            ("author2", "SHS"),
            ("signatory", "CLT"),
            ("observer", "ED"),
            *[(f"reviewer-{code}", code) for code in SECTORS],
        ]:
            people[role] = users.create_user(
                f"{role}@bench.example.org", role.title(), sector, password=PASSWORD
            )
        coordinator = people["coordinator"]
        paper = papers.create_paper(coordinator, title="Benchmark paper", language="en")
        for key, role in [
            ("author", Role.AUTHOR),
            ("author2", Role.AUTHOR),
            ("signatory", Role.SIGNATORY),
            ("observer", Role.OBSERVER),
            *[(f"reviewer-{code}", Role.REVIEWER) for code in SECTORS],
        ]:
            papers.add_member(paper, people[key].email, role, actor=coordinator)
        alignment.choose_frameworks(paper, coordinator, ["REC2021", "CONV2005"])
        items = session.execute(
            select(FrameworkItem.id, FrameworkItem.code).order_by(FrameworkItem.id)
        ).all()
        session.commit()

        # Sections: chapters of 9 subsections; the first few hold the heavy comment loads.
        heavy = 1 + 2 * (len(WRITE_COUNTS))
        texts: list[list[str]] = []
        rows = []
        today = datetime.now(UTC).date()
        for index in range(sections):
            chapter, sub = divmod(index, 10)
            number = f"{chapter + 1}" if sub == 0 else f"{chapter + 1}.{sub}"
            paragraphs = section_text(rng, 12 if index < heavy else 3)
            texts.append(paragraphs)
            rows.append(
                {
                    "paper_id": paper.id,
                    "position": index,
                    "number": number,
                    "title_en": f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)}",
                    "title_fr": "",
                    "brief": sentence(rng),
                    "brief_fr": "",
                    "expected_items": [code for _id, code in rng.sample(items, 3)],
                    "lead_author_id": people["author" if index % 2 else "author2"].id,
                    "due_date": today + timedelta(days=rng.randint(-20, 60)),
                    "state": rng.choice(["drafting", "in_review", "changes_requested"]),
                }
            )
        section_ids = list(session.scalars(insert(Section).returning(Section.id), rows))
        bodies = ["\n\n".join(paragraphs) for paragraphs in texts]
        revision_ids = list(
            session.scalars(
                insert(Revision).returning(Revision.id),
                [
                    {
                        "section_id": sid,
                        "number": 1,
                        "body": body,
                        "summary": "First draft",
                        "sha256": hashlib.sha256(body.encode()).hexdigest(),
                        "author_id": coordinator.id,
                    }
                    for sid, body in zip(section_ids, bodies, strict=True)
                ],
            )
        )
        session.commit()
        version = versions.freeze_version(paper, coordinator, "v1.0")
        review_round = rounds.open_round(
            paper,
            coordinator,
            version_id=version.id,
            sectors=["SHS", "CI"],
            deadline=datetime.now(UTC) + timedelta(days=30),
        )
        session.commit()

        # Comments: BIG on section 0; 0/200/500/2,000 on the write sections (all open);
        # 20 per section on average over the paper.
        reviewers = [people[f"reviewer-{code}"] for code in SECTORS]
        write_sections = {"edit": {}, "remove": {}}
        per_section = [0] * sections
        per_section[0] = BIG
        slot = 1
        for kind in ("edit", "remove"):
            for n in WRITE_COUNTS:
                write_sections[kind][n] = section_ids[slot]
                per_section[slot] = n
                slot += 1
        rest = max(0, 20 * sections - sum(per_section))
        for i in range(rest):
            per_section[heavy + i % max(1, sections - heavy)] += 1
        removing = set(write_sections["remove"].values())
        comment_rows = []
        for index, count in enumerate(per_section):
            body, paragraphs = bodies[index], texts[index]
            starts = [0]
            for text in paragraphs[:-1]:
                starts.append(starts[-1] + len(text) + 2)
            open_only = section_ids[index] in removing or 0 < index < heavy
            for n in range(count):
                if section_ids[index] in removing and n < REMOVED_SHARE * count:
                    chosen = REMOVED_PARAGRAPH
                else:
                    chosen = rng.randrange(len(paragraphs))
                    if section_ids[index] in removing and chosen == REMOVED_PARAGRAPH:
                        chosen = 0
                lo = starts[chosen]
                start, end = passage_in(body, rng, lo, lo + len(paragraphs[chosen]))
                reviewer = reviewers[n % len(reviewers)]
                resolved = not open_only and rng.random() < 0.3
                comment_rows.append(
                    {
                        "section_id": section_ids[index],
                        "revision_id": revision_ids[index],
                        "round_id": review_round.id if n % 4 == 0 else None,
                        "author_id": reviewer.id,
                        "sector_id": reviewer.sector_id,
                        "type": rng.choice(["editorial", "substantive", "legal"]),
                        "body": sentence(rng),
                        "proposed_text": sentence(rng) if n % 3 == 0 else None,
                        "quote_exact": body[start:end],
                        "quote_prefix": body[max(0, start - 32) : start],
                        "quote_suffix": body[end : end + 32],
                        "anchor_revision_id": revision_ids[index],
                        "anchor_start": start,
                        "anchor_end": end,
                        "orphaned": False,
                        "status": "resolved" if resolved else "open",
                        "decision": "noted" if resolved else None,
                        "rationale": "Taken into account." if resolved else None,
                    }
                )
        comment_ids = []
        for chunk in range(0, len(comment_rows), 5_000):
            comment_ids += session.scalars(
                insert(Comment).returning(Comment.id), comment_rows[chunk : chunk + 5_000]
            )
        # Replies: a quarter of the comments have one; the big section's comments first.
        replies = [
            {
                "comment_id": comment_ids[i],
                "author_id": people["author"].id,
                "body": sentence(rng),
            }
            for i in range(0, min(len(comment_ids), 5 * sections * 4), 4)
        ][: 5 * sections]
        session.execute(insert(CommentReply), replies)

        # Alignment decisions: about 6.6 current cells per section, some superseded.
        decisions = []
        for index, sid in enumerate(section_ids):
            for item_id, _code in rng.sample(items, 6 + (index % 5 == 0) * 3):
                decisions.append((sid, item_id))
        decisions += [(None, item_id) for item_id, _code in items[:10]]
        superseded = rng.sample(decisions, max(0, int(7.1 * sections) - len(decisions)))
        session.execute(
            insert(AlignmentDecision),
            [
                {
                    "paper_id": paper.id,
                    "section_id": sid,
                    "item_id": item_id,
                    "status": rng.choice(
                        ["aligned", "aligned", "partial", "gap", "conflict", "not_applicable"]
                    ),
                    "rationale": sentence(rng),
                    "decided_by_id": coordinator.id,
                }
                for sid, item_id in superseded + decisions
            ],
        )
        session.commit()
        tokens = {
            key: users.create_token(people[key], "bench")
            for key in ("coordinator", "author", "observer")
        }
        session.commit()
        counts = {
            "sections": sections,
            "comments": session.scalar(select(func.count()).select_from(Comment)),
            "replies": session.scalar(select(func.count()).select_from(CommentReply)),
            "decisions": session.scalar(select(func.count()).select_from(AlignmentDecision)),
            "words": sum(len(body.split()) for body in bodies),
        }
        built = Built(
            url=url,
            paper_id=paper.id,
            big_section_id=section_ids[0],
            write_sections=write_sections,
            coordinator_token=tokens["coordinator"],
            author_token=tokens["author"],
            observer_token=tokens["observer"],
            author_email=people["author"].email,
            observer_email=people["observer"].email,
            counts=counts,
        )
        session.remove()
    engine = app.extensions["plume.engine"]
    if engine.dialect.name == "postgresql":
        # As autovacuum would soon: a planner without statistics on the bulk-loaded tables
        # chose 8 s plans for the overview (measured in this benchmark's first run).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return built


# --- the requests and their bare queries -----------------------------------------------


@dataclass(frozen=True)
class Request:
    label: str
    path: str
    who: str  # "observer" or "author" (the author leads half the sections)
    web: bool
    bare: str  # the name of the bare query


def requests_for(built: Built) -> list[Request]:
    p, s = built.paper_id, built.big_section_id
    return [
        # The grid shows the coverage report's lists (conflicts with rationale, who, when).
        Request("web: alignment grid", f"/papers/{p}/alignment", "observer", True, "coverage"),
        Request("web: paper overview", f"/papers/{p}", "observer", True, "overview"),
        Request(f"web: section page ({BIG} comments)", f"/sections/{s}", "observer", True, "page"),
        Request(
            "API: comment matrix CSV",
            f"/api/v1/papers/{p}/comment-matrix?format=csv",
            "observer",
            False,
            "comment_matrix",
        ),
        Request(
            "API: alignment matrix",
            f"/api/v1/papers/{p}/alignment-matrix",
            "observer",
            False,
            "matrix",
        ),
        Request("API: coverage", f"/api/v1/papers/{p}/coverage", "observer", False, "coverage"),
        Request("API: sections", f"/api/v1/papers/{p}/sections", "observer", False, "sections"),
        Request(
            f"API: comments ({BIG})",
            f"/api/v1/sections/{s}/comments",
            "observer",
            False,
            "comments",
        ),
        Request("API: my queue", "/api/v1/me/queue", "author", False, "queue"),
    ]


BARE_SQL = {
    "matrix": [
        """SELECT s.id, s.number, s.title_en, s.expected_items FROM sections s
           WHERE s.paper_id = :paper ORDER BY s.position""",
        """SELECT i.code, i.kind, i.title_en, f.code FROM framework_items i
           JOIN frameworks f ON f.id = i.framework_id
           JOIN paper_frameworks pf ON pf.framework_id = f.id AND pf.paper_id = :paper
           ORDER BY f.code, i.position""",
        """SELECT d.section_id, i.code, d.status FROM alignment_decisions d
           JOIN framework_items i ON i.id = d.item_id
           WHERE d.id IN (SELECT max(id) FROM alignment_decisions WHERE paper_id = :paper
                          GROUP BY section_id, item_id)""",
    ],
    "sections": [
        """SELECT s.id, s.parent_id, s.position, s.number, s.title_en, s.title_fr, s.brief,
                  s.expected_items, s.lead_author_id, u.name, s.due_date, s.state,
                  (SELECT count(*) FROM comments c
                   WHERE c.section_id = s.id AND c.status = 'open') AS open_comments
           FROM sections s LEFT JOIN users u ON u.id = s.lead_author_id
           WHERE s.paper_id = :paper ORDER BY s.position""",
        """SELECT ss.section_id, x.code FROM section_sectors ss
           JOIN sectors x ON x.id = ss.sector_id
           JOIN sections s ON s.id = ss.section_id WHERE s.paper_id = :paper""",
    ],
    # Every column the API's comment answers: its author's and its replies' authors' names
    # and sectors, its resolution history (Plume reads and answers all of it).
    "comments": [
        """SELECT c.id, c.section_id, c.revision_id, c.round_id, c.author_id, u.name, ux.code,
                  x.code, c.type, c.body, c.proposed_text, c.item_code, c.quote_exact,
                  c.quote_prefix, c.quote_suffix, c.anchor_revision_id, c.anchor_start,
                  c.anchor_end, c.orphaned, c.status, c.decision, c.rationale, c.resolved_at,
                  c.created_at, c.edited_at
           FROM comments c JOIN users u ON u.id = c.author_id
           JOIN sectors ux ON ux.id = u.sector_id
           JOIN sectors x ON x.id = c.sector_id
           WHERE c.section_id = :section ORDER BY c.id""",
        """SELECT r.id, r.comment_id, r.parent_id, r.body, r.created_at, r.author_id, u.name,
                  ux.code
           FROM comment_replies r JOIN comments c ON c.id = r.comment_id
           JOIN users u ON u.id = r.author_id JOIN sectors ux ON ux.id = u.sector_id
           WHERE c.section_id = :section ORDER BY r.id""",
        """SELECT h.id, h.comment_id, h.action, h.decision, h.rationale, h.applied_revision_id,
                  h.created_at, h.actor_id, u.name, ux.code
           FROM comment_resolutions h JOIN comments c ON c.id = h.comment_id
           JOIN users u ON u.id = h.actor_id JOIN sectors ux ON ux.id = u.sector_id
           WHERE c.section_id = :section ORDER BY h.id""",
    ],
    "comment_matrix": [
        """SELECT x.code, s.number, s.title_en, c.quote_exact, c.type, c.body, c.proposed_text,
                  c.decision, c.rationale
           FROM comments c JOIN sections s ON s.id = c.section_id
           JOIN sectors x ON x.id = c.sector_id
           WHERE s.paper_id = :paper AND c.status <> 'withdrawn'
           ORDER BY s.position, c.id""",
    ],
    "queue": [
        """SELECT s.id, s.number, s.title_en, s.due_date, s.state, p.id, p.title
           FROM sections s JOIN papers p ON p.id = s.paper_id
           WHERE s.lead_author_id = :author AND s.state <> 'approved'
           ORDER BY s.due_date, s.position""",
        # The queue answers each comment's count of replies, not the replies.
        """SELECT c.id, c.section_id, c.round_id, x.code, c.author_id, u.name, ux.code, c.type,
                  c.body, c.quote_exact, c.orphaned, c.created_at,
                  (SELECT count(*) FROM comment_replies r WHERE r.comment_id = c.id)
           FROM comments c JOIN sections s ON s.id = c.section_id
           JOIN users u ON u.id = c.author_id JOIN sectors ux ON ux.id = u.sector_id
           JOIN sectors x ON x.id = c.sector_id
           WHERE s.lead_author_id = :author AND c.status = 'open' ORDER BY c.id""",
    ],
}
# The coverage report: the matrix's rows, and who decided each conflict and why (the report
# lists every conflict with its rationale, its author and their sector).
BARE_SQL["coverage"] = [
    *BARE_SQL["matrix"][:2],
    """SELECT d.section_id, i.code, d.status,
              CASE WHEN d.status = 'conflict' THEN d.rationale END,
              CASE WHEN d.status = 'conflict' THEN d.created_at END, u.name, x.code
       FROM alignment_decisions d
       JOIN framework_items i ON i.id = d.item_id
       LEFT JOIN users u ON u.id = d.decided_by_id AND d.status = 'conflict'
       LEFT JOIN sectors x ON x.id = u.sector_id
       WHERE d.id IN (SELECT max(id) FROM alignment_decisions WHERE paper_id = :paper
                      GROUP BY section_id, item_id)""",
]
# The overview: a page of 50 sections (app/web/views/papers.py OVERVIEW_ROWS) with their
# open comments, lead authors and sectors, the paper's counts of sections by state, and what
# others wrote in each since the reader's last visit (its "New" badges, issue 16).
BARE_SQL["overview"] = [
    """SELECT s.id, s.parent_id, s.position, s.number, s.title_en, s.title_fr,
              s.expected_items, s.lead_author_id, u.name, s.due_date, s.state,
              (SELECT count(*) FROM comments c
               WHERE c.section_id = s.id AND c.status = 'open') AS open_comments
       FROM sections s LEFT JOIN users u ON u.id = s.lead_author_id
       WHERE s.paper_id = :paper ORDER BY s.position, s.id LIMIT 50""",
    """SELECT ss.section_id, x.code FROM section_sectors ss
       JOIN sectors x ON x.id = ss.sector_id
       WHERE ss.section_id IN (SELECT id FROM sections WHERE paper_id = :paper
                               ORDER BY position, id LIMIT 50)""",
    """SELECT state, count(*) FROM sections WHERE paper_id = :paper GROUP BY state""",
    # A section the reader never opened is "New" if others wrote anything there at all.
    """SELECT p.id,
              CASE WHEN v.user_id IS NULL
                   THEN (SELECT count(*) FROM (SELECT 1 FROM revisions r
                         WHERE r.section_id = p.id AND r.author_id <> :reader LIMIT 1) x)
                   ELSE (SELECT count(*) FROM revisions r WHERE r.section_id = p.id
                         AND r.author_id <> :reader AND r.id > coalesce(v.revision_id, 0)) END,
              CASE WHEN v.user_id IS NULL
                   THEN (SELECT count(*) FROM (SELECT 1 FROM comments c
                         WHERE c.section_id = p.id AND c.author_id <> :reader
                         AND c.status <> 'withdrawn' LIMIT 1) x)
                   ELSE (SELECT count(*) FROM comments c WHERE c.section_id = p.id
                         AND c.author_id <> :reader AND c.status <> 'withdrawn'
                         AND c.id > coalesce(v.comment_id, 0)) END,
              CASE WHEN v.user_id IS NULL
                   THEN (SELECT count(*) FROM (SELECT 1 FROM comments c
                         JOIN comment_replies cr ON cr.comment_id = c.id
                         WHERE c.section_id = p.id AND cr.author_id <> :reader LIMIT 1) x)
                   ELSE (SELECT count(*) FROM comment_replies cr
                         WHERE cr.comment_id IN (SELECT id FROM comments WHERE section_id = p.id)
                         AND cr.author_id <> :reader AND cr.id + 0 > coalesce(v.reply_id, 0)) END
       FROM (SELECT id FROM sections WHERE paper_id = :paper
             ORDER BY position, id LIMIT 50) p
       LEFT JOIN section_visits v ON v.section_id = p.id AND v.user_id = :reader""",
]
# The section page: the text, what it needs of every comment to choose the ones it shows
# (id, status, author, sector), and the first 50 shown (app/web/comments.py COMMENT_PAGE,
# open ones first) whole, with their threads.
_SHOWN = """(SELECT id FROM comments WHERE section_id = :section
             ORDER BY status <> 'open', id LIMIT 50)"""
BARE_SQL["page"] = [
    """SELECT r.id, r.number, r.body FROM revisions r WHERE r.section_id = :section
       ORDER BY r.number DESC LIMIT 1""",
    """SELECT c.id, c.status, c.author_id, c.sector_id FROM comments c
       WHERE c.section_id = :section ORDER BY c.id""",
    BARE_SQL["comments"][0].replace("WHERE c.section_id = :section", f"WHERE c.id IN {_SHOWN}"),
    BARE_SQL["comments"][1].replace("WHERE c.section_id = :section", f"WHERE c.id IN {_SHOWN}"),
    BARE_SQL["comments"][2].replace("WHERE c.section_id = :section", f"WHERE c.id IN {_SHOWN}"),
]


def bare_app(environ, start_response):
    """A WSGI app answering /NAME with the rows of BARE_SQL[NAME] as JSON (and POST /save:
    the least a save must do, one revision row in a transaction of its own)."""
    engine, params = _bare_engine()
    from sqlalchemy import text

    name = environ["PATH_INFO"].strip("/")
    if name == "save":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length))["body"]
        with engine.begin() as connection:
            new_id = connection.execute(text(BARE_SAVE), {**params, **_bare_row(engine, body)})
            answer = json.dumps({"id": new_id.scalar()}).encode()
        start_response("201 Created", [("Content-Type", "application/json")])
        return [answer]
    with engine.connect() as connection:
        rows = [
            [list(row) for row in connection.execute(text(sql), params)] for sql in BARE_SQL[name]
        ]
    body = json.dumps(rows, default=str).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


# The bare save writes its revisions to the paper's last section (3 paragraphs, ~20
# comments): no section that the write benchmark saves or the read benchmark reads.
BARE_SAVE = """
    INSERT INTO revisions (section_id, number, body, summary, sha256, author_id, created_at)
    SELECT s.id, (SELECT coalesce(max(r.number), 0) + 1 FROM revisions r WHERE r.section_id = s.id),
           :body, 'bare', :sha, :author, :at
    FROM sections s WHERE s.id = (SELECT max(id) FROM sections WHERE paper_id = :paper)
    RETURNING id"""


def _bare_row(engine, body: str) -> dict:
    now = datetime.now(UTC)
    # As SQLAlchemy stores a timestamp on SQLite (naive UTC text); a timestamp on PostgreSQL.
    at = now.replace(tzinfo=None).isoformat(" ") if engine.dialect.name == "sqlite" else now
    return {"body": body, "sha": hashlib.sha256(body.encode()).hexdigest(), "at": at}


_bare = {}


def _bare_engine():
    if not _bare:
        from sqlalchemy import create_engine

        _bare["engine"] = create_engine(os.environ["BENCH_DATABASE_URL"])
        _bare["params"] = json.loads(os.environ["BENCH_PARAMS"])
    return _bare["engine"], _bare["params"]


# --- serving and measuring -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict, workers: int = 2, timeout: int = 30):
    port = free_port()
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed when gunicorn stops)
        "w+", prefix="bench-gunicorn-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            # Each master would otherwise take the one control socket of the machine's user.
            "--no-control-socket",
            "--pythonpath",
            f"{ROOT},{ROOT / 'tests' / 'perf'}",
            app,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    try:
        for _ in range(300):
            try:
                requests.get(base + "/nothing", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start: {Path(log.name).read_text()[-2000:]}")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def web_session(base: str, email: str):
    import requests

    client = requests.Session()
    page = client.get(base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": email, "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    answer = client.post(base + "/login", data=data, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {answer.status_code}")
    return client


def timed(get, path: str) -> float:
    start = time.perf_counter()
    response = get(path)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        logs = sorted(Path(tempfile.gettempdir()).glob("bench-gunicorn-*"), key=os.path.getmtime)
        tail = logs[-1].read_text()[-3000:] if logs else ""
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}\n{tail}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def alternate(plume_get, plume_path: str, bare_get, bare_path: str, reps: int):
    """(Plume's seconds, the bare query's), `reps` of each taken in turns: on a shared machine
    whose speed drifts over a run, the two medians then see the same machine."""
    plume, bare = plume_get(), bare_get()
    timed(plume, plume_path)  # warm the workers
    timed(bare, bare_path)
    plume_seconds, bare_seconds = [], []
    for _ in range(reps):
        bare_seconds.append(timed(bare, bare_path))
        plume_seconds.append(timed(plume, plume_path))
    return plume_seconds, bare_seconds


def measure(get_for_thread, path: str, reps: int, concurrent: int) -> list[float]:
    """Seconds of each request: `reps` in a row, or `reps` on each of `concurrent` threads."""
    if concurrent == 1:
        get = get_for_thread()
        timed(get, path)  # warm the worker
        return [timed(get, path) for _ in range(reps)]
    results: list[float] = []
    lock = threading.Lock()

    def worker(_n):
        get = get_for_thread()
        for _ in range(reps):
            seconds = timed(get, path)
            with lock:
                results.append(seconds)

    with ThreadPoolExecutor(concurrent) as pool:
        list(pool.map(worker, range(concurrent)))
    return results


def statements(built: Built, request: Request, profile: bool) -> tuple[int, str]:
    """The SQL statements the request sends, counted in this process; with `profile`, the
    request's top frames by pyinstrument."""
    from sqlalchemy import event

    from app import create_app

    app = create_app({"DATABASE_URL": built.url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    engine = app.extensions["plume.engine"]
    client = app.test_client()
    headers = {}
    if request.web:
        email = built.author_email if request.who == "author" else built.observer_email
        client.post("/login", data={"email": email, "password": PASSWORD})
    else:
        token = built.author_token if request.who == "author" else built.observer_token
        headers = {"Authorization": f"Bearer {token}"}
    client.get(request.path, headers=headers)  # warm
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(request.path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    frames = ""
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        client.get(request.path, headers=headers)
        profiler.stop()
        frames = profiler.output_text(unicode=False, color=False, show_all=False)
    engine.dispose()
    return len(seen), frames


def read_benchmark(built: Built, args) -> list[dict]:
    import requests

    env = {
        "PLUME_DATABASE_URL": built.url,
        "PLUME_SECRET_KEY": "bench",
        "BENCH_DATABASE_URL": built.url,
        "BENCH_PARAMS": json.dumps(
            {
                "paper": built.paper_id,
                "section": built.big_section_id,
                "author": _user_id(built, built.author_email),
                "reader": _user_id(built, built.observer_email),
            }
        ),
    }
    results = []
    with (
        gunicorn("wsgi:app", env, timeout=600) as (base, _p),  # a slow page is still measured
        gunicorn("bench_scale:bare_app", env) as (
            bare_base,
            _b,
        ),
    ):
        for request in requests_for(built):
            if args.only and args.only not in request.label:
                continue

            def plume_get(request=request):
                if request.web:
                    email = built.author_email if request.who == "author" else built.observer_email
                    client = web_session(base, email)
                    return lambda path: client.get(base + path, timeout=1800)
                token = built.author_token if request.who == "author" else built.observer_token
                client = requests.Session()
                client.headers["Authorization"] = f"Bearer {token}"
                return lambda path: client.get(base + path, timeout=1800)

            def bare_get():
                client = requests.Session()
                return lambda path: client.get(bare_base + path, timeout=120)

            one, bare = alternate(plume_get, request.path, bare_get, f"/{request.bare}", args.reps)
            eight = measure(plume_get, request.path, args.reps_8, 8)
            count, frames = statements(built, request, args.profile)
            row = {
                "request": request.label,
                "p50_1": statistics.median(one),
                "p95_1": percentile(one, 0.95),
                "p50_8": statistics.median(eight),
                "p95_8": percentile(eight, 0.95),
                "bare": statistics.median(bare),
                "statements": count,
                "goal": 3 if request.web else 2,
            }
            results.append(row)
            print_row(row)
            if frames:
                print(indent_frames(frames, args.frames))
    return results


def _user_id(built: Built, email: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(built.url)
    with engine.connect() as connection:
        user_id = connection.execute(
            text("SELECT id FROM users WHERE email = :e"), {"e": email}
        ).scalar()
    engine.dispose()
    return user_id


def indent_frames(frames: str, limit: int) -> str:
    lines = [line for line in frames.splitlines() if line.strip()]
    # Skip pyinstrument's banner; keep the call tree's top lines.
    start = next((i for i, line in enumerate(lines) if re.match(r"^\s*[\d.]+ ", line)), 0)
    return "\n".join("      " + line for line in lines[start : start + limit]) + "\n"


HEADER = (
    f"{'request':<34}{'p50 c1':>9}{'p95 c1':>9}{'p50 c8':>9}{'p95 c8':>9}"
    f"{'bare':>9}{'ratio':>8}{'stmts':>7}  goal"
)


def print_row(row: dict) -> None:
    ratio = row["p50_1"] / row["bare"]
    verdict = f"<= {row['goal']}x " + ("ok" if ratio <= row["goal"] else "MISSED")
    print(
        f"{row['request']:<34}{ms(row['p50_1']):>9}{ms(row['p95_1']):>9}"
        f"{ms(row['p50_8']):>9}{ms(row['p95_8']):>9}{ms(row['bare']):>9}"
        f"{ratio:>7.1f}x{row['statements']:>7}  {verdict}",
        flush=True,
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}ms" if seconds < 10 else f"{seconds:.1f}s"


# --- writes ----------------------------------------------------------------------------


def write_benchmark(built: Built, args) -> None:
    import requests

    env = {
        "PLUME_DATABASE_URL": built.url,
        "PLUME_SECRET_KEY": "bench",
        "BENCH_DATABASE_URL": built.url,
        "BENCH_PARAMS": json.dumps(
            {"paper": built.paper_id, "author": _user_id(built, "coordinator@bench.example.org")}
        ),
    }
    print(
        f"\n{'save, on a section with N open comments':<46}"
        + "".join(f"{'N = ' + format(n, ','):>24}" for n in WRITE_COUNTS)
        + "\n(p50 / p95 of the save; in brackets its p50 / the bare save's p50, measured"
        " interleaved: one revision row in a transaction of its own)"
    )
    with (
        gunicorn("wsgi:app", env) as (base, _p),
        gunicorn("bench_scale:bare_app", env) as (bare_base, _b),
    ):
        client = requests.Session()
        client.headers["Authorization"] = f"Bearer {built.coordinator_token}"
        bare = requests.Session()
        rows = {"edit": [], "remove": []}
        for kind in ("edit", "remove"):
            for n in WRITE_COUNTS:
                section_id = built.write_sections[kind][n]
                rows[kind].append(
                    time_saves(client, base, section_id, kind, args.write_reps, bare, bare_base)
                )
        for kind, label in (
            ("edit", "an ordinary edit (one word)"),
            ("remove", f"a paragraph removed ({REMOVED_SHARE:.0%} quote it)"),
        ):
            print(f"{label:<46}" + "".join(f"{cell:>24}" for cell in rows[kind]), flush=True)


def time_saves(
    client, base: str, section_id: int, kind: str, reps: int, bare, bare_base: str
) -> str:
    url = f"{base}/api/v1/sections/{section_id}/revisions"
    seconds, bare_seconds = [], []
    for rep in range(reps):
        current = client.get(url, timeout=60).json()[-1]
        body = current["body"]
        paragraphs = body.split("\n\n")
        if kind == "edit":
            words = paragraphs[-1].split(" ")
            words[-2] = "heritage" if words[-2] != "heritage" else "archives"
            paragraphs[-1] = " ".join(words)
            new = "\n\n".join(paragraphs)
        else:
            new = "\n\n".join(paragraphs[:REMOVED_PARAGRAPH] + paragraphs[REMOVED_PARAGRAPH + 1 :])
        start = time.perf_counter()
        answer = bare.post(f"{bare_base}/save", json={"body": new}, timeout=60)
        bare_seconds.append(time.perf_counter() - start)
        if answer.status_code != 201:
            return f"bare {answer.status_code}"
        payload = {"body": new, "base_revision_id": current["id"], "summary": f"bench {rep}"}
        start = time.perf_counter()
        try:
            answer = client.post(url, json=payload, timeout=120)
        except requests_error() as exc:
            return f"lost ({type(exc).__name__})"
        elapsed = time.perf_counter() - start
        if answer.status_code != 201:
            return f"{answer.status_code} in {elapsed:.0f}s"
        seconds.append(elapsed)
        if kind == "remove":  # put the paragraph back (untimed)
            restored = {"body": body, "base_revision_id": answer.json()["id"], "summary": "back"}
            back = client.post(url, json=restored, timeout=120)
            if back.status_code != 201:
                return f"restore {back.status_code}"
    p50 = statistics.median(seconds)
    ratio = p50 / statistics.median(bare_seconds)
    return f"{ms(p50)} / {ms(percentile(seconds, 0.95))} ({ratio:.1f}x)"


def requests_error():
    import requests

    return requests.RequestException


# --- main ------------------------------------------------------------------------------


@contextmanager
def database(kind: str, keep: bool = False):
    """An empty database of the kind, dropped afterwards unless `keep`."""
    if kind == "sqlite":
        if keep:
            yield f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
            return
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get(
        "PLUME_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/plume_test"
    )
    url = make_url(base).set(database=f"plume_bench_scale_{os.getpid()}")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--sections", type=int, help="1,000 on PostgreSQL, 200 on SQLite")
    parser.add_argument("--reps", type=int, default=7, help="requests in a row, concurrency 1")
    parser.add_argument("--reps-8", type=int, default=2, help="requests per thread, 8 threads")
    parser.add_argument("--write-reps", type=int, default=7, help="saves of each kind and N")
    parser.add_argument("--only", help="only the requests whose label contains this")
    parser.add_argument("--no-reads", action="store_true")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--keep", help="keep the database; write what was built to this file")
    parser.add_argument("--reuse", help="measure the database a --keep run built")
    parser.add_argument("--profile", action="store_true", help="print each request's top frames")
    parser.add_argument("--frames", type=int, default=30, help="lines of frames to print")
    args = parser.parse_args()
    # Stopped, it stops its gunicorns too (the context managers' cleanup runs).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sections = args.sections or (1_000 if args.db == "postgresql" else 200)

    if args.reuse:
        built = Built(**json.loads(Path(args.reuse).read_text()))
        built.write_sections = {
            kind: {int(n): sid for n, sid in by_n.items()}
            for kind, by_n in built.write_sections.items()
        }
        run(built, args, 0)
        return
    with database(args.db, keep=bool(args.keep)) as url:
        start = time.perf_counter()
        built = build(url, sections)
        if args.keep:
            Path(args.keep).write_text(json.dumps(built.__dict__))
        run(built, args, time.perf_counter() - start)


def run(built: Built, args, build_seconds: float) -> None:
    c = built.counts
    print(
        f"{built.url.partition(':')[0].partition('+')[0]}: {c['sections']:,} sections, "
        f"{c['words']:,} words, "
        f"{c['comments']:,} comments, {c['replies']:,} replies, "
        f"{c['decisions']:,} alignment decisions (built in "
        f"{build_seconds:.0f} s); gunicorn -w 2; p50/p95 of {args.reps} "
        f"requests taking turns with the bare query's (c1) and of {args.reps_8} on each of 8 "
        "threads (c8); "
        "ratio = p50 c1 / bare query p50\n"
    )
    if not args.no_reads:
        print(HEADER)
        read_benchmark(built, args)
    if not args.no_writes:
        write_benchmark(built, args)


if __name__ == "__main__":
    main()
