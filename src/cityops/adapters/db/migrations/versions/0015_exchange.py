"""exchange targets: the platforms the case event log is pushed to

Revision ID: 0015_exchange
Revises: 0014_profile_files
Create Date: 2026-12-07

Each target (a provincial or national platform, a district's own system) receives the event
log in the exchange vocabulary of docs/exchange.md, in order, in signed batches; its row
keeps its place in the log (the last event id delivered), its failures and a lease, so that
one server process pushes to it at a time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.adapters.db.types

revision: str = "0015_exchange"
down_revision: str | None = "0014_profile_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = cityops.adapters.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exchange_targets",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("event_types", cityops.adapters.db.types.JSONDoc, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cursor", BigId, nullable=False),
        sa.Column("delivered", BigId, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", UTC, nullable=True),
        sa.Column("last_success_at", UTC, nullable=True),
        sa.Column("next_attempt_at", UTC, nullable=True),
        sa.Column("lease_until", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_targets")),
        sa.UniqueConstraint("name", name=op.f("uq_exchange_targets_name")),
    )


def downgrade() -> None:
    op.drop_table("exchange_targets")
