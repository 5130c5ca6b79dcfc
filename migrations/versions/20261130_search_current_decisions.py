"""the search index keeps only the alignment decisions in force (a newer decision of the
same cell replaces the one before it)

Revision ID: search_current_decisions
Revises: documents_un_settings
Create Date: 2026-11-30
"""

from alembic import op

revision = "search_current_decisions"
down_revision = "documents_un_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite the search_documents triggers remove the same rows from the FTS5 table.
    op.execute(
        "DELETE FROM search_documents WHERE source = 'alignment' AND source_id NOT IN ("
        "SELECT max(id) FROM alignment_decisions GROUP BY paper_id, section_id, item_id)"
    )


def downgrade() -> None:
    # Nothing to restore: the replaced decisions are still in alignment_decisions; the
    # older code indexed them too, but searched fine without them.
    pass
