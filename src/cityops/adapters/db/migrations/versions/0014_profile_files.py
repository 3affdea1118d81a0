"""profile versions keep their files

Revision ID: 0014_profile_files
Revises: 0013_dispatcher_queue
Create Date: 2026-12-07

Each installed city profile version keeps the text of the files it was read from
(``city.toml``, ``conditions.csv`` …), so an administrator can change a table in the console
(a filing condition, a local class, a unit, a routing rule): the change is applied to the
files, the whole profile is validated again exactly as ``cityops profile check`` does, and a
new version is installed. The files of any version can be downloaded to edit them by hand.
Versions installed before this revision get their files when the same directory is loaded
again (``cityops init`` does so at every start).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from cityops.adapters.db.types import JSONDoc

revision: str = "0014_profile_files"
down_revision: str | None = "0013_dispatcher_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profile_versions") as batch:
        batch.add_column(sa.Column("files", JSONDoc, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profile_versions") as batch:
        batch.drop_column("files")
