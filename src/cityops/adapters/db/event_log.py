"""Reading the case event log by event id, for the consumers that follow it (the evaluation's
projection, the exchange with other platforms)."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

LOCK_TIMEOUT = "2s"


def max_event_id(conn: Connection) -> int:
    """The newest event id seen by ``conn`` (0 for an empty log)."""
    return int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM case_events")).scalar_one())


def committed_end(engine: Engine, lock_timeout: str = LOCK_TIMEOUT) -> int | None:
    """The largest event id below which every event has committed, or None when writers in
    flight held the log longer than ``lock_timeout``. On PostgreSQL an event id is drawn
    inside the inserting transaction, so a smaller id can commit after a larger one: a brief
    ``SHARE`` lock on ``case_events`` waits for the transactions in flight. SQLite has one
    writer at a time, so its largest id is always committed."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"SET LOCAL lock_timeout = '{lock_timeout}'"))
            try:
                conn.execute(text("LOCK TABLE case_events IN SHARE MODE"))
            except DBAPIError:  # lock timeout (or no right to take it): next time
                conn.rollback()
                return None
        return max_event_id(conn)
