"""Pathological section texts on the section page (not a test): first and second render.

    .venv/bin/python tests/perf/bench_pathological.py [NAME ...] [--quote]

Each input runs in a process of its own (a fresh render cache, its own peak memory): a
template paper on a temporary SQLite database, the section's text replaced by the input, a
reviewer signed in; it prints the seconds of the first and the second GET /sections/{id} and
the peak resident memory of the process and of its render children (migrations run in the
process, so the first includes them). --quote adds a comment quoting the text's first line.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

INPUTS = {
    "quotes": lambda: "> " * 245000 + "x",
    "headings": lambda: "# h\n" * 120000,
    "brackets": lambda: "[" * 490000,
    # 4,000 columns, 60 rows
    "table": lambda: "\n".join(["|" + "a|" * 4000, "|" + "-|" * 4000] + ["|" + "b|" * 4000] * 60),
}


def run_one(name: str, quote: bool) -> dict:
    from app import create_app, migrate
    from app.db import session
    from app.models import Role
    from app.services import papers, reference, reviews, revisions, sections, users

    folder = Path(tempfile.mkdtemp(prefix="plume-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        reference.load_reference(app.config["REFERENCE_DIR"])
        coordinator = users.create_user("c@example.org", "C", "CLT")
        reviewer = users.create_user("r@example.org", "R", "SHS", password="bench-password")
        paper = papers.create_paper(
            coordinator, title=None, language="en", template_dir=ROOT / "drafts/ai-and-culture"
        )
        papers.add_member(paper, reviewer.email, Role.REVIEWER, actor=coordinator)
        section = sections.list_sections(paper.id, coordinator)[2].section
        text = INPUTS[name]()
        latest = revisions.latest(section.id)
        revisions.save_revision(
            section, coordinator, body=text, base_revision_id=latest.id if latest else None
        )
        if quote:
            first = text.splitlines()[0][:200] or text[:200]
            new = reviews.NewComment(body="why", type="editorial", quote={"exact": first})
            reviews.create_comment(section, reviewer, new)
        session.commit()
        section_id = section.id
    client = app.test_client()
    client.post("/login", data={"email": "r@example.org", "password": "bench-password"})
    times = []
    for _ in range(2):
        started = time.perf_counter()
        response = client.get(f"/sections/{section_id}")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "input": name,
        "chars": len(text),
        "first_s": times[0],
        "second_s": times[1],
        "peak_mb": peak,
        "child_mb": child,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", default=list(INPUTS))
    parser.add_argument("--quote", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.quote)))
        return
    for name in args.names:
        command = [sys.executable, __file__, "--one", name] + (["--quote"] if args.quote else [])
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(name, "failed:", done.stderr[-2000:])
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{result['input']:<9} {result['chars']:>8} chars  first {result['first_s']:6.2f} s  "
            f"second {result['second_s']:5.2f} s  peak {result['peak_mb']:6.0f} MB "
            f"(a render child's {result['child_mb']:.0f} MB)"
        )


if __name__ == "__main__":
    main()
