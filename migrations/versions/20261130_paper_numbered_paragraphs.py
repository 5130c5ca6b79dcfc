"""Add the numbered paragraphs setting to papers

Whether the body paragraphs of the paper's exports are numbered 1, 2, 3... across its sections,
as UN documents are. Existing papers keep their exports as they were: false.

Revision ID: paper_numbered_paragraphs
Revises: self_registration_domains
Create Date: 2026-11-30 06:43:46.590439
"""

import sqlalchemy as sa
from alembic import op

revision = "paper_numbered_paragraphs"
down_revision = "self_registration_domains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "numbered_paragraphs", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.drop_column("numbered_paragraphs")
