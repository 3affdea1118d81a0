"""saved searches and console settings

Revision ID: 0009_console
Revises: 0008_open311
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0009_console"
down_revision: str | None = "0008_open311"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
