"""imported items: remarks brought in from returned Word files

Revision ID: roundtrip_imported_items
Revises: stages_round_completion
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "roundtrip_imported_items"
down_revision = "stages_round_completion"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('comment', 'reply', 'suggestion')", name=op.f("ck_imported_items_kind")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_imported_items_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_imported_items_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_imported_items_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"],
            ["comment_replies.id"],
            name=op.f("fk_imported_items_reply_id_comment_replies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_imported_items_version_id_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_items")),
        sa.UniqueConstraint("paper_id", "key", name=op.f("uq_imported_items_paper_id_key")),
    )
    with op.batch_alter_table("imported_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imported_items_comment_id"), ["comment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("imported_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_items_comment_id"))

    op.drop_table("imported_items")
