"""One unit of work = one database transaction = one command (cosmicpython's pattern, over
SQLAlchemy Core). Leaving the block without ``commit()`` rolls back."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from cityops.adapters.db.case_repository import CaseRepository
from cityops.adapters.db.outbox_repository import OutboxRepository


class SqlUnitOfWork:
    conn: Connection
    cases: CaseRepository
    outbox: OutboxRepository

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._committed = False

    def __enter__(self) -> SqlUnitOfWork:
        self.conn = self.engine.connect()
        self.conn.begin()
        self.cases = CaseRepository(self.conn)
        self.outbox = OutboxRepository(self.conn)
        self._committed = False
        return self

    def commit(self) -> None:
        self.conn.commit()
        self._committed = True

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.conn.rollback()
        finally:
            self.conn.close()
