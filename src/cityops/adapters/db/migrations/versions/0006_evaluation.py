"""evaluation: indicator targets and the district comprehensive assessment

Revision ID: 0006_evaluation
Revises: 0005_accounts
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cityops.adapters.db.types

revision: str = "0006_evaluation"
down_revision: str | None = "0005_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = cityops.adapters.db.types.UTCDateTime
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "evaluation_targets",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("object_kind", sa.String(16), nullable=False),
        sa.Column("object_code", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("comparator", sa.String(2), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("measured", sa.Float(), nullable=True),
        sa.Column("status", sa.String(8), nullable=True),
        sa.Column("measured_at", UTC(timezone=True), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_targets")),
        sa.UniqueConstraint(
            "indicator",
            "object_kind",
            "object_code",
            "period",
            name=op.f("uq_evaluation_targets_indicator_object_kind_object_code_period"),
        ),
    )
    op.create_index("ix_evaluation_targets_period_start", "evaluation_targets", ["period_start"])
    op.create_table(
        "assessment_schemes",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_schemes")),
        sa.UniqueConstraint("name", name=op.f("uq_assessment_schemes_name")),
    )
    op.create_table(
        "assessment_items",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("scheme_id", BIG, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("lower_is_better", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_assessment_items_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_items")),
        sa.UniqueConstraint("scheme_id", "code", name=op.f("uq_assessment_items_scheme_id_code")),
    )
    op.create_table(
        "assessment_groups",
        sa.Column("scheme_id", BIG, nullable=False),
        sa.Column("district_code", sa.String(12), nullable=False),
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_assessment_groups_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("scheme_id", "district_code", name=op.f("pk_assessment_groups")),
    )
    op.create_table(
        "assessment_entries",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("scheme_id", BIG, nullable=False),
        sa.Column("item_code", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("district_code", sa.String(12), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source_note", sa.Text(), nullable=False),
        sa.Column("entered_at", UTC(timezone=True), nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_assessment_entries_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_entries")),
    )
    op.create_index(
        "ix_assessment_entries_lookup",
        "assessment_entries",
        ["scheme_id", "period", "item_code", "district_code"],
    )
    op.create_table(
        "assessment_results",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("scheme_id", BIG, nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("district_code", sa.String(12), nullable=False),
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank_in_group", sa.Integer(), nullable=False),
        sa.Column("rank_overall", sa.Integer(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("computed_at", UTC(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["assessment_schemes.id"],
            name=op.f("fk_assessment_results_scheme_id_assessment_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_results")),
        sa.UniqueConstraint(
            "scheme_id",
            "period",
            "district_code",
            "version",
            name=op.f("uq_assessment_results_scheme_id_period_district_code_version"),
        ),
    )


def downgrade() -> None:
    op.drop_table("assessment_results")
    op.drop_index("ix_assessment_entries_lookup", table_name="assessment_entries")
    op.drop_table("assessment_entries")
    op.drop_table("assessment_groups")
    op.drop_table("assessment_items")
    op.drop_table("assessment_schemes")
    op.drop_index("ix_evaluation_targets_period_start", table_name="evaluation_targets")
    op.drop_table("evaluation_targets")
