"""Add UN document settings: paper symbol and disclaimer, user job title

The document symbol (CLT/2027/PP/1) and the disclaimer page are per paper; the job title is
printed under a signatory's name on the sign-off page. Existing rows get "" and false.

Revision ID: documents_un_settings
Revises: hardening_account_links
Create Date: 2026-11-30 04:29:25.647472
"""

import sqlalchemy as sa
from alembic import op

revision = "documents_un_settings"
down_revision = "hardening_account_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("document_symbol", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("disclaimer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("job_title", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("job_title")

    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.drop_column("disclaimer")
        batch_op.drop_column("document_symbol")
