"""work plans: tasks, units, targets, deadlines, progress, supervision

Revision ID: 0004_workplan
Revises: 0003_geography
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0004_workplan"
down_revision: str | None = "0003_geography"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
