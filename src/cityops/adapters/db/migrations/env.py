"""Alembic environment. Run through ``cityops.adapters.db.migrate`` (``cityops init`` and
``cityops db upgrade``), which hands over a connection; ``alembic`` on the command line works
too and reads the URL from the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cityops.adapters.db.migrate import include_object
from cityops.adapters.db.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from cityops.adapters.db.engine import make_engine
    from cityops.config import get_settings

    engine = make_engine(get_settings().resolved_database_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("offline migrations are not supported; give a database URL")
run_migrations_online()
