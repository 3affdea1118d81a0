"""index for the duplicate search: open cases by class and latitude

Revision ID: 0012_duplicate_search
Revises: 0011_evaluation_speed
Create Date: 2026-12-07

The duplicate check of every report looks for open cases of the same class within a radius
(50 m in the demo city) reported in a window (72 h). By class and report time it read every
case of the class in the window, which grows with the city's volume (a megacity files
thousands of the commonest class in three days); by class and latitude it reads the open
cases in a band a hundred metres wide. Partial over the open cases, written with the literal
open states as in 0009 so that both databases can match it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_duplicate_search"
down_revision: str | None = "0011_evaluation_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "state IN ('reported', 'verifying', 'filed', 'dispatched', 'handled', 'checking')"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_cases_open_class_lat ON cases (class_code, lat) WHERE {OPEN}")


def downgrade() -> None:
    op.execute("DROP INDEX ix_cases_open_class_lat")
