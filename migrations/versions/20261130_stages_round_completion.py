"""a sector marks its review of a round complete (or no comments); the coordinator closes
a round before its deadline

Revision ID: stages_round_completion
Revises: stages_version_purpose
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "stages_round_completion"
down_revision = "stages_version_purpose"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "round_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('complete', 'no_comments', 'withdrawn')",
            name=op.f("ck_round_completions_action"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["review_rounds.id"],
            name=op.f("fk_round_completions_round_id_review_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sectors.id"], name=op.f("fk_round_completions_sector_id_sectors")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_round_completions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_completions")),
    )
    with op.batch_alter_table("round_completions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_completions_round_id"), ["round_id"], unique=False
        )

    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_review_rounds_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_review_rounds_closed_by_whom"),
            "(closed_at IS NULL) = (closed_by_id IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_review_rounds_closed_by_whom"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_review_rounds_closed_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("round_completions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_completions_round_id"))

    op.drop_table("round_completions")
