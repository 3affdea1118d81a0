"""One unit of work = one database transaction = one command (cosmicpython's pattern, over
SQLAlchemy Core). Leaving the block without ``commit()`` rolls back.

``SharedTransaction`` lets bulk work (the simulator, imports) group many commands into one
database commit: each command's unit of work becomes a SAVEPOINT inside the shared
transaction, so a failing command still rolls back alone and the service code is unchanged.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from cityops.adapters.db.case_repository import CaseRepository
from cityops.adapters.db.engine import READONLY_OPTION, WRITE_OPTION, write_lock
from cityops.adapters.db.outbox_repository import OutboxRepository

# How long a writer waits in this process's queue before it goes to SQLite's lock anyway.
LOCK_WAIT_SECONDS = 30.0


class SqlUnitOfWork:
    conn: Connection
    cases: CaseRepository
    outbox: OutboxRepository

    def __init__(self, engine: Engine, *, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        self._committed = False

    def _open(self) -> None:
        self._lock = None if self.readonly else write_lock(self.engine)
        if self._lock is not None and not self._lock.acquire(timeout=LOCK_WAIT_SECONDS):
            self._lock = None  # leave it to SQLite's own busy timeout
        try:
            self.conn = self.engine.connect().execution_options(
                **{READONLY_OPTION: True} if self.readonly else {WRITE_OPTION: True}
            )
            self.conn.begin()
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> SqlUnitOfWork:
        self._open()
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
            try:
                self.conn.close()
            finally:
                self._release()


class SharedTransaction:
    """A long transaction on one connection; ``flush()`` commits what is done so far."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn = engine.connect().execution_options(**{WRITE_OPTION: True})
        self.conn.begin()
        self.pending = 0

    def flush(self) -> None:
        if self.conn.in_transaction():
            self.conn.commit()
        self.conn.begin()
        self.pending = 0

    def close(self) -> None:
        if self.conn.in_transaction():
            self.conn.commit()
        self.conn.close()


class NestedUnitOfWork(SqlUnitOfWork):
    """A command's unit of work as a SAVEPOINT inside a ``SharedTransaction``."""

    def __init__(self, shared: SharedTransaction) -> None:
        super().__init__(shared.engine)
        self.shared = shared

    def __enter__(self) -> SqlUnitOfWork:
        self.conn = self.shared.conn
        self._savepoint = self.conn.begin_nested()
        self.cases = CaseRepository(self.conn)
        self.outbox = OutboxRepository(self.conn)
        self._committed = False
        return self

    def commit(self) -> None:
        self._savepoint.commit()
        self._committed = True
        self.shared.pending += 1

    def rollback(self) -> None:
        self._savepoint.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed and self._savepoint.is_active:
            self._savepoint.rollback()
