"""activity section: the section each activity entry is about, for the feed's filters

Existing entries get it from their target: the section itself, or the section_id of the
revision, comment or decision they name.

Revision ID: activitysection
Revises: sectionvisits
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "activitysection"
down_revision = "sectionvisits"
branch_labels = None
depends_on = None

# target_type (the model's class name, lower case) -> the table whose row has a section_id.
TARGETS = {
    "revision": "revisions",
    "comment": "comments",
    "alignmentdecision": "alignment_decisions",
    "positiondecision": "position_decisions",
}


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("section_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_activity_section_id"), ["section_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_activity_section_id_sections"), "sections", ["section_id"], ["id"]
        )
    op.execute(
        "UPDATE activity SET section_id = target_id WHERE target_type = 'section' "
        "AND target_id IN (SELECT id FROM sections)"
    )
    for target_type, table in TARGETS.items():
        op.execute(
            f"UPDATE activity SET section_id = (SELECT t.section_id FROM {table} t "
            f"WHERE t.id = activity.target_id) WHERE target_type = '{target_type}'"
        )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_activity_section_id_sections"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_activity_section_id"))
        batch_op.drop_column("section_id")
