"""public reporting: intake ledger (rate limit) and satisfaction ratings

Revision ID: 0010_public
Revises: 0009_console
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.adapters.db.types

revision: str = "0010_public"
down_revision: str | None = "0009_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = cityops.adapters.db.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "public_intake",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_public_intake_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_public_intake")),
    )
    op.create_index("ix_public_intake_client_hash_at", "public_intake", ["client_hash", "at"])
    op.create_table(
        "public_ratings",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_public_ratings_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_public_ratings")),
    )
    op.create_index("ix_public_ratings_rated_at", "public_ratings", ["rated_at"])


def downgrade() -> None:
    op.drop_index("ix_public_ratings_rated_at", table_name="public_ratings")
    op.drop_table("public_ratings")
    op.drop_index("ix_public_intake_client_hash_at", table_name="public_intake")
    op.drop_table("public_intake")
