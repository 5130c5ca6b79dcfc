"""export jobs: exports made by the worker

Revision ID: notify_exportjobs
Revises: notify_outbox
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_exportjobs"
down_revision = "notify_outbox"
branch_labels = None
depends_on = None

# Frozen here: a later change to the enums is a migration of its own.
FORMATS = ("docx", "pdf", "md")
STATUSES = ("queued", "running", "ready", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("export_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'ready') = (export_id IS NOT NULL)",
            name=op.f("ck_export_jobs_ready_iff_export"),
        ),
        sa.CheckConstraint(_in("format", FORMATS), name=op.f("ck_export_jobs_format")),
        sa.CheckConstraint(
            "status <> 'failed' OR reason IS NOT NULL",
            name=op.f("ck_export_jobs_failed_has_reason"),
        ),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_export_jobs_status")),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_export_jobs_export_id_exports")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_export_jobs_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_export_jobs_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_jobs_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_jobs_version_id"))

    op.drop_table("export_jobs")
