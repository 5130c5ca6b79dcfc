"""Import benchmark (not a test): a returned Word file with 300 comments and 300 tracked
changes on the 60-section paper of bench_export.py, imported for real.

    .venv/bin/python tests/perf/bench_import.py [--backend sqlite|postgresql] [--statements]

It freezes the paper, exports the version as Word (the real export), then writes into the
file what a reviewer's Word would: comments (commentRangeStart/End around a few words,
comments.xml) and replacements (w:del + w:ins) from three authors (two members, one not).
It imports a file with 60 + 60 remarks, then one with 300 + 300, each on a fresh paper, and
prints the seconds and the SQL statements each import sent. The writes are batched (one
executemany per table, one search-index upsert per kind, one activity insert per section),
so the statements do not grow with the number of remarks.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from app import create_app, export, migrate  # noqa: E402
from app.db import session  # noqa: E402
from app.models import Role, Section, Sector  # noqa: E402
from app.services import exports, imports, papers, reference, revisions, users, versions  # noqa: E402
from tests.perf.bench_export import benchmark_document  # noqa: E402
from tests.perf.bench_search import drop_database, make_database  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def build_paper(people) -> tuple:
    """The 60-section paper of bench_export, frozen as v1."""
    coordinator = people[0]
    paper = papers.create_paper(coordinator, title="Import benchmark", language="en")
    for reviewer in people[1:]:
        papers.add_member(paper, reviewer.email, Role.REVIEWER, actor=coordinator)
    doc = benchmark_document()
    for position, part in enumerate(doc.sections):
        section = Section(
            paper_id=paper.id,
            position=position,
            number=part.number,
            title_en=part.title,
            state="drafting",
        )
        session.add(section)
        session.flush()
        revisions.save_revision(section, coordinator, body=part.body, base_revision_id=None)
    version = versions.freeze_version(paper, coordinator, "v1")
    session.commit()
    return paper, version


def review(data: bytes, per_section: int, authors: list[str]) -> bytes:
    """`per_section` comments and as many replacements in every section, as Word writes them."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(parts["word/document.xml"])
    rng = random.Random(13)
    comments = etree.Element(w("comments"), nsmap={"w": W})
    section_runs: dict[str, list] = {}
    current = None
    for element in root.iter(w("bookmarkStart"), w("r")):
        if element.tag == w("bookmarkStart"):
            name = element.get(w("name")) or ""
            current = name if name.startswith("plume-s") else current
            continue
        text = element.find(w("t"))
        long_enough = text is not None and len((text.text or "").split()) >= 6
        if current and long_enough and element.getparent().tag == w("p"):
            section_runs.setdefault(current, []).append(element)
    comment_id = change_id = 0
    for runs in section_runs.values():
        chosen = rng.sample(runs, min(len(runs), 2 * per_section))
        for number, run in enumerate(chosen):
            words = run.find(w("t")).text.split(" ")
            middle = max(1, len(words) // 2 - 1)
            before, target, after = (
                " ".join(words[:middle]) + " ",
                " ".join(words[middle : middle + 2]),
                " " + " ".join(words[middle + 2 :]),
            )
            author = authors[number % len(authors)]
            pieces = [_run(run, before)]
            if number % 2 == 0:
                start = etree.Element(w("commentRangeStart"), {w("id"): str(comment_id)})
                end = etree.Element(w("commentRangeEnd"), {w("id"): str(comment_id)})
                pieces += [start, _run(run, target), end]
                note = etree.SubElement(
                    comments,
                    w("comment"),
                    {
                        w("id"): str(comment_id),
                        w("author"): author,
                        w("date"): "2025-04-02T09:00:00Z",
                    },
                )
                paragraph = etree.SubElement(note, w("p"))
                etree.SubElement(
                    etree.SubElement(paragraph, w("r")), w("t")
                ).text = f"Remark {comment_id}: please reconsider this wording."
                comment_id += 1
            else:
                attributes = {w("author"): author, w("date"): "2025-04-02T09:00:00Z"}
                deletion = etree.Element(w("del"), {w("id"): str(9000 + change_id), **attributes})
                gone = _run(run, target)
                gone.find(w("t")).tag = w("delText")
                deletion.append(gone)
                insertion = etree.Element(w("ins"), {w("id"): str(9500 + change_id), **attributes})
                insertion.append(_run(run, f"{target} revised"))
                pieces += [deletion, insertion]
                change_id += 1
            pieces.append(_run(run, after))
            parent = run.getparent()
            index = parent.index(run)
            parent.remove(run)
            for offset, piece in enumerate(pieces):
                parent.insert(index + offset, piece)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    parts["word/comments.xml"] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue(), comment_id, change_id


def _run(model, text: str):
    run = etree.Element(w("r"))
    properties = model.find(w("rPr"))
    if properties is not None:
        run.append(etree.fromstring(etree.tostring(properties)))
    t = etree.SubElement(run, w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def measure(app, people, per_section: int) -> dict:
    paper, version = build_paper(people)
    exported = export.render(exports.build_document(version), "docx", export.ExportOptions())
    data, made_comments, made_changes = review(
        exported, per_section, [people[1].name, f"{people[2].name} (SHS)", "Outside Expert"]
    )
    engine = app.extensions["plume.engine"]
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    report = imports.import_docx(paper.id, people[0], data)
    session.commit()
    seconds = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", count)
    if "--statements" in sys.argv:
        from collections import Counter

        for statement, times in Counter(" ".join(s.split())[:70] for s in sent).most_common(12):
            print(f"{times:6}  {statement}")
    return {
        "items in file": made_comments + made_changes,
        "comments": made_comments,
        "changes": made_changes,
        "counts": report.counts,
        "seconds": round(seconds, 2),
        "statements": len(sent),
        "file KB": len(data) // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--statements", action="store_true", help="the most frequent SQL")
    args = parser.parse_args()
    url = make_database(args.backend)
    try:
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        with app.app_context():
            reference.load_reference(app.config["REFERENCE_DIR"])
            session.commit()
            codes = [s.code for s in session.scalars(select(Sector))]
            people = [
                users.create_user(f"bench{n}@example.org", f"Bench Person{n}", sector)
                for n, sector in enumerate(["CLT", "CLT", "SHS", "CI"])
                if sector in codes
            ]
            session.commit()
            # 1 + 1 per section (120 remarks), then 5 + 5 per section (600 remarks).
            for per_section in (1, 5):
                print(args.backend, measure(app, people, per_section))
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
