"""hotline work orders, petitions

Revision ID: 0007_hotline
Revises: 0006_evaluation
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0007_hotline"
down_revision: str | None = "0006_evaluation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
