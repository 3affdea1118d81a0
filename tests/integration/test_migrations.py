"""The migrations build exactly the schema the table definitions describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from cityops.adapters.db.migrate import current_revision, head_revision, include_object
from cityops.adapters.db.tables import metadata


def test_the_database_is_at_the_head_revision(engine: Engine):
    assert current_revision(engine) == head_revision()


def test_migrations_and_table_definitions_agree(engine: Engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(ctx, metadata)
    assert diff == []
