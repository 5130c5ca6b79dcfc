"""self-registration domains set by an admin (merged with PLUME_OIDC_SELF_REGISTRATION)

Revision ID: self_registration_domains
Revises: search_current_decisions
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "self_registration_domains"
down_revision = "search_current_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_registration_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_self_registration_domains_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sectors.id"],
            name=op.f("fk_self_registration_domains_sector_id_sectors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_registration_domains")),
        sa.UniqueConstraint("domain", name=op.f("uq_self_registration_domains_domain")),
    )


def downgrade() -> None:
    op.drop_table("self_registration_domains")
