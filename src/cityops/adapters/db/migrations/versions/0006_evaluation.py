"""evaluation: assessments, targets

Revision ID: 0006_evaluation
Revises: 0005_accounts
Create Date: 2026-11-21
"""
from collections.abc import Sequence

revision: str = "0006_evaluation"
down_revision: str | None = "0005_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
