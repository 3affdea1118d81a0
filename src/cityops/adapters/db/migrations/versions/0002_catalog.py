"""catalog and city profile tables

Revision ID: 0002_catalog
Revises: 0001_cases
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0002_catalog"
down_revision: str | None = "0001_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
