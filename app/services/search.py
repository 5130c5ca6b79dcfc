"""Full-text search over the papers a reader may read: sections' current text, comments and
their replies, alignment rationales and position decisions.

One call costs a fixed number of statements, whatever the paper's size: the papers' languages
(when no paper is named), then per language present one ranked page of hits with their
snippets and one grouped count that gives the facets (kind, section, sector) and the total.
PostgreSQL asks its GIN index with websearch_to_tsquery and marks snippets with ts_headline;
SQLite asks FTS5 with the same query parsed and stemmed (app/services/search_text.py) and
marks them with snippet(). Both return the same Results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import and_, case, column, func, literal_column, or_, select, table
from sqlalchemy.orm import aliased

from app.db import session
from app.models import (
    AlignmentDecision,
    CommentReply,
    CommentStatus,
    FrameworkItem,
    Paper,
    PaperMember,
    SearchDocument,
    SearchKind,
    Section,
    Sector,
    User,
)
from app.services.access import get_paper
from app.services.errors import BadInput
from app.services.search_text import MARK_END, MARK_START, Query, fts5_match, parse

D = SearchDocument
MAX_PER_PAGE = 100
# How long a snippet is: FTS5 counts tokens, ts_headline words.
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=28, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# A section's title counts more than its text (bm25 weights per FTS5 column).
FTS_WEIGHTS = "bm25(4.0, 1.0)"
CONFIGS = {"en": "plume_english", "fr": "plume_french"}


@dataclass(frozen=True)
class Filters:
    paper_id: int | None = None
    kind: str | None = None
    section_id: int | None = None
    sector: str | None = None
    author_id: int | None = None


@dataclass
class Hit:
    document_id: int
    kind: str
    source: str
    id: int
    paper_id: int
    paper_title: str
    language: str
    section_id: int | None
    section_number: str | None
    section_title: str | None
    comment_id: int | None  # the comment a reply answers, or the comment itself
    item_code: str | None
    heading: str
    status: str | None
    author_id: int | None
    author_name: str | None
    sector: str | None
    snippet: Markup
    score: float
    updated_at: datetime


@dataclass
class Facet:
    value: str | int
    label: str
    count: int
    selected: bool
    number: str | None = None  # a section's number, for sorting and showing


@dataclass
class Results:
    query: str
    words: list[str]
    filters: Filters
    hits: list[Hit]
    total: int
    facets: dict[str, list[Facet]] = field(default_factory=dict)
    offset: int = 0
    limit: int = 20

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


def search(
    user: User, text: str, filters: Filters = Filters(), *, limit: int = 20, offset: int = 0
) -> Results:
    """What the reader finds for `text` in the papers they may read, best first."""
    if filters.kind is not None and filters.kind not in {kind.value for kind in SearchKind}:
        raise BadInput("search_kind", kind=filters.kind)
    limit = max(1, min(limit, MAX_PER_PAGE))
    offset = max(0, offset)
    query = parse(text)
    results = Results(query.text, query.words(), filters, [], 0, offset=offset, limit=limit)
    if query.empty:
        return results

    backend = _Postgres() if session.get_bind().dialect.name == "postgresql" else _Sqlite()
    if filters.paper_id is not None:
        paper = get_paper(filters.paper_id, user)
        languages = [paper.language]
        scope = D.paper_id == paper.id
    else:
        readable = (
            select(Paper.id)
            if user.is_admin
            else select(PaperMember.paper_id).where(PaperMember.user_id == user.id)
        )
        scope = D.paper_id.in_(readable)
        languages = backend.languages(readable)
    conditions = [
        scope,
        or_(D.status.is_(None), D.status != CommentStatus.WITHDRAWN),
    ]
    if filters.author_id is not None:
        conditions.append(D.author_id == filters.author_id)
    faceted = _facet_conditions(filters)

    groups, hits = [], []
    for language, match in backend.matches(query, languages):
        groups += backend.groups(match, language, conditions)
        hits += backend.page(match, language, [*conditions, *faceted], limit + offset)
    # The databases' own order: best first, then the oldest document.
    hits.sort(key=lambda hit: (-hit.score, hit.document_id))
    results.hits = hits[offset : offset + limit]
    results.total, results.facets = _facets(groups, filters)
    return results


def _facet_conditions(filters: Filters) -> list:
    conditions = []
    if filters.kind is not None:
        conditions.append(D.kind == filters.kind)
    if filters.section_id is not None:
        conditions.append(D.section_id == filters.section_id)
    if filters.sector is not None:
        conditions.append(
            D.sector_id
            == select(Sector.id).where(Sector.code == filters.sector.upper()).scalar_subquery()
        )
    return conditions


# --- the two databases -----------------------------------------------------------------


class _Backend:
    def languages(self, readable) -> list[str]:
        """The languages of the papers in scope (each stems its own way)."""
        return list(
            session.scalars(
                select(Paper.language)
                .where(Paper.id.in_(readable))
                .distinct()
                .order_by(Paper.language)
            )
        )

    def matches(self, query: Query, languages: list[str]):
        raise NotImplementedError

    def _from(self, match, language):
        raise NotImplementedError

    def groups(self, match, language: str, conditions: list) -> list:
        """(kind, section id, number, titles, sector id, code, count) of every match."""
        statement = (
            self._from(match, language)
            .with_only_columns(
                D.kind,
                D.section_id,
                Section.number,
                Section.position,
                Section.title_en,
                Section.title_fr,
                Paper.language,
                D.sector_id,
                Sector.code,
                func.count(),
            )
            .outerjoin(Section, Section.id == D.section_id)
            .outerjoin(Sector, Sector.id == D.sector_id)
            .join(Paper, Paper.id == D.paper_id)
            .where(*conditions)
            .group_by(
                D.kind,
                D.section_id,
                Section.number,
                Section.position,
                Section.title_en,
                Section.title_fr,
                Paper.language,
                D.sector_id,
                Sector.code,
            )
        )
        return list(session.execute(statement))

    def page(self, match, language: str, conditions: list, limit: int) -> list[Hit]:
        raise NotImplementedError


def _hit_columns():
    """The columns a hit shows, from the document and what it points at."""
    reply = aliased(CommentReply)
    decision = aliased(AlignmentDecision)
    item = aliased(FrameworkItem)
    columns = [
        D.id,
        D.kind,
        D.source,
        D.source_id,
        D.paper_id,
        Paper.title.label("paper_title"),
        Paper.language,
        D.section_id,
        Section.number,
        Section.title_en,
        Section.title_fr,
        case((D.source == "reply", reply.comment_id), (D.source == "comment", D.source_id)).label(
            "comment_id"
        ),
        item.code.label("item_code"),
        D.heading,
        D.status,
        D.author_id,
        User.name.label("author_name"),
        Sector.code.label("sector"),
        D.updated_at,
    ]

    def joins(statement):
        return (
            statement.join(Paper, Paper.id == D.paper_id)
            .outerjoin(Section, Section.id == D.section_id)
            .outerjoin(User, User.id == D.author_id)
            .outerjoin(Sector, Sector.id == D.sector_id)
            .outerjoin(reply, and_(D.source == "reply", reply.id == D.source_id))
            .outerjoin(decision, and_(D.source == "alignment", decision.id == D.source_id))
            .outerjoin(item, item.id == decision.item_id)
        )

    return columns, joins


def _hit(row) -> Hit:
    language = row.language
    title = None
    if row.section_id is not None:
        title = (row.title_fr or row.title_en) if language == "fr" else row.title_en
    return Hit(
        document_id=row.id,
        kind=row.kind,
        source=row.source,
        id=row.source_id,
        paper_id=row.paper_id,
        paper_title=row.paper_title,
        language=language,
        section_id=row.section_id,
        section_number=row.number,
        section_title=title,
        comment_id=row.comment_id,
        item_code=row.item_code,
        heading=row.heading,
        status=row.status,
        author_id=row.author_id,
        author_name=row.author_name,
        sector=row.sector,
        snippet=marked(row.snippet or ""),
        score=float(row.score or 0),
        updated_at=row.updated_at,
    )


class _Postgres(_Backend):
    """A GIN index over a generated tsvector; one tsquery per language configuration."""

    def languages(self, readable) -> list[str]:
        return list(CONFIGS)  # one statement covers them all: no need to ask

    def matches(self, query: Query, languages: list[str]):
        # One statement covers every language: each document is matched in its own.
        yield languages, query.text

    @staticmethod
    def _config(language):
        return literal_column(f"'{CONFIGS[language]}'::regconfig")

    def _tsquery(self, text: str, language: str):
        return func.websearch_to_tsquery(self._config(language), text)

    def _condition(self, text: str, languages: list[str]):
        tsv = literal_column("search_documents.tsv")
        return or_(
            *[
                and_(D.language == language, tsv.op("@@")(self._tsquery(text, language)))
                for language in languages
            ]
        )

    def _by_language(self, make):
        return case(
            *[(D.language == lang, make(lang)) for lang in CONFIGS if lang != "en"],
            else_=make("en"),
        )

    def _from(self, text, languages):
        return select(D.id).where(self._condition(text, languages))

    def page(self, text, languages, conditions, limit):
        tsv = literal_column("search_documents.tsv")
        score = func.ts_rank(tsv, self._by_language(lambda lang: self._tsquery(text, lang)))
        top = (
            select(D.id, score.label("score"))
            .where(self._condition(text, languages), *conditions)
            .order_by(score.desc(), D.id)
            .limit(limit)
            .subquery()
        )
        columns, joins = _hit_columns()
        snippet = func.ts_headline(
            self._by_language(self._config),
            D.heading + "\n\n" + D.body,
            self._by_language(lambda lang: self._tsquery(text, lang)),
            HEADLINE_OPTIONS,
        )
        statement = joins(
            select(*columns, top.c.score, snippet.label("snippet")).join(top, top.c.id == D.id)
        ).order_by(top.c.score.desc(), D.id)
        return [_hit(row) for row in session.execute(statement)]


class _Sqlite(_Backend):
    """FTS5 over the stems; its rank is bm25, its snippet() reads the original text."""

    fts = literal_column("search_fts")  # the table's name, as FTS5's functions take it
    table = table("search_fts", column("rowid"), column("rank"))

    def matches(self, query: Query, languages: list[str]):
        # Stems depend on the language: one FTS5 query per language present.
        for language in languages:
            match = fts5_match(query, language)
            if match is not None:
                yield language, match

    def _from(self, match, language):
        return (
            select(D.id)
            .select_from(self.table)
            .join(D, D.id == self.table.c.rowid)
            .where(self.fts.op("MATCH")(match), D.language == language)
        )

    def page(self, match, language, conditions, limit):
        columns, joins = _hit_columns()
        rank = self.table.c.rank
        statement = joins(
            select(
                *columns,
                (-rank).label("score"),
                func.snippet(self.fts, -1, MARK_START, MARK_END, "…", SNIPPET_TOKENS).label(
                    "snippet"
                ),
            )
            .select_from(self.table)
            .join(D, D.id == self.table.c.rowid)
        ).where(
            self.fts.op("MATCH")(match),
            rank.op("MATCH")(FTS_WEIGHTS),
            D.language == language,
            *conditions,
        )
        # FTS5 hands rows over best first (ORDER BY rank): snippet() runs for the page only.
        statement = statement.order_by(rank).limit(limit)
        return [_hit(row) for row in session.execute(statement)]


# --- facets and snippets ---------------------------------------------------------------


def _facets(groups, filters: Filters) -> tuple[int, dict[str, list[Facet]]]:
    """The total, and per facet the count of each value among the hits that the other
    facets' choices keep (so choosing a kind still shows the other kinds' counts)."""
    chosen = {"kind": filters.kind, "section": filters.section_id, "sector": filters.sector}
    rows = []
    for row in groups:
        rows.append(
            {
                "kind": row.kind,
                "section": row.section_id,
                "sector": row.code,
                "count": row[-1],
                "section_label": (
                    (row.title_fr or row.title_en) if row.language == "fr" else row.title_en
                ),
                "number": row.number,
                "position": row.position,
            }
        )

    def keeps(row, *, but: str) -> bool:
        for name, value in chosen.items():
            if name == but or value is None:
                continue
            if (row[name].upper() if name == "sector" and row[name] else row[name]) != (
                value.upper() if name == "sector" else value
            ):
                return False
        return True

    total = sum(row["count"] for row in rows if keeps(row, but=""))
    facets: dict[str, list[Facet]] = {}
    for name in chosen:
        counts: dict = defaultdict(int)
        labels, order = {}, {}
        for row in rows:
            if row[name] is None or not keeps(row, but=name):
                continue
            counts[row[name]] += row["count"]
            if name == "section":
                labels[row[name]] = row["section_label"]
                order[row[name]] = (row["position"], row["number"])
        values = list(counts)
        if name == "section":
            values.sort(key=lambda v: order[v])
        elif name == "kind":
            values.sort(key=[k.value for k in SearchKind].index)
        else:
            values.sort()
        selected = chosen[name]
        facets[name] = [
            Facet(
                value=value,
                label=labels.get(value, str(value)),
                count=counts[value],
                selected=selected is not None and (str(value).upper() == str(selected).upper()),
                number=order[value][1] if name == "section" else None,
            )
            for value in values
        ]
    return total, facets


def marked(snippet: str) -> Markup:
    """A snippet as safe HTML: the text escaped, each match in <mark>."""
    text = " ".join(snippet.split())
    html = str(escape(text)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return Markup(html)
