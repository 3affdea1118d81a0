"""Open311 API keys and service request ids

Revision ID: 0008_open311
Revises: 0007_hotline
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0008_open311"
down_revision: str | None = "0007_hotline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
