"""create schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 18:24:45.565842
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frameworks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_fr", sa.String(length=300), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_frameworks_code_version")),
    )
    op.create_table(
        "sectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_fr", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sectors")),
        sa.UniqueConstraint("code", name=op.f("uq_sectors_code")),
    )
    op.create_table(
        "framework_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_fr", sa.String(length=300), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("description_fr", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('value', 'principle', 'policy_area')", name=op.f("ck_framework_items_kind")
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_items_framework_id_frameworks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_items")),
        sa.UniqueConstraint(
            "framework_id", "code", name=op.f("uq_framework_items_framework_id_code")
        ),
    )
    with op.batch_alter_table("framework_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_items_framework_id"), ["framework_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("session_nonce", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sectors.id"], name=op.f("fk_users_sector_id_sectors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_sector_id"), ["sector_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("language IN ('en', 'fr')", name=op.f("ck_papers_language")),
        sa.CheckConstraint(
            "status IN ('drafting', 'in_review', 'consolidating', 'signed_off')",
            name=op.f("ck_papers_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_papers_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_papers")),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_activity_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_activity_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "paper_frameworks",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_paper_frameworks_framework_id_frameworks"),
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_frameworks_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", "framework_id", name=op.f("pk_paper_frameworks")),
    )
    op.create_table(
        "paper_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('coordinator', 'author', 'reviewer', 'signatory', 'observer')",
            name=op.f("ck_paper_members_role"),
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_members_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_paper_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_members")),
        sa.UniqueConstraint(
            "paper_id", "user_id", "role", name=op.f("uq_paper_members_paper_id_user_id_role")
        ),
    )
    with op.batch_alter_table("paper_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_members_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_fr", sa.String(length=300), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("brief_fr", sa.Text(), nullable=False),
        sa.Column("expected_items", sa.JSON(), nullable=False),
        sa.Column("lead_author_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('not_started', 'drafting', 'in_review', 'changes_requested', 'approved')",
            name=op.f("ck_sections_state"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_author_id"], ["users.id"], name=op.f("fk_sections_lead_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_sections_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["sections.id"], name=op.f("fk_sections_parent_id_sections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sections")),
        sa.UniqueConstraint("paper_id", "number", name=op.f("uq_sections_paper_id_number")),
    )
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sections_lead_author_id"), ["lead_author_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sections_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sections_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_versions_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint("paper_id", "label", name=op.f("uq_versions_paper_id_label")),
    )
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_versions_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format IN ('docx', 'pdf', 'md', 'matrix_csv', 'matrix_docx', 'alignment_annex')",
            name=op.f("ck_exports_format"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_exports_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_exports_version_id_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exports_version_id"), ["version_id"], unique=False)

    op.create_table(
        "position_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_position_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_position_decisions_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], name=op.f("fk_position_decisions_section_id_sections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_decisions")),
    )
    with op.batch_alter_table("position_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_position_decisions_paper_id"), ["paper_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_position_decisions_section_id"), ["section_id"], unique=False
        )

    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "position <> 'block' OR (reason IS NOT NULL AND reason <> '')",
            name=op.f("ck_positions_block_has_reason"),
        ),
        sa.CheckConstraint(
            "position IN ('approve', 'no_objection', 'block', 'abstain')",
            name=op.f("ck_positions_position"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_positions_user_id_users")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_positions_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_positions_version_id"), ["version_id"], unique=False)

    op.create_table(
        "review_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_review_rounds_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_review_rounds_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=op.f("fk_review_rounds_version_id_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_rounds")),
    )
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_rounds_paper_id"), ["paper_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_rounds_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_revisions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["base_id"], ["revisions.id"], name=op.f("fk_revisions_base_id_revisions")
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["sections.id"],
            name=op.f("fk_revisions_section_id_sections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint("section_id", "number", name=op.f("uq_revisions_section_id_number")),
    )
    op.create_table(
        "section_sectors",
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["sections.id"],
            name=op.f("fk_section_sectors_section_id_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sectors.id"], name=op.f("fk_section_sectors_sector_id_sectors")
        ),
        sa.PrimaryKeyConstraint("section_id", "sector_id", name=op.f("pk_section_sectors")),
    )
    op.create_table(
        "alignment_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("quote_exact", sa.Text(), nullable=True),
        sa.Column("quote_prefix", sa.Text(), nullable=False),
        sa.Column("quote_suffix", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('aligned', 'partial', 'gap', 'conflict', 'not_applicable')",
            name=op.f("ck_alignment_decisions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_alignment_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["framework_items.id"],
            name=op.f("fk_alignment_decisions_item_id_framework_items"),
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_alignment_decisions_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_alignment_decisions_revision_id_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], name=op.f("fk_alignment_decisions_section_id_sections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alignment_decisions")),
    )
    with op.batch_alter_table("alignment_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alignment_decisions_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alignment_decisions_paper_id"), ["paper_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alignment_decisions_section_id"), ["section_id"], unique=False
        )

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("proposed_text", sa.Text(), nullable=True),
        sa.Column("item_code", sa.String(length=60), nullable=True),
        sa.Column("quote_exact", sa.Text(), nullable=True),
        sa.Column("quote_prefix", sa.Text(), nullable=False),
        sa.Column("quote_suffix", sa.Text(), nullable=False),
        sa.Column("anchor_revision_id", sa.Integer(), nullable=True),
        sa.Column("anchor_start", sa.Integer(), nullable=True),
        sa.Column("anchor_end", sa.Integer(), nullable=True),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'resolved') = (decision IS NOT NULL)",
            name=op.f("ck_comments_resolved_iff_decision"),
        ),
        sa.CheckConstraint(
            "decision IN ('accepted', 'accepted_modified', 'rejected', 'noted')",
            name=op.f("ck_comments_decision"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'resolved', 'withdrawn')", name=op.f("ck_comments_status")
        ),
        sa.CheckConstraint(
            "type IN ('editorial', 'substantive', 'legal', 'alignment')",
            name=op.f("ck_comments_type"),
        ),
        sa.ForeignKeyConstraint(
            ["anchor_revision_id"],
            ["revisions.id"],
            name=op.f("fk_comments_anchor_revision_id_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_comments_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revisions.id"], name=op.f("fk_comments_revision_id_revisions")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["review_rounds.id"], name=op.f("fk_comments_round_id_review_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["sections.id"],
            name=op.f("fk_comments_section_id_sections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sectors.id"], name=op.f("fk_comments_sector_id_sectors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_section_id"), ["section_id"], unique=False)

    op.create_table(
        "position_decision_sectors",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["position_decisions.id"],
            name=op.f("fk_position_decision_sectors_decision_id_position_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"],
            ["sectors.id"],
            name=op.f("fk_position_decision_sectors_sector_id_sectors"),
        ),
        sa.PrimaryKeyConstraint(
            "decision_id", "sector_id", name=op.f("pk_position_decision_sectors")
        ),
    )
    op.create_table(
        "round_sectors",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["review_rounds.id"],
            name=op.f("fk_round_sectors_round_id_review_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sector_id"], ["sectors.id"], name=op.f("fk_round_sectors_sector_id_sectors")
        ),
        sa.PrimaryKeyConstraint("round_id", "sector_id", name=op.f("pk_round_sectors")),
    )
    op.create_table(
        "version_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_version_sections_revision_id_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], name=op.f("fk_version_sections_section_id_sections")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_version_sections_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_sections")),
        sa.UniqueConstraint(
            "version_id", "section_id", name=op.f("uq_version_sections_version_id_section_id")
        ),
    )
    op.create_table(
        "alignment_decision_comments",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_alignment_decision_comments_comment_id_comments"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["alignment_decisions.id"],
            name=op.f("fk_alignment_decision_comments_decision_id_alignment_decisions"),
        ),
        sa.PrimaryKeyConstraint(
            "decision_id", "comment_id", name=op.f("pk_alignment_decision_comments")
        ),
    )
    op.create_table(
        "comment_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comment_replies_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_replies_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comment_replies.id"],
            name=op.f("fk_comment_replies_parent_id_comment_replies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_replies")),
    )
    with op.batch_alter_table("comment_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_replies_comment_id"), ["comment_id"], unique=False
        )

    op.create_table(
        "comment_resolutions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("applied_revision_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('resolved', 'reopened')", name=op.f("ck_comment_resolutions_action")
        ),
        sa.CheckConstraint(
            "decision IN ('accepted', 'accepted_modified', 'rejected', 'noted')",
            name=op.f("ck_comment_resolutions_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_comment_resolutions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["applied_revision_id"],
            ["revisions.id"],
            name=op.f("fk_comment_resolutions_applied_revision_id_revisions"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_resolutions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_resolutions")),
    )
    with op.batch_alter_table("comment_resolutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_resolutions_comment_id"), ["comment_id"], unique=False
        )

    op.create_table(
        "position_decision_comments",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_position_decision_comments_comment_id_comments"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["position_decisions.id"],
            name=op.f("fk_position_decision_comments_decision_id_position_decisions"),
        ),
        sa.PrimaryKeyConstraint(
            "decision_id", "comment_id", name=op.f("pk_position_decision_comments")
        ),
    )


def downgrade() -> None:
    op.drop_table("position_decision_comments")
    with op.batch_alter_table("comment_resolutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_resolutions_comment_id"))

    op.drop_table("comment_resolutions")
    with op.batch_alter_table("comment_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_replies_comment_id"))

    op.drop_table("comment_replies")
    op.drop_table("alignment_decision_comments")
    op.drop_table("version_sections")
    op.drop_table("round_sectors")
    op.drop_table("position_decision_sectors")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_section_id"))
        batch_op.drop_index(batch_op.f("ix_comments_round_id"))
        batch_op.drop_index(batch_op.f("ix_comments_author_id"))

    op.drop_table("comments")
    with op.batch_alter_table("alignment_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alignment_decisions_section_id"))
        batch_op.drop_index(batch_op.f("ix_alignment_decisions_paper_id"))
        batch_op.drop_index(batch_op.f("ix_alignment_decisions_item_id"))

    op.drop_table("alignment_decisions")
    op.drop_table("section_sectors")
    op.drop_table("revisions")
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_rounds_version_id"))
        batch_op.drop_index(batch_op.f("ix_review_rounds_paper_id"))

    op.drop_table("review_rounds")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positions_version_id"))

    op.drop_table("positions")
    with op.batch_alter_table("position_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_decisions_section_id"))
        batch_op.drop_index(batch_op.f("ix_position_decisions_paper_id"))

    op.drop_table("position_decisions")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exports_version_id"))

    op.drop_table("exports")
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_versions_paper_id"))

    op.drop_table("versions")
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sections_parent_id"))
        batch_op.drop_index(batch_op.f("ix_sections_paper_id"))
        batch_op.drop_index(batch_op.f("ix_sections_lead_author_id"))

    op.drop_table("sections")
    with op.batch_alter_table("paper_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_paper_members_paper_id"))

    op.drop_table("paper_members")
    op.drop_table("paper_frameworks")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_paper_id"))

    op.drop_table("activity")
    op.drop_table("papers")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_sector_id"))

    op.drop_table("users")
    with op.batch_alter_table("framework_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_items_framework_id"))

    op.drop_table("framework_items")
    op.drop_table("sectors")
    op.drop_table("frameworks")
