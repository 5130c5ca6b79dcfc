"""versions have a purpose (review or signature) and an override reason; the paper's status
is derived from the work, no longer stored

Revision ID: stages_version_purpose
Revises: exportformats
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "stages_version_purpose"
down_revision = "exportformats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=20), nullable=False, server_default="review")
        )
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
    # A version someone already took a position on was, in effect, frozen for signature.
    op.execute(
        "UPDATE versions SET purpose = 'signature' WHERE id IN (SELECT version_id FROM positions)"
    )
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.alter_column("purpose", server_default=None)
        batch_op.create_check_constraint(
            batch_op.f("ck_versions_purpose"), "purpose IN ('review', 'signature')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_versions_override_for_signature"),
            "override_reason IS NULL OR purpose = 'signature'",
        )
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_papers_status"), type_="check")
        batch_op.drop_column("status")


def downgrade() -> None:
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="drafting")
        )
    op.execute(
        "UPDATE papers SET status = 'signed_off' WHERE id IN "
        "(SELECT paper_id FROM versions WHERE signed_off_at IS NOT NULL)"
    )
    with op.batch_alter_table("papers", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.create_check_constraint(
            batch_op.f("ck_papers_status"),
            "status IN ('drafting', 'in_review', 'consolidating', 'signed_off')",
        )
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_versions_override_for_signature"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_versions_purpose"), type_="check")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("purpose")
