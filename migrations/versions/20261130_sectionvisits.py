"""section visits: what each reader last saw of each section

Revision ID: sectionvisits
Revises: searchindex
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "sectionvisits"
down_revision = "searchindex"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "section_visits",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_section_visits_revision_id_revisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["sections.id"],
            name=op.f("fk_section_visits_section_id_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_section_visits_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "section_id", name=op.f("pk_section_visits")),
    )
    with op.batch_alter_table("section_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_section_visits_section_id"), ["section_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("section_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_visits_section_id"))
    op.drop_table("section_visits")
