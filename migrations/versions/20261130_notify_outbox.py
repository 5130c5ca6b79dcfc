"""notifications: the outbox, per-user settings, sent mails, periodic runs

Revision ID: notify_outbox
Revises: roundtrip_imported_items
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_outbox"
down_revision = "roundtrip_imported_items"
branch_labels = None
depends_on = None

# Frozen here: a later change to the enums is a migration of its own.
CATEGORIES = ("assignments", "section_comments", "my_comments", "mentions", "rounds", "signoff")
DELIVERIES = ("immediately", "digest", "off")
EVENTS = (
    "section.assigned",
    "section.due_soon",
    "section.overdue",
    "comment.on_my_section",
    "comment.reply",
    "comment.decision",
    "comment.orphaned",
    "comment.mention",
    "round.opened",
    "round.closing",
    "round.extended",
    "round.closed",
    "version.for_signature",
    "version.signed_off",
    "version.blocked",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.create_table(
        "periodic_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periodic_runs")),
        sa.UniqueConstraint("kind", "day", "target", name=op.f("uq_periodic_runs_kind_day_target")),
    )
    op.create_table(
        "sent_mails",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sent_mails")),
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            _in("category", CATEGORIES),
            name=op.f("ck_notification_settings_category"),
        ),
        sa.CheckConstraint(
            _in("delivery", DELIVERIES),
            name=op.f("ck_notification_settings_delivery"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "category", name=op.f("pk_notification_settings")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_attempts", sa.Integer(), nullable=False),
        sa.Column("mail_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            _in("category", CATEGORIES),
            name=op.f("ck_notifications_category"),
        ),
        sa.CheckConstraint(_in("delivery", DELIVERIES), name=op.f("ck_notifications_delivery")),
        sa.CheckConstraint(
            _in("event", EVENTS),
            name=op.f("ck_notifications_event"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_notifications_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_notifications_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index("ix_notifications_unmailed", ["delivery", "mailed_at"], unique=False)
        batch_op.create_index("ix_notifications_user_read", ["user_id", "read_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read")
        batch_op.drop_index("ix_notifications_unmailed")
        batch_op.drop_index(batch_op.f("ix_notifications_paper_id"))

    op.drop_table("notifications")
    op.drop_table("notification_settings")
    op.drop_table("sent_mails")
    op.drop_table("periodic_runs")
