"""export formats: the exports.format CHECK follows the registry (docx, pdf, md)

The comment matrix and the alignment annex were never stored as exports; their values leave
the CHECK. Values frozen here, as they were when this migration was written.

Revision ID: exportformats
Revises: activitysection
Create Date: 2026-11-30
"""

from alembic import op

revision = "exportformats"
down_revision = "activitysection"
branch_labels = None
depends_on = None

BEFORE = ("docx", "pdf", "md", "matrix_csv", "matrix_docx", "alignment_annex")
AFTER = ("docx", "pdf", "md")


def _check(values: tuple[str, ...]) -> str:
    return "format IN ({})".format(", ".join(f"'{value}'" for value in values))


def _replace(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_exports_format"), type_="check")
        batch_op.create_check_constraint("format", _check(values))


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    _replace(BEFORE)
