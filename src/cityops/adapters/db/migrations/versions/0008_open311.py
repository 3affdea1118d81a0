"""Open311 API keys and service request ids

Revision ID: 0008_open311
Revises: 0007_hotline
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.adapters.db.types

revision: str = "0008_open311"
down_revision: str | None = "0007_hotline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = cityops.adapters.db.types.UTCDateTime
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(48), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("revoked_at", UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_open311_keys_name")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_keys_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("open311_keys")
