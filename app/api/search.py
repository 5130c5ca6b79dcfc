"""Full-text search over the papers I may read."""

from app.api import bp, current_user
from app.api.schemas.search import SearchQuery, SearchResultsOut
from app.services import search
from app.services.search import Filters, Hit
from app.web.links import hit_link


def _title(hit: Hit) -> str:
    """A short English name for the hit (the pages say it in the reader's language)."""
    section = f"{hit.section_number} {hit.section_title}" if hit.section_id else None
    if hit.source == "section":
        return section
    if hit.source == "comment":
        return f"Comment {hit.id}" + (f" on {section}" if section else "")
    if hit.source == "reply":
        return f"Reply to comment {hit.comment_id}" + (f" on {section}" if section else "")
    if hit.source == "alignment":
        where = section or "the whole paper"
        return f"{hit.item_code}: {hit.status} ({where})"
    return hit.heading


def _out(hit: Hit) -> dict:
    return {
        "kind": hit.kind,
        "source": hit.source,
        "id": hit.id,
        "title": _title(hit),
        "link": hit_link(hit, _external=True),
        "snippet": str(hit.snippet),
        "score": round(hit.score, 6),
        "paper_id": hit.paper_id,
        "paper_title": hit.paper_title,
        "section": (
            {"id": hit.section_id, "number": hit.section_number, "title": hit.section_title}
            if hit.section_id
            else None
        ),
        "comment_id": hit.comment_id,
        "item_code": hit.item_code,
        "status": hit.status,
        "author": {"id": hit.author_id, "name": hit.author_name} if hit.author_id else None,
        "sector": hit.sector,
        "updated_at": hit.updated_at,
    }


@bp.get("/search")
@bp.input(SearchQuery, location="query", arg_name="query")
@bp.output(SearchResultsOut)
@bp.doc(
    tags=["Search"],
    summary="Search sections, comments and replies, alignment and position decisions",
    description="Only the papers the caller may read. Results come best first, with a "
    "snippet whose matches are marked, and facets (kind, section, sector) whose counts "
    "follow the other filters.",
)
def search_papers(query):
    filters = Filters(
        paper_id=query.get("paper_id"),
        kind=query.get("kind"),
        section_id=query.get("section_id"),
        sector=query.get("sector"),
        author_id=query.get("author"),
    )
    results = search.search(
        current_user(), query["q"], filters, limit=query["limit"], offset=query["offset"]
    )
    return {
        "query": results.query,
        "total": results.total,
        "offset": results.offset,
        "limit": results.limit,
        "results": [_out(hit) for hit in results.hits],
        "facets": {
            name: [
                {"value": f.value, "label": f.label, "count": f.count, "selected": f.selected}
                for f in facets
            ]
            for name, facets in results.facets.items()
        },
    }
