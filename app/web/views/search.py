"""The search page: results with their snippets, facets to narrow them, pages of 20.

Reached from the search box in every paper's header (that paper) or at /search (all my
papers). It works as plain links and a GET form; plume.js adds keyboard navigation.
"""

from __future__ import annotations

from flask import render_template, request, url_for

from app.models import SearchKind
from app.services import access, search
from app.services.search import Filters
from app.web import bp
from app.web.auth import me
from app.web.links import hit_link

PER_PAGE = 20
ARGS = ("q", "paper_id", "kind", "section_id", "sector", "author")


def _args() -> dict:
    """The search's own arguments as the URL carries them (the page number aside)."""
    return {name: request.args[name] for name in ARGS if request.args.get(name)}


def search_url(**changes) -> str:
    """This search with some arguments changed (None removes one); back to page 1."""
    args = _args()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for("web.search_page", **args)


@bp.get("/search")
def search_page():
    user = me()
    text = request.args.get("q", "")
    paper_id = request.args.get("paper_id", type=int)
    paper = access.get_paper(paper_id, user) if paper_id else None
    kind = request.args.get("kind")
    filters = Filters(
        paper_id=paper.id if paper else None,
        kind=kind if kind in {k.value for k in SearchKind} else None,
        section_id=request.args.get("section_id", type=int),
        sector=request.args.get("sector") or None,
        author_id=request.args.get("author", type=int),
    )
    page = max(1, request.args.get("page", 1, type=int))
    results = (
        search.search(user, text, filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        if text.strip()
        else None
    )
    template = "search/paper.html" if paper else "search/all.html"
    return render_template(
        template,
        paper=paper,
        roles=access.permissions(user, paper).roles if paper else set(),
        q=text,
        results=results,
        page=page,
        search_url=search_url,
        hit_link=hit_link,
        page_url=lambda number: url_for("web.search_page", **_args(), page=number),
    )
