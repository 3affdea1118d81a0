"""indexes for the console's lists: open cases by warning light and deadline, own reports

Revision ID: 0009_console
Revises: 0008_open311
Create Date: 2026-11-21

Partial indexes over the open cases (``state IN`` the six open states, in the order
``cityops.services.case_queries.OPEN_VALUES`` names them) ordered by the current deadline —
``coalesce(stage_deadline, handling_deadline)``, the expression the lists sort by — so the red
list, the overdue list and the work queues read the most urgent cases first instead of
sorting every open case; and an index on the reporter, for "my reports" and an inspector's own
cases. Plain SQL that SQLite and PostgreSQL both accept.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_console"
down_revision: str | None = "0008_open311"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "state IN ('reported', 'verifying', 'filed', 'dispatched', 'handled', 'checking')"
DEADLINE = "coalesce(stage_deadline, handling_deadline)"


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX ix_cases_open_light_deadline ON cases (light, {DEADLINE}) WHERE {OPEN}"
    )
    op.execute(f"CREATE INDEX ix_cases_open_deadline ON cases ({DEADLINE}) WHERE {OPEN}")
    op.execute("CREATE INDEX ix_cases_reported_by ON cases (reported_by, reported_at)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_cases_reported_by")
    op.execute("DROP INDEX ix_cases_open_deadline")
    op.execute("DROP INDEX ix_cases_open_light_deadline")
