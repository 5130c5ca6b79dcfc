"""The dashboard: my queue (what waits for me), and the papers I take part in."""

from __future__ import annotations

from collections import Counter

from flask import render_template

from app.services import access, papers, queue, sections, stages, visits
from app.web import bp
from app.web.auth import me


def state_counts(rows) -> Counter:
    return Counter(str(row.state) for row in rows)


@bp.get("/")
def dashboard():
    user = me()
    my_papers = []
    for paper in papers.list_papers(user):
        rows = sections.list_sections(paper.id, user)
        my_papers.append(
            {
                "paper": paper,
                "roles": sorted(access.permissions(user, paper).roles),
                "status": stages.paper_status(paper),
                "counts": state_counts(rows),
                "total": len(rows),
            }
        )
    news = visits.news_by_paper(user, [entry["paper"].id for entry in my_papers])
    waiting = queue.my_queue(user)
    # The open comments on each section I lead are among those awaiting my resolution.
    open_comments = Counter(comment.section_id for comment in waiting.comments)
    commented = {
        section_id: sections.get_section(section_id, user)
        for section_id in {comment.section_id for comment in waiting.comments}
    }
    papers_by_id = {entry["paper"].id: entry["paper"] for entry in my_papers}
    return render_template(
        "dashboard.html",
        my_papers=my_papers,
        news=news,
        leading=waiting.sections,
        open_comments=open_comments,
        comments_awaiting=[
            (comment, commented[comment.section_id]) for comment in waiting.comments
        ],
        papers_by_id=papers_by_id,
        rounds_awaiting=waiting.rounds,
        awaiting_signature=waiting.versions,
    )
