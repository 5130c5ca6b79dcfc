"""comments: pages 70 % full on PostgreSQL, so a save's anchor updates stay on their page

Every save rewrites the anchor of each open comment of its section (anchor_revision_id,
anchor_start, anchor_end: none of them indexed). With room left on each page PostgreSQL
writes the new row version beside the old one without touching the four indexes (a HOT
update) and prunes the old one on the next visit; on full pages each of those rows costs
four index entries and leaves a dead row for VACUUM. Applies to pages written from now on
(`VACUUM FULL comments` rewrites the existing ones). SQLite has no such setting.

Revision ID: comments_fillfactor
Revises: paper_numbered_paragraphs
Create Date: 2026-11-30 09:58:45.084842
"""

from alembic import op

revision = "comments_fillfactor"
down_revision = "paper_numbered_paragraphs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE comments SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE comments RESET (fillfactor)")
