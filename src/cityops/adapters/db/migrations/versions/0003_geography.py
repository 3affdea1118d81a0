"""regions, unit grids, responsibility areas

Revision ID: 0003_geography
Revises: 0002_catalog
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0003_geography"
down_revision: str | None = "0002_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
