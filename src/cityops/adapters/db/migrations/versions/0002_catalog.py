"""catalog and city profile tables

Revision ID: 0002_catalog
Revises: 0001_cases
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cityops.adapters.db.types

revision: str = "0002_catalog"
down_revision: str | None = "0001_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _version_fk(table: str) -> list[sa.Column[int] | sa.ForeignKeyConstraint]:
    return [
        sa.Column("profile_version_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_version_id"],
            ["profile_versions.id"],
            name=op.f(f"fk_{table}_profile_version_id_profile_versions"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "profile_versions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("city_name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("document", JSON_DOC, nullable=False),
        sa.Column(
            "loaded_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_versions")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_profile_versions_content_hash")),
    )
    with op.batch_alter_table("profile_versions", schema=None) as batch_op:
        batch_op.create_index(
            "uq_profile_versions_active",
            ["active"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )

    op.create_table(
        "catalog_classes",
        *_version_fk("catalog_classes"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("standard", sa.String(length=32), nullable=False),
        sa.Column("major_code", sa.String(length=4), nullable=False),
        sa.Column("major_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("aliases", JSON_DOC, nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "profile_version_id", "kind", "code", name=op.f("pk_catalog_classes")
        ),
    )
    op.create_table(
        "filing_conditions",
        *_version_fk("filing_conditions"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("class_code", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("limit_value", sa.Float(), nullable=False),
        sa.Column("limit_unit", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("closure_condition", sa.Text(), nullable=False),
        sa.Column("default_unit", sa.String(length=64), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("profile_version_id", "code", name=op.f("pk_filing_conditions")),
    )
    with op.batch_alter_table("filing_conditions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_filing_conditions_version_class", ["profile_version_id", "class_code"], unique=False
        )

    op.create_table(
        "profile_units",
        *_version_fk("profile_units"),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("region_code", sa.String(length=15), nullable=True),
        sa.PrimaryKeyConstraint("profile_version_id", "code", name=op.f("pk_profile_units")),
    )
    op.create_table(
        "routing_rules",
        *_version_fk("routing_rules"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("class_pattern", sa.String(length=16), nullable=False),
        sa.Column("area_code", sa.String(length=15), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("profile_version_id", "position", name=op.f("pk_routing_rules")),
    )
    op.create_table(
        "stage_limits",
        *_version_fk("stage_limits"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=True),
        sa.Column("area_class", sa.String(length=16), nullable=True),
        sa.Column("limit_value", sa.Float(), nullable=False),
        sa.Column("limit_unit", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("profile_version_id", "position", name=op.f("pk_stage_limits")),
    )
    op.create_table(
        "profile_regions",
        *_version_fk("profile_regions"),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("area_class", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("profile_version_id", "code", name=op.f("pk_profile_regions")),
    )


def downgrade() -> None:
    op.drop_table("profile_regions")
    op.drop_table("stage_limits")
    op.drop_table("routing_rules")
    op.drop_table("profile_units")
    with op.batch_alter_table("filing_conditions", schema=None) as batch_op:
        batch_op.drop_index("ix_filing_conditions_version_class")
    op.drop_table("filing_conditions")
    op.drop_table("catalog_classes")
    with op.batch_alter_table("profile_versions", schema=None) as batch_op:
        batch_op.drop_index("uq_profile_versions_active")
    op.drop_table("profile_versions")
