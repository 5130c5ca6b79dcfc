"""Schemas of full-text search."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from app.api.schemas import Length, OneOf, Strict
from app.models import SearchKind
from app.services.search import MAX_PER_PAGE
from app.services.search_text import MAX_QUERY_CHARS

KINDS = [kind.value for kind in SearchKind]


class SearchQuery(Strict):
    q = fields.String(
        required=True,
        validate=Length(1, MAX_QUERY_CHARS),
        metadata={
            "description": 'Words (all must be there), "a phrase", `or` between '
            'alternatives, -word or -"a phrase" to leave out (websearch_to_tsquery\'s syntax).'
        },
    )
    paper_id = fields.Integer(metadata={"description": "one paper (default: all mine)"})
    kind = fields.String(validate=OneOf(KINDS))
    section_id = fields.Integer()
    sector = fields.String(
        validate=Length(1, 16), metadata={"description": "the code of the writer's sector"}
    )
    author = fields.Integer(metadata={"description": "the id of the writer"})
    limit = fields.Integer(load_default=20, validate=validators.Range(1, MAX_PER_PAGE))
    offset = fields.Integer(load_default=0, validate=validators.Range(0, 10_000))


class SearchSectionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    title = fields.String()


class SearchPersonOut(Schema):
    id = fields.Integer()
    name = fields.String()


class SearchHitOut(Schema):
    kind = fields.String(metadata={"description": "section, comment or decision"})
    source = fields.String(
        metadata={"description": "section, comment, reply, alignment or position"}
    )
    id = fields.Integer(metadata={"description": "the id of the section, comment, reply..."})
    title = fields.String()
    link = fields.String(metadata={"description": "the page and place where the text is"})
    snippet = fields.String(
        metadata={"description": "HTML: the text around the match, escaped, each match in <mark>"}
    )
    score = fields.Float(metadata={"description": "relevance, higher first"})
    paper_id = fields.Integer()
    paper_title = fields.String()
    section = fields.Nested(SearchSectionOut, allow_none=True)
    comment_id = fields.Integer(allow_none=True)
    item_code = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    author = fields.Nested(SearchPersonOut, allow_none=True)
    sector = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class FacetOut(Schema):
    value = fields.Raw()
    label = fields.String()
    count = fields.Integer()
    selected = fields.Boolean()


class SearchFacetsOut(Schema):
    kind = fields.List(fields.Nested(FacetOut))
    section = fields.List(fields.Nested(FacetOut))
    sector = fields.List(fields.Nested(FacetOut))


class SearchResultsOut(Schema):
    query = fields.String()
    total = fields.Integer()
    offset = fields.Integer()
    limit = fields.Integer()
    results = fields.List(fields.Nested(SearchHitOut))
    facets = fields.Nested(SearchFacetsOut)
