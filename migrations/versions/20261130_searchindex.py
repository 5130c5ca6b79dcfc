"""search index: one document per section text, comment, reply and decision

PostgreSQL: the unaccent extension, two text search configurations (plume_english,
plume_french: unaccent, then the Snowball stemmer), a generated tsvector column and its
GIN index. SQLite: an FTS5 table over the stems (unicode61 remove_diacritics 2) whose
external content is search_documents, kept in step by triggers. Then every existing
record gets its document. The text functions below are a frozen copy of
app/services/search_text.py (migrations never import the app).

Revision ID: searchindex
Revises: 0001
Create Date: 2026-11-30
"""

import re
import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
import Stemmer
from alembic import op

revision = "searchindex"
down_revision = "0001"
branch_labels = None
depends_on = None

CONFIGURATIONS = [("plume_english", "english"), ("plume_french", "french")]
CONFIG = (
    "CASE WHEN language = 'fr' THEN 'plume_french'::regconfig ELSE 'plume_english'::regconfig END"
)
# Dots join words into one token for PostgreSQL's parser ("REC2021.P7"): not in the index.
TSV = (
    f"setweight(to_tsvector({CONFIG}, replace(heading, '.', ' ')), 'A') || "
    f"setweight(to_tsvector({CONFIG}, replace(body, '.', ' ')), 'B')"
)
FTS_COLUMNS = "heading, body"


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("heading_terms", sa.Text(), nullable=True),
        sa.Column("body_terms", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('section', 'comment', 'decision')", name=op.f("ck_search_documents_kind")
        ),
        sa.CheckConstraint(
            "source IN ('section', 'comment', 'reply', 'alignment', 'position')",
            name=op.f("ck_search_documents_source"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_search_documents_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_search_documents_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["sections.id"],
            name=op.f("fk_search_documents_section_id_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sectors.id"], name=op.f("fk_search_documents_sector_id_sectors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint(
            "source", "source_id", name=op.f("uq_search_documents_source_source_id")
        ),
    )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_documents_paper_id"), ["paper_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_search_documents_section_id"), ["section_id"], unique=False
        )

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for name, language in CONFIGURATIONS:
            op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {language})")
            op.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR "
                f"hword, hword_part, word WITH unaccent, {language}_stem"
            )
        op.execute(
            f"ALTER TABLE search_documents ADD COLUMN tsv tsvector "
            f"GENERATED ALWAYS AS ({TSV}) STORED"
        )
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    else:
        op.execute(
            f"CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS}, "
            "content='search_documents', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        # FTS5 indexes the stems but reads the text (its content) for snippet().
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
            "INSERT INTO search_fts(rowid, heading, body) "
            "VALUES (new.id, new.heading_terms, new.body_terms); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, heading, body) "
            "VALUES ('delete', old.id, old.heading_terms, old.body_terms); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_au "
            "AFTER UPDATE OF heading_terms, body_terms ON search_documents BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, heading, body) "
            "VALUES ('delete', old.id, old.heading_terms, old.body_terms); "
            "INSERT INTO search_fts(rowid, heading, body) "
            "VALUES (new.id, new.heading_terms, new.body_terms); END"
        )
    _backfill(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS tsv")
        for name, _language in CONFIGURATIONS:
            op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
    else:
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_documents_{trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_documents_section_id"))
        batch_op.drop_index(batch_op.f("ix_search_documents_paper_id"))
    op.drop_table("search_documents")


# --- the backfill, with a frozen copy of the text functions ----------------------------

_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_STORED = str.maketrans({"\u02bc": "\u2019", "\ue000": None, "\ue001": None})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_STEMMERS = {"en": "english", "fr": "french"}


def _token_pattern() -> re.Pattern:
    marks = [
        code
        for code in [*range(0x20000), *range(0xE0000, 0xE0200)]
        if unicodedata.category(chr(code)) == "Mn"
    ]
    ranges, start = [], marks[0]
    for previous, code in zip(marks, [*marks[1:], None], strict=True):
        if code != previous + 1:
            ranges.append((start, previous))
            start = code
    members = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"(?:[^\\W_]|[{members}{_PRIVATE_USE}])+")


def _fold(word: str) -> str:
    """Lower case without diacritics or ligatures: "Été" -> "ete", "œuvre" -> "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _terms(text: str, language: str, pattern: re.Pattern, stemmers: dict) -> str:
    stemmer = stemmers.setdefault(language, Stemmer.Stemmer(_STEMMERS.get(language, "english")))
    out = []
    for word in pattern.findall(text):
        folded = _fold(word)
        term = stemmer.stemWord(folded)
        if not term.isalnum() or not term.isascii() or pattern.fullmatch(term) is None:
            term = folded
            if not term or pattern.fullmatch(term) is None:
                term = "x"
        out.append(term)
    return " ".join(out)


def _join(*parts, sep="\n\n") -> str:
    return sep.join(part for part in parts if part)


def _backfill(bind) -> None:
    sqlite = bind.dialect.name == "sqlite"
    pattern, stemmers = _token_pattern(), {}
    now = datetime.now(UTC)
    rows = []

    def add(source, kind, source_id, paper_id, language, heading, body, **more):
        heading, body = (heading or "").translate(_STORED), (body or "").translate(_STORED)
        rows.append(
            {
                "paper_id": paper_id,
                "kind": kind,
                "source": source,
                "source_id": source_id,
                "section_id": more.get("section_id"),
                "author_id": more.get("author_id"),
                "sector_id": more.get("sector_id"),
                "language": language,
                "status": more.get("status"),
                "heading": heading,
                "body": body,
                "heading_terms": _terms(heading, language, pattern, stemmers) if sqlite else None,
                "body_terms": _terms(body, language, pattern, stemmers) if sqlite else None,
                "updated_at": now,
            }
        )

    run = bind.execute
    for r in run(
        sa.text(
            "SELECT s.id, s.paper_id, s.title_en, s.title_fr, p.language, r.body, "
            "r.author_id, u.sector_id FROM sections s JOIN papers p ON p.id = s.paper_id "
            "LEFT JOIN revisions r ON r.id = (SELECT max(id) FROM revisions "
            "WHERE section_id = s.id) LEFT JOIN users u ON u.id = r.author_id"
        )
    ):
        heading = (
            r.title_en
            if not r.title_fr or r.title_fr == r.title_en
            else (f"{r.title_en} · {r.title_fr}")
        )
        add(
            "section",
            "section",
            r.id,
            r.paper_id,
            r.language,
            heading,
            r.body,
            section_id=r.id,
            author_id=r.author_id,
            sector_id=r.sector_id,
        )
    for r in run(
        sa.text(
            "SELECT c.id, c.section_id, c.author_id, c.sector_id, c.body, c.proposed_text, "
            "c.rationale, c.status, c.item_code, s.paper_id, p.language FROM comments c "
            "JOIN sections s ON s.id = c.section_id JOIN papers p ON p.id = s.paper_id"
        )
    ):
        add(
            "comment",
            "comment",
            r.id,
            r.paper_id,
            r.language,
            r.item_code or "",
            _join(r.body, r.proposed_text, r.rationale),
            section_id=r.section_id,
            author_id=r.author_id,
            sector_id=r.sector_id,
            status=r.status,
        )
    for r in run(
        sa.text(
            "SELECT cr.id, cr.body, cr.author_id, c.section_id, s.paper_id, p.language, "
            "u.sector_id FROM comment_replies cr JOIN comments c ON c.id = cr.comment_id "
            "JOIN sections s ON s.id = c.section_id JOIN papers p ON p.id = s.paper_id "
            "JOIN users u ON u.id = cr.author_id"
        )
    ):
        add(
            "reply",
            "comment",
            r.id,
            r.paper_id,
            r.language,
            "",
            r.body,
            section_id=r.section_id,
            author_id=r.author_id,
            sector_id=r.sector_id,
        )
    for r in run(
        sa.text(
            "SELECT d.id, d.paper_id, d.section_id, d.status, d.rationale, d.decided_by_id, "
            "i.code, i.title_en, i.title_fr, p.language, u.sector_id "
            "FROM alignment_decisions d JOIN framework_items i ON i.id = d.item_id "
            "JOIN papers p ON p.id = d.paper_id JOIN users u ON u.id = d.decided_by_id"
        )
    ):
        heading = " · ".join(dict.fromkeys(x for x in (r.code, r.title_en, r.title_fr) if x))
        add(
            "alignment",
            "decision",
            r.id,
            r.paper_id,
            r.language,
            heading,
            r.rationale,
            section_id=r.section_id,
            author_id=r.decided_by_id,
            sector_id=r.sector_id,
            status=r.status,
        )
    positions = sa.text(
        "SELECT d.id, d.paper_id, d.section_id, d.question, d.decision, d.rationale, "
        "d.options, d.decided_by_id, p.language, u.sector_id FROM position_decisions d "
        "JOIN papers p ON p.id = d.paper_id JOIN users u ON u.id = d.decided_by_id"
    ).columns(options=sa.JSON())
    for r in run(positions):
        add(
            "position",
            "decision",
            r.id,
            r.paper_id,
            r.language,
            r.question,
            _join(r.decision, r.rationale, "; ".join(r.options or [])),
            section_id=r.section_id,
            author_id=r.decided_by_id,
            sector_id=r.sector_id,
        )

    if rows:
        table = sa.table(
            "search_documents",
            *(sa.column(name) for name in rows[0] if name != "updated_at"),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        )
        for start in range(0, len(rows), 1000):
            run(table.insert(), rows[start : start + 1000])
