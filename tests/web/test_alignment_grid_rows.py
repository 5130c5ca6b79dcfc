"""A grid of many sections is shown a hundred rows and one framework at a time; the counts
cover every row."""

from __future__ import annotations

import re

from sqlalchemy import func, insert, select

from app.db import session
from app.models import Role, Section
from app.services import alignment
from app.web.views.alignment import GRID_ROWS


def test_a_long_paper_shows_its_grid_in_pages_of_rows_and_counts_every_row(paper, client, sign_in):
    coordinator = paper.people[Role.COORDINATOR]
    last = session.scalar(select(func.max(Section.position)).where(Section.paper_id == paper.id))
    session.execute(
        insert(Section),
        [
            {"paper_id": paper.id, "position": last + n, "number": f"90.{n}", "title_en": "More"}
            for n in range(1, GRID_ROWS + 1)
        ],
    )
    far = session.scalar(select(Section).where(Section.number == f"90.{GRID_ROWS}"))
    alignment.record_section_decision(
        far, coordinator, item_code="REC2021.P3", status="conflict", rationale="Far down."
    )
    total = session.scalar(select(func.count()).where(Section.paper_id == paper.id))
    sign_in(paper.people[Role.OBSERVER])

    # A long paper shows one framework at a time, the first by default.
    default = client.get(f"/papers/{paper.id}/alignment").get_data(as_text=True)
    heads = set(re.findall(r'id="item-([A-Z0-9]+)\.', default))
    assert heads == {"CONV2005"}, heads
    assert '<option value="all" >' in default or '<option value="all">' in default
    assert "rows=2" in default and "framework=CONV2005" in default

    first = client.get(f"/papers/{paper.id}/alignment?framework=all").get_data(as_text=True)
    rows = re.findall(r'<tr class="(?:level-\d|whole-paper)" id="row-(\w+)"', first)
    assert rows[0] == "paper" and len(rows) == GRID_ROWS + 1
    assert f'data-cell="{far.id}:REC2021.P3"' not in first
    assert f"Sections 1–{GRID_ROWS} of {total}" in first
    assert "Next sections" in first and "Previous sections" not in first
    # The counts under the grid and the conflict list cover the rows not shown.
    assert 'data-count="conflict:REC2021.P3">1</td>' in first
    assert f"/sections/{far.id}/alignment/REC2021.P3" in first
    # The coverage lists under the grid show their first entries and say how many remain.
    undecided = first[first.index('id="undecided"') : first.index('id="expected-missing"')]
    listed = undecided.count("<li data-section=")
    count = int(re.search(r'<span class="count">(\d+)</span>', undecided).group(1))
    assert listed == 50 and f"and {count - 50} more" in undecided

    second = client.get(f"/papers/{paper.id}/alignment?framework=all&rows=2").get_data(as_text=True)
    cell = re.search(rf'<td class="([^"]*)" data-cell="{far.id}:REC2021.P3">', second)
    assert cell and cell.group(1).split() == ["cell", "cell-conflict"]
    assert f"Sections {GRID_ROWS + 1}–{total} of {total}" in second
    assert "Previous sections" in second and "Next sections" not in second


def test_every_page_of_the_grid_takes_as_many_statements_as_a_short_paper(
    paper, client, sign_in, db
):
    from sqlalchemy import event

    def statements(url: str) -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            seen.append(statement)

        engine = db.get_bind().engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(seen)

    sign_in(paper.people[Role.OBSERVER])
    url = f"/papers/{paper.id}/alignment?framework=all"
    client.get(url)  # what a first request reads once (the session, the translations)
    short = statements(url)
    last = session.scalar(select(func.max(Section.position)).where(Section.paper_id == paper.id))
    session.execute(
        insert(Section),
        [
            {"paper_id": paper.id, "position": last + n, "number": f"90.{n}", "title_en": "More"}
            for n in range(1, 2 * GRID_ROWS + 1)
        ],
    )
    pages = [statements(f"{url}&rows={n}") for n in (1, 2, 3)]
    assert pages == [short] * 3, (short, pages)
