"""The engine's connection handling: a PostgreSQL connection dropped while idle in the pool is
replaced before use; SQLite writers of one process queue instead of racing for the lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from cityops.adapters.db import engine as engine_module
from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.unit_of_work import SqlUnitOfWork


@pytest.fixture
def pg_engine(pg_database: str) -> Iterator[Engine]:
    engine = make_engine(pg_database, pool_size=2)
    yield engine
    engine.dispose()


def test_a_connection_killed_while_idle_is_replaced_before_it_is_used(
    pg_engine: Engine, pg_database: str, monkeypatch: pytest.MonkeyPatch
):
    with pg_engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    # the connection is back in the pool; the server drops it (a restart, a firewall)
    admin = make_engine(pg_database, pool_size=1)
    with admin.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    later = time.monotonic() + engine_module.PING_AFTER_IDLE_SECONDS + 1
    monkeypatch.setattr(engine_module.time, "monotonic", lambda: later)
    with pg_engine.connect() as conn:  # pinged, found dead, replaced
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_a_busy_connection_is_not_pinged(pg_engine: Engine, monkeypatch: pytest.MonkeyPatch):
    pings: list[Any] = []
    real = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda c: pings.append(c) or real(c))
    for _ in range(3):
        with pg_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert pings == []
    later = time.monotonic() + engine_module.PING_AFTER_IDLE_SECONDS + 1
    monkeypatch.setattr(engine_module.time, "monotonic", lambda: later)
    with pg_engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert len(pings) == 1  # idle long enough: pinged once


def test_sqlite_writers_of_one_process_take_turns(tmp_path: Path):
    """A writing unit of work holds the process's write queue for its whole transaction (a
    reader does not), and eight threads writing at once lose no increment."""
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE turn (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO turn VALUES (0)"))
    lock = engine_module.write_lock(engine)
    assert lock is not None

    def free_elsewhere() -> bool:
        """Whether another thread could take the queue right now."""
        got: list[bool] = []

        def probe() -> None:
            got.append(lock.acquire(blocking=False))
            if got[0]:
                lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return got[0]

    assert free_elsewhere()
    with SqlUnitOfWork(engine):
        assert not free_elsewhere()
    with SqlUnitOfWork(engine, readonly=True):
        assert free_elsewhere()
    assert free_elsewhere()

    def work() -> None:
        for _ in range(25):
            with SqlUnitOfWork(engine) as uow:
                n = uow.conn.execute(text("SELECT n FROM turn")).scalar_one()
                uow.conn.execute(text("UPDATE turn SET n = :n"), {"n": n + 1})
                uow.commit()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM turn")).scalar_one() == 200
    engine.dispose()


def _hold_queue(url: str, held: object, done: object) -> None:  # a child process
    engine = make_engine(url)
    with SqlUnitOfWork(engine) as uow:
        uow.conn.execute(text("UPDATE turn SET n = n + 1"))
        held.set()  # type: ignore[attr-defined]
        done.wait(10)  # type: ignore[attr-defined]
        uow.commit()
    engine.dispose()


def test_sqlite_writers_of_two_processes_queue_on_the_lock_file(tmp_path: Path):
    import multiprocessing

    url = f"sqlite:///{tmp_path / 'procs.sqlite'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE turn (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO turn VALUES (0)"))
    ctx = multiprocessing.get_context("spawn")
    held, done = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold_queue, args=(url, held, done))
    child.start()
    try:
        assert held.wait(30)
        queue = engine_module.write_lock(engine)
        assert queue is not None
        assert not queue.acquire(blocking=False)  # the other process is writing
        done.set()
        assert queue.acquire()  # its turn comes as soon as the other is done
        queue.release()
    finally:
        done.set()
        child.join(30)
    assert child.exitcode == 0
    assert (tmp_path / "procs.sqlite-writers.lock").exists()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM turn")).scalar_one() == 1
    engine.dispose()
