"""indexes for the dispatcher's queue: cases awaiting an extension decision, suspended cases

Revision ID: 0013_dispatcher_queue
Revises: 0012_duplicate_search
Create Date: 2026-12-07

A dispatcher waits on filed cases (to dispatch) and on dispatched cases with an extension
request to decide or suspended (to resume). The second kind were found by reading every
dispatched case; these small partial indexes hold only them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_dispatcher_queue"
down_revision: str | None = "0012_duplicate_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_cases_pending_extension ON cases (state) "
        "WHERE pending_extension IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_cases_suspended ON cases (state) WHERE suspended")


def downgrade() -> None:
    op.execute("DROP INDEX ix_cases_suspended")
    op.execute("DROP INDEX ix_cases_pending_extension")
