"""The dashboard: my queue, and the papers I take part in."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import render_template

from app.models import SectionState
from app.services import access, papers, sections, signoff
from app.web import bp
from app.web.auth import me


def state_counts(rows) -> Counter:
    return Counter(str(row.state) for row in rows)


@bp.get("/")
def dashboard():
    user = me()
    my_papers, leading = [], []
    for paper in papers.list_papers(user):
        rows = sections.list_sections(paper.id, user)
        my_papers.append(
            {
                "paper": paper,
                "roles": sorted(access.roles_on(user, paper.id)),
                "counts": state_counts(rows),
                "total": len(rows),
            }
        )
        leading += [(paper, row) for row in rows if row.lead_author_id == user.id]
    # Work still to do first, the most overdue at the top; sections without a date last.
    leading.sort(
        key=lambda pair: (
            pair[1].state == SectionState.APPROVED,
            pair[1].due_date or date.max,
            pair[0].id,
            pair[1].position,
        )
    )
    return render_template(
        "dashboard.html",
        my_papers=my_papers,
        leading=leading,
        awaiting_signature=signoff.versions_awaiting(user),
    )
