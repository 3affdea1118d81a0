"""Engine construction: SQLite in WAL mode (embedded default) or PostgreSQL (production)."""

from __future__ import annotations

import os
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

try:  # POSIX: writers of several processes queue on a lock file
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads of one process only
    fcntl = None  # type: ignore[assignment]

READONLY_OPTION = "cityops_readonly"
# Set by units of work that write: on SQLite they take the write lock up front (BEGIN
# IMMEDIATE), so two writers queue instead of failing on a lock upgrade. Every other
# transaction begins deferred and, in WAL mode, never blocks a writer.
WRITE_OPTION = "cityops_write"
# A pooled PostgreSQL connection that has been idle longer than this is pinged before use (a
# server restart or a firewall may have dropped it); a busy connection is not, which spares a
# round trip per unit of work.
PING_AFTER_IDLE_SECONDS = 10.0
DEFAULT_POOL_SIZE = 20


def make_engine(url: str, *, echo: bool = False, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """Build an engine. SQLite gets WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE``
    for units of work that write (``WRITE_OPTION``). Both keep ``pool_size`` connections (and
    as many again in bursts); PostgreSQL's are pinged when they sat idle."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    engine = create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["cityops_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("cityops_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("connection lost while idle") from exc
        if not alive:
            raise DisconnectionError("connection lost while idle")


class WriteQueue:
    """The queue of one SQLite database's writing transactions: a re-entrant lock for the
    threads of this process (``timeout`` applies to it), then an exclusive ``flock`` on
    ``<database>-writers.lock`` for the processes (SQLite's own busy handler sleeps in growing
    steps of up to 100 ms, and a busy writer starves the others). Re-entrant, so a thread that
    already writes meets SQLite's busy timeout as before rather than waiting on itself."""

    def __init__(self, lock_file: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        self._lock_file = lock_file
        self._fd: int | None = None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._threads.acquire(blocking, timeout):
            return False
        try:
            if self._depth == 0 and self._lock_file is not None and fcntl is not None:
                if self._fd is None:
                    self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o644)
                if blocking:
                    # Blocking: the kernel wakes the next process the moment the holder is
                    # done (polling with a timeout measured 25 % fewer reports a second). A
                    # holder keeps it for one transaction, bounded by SQLite's busy timeout.
                    fcntl.flock(self._fd, fcntl.LOCK_EX)
                else:
                    try:
                        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        self._threads.release()
                        return False
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1
        return True

    def __del__(self) -> None:
        if self._fd is not None:
            os.close(self._fd)

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None and fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


_WRITE_QUEUES: weakref.WeakKeyDictionary[Engine, WriteQueue] = weakref.WeakKeyDictionary()
_WRITE_QUEUES_GUARD = threading.Lock()


def write_lock(engine: Engine) -> WriteQueue | None:
    """SQLite only: the queue of writing transactions on ``engine``'s database (see
    :class:`WriteQueue`). SQLite admits one writer at a time; writers wait their turn here
    instead of in its busy handler."""
    if engine.dialect.name != "sqlite":
        return None
    with _WRITE_QUEUES_GUARD:
        queue = _WRITE_QUEUES.get(engine)
        if queue is None:
            database = engine.url.database or ""
            lock_file = f"{database}-writers.lock" if database and database != ":memory:" else None
            queue = _WRITE_QUEUES[engine] = WriteQueue(lock_file)
        return queue


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin() decide when a transaction starts (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
