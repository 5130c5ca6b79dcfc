"""SQLite: a narrow copy of each search document's scope and facet fields (search_scope)

A search reads the paper, language, status, author, kind, section and sector of every
match (thousands, for a common word) to keep the reader's scope and count the facets.
FTS5 cannot hand them over itself: even UNINDEXED columns are read from the content table
row by row. Read from search_documents, each lookup lands in a row that also carries the
text and its stems; search_scope holds only those fields, about 40 bytes a row, so the
same lookups touch a few pages. Triggers keep it in step with search_documents, as they
keep search_fts. PostgreSQL reads its matches' fields in the same scan: nothing to do.

Revision ID: search_scope
Revises: search_plain_text
Create Date: 2026-11-30
"""

from alembic import op

revision = "search_scope"
down_revision = "search_plain_text"
branch_labels = None
depends_on = None

COLUMNS = "id, paper_id, language, kind, section_id, sector_id, author_id, status"
NEW = ", ".join(f"new.{name.strip()}" for name in COLUMNS.split(","))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE search_scope (id INTEGER PRIMARY KEY, paper_id INTEGER NOT NULL, "
        "language VARCHAR(2) NOT NULL, kind VARCHAR(20) NOT NULL, section_id INTEGER, "
        "sector_id INTEGER, author_id INTEGER, status VARCHAR(20))"
    )
    op.execute(f"INSERT INTO search_scope ({COLUMNS}) SELECT {COLUMNS} FROM search_documents")
    op.execute(
        "CREATE TRIGGER search_scope_ai AFTER INSERT ON search_documents BEGIN "
        f"INSERT INTO search_scope ({COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER search_scope_ad AFTER DELETE ON search_documents BEGIN "
        "DELETE FROM search_scope WHERE id = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER search_scope_au AFTER UPDATE ON search_documents BEGIN "
        "DELETE FROM search_scope WHERE id = old.id; "
        f"INSERT INTO search_scope ({COLUMNS}) VALUES ({NEW}); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS search_scope_{trigger}")
    op.execute("DROP TABLE IF EXISTS search_scope")
