"""Read-only transactions for the geography services (no write lock on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from cityops.adapters.db.engine import READONLY_OPTION


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(**{READONLY_OPTION: True})
        with conn.begin():
            yield conn
