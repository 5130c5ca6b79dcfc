"""Full-text search over the papers a reader may read: sections' current text, comments and
their replies, alignment rationales and position decisions.

One call costs a fixed number of statements, whatever the paper's size: when no paper is
named, the languages of the papers the reader may read; per language one summary that ranks
every match once and returns the best ids, a (kind, sector) grid of counts and the sections
that say it most, with their titles (the facets and the total), and with a paper named
whether the reader may read it and its language; then one statement for the page's details
and snippets, 20 documents. Both are compiled once and sent as SQL text (_Prepared).
PostgreSQL asks its GIN index with websearch_to_tsquery and marks snippets with ts_headline;
SQLite asks FTS5 with the same query parsed and stemmed (app/services/search_text.py), reads
each match's scope and facet fields from the narrow search_scope table, and marks snippets
with snippet(). Both return the same Results. The index holds text as its page shows it,
without Markdown (app/text/plain.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape
from sqlalchemy import (
    ARRAY,
    Float,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    column,
    exists,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
)

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
from app.services.errors import BadInput, NotFound
from app.services.search_text import MARK_END, MARK_START, STEMMERS, Query, fts5_match, parse

D = SearchDocument
MAX_PER_PAGE = 100
# How many sections the section facet offers, those with most hits first.
SECTION_FACETS = 30
# How long a snippet is: FTS5 counts tokens, ts_headline words.
SNIPPET_TOKENS = 24
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=28, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# A section's title counts more than its text (bm25 weights per FTS5 column).
FTS_WEIGHTS = "bm25(4.0, 1.0)"
CONFIGS = {"en": "plume_english", "fr": "plume_french"}
# An FTS5 query no document answers: private-use characters are never stored.
NOTHING = '"\ue000"'


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

    connection = _core()
    dialect = connection.dialect.name
    backend = _BACKENDS[dialect]
    # The reader by their id: their row is not read again.
    params: dict = {"user_id": _user_id(user)}
    one_paper = filters.paper_id is not None
    if one_paper:
        # Whether the reader may read the paper, and its language, come back with the
        # summary (a row of its own): no statement of their own. The admin flag does not
        # shape a search of one paper.
        params["paper_id"] = filters.paper_id
        is_admin = False
        searches = [(None, backend.paper_match(query))]
    else:
        is_admin = user.is_admin
        searches = [
            (language, {"match": match})
            for language, match in backend.matches(query, backend.languages(is_admin, params))
        ]
    if filters.author_id is not None:
        params["author_id"] = filters.author_id

    # One statement per language ranks every match once (in the database) and returns the
    # page's ids with the facets' counts (and the sections' titles) and the total; a second
    # asks for the page's details and snippets, for its 20 documents only. Each statement's
    # shape is built once (bound parameters carry the query, the scope and the choices).
    chosen = _chosen(filters)
    params.update({name: value for name, value in chosen.items() if value is not None})
    params["top"], params["sections"] = offset + limit, SECTION_FACETS
    shape = (
        one_paper,
        is_admin,
        filters.author_id is not None,
        tuple(name for name, value in chosen.items() if value is not None),
    )
    top, counts, queries = [], {name: defaultdict(int) for name in chosen}, {}
    sections = {}
    paper = None
    for language, match in searches:
        if language is not None:
            queries[language] = match["match"]
        found = _summary_statement(dialect, language, shape)
        for row in map(_SummaryRow._make, found.execute(connection, {**params, **match}).all()):
            part = row.part
            if part == "hit":
                top.append(_Match(row.key, row.language, row.score))
            elif part == "grid":
                _count_grid(counts, chosen, row)
            elif part == "paper":
                paper = row
            else:
                counts["section_id"][row.key] += row.n
                sections[row.key] = row
    if one_paper:
        if paper is None:
            raise NotFound("paper", id=filters.paper_id)
        if not paper.key:
            # A stranger to the paper hears "not found", as everywhere else.
            raise NotFound("paper")
        queries = dict(backend.matches(query, [paper.language]))
    kinds = counts["kind"]
    results.total = kinds.get(chosen["kind"], 0) if chosen["kind"] else sum(kinds.values())
    top.sort(key=lambda m: (-m.score, m.id))
    page = top[offset : offset + limit]
    rows = {}
    for language, match in queries.items():
        ids = [m.id for m in page if backend.same_query(m, language)]
        if ids:
            statement = _page_statement(dialect, language)
            found = statement.execute(
                connection,
                {"match": match, "ids": backend.ids(ids), "low": min(ids), "high": max(ids)},
            )
            rows.update({row[0]: row for row in found.all()})
    results.hits = [_hit(rows[m.id], m.score) for m in page if m.id in rows]
    results.facets = _facets(counts, chosen, sections)
    return results


def _user_id(user: User) -> int:
    """The user's id, without reading their row again when the session has expired it."""
    state = inspect(user, raiseerr=False)
    return state.identity[0] if state is not None and state.identity else user.id


def _paper_access():
    """Whether the user (bound as `user_id`) may read the paper (bound as `paper_id`): a
    member, or an admin."""
    return or_(
        exists().where(
            PaperMember.paper_id == bindparam("paper_id"),
            PaperMember.user_id == bindparam("user_id"),
        ),
        select(User.is_admin).where(User.id == bindparam("user_id")).scalar_subquery(),
    )


def _readable(is_admin: bool):
    """The ids of the papers the user (bound as `user_id`) may read."""
    if is_admin:
        return select(Paper.id)
    return select(PaperMember.paper_id).where(PaperMember.user_id == bindparam("user_id"))


@lru_cache(maxsize=64)
def _summary_statement(dialect: str, language, shape: tuple):
    """The summary's statement for one shape of search: a paper named or not, an admin or
    not, an author named or not, which facets are chosen."""
    one_paper, is_admin, by_author, chosen = shape
    backend = _BACKENDS[dialect]
    fields = backend.fields.c
    scope = (
        fields.paper_id == bindparam("paper_id")
        if one_paper
        else fields.paper_id.in_(_readable(is_admin))
    )
    conditions = [scope, or_(fields.status.is_(None), fields.status != CommentStatus.WITHDRAWN)]
    if one_paper:
        conditions.append(_paper_access())
    if by_author:
        conditions.append(fields.author_id == bindparam("author_id"))
    return _Prepared(_summary(backend.matched(language, conditions), chosen, one_paper=one_paper))


@lru_cache(maxsize=8)
def _page_statement(dialect: str, language):
    return _Prepared(_BACKENDS[dialect].page(language))


class _Match(NamedTuple):
    id: int
    language: str
    score: float


class _SummaryRow(NamedTuple):
    """A row of the summary (_summary): read as a tuple, its columns by name cost a tenth
    of a driver row's."""

    part: str
    key: int | None
    kind: str | None
    n: int | None
    score: float | None
    language: str | None
    sector: str | None
    number: str | None
    position: int | None
    title_en: str | None
    title_fr: str | None


def _summary(matched, chosen: tuple[str, ...], *, one_paper: bool = False):
    """From the ranked matches (a CTE, computed once): the best `top` ids that the
    facets' choices (bound by name) keep, and each facet's counts under the other facets'
    choices (the total is the kind facet's count for the kind chosen, or its sum).

    Rows: part, key, kind, n, score, language, sector, number, position, title_en,
    title_fr; part is hit (key: the document), grid (a kind and a sector's code) or
    section_id (key: the section, with what its facet shows), and with a paper named,
    paper (key: 1 if the reader may read it, its language), none if there is no such paper.
    """
    m = matched.cte("matched").prefix_with("MATERIALIZED")
    # A sector is chosen by its code: its id is looked up once, in the statement.
    sector_chosen = m.c.sector_id == (
        select(Sector.id).where(Sector.code == bindparam("sector_id")).scalar_subquery()
    )

    def keeping(but: str | None = None):
        return [
            sector_chosen if name == "sector_id" else m.c[name] == bindparam(name)
            for name in chosen
            if name != but
        ]

    def row(
        part, *, key=None, kind=None, n=None, score=None, language=None, sector=None, section=None
    ):
        return select(
            literal(part).label("part"),
            _typed(key, Integer).label("key"),
            _typed(kind, String).label("kind"),
            _typed(n, Integer).label("n"),
            _typed(score, Float).label("score"),
            _typed(language, String).label("language"),
            _typed(sector, String).label("sector"),
            *(
                [section.number, section.position, section.title_en, section.title_fr]
                if section is not None
                else [
                    _typed(None, String).label("number"),
                    _typed(None, Integer).label("position"),
                    _typed(None, String).label("title_en"),
                    _typed(None, String).label("title_fr"),
                ]
            ),
        )

    best = (
        select(m.c.id, m.c.score, m.c.language)
        .where(*keeping())
        .order_by(m.c.score.desc(), m.c.id)
        .limit(bindparam("top", type_=Integer))
        .subquery()
    )
    hits = row("hit", key=best.c.id, score=best.c.score, language=best.c.language)
    # The kind and sector facets from one grouping, a grid of at most kinds x sectors cells
    # that Python adds up each way (_count_grid): SQLite sorts every match for a grouping,
    # and PostgreSQL's GROUPING SETS with a window to rank the sections cost more.
    section_chosen = [m.c.section_id == bindparam("section_id")] if "section_id" in chosen else []
    cells = (
        select(m.c.kind, m.c.sector_id, func.count().label("n"))
        .where(*section_chosen)
        .group_by(m.c.kind, m.c.sector_id)
        .subquery()
    )
    grid = (
        row("grid", kind=cells.c.kind, n=cells.c.n, sector=Sector.code)
        .select_from(cells)
        .outerjoin(Sector, Sector.id == cells.c.sector_id)
    )
    # The sections that say it most (and the one chosen): a word found in every section of
    # a paper of 1,000 would otherwise list 1,000 of them.
    section_order = [
        *([(m.c.section_id == bindparam("section_id")).desc()] if "section_id" in chosen else []),
        func.count().desc(),
        m.c.section_id,
    ]
    counted = (
        select(m.c.section_id, func.count().label("n"))
        .where(m.c.section_id.is_not(None), *keeping("section_id"))
        .group_by(m.c.section_id)
        .order_by(*section_order)
        .limit(bindparam("sections", type_=Integer))
        .subquery()
    )
    sections = (
        row(
            "section_id",
            key=counted.c.section_id,
            n=counted.c.n,
            language=Paper.language,
            section=Section,
        )
        .select_from(counted)
        .join(Section, Section.id == counted.c.section_id)
        .join(Paper, Paper.id == Section.paper_id)
    )
    parts = [hits, grid, sections]
    if one_paper:
        readable = case((_paper_access(), 1), else_=0)
        parts.append(
            row("paper", key=readable, language=Paper.language)
            .select_from(Paper)
            .where(Paper.id == bindparam("paper_id"))
        )
    return union_all(*parts)


def _typed(value, type_):
    return literal(None, type_) if value is None else value


def _count_grid(counts: dict, chosen: dict, row) -> None:
    """One cell of the (kind, sector) grid counts for the kind facet under the sector
    chosen, and for the sector facet under the kind chosen."""
    if chosen["sector_id"] is None or row.sector == chosen["sector_id"]:
        counts["kind"][row.kind] += row.n
    if row.sector is not None and (chosen["kind"] is None or row.kind == chosen["kind"]):
        counts["sector_id"][row.sector] += row.n


def _chosen(filters: Filters) -> dict:
    """The facets' choices as the statements bind them (a sector by its code)."""
    return {
        "kind": filters.kind,
        "section_id": filters.section_id,
        "sector_id": filters.sector.upper() if filters.sector is not None else None,
    }


# --- the two databases -----------------------------------------------------------------


class _Backend:
    # Where a match's scope and facet fields are read.
    fields = SearchDocument.__table__

    def languages(self, is_admin: bool, params: dict) -> list[str]:
        """The languages of the papers in scope (each stems its own way)."""
        return list(_core().scalars(_languages_statement(is_admin), params))

    def matches(self, query: Query, languages: list[str]):
        raise NotImplementedError

    def paper_match(self, query: Query) -> dict:
        """The query's parameters for the summary of one paper, whose language the
        statement reads (`matched` with no language)."""
        raise NotImplementedError

    def same_query(self, match: _Match, language) -> bool:
        return match.language == language

    def matched(self, language, conditions: list):
        """A select of every match (the query bound as `match`): id, kind, section,
        sector, language, score. No language: the paper named's (`paper_match`)."""
        raise NotImplementedError

    def page(self, language):
        """The page's details and snippets: the query bound as `match`, the ids as `ids`
        (as `ids` makes them)."""
        raise NotImplementedError

    def ids(self, ids: list[int]):
        return ids


@lru_cache(maxsize=2)
def _languages_statement(is_admin: bool):
    return (
        select(Paper.language)
        .where(Paper.id.in_(_readable(is_admin)))
        .distinct()
        .order_by(Paper.language)
    )


# The columns a hit shows, from the document and what it points at. A reply's comment and
# a decision's item are subqueries, not joins: with them joined PostgreSQL spends longer
# choosing the order of eight tables (13 ms) than running the statement.
_HIT_COLUMNS = [
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
    case(
        (
            D.source == "reply",
            select(CommentReply.comment_id).where(CommentReply.id == D.source_id).scalar_subquery(),
        ),
        (D.source == "comment", D.source_id),
    ).label("comment_id"),
    case(
        (
            D.source == "alignment",
            select(FrameworkItem.code)
            .join(AlignmentDecision, AlignmentDecision.item_id == FrameworkItem.id)
            .where(AlignmentDecision.id == D.source_id)
            .scalar_subquery(),
        )
    ).label("item_code"),
    D.heading,
    D.status,
    D.author_id,
    User.name.label("author_name"),
    Sector.code.label("sector"),
    D.updated_at,
]


def _hit_joins(statement):
    return (
        statement.join(Paper, Paper.id == D.paper_id)
        .outerjoin(Section, Section.id == D.section_id)
        .outerjoin(User, User.id == D.author_id)
        .outerjoin(Sector, Sector.id == D.sector_id)
    )


def _hit(row, score: float) -> Hit:
    # The row's columns in _HIT_COLUMNS' order, then the snippet.
    (
        document_id,
        kind,
        source,
        source_id,
        paper_id,
        paper_title,
        language,
        section_id,
        number,
        title_en,
        title_fr,
        comment_id,
        item_code,
        heading,
        status,
        author_id,
        author_name,
        sector,
        updated_at,
        snippet,
    ) = row
    title = None
    if section_id is not None:
        title = (title_fr or title_en) if language == "fr" else title_en
    return Hit(
        document_id,
        kind,
        source,
        source_id,
        paper_id,
        paper_title,
        language,
        section_id,
        number,
        title,
        comment_id,
        item_code,
        heading,
        status,
        author_id,
        author_name,
        sector,
        marked(snippet or ""),
        float(score or 0),
        _utc(updated_at),
    )


def _utc(value) -> datetime:
    """A timestamp as UTCDateTime reads it: SQLite's driver gives the stored text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _match_columns(fields) -> list:
    return [fields.c[name] for name in ("id", "kind", "section_id", "sector_id", "language")]


class _Postgres(_Backend):
    """A GIN index over a generated tsvector; one tsquery per language configuration."""

    def languages(self, is_admin, params) -> list[str]:  # noqa: ARG002 (the interface)
        return list(CONFIGS)  # one statement covers them all: no need to ask

    def matches(self, query: Query, languages: list[str]):
        # One statement covers every language: each document is matched in its own.
        yield tuple(languages), query.text

    def same_query(self, match: _Match, language) -> bool:  # noqa: ARG002 (the interface)
        return True

    def paper_match(self, query: Query) -> dict:
        return {"match": query.text}

    @staticmethod
    def _config(language):
        return literal_column(f"'{CONFIGS[language]}'::regconfig")

    def _tsquery(self, language: str):
        return func.websearch_to_tsquery(self._config(language), bindparam("match", type_=String))

    def _by_language(self, make, languages=tuple(CONFIGS)):
        """`make(language)` for each document's language: a CASE over the languages in
        scope, or the one language of a paper named (no CASE for each row)."""
        if len(languages) == 1:
            return make(languages[0])
        return case(
            *[(D.language == lang, make(lang)) for lang in CONFIGS if lang != "en"],
            else_=make("en"),
        )

    def matched(self, languages, conditions):
        languages = languages or tuple(CONFIGS)
        tsv = literal_column("search_documents.tsv")
        score = func.ts_rank(tsv, self._by_language(self._tsquery, languages))
        matched = or_(
            *[and_(D.language == lang, tsv.op("@@")(self._tsquery(lang))) for lang in languages]
        )
        return select(*_match_columns(self.fields), score.label("score")).where(
            matched, *conditions
        )

    def page(self, languages):
        snippet = func.ts_headline(
            self._by_language(self._config, languages),
            D.heading + "\n\n" + D.body,
            self._by_language(self._tsquery, languages),
            HEADLINE_OPTIONS,
        )
        return _hit_joins(select(*_HIT_COLUMNS, snippet.label("snippet"))).where(
            D.id == any_(bindparam("ids", type_=ARRAY(Integer)))
        )


_table = table  # the class below names an attribute `table`


class _Sqlite(_Backend):
    """FTS5 over the stems; its rank is bm25, its snippet() reads the original text."""

    fts = literal_column("search_fts")  # the table's name, as FTS5's functions take it
    table = table("search_fts", column("rowid"), column("rank"))
    # The documents' scope and facet fields without their text (migration search_scope):
    # a match's lookup there touches a few small pages, not a row of text and stems.
    fields = _table(
        "search_scope",
        *(column(name) for name in ("id", "paper_id", "language", "kind", "section_id")),
        *(column(name) for name in ("sector_id", "author_id", "status")),
    )

    def matches(self, query: Query, languages: list[str]):
        # Stems depend on the language: one FTS5 query per language present.
        for language in languages:
            match = fts5_match(query, language)
            if match is not None:
                yield language, match

    def paper_match(self, query: Query) -> dict:
        # Bound for each language; the statement picks the paper's. A language in which
        # the query asks for nothing (only stop words) gets a term no document holds.
        return {
            f"match_{language}": fts5_match(query, language) or NOTHING for language in STEMMERS
        }

    def _match(self, language):
        if language is not None:
            return bindparam("match", type_=String)
        paper_language = (
            select(Paper.language).where(Paper.id == bindparam("paper_id")).scalar_subquery()
        )
        return case(
            *[
                (paper_language == lang, bindparam(f"match_{lang}", type_=String))
                for lang in STEMMERS
                if lang != "en"
            ],
            else_=bindparam("match_en", type_=String),
        )

    def matched(self, language, conditions):
        # FTS5 answers first, once, and the documents are looked up by its rowids: the join
        # goes through `rowid + 0`, which FTS5 cannot take as a constraint. Otherwise
        # SQLite's planner may prefer the documents' paper index and ask FTS5 once per
        # document of the paper: 21,000 queries for a paper of 1,000 sections.
        fields = self.fields
        return (
            select(*_match_columns(fields), (-self.table.c.rank).label("score"))
            .select_from(self.table)
            .join(fields, fields.c.id == self.table.c.rowid + literal_column("0"))
            .where(
                self.fts.op("MATCH")(self._match(language)),
                self.table.c.rank.op("MATCH")(FTS_WEIGHTS),
                # A paper named is in one language: its own.
                *([fields.c.language == language] if language is not None else []),
                *conditions,
            )
        )

    def page(self, language):  # noqa: ARG002 (FTS5's snippet needs no language)
        snippet = func.snippet(self.fts, -1, MARK_START, MARK_END, "…", SNIPPET_TOKENS)
        return _hit_joins(
            select(*_HIT_COLUMNS, snippet.label("snippet"))
            .select_from(self.table)
            .join(D, D.id == self.table.c.rowid)
        ).where(
            self.fts.op("MATCH")(bindparam("match", type_=String)),
            # FTS5 walks the matches between the page's first and last ids once; asked for
            # each id (rowid IN, pushed down), it would start the query over 20 times.
            self.table.c.rowid.between(bindparam("low"), bindparam("high")),
            (self.table.c.rowid + literal_column("0")).in_(
                select(literal_column("value")).select_from(
                    func.json_each(bindparam("ids", type_=String))
                )
            ),
        )

    def ids(self, ids: list[int]):
        # One JSON array, so that the statement's text is the same whatever their number.
        return "[" + ",".join(map(str, ids)) + "]"


# --- facets and snippets ---------------------------------------------------------------


def _facets(counts: dict, chosen: dict, sections: dict) -> dict:
    """Each facet's values with their counts (under the other facets' choices); `sections`
    holds each counted section's row of the summary (its number, place and titles)."""
    kinds = [kind.value for kind in SearchKind]
    return {
        "kind": [
            Facet(kind, kind, counts["kind"][kind], kind == chosen["kind"])
            for kind in sorted(counts["kind"], key=kinds.index)
        ],
        "section": [
            Facet(
                id_,
                (row.title_fr or row.title_en) if row.language == "fr" else row.title_en,
                counts["section_id"][id_],
                id_ == chosen["section_id"],
                number=row.number,
            )
            for id_, row in sorted(sections.items(), key=lambda i: (i[1].position, i[0]))
        ],
        "sector": [
            Facet(code, code, count, code == chosen["sector_id"])
            for code, count in sorted(counts["sector_id"].items())
        ],
    }


def marked(snippet: str) -> Markup:
    """A snippet as safe HTML: the text escaped, each match in <mark>."""
    text = " ".join(snippet.split())
    html = str(escape(text)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return Markup(html)


_BACKENDS = {"postgresql": _Postgres(), "sqlite": _Sqlite()}


class _Prepared:
    """A Core select compiled once per database, then sent as its SQL text with its
    parameters: a search's statements have a fixed shape, and SQLAlchemy's compiled-cache
    lookup and parameter processing for each execution cost more than the SQL of a small
    page. Its rows come as the driver gives them: a timestamp goes through `_utc`."""

    def __init__(self, statement):
        self.statement = statement
        self.compiled = None

    def execute(self, connection, params: dict):
        compiled = self.compiled
        if compiled is None or compiled.dialect is not connection.dialect:
            compiled = self.compiled = _Compiled(self.statement, connection.dialect)
        return compiled.execute(connection, params)


class _Compiled:
    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.dialect = dialect
        self.sql = compiled.string
        self.positions = compiled.positiontup
        # The literals' values (an enum by its value, as the driver takes it).
        self.defaults = {
            name: _plain(bind.effective_value)
            for bind, name in compiled.bind_names.items()
            if not bind.required
        }

    def execute(self, connection, params: dict):
        values = {**self.defaults, **params}
        if self.positions is not None:
            values = tuple(values[name] for name in self.positions)
        return connection.exec_driver_sql(self.sql, values)


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def _core():
    """The session's connection: these statements are Core selects returning rows, so they
    skip the ORM's execution layer (about 0.2 ms a statement)."""
    return session.connection()
