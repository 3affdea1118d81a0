"""The evaluation's projection of the event log, kept up to date by event id.

``refresh_facts`` takes in every event newer than the projection's watermark, in batches of
event ids (one transaction each): it stores their typed facts (``evaluation_event_facts``),
interns the post and work keys they count for, and recomputes the whole-history figures of
every case they touch (``evaluation_case_facts``). Nothing is ever read back from the
projection to build it, so a refresh in batches equals a rebuild from scratch (the tests hold
it so).

The projection only makes the evaluation fast: the engine reads whatever it has not taken in
yet (events above the watermark) from the log itself. On PostgreSQL the watermark only passes
events whose transactions have ended: a brief ``SHARE`` lock on ``case_events`` waits for the
writers in flight (an event id is drawn inside the inserting transaction, so a smaller id can
commit after a larger one); if it cannot be had within the log's lock timeout the refresh is left
for the next time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, bindparam, text

from cityops.adapters.db.event_log import committed_end
from cityops.adapters.db.tables.evaluation import (
    evaluation_case_facts,
    evaluation_event_facts,
    evaluation_facts_state,
    evaluation_post_keys,
    evaluation_work_keys,
)
from cityops.adapters.db.types import UTCDateTime
from cityops.services.evaluation.facts_sql import (
    CASE_ROW,
    EVENT_COLUMNS,
    FAR_FUTURE,
    FAR_PAST,
    POST_ROLES,
    POST_TYPES,
    WORK_TYPES,
    Dialect,
    in_list,
    typed_events,
    walk_ctes,
)

# Bump when the projection's definition changes: a projection of another version is ignored
# by the engine and rebuilt by the next refresh.
FACTS_VERSION = 1
BATCH_EVENTS = 100_000
# After taking in this many events, refresh the planner's statistics of the projection.
ANALYZE_AFTER = 50_000
PROJECTION = (
    evaluation_case_facts,
    evaluation_event_facts,
    evaluation_post_keys,
    evaluation_work_keys,
)


@dataclass(frozen=True)
class RefreshResult:
    watermark: int  # every event with an id up to this is in the projection
    events: int  # events taken in by this refresh
    rebuilt: bool  # the projection was emptied first (new definition, or a new log)
    deferred: bool = False  # PostgreSQL writers held the log too long: try again later


def statements(dialect: str) -> dict[str, str]:
    """The statements of one batch (events with ``:a < id <= :b``)."""
    d = Dialect(dialect)
    batch = "e.id > :a AND e.id <= :b"
    ef = ", ".join([*EVENT_COLUMNS, "post_key", "work_key"])
    touched = "SELECT case_id FROM case_events WHERE id > :a AND id <= :b"
    return {
        "post_keys": f"""
INSERT INTO {evaluation_post_keys.name} (role, actor, type)
SELECT DISTINCT e.role, e.actor, e.type FROM case_events e
WHERE {batch} AND e.role IN {in_list(POST_ROLES)} AND e.type IN {in_list(POST_TYPES)}
  AND NOT EXISTS (SELECT 1 FROM {evaluation_post_keys.name} k
                  WHERE k.role = e.role AND k.actor = e.actor AND k.type = e.type)""",
        "work_keys": f"""
INSERT INTO {evaluation_work_keys.name} (actor, grid_code)
SELECT DISTINCT w.actor, w.grid_code
FROM (SELECT e.actor, {d.text("r.data", "grid_code")} AS grid_code
      FROM case_events e JOIN case_events r ON r.case_id = e.case_id AND r.seq = 1
      WHERE {batch} AND e.role = 'inspector' AND e.type IN {in_list(WORK_TYPES)}) w
WHERE w.grid_code IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM {evaluation_work_keys.name} k
                  WHERE k.actor = w.actor AND k.grid_code = w.grid_code)""",
        "events": f"""
INSERT INTO {evaluation_event_facts.name} ({ef})
SELECT {", ".join(f"t.{c}" for c in EVENT_COLUMNS)}, pk.id, wk.id
FROM ({typed_events(d, batch, case_fields=True)}) t
LEFT JOIN {evaluation_post_keys.name} pk
       ON pk.role = t.role AND pk.actor = t.actor AND pk.type = t.type
LEFT JOIN {evaluation_work_keys.name} wk
       ON wk.actor = t.actor AND wk.grid_code = t.work_grid""",
        "forget": f"DELETE FROM {evaluation_case_facts.name} WHERE case_id IN ({touched})",
        "cases": f"""
INSERT INTO {evaluation_case_facts.name}
       ({", ".join(CASE_ROW)}, first_at, last_at, ended, long_span)
WITH src AS (SELECT {", ".join(EVENT_COLUMNS)} FROM {evaluation_event_facts.name}
             WHERE case_id IN ({touched})),
{walk_ctes(d, "src")}
SELECT * FROM fw""",
    }


_STATEMENTS: dict[str, dict[str, str]] = {}


def _bound(sql: str) -> object:
    stmt = text(sql)
    if ":lo" in sql:
        stmt = stmt.bindparams(
            bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())
        )
    return stmt


def _state(conn: Connection, lock: bool = False) -> tuple[int, int] | None:
    sql = f"SELECT version, watermark FROM {evaluation_facts_state.name} WHERE id = 1"
    if lock and conn.dialect.name == "postgresql":
        sql += " FOR UPDATE"
    row = conn.execute(text(sql)).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def watermark(conn: Connection) -> int:
    """The projection's watermark as this connection sees it; 0 (nothing usable) when it
    was never filled or follows another definition."""
    state = _state(conn)
    if state is None or state[0] != FACTS_VERSION:
        return 0
    return state[1]


def _reset(conn: Connection, now: datetime) -> None:
    for table in PROJECTION:
        conn.execute(table.delete())
    conn.execute(evaluation_facts_state.delete())
    conn.execute(
        evaluation_facts_state.insert().values(
            id=1, version=FACTS_VERSION, watermark=0, refreshed_at=now
        )
    )


def refresh_facts(
    engine: Engine,
    *,
    batch: int = BATCH_EVENTS,
    on_batch: Callable[[int, int], None] | None = None,
    rebuild: bool = False,
    until: int | None = None,
) -> RefreshResult:
    """Take every committed event newer than the watermark into the projection (``rebuild``:
    empty it first; ``until``: no event with a larger id). ``on_batch(done, total)`` is called
    after each batch (event ids)."""
    end = committed_end(engine)
    now = datetime.now(UTC)
    rebuilt = False
    with engine.begin() as conn:
        state = _state(conn, lock=True)
        stale = state is None or state[0] != FACTS_VERSION
        if rebuild or stale or (end is not None and state is not None and state[1] > end):
            _reset(conn, now)  # a new definition, or the log was emptied under the projection
            state, rebuilt = (FACTS_VERSION, 0), True
    assert state is not None
    start = state[1]
    if end is None:
        return RefreshResult(start, 0, rebuilt, deferred=True)
    if until is not None:
        end = min(end, until)
    sql = _STATEMENTS.setdefault(engine.dialect.name, statements(engine.dialect.name))
    mark, taken = start, 0
    while mark < end:
        with engine.begin() as conn:
            current = _state(conn, lock=True)
            if current is None or current[0] != FACTS_VERSION:
                break  # rebuilt meanwhile by another refresh: leave it the work
            mark = current[1]
            if mark >= end:
                break
            b = min(mark + batch, end)
            params = {"a": mark, "b": b, "lo": FAR_PAST, "hi": FAR_FUTURE}
            for name in ("post_keys", "work_keys", "events", "forget", "cases"):
                result = conn.execute(_bound(sql[name]), params)  # type: ignore[call-overload]
                if name == "events":
                    taken += max(0, result.rowcount)
            conn.execute(
                evaluation_facts_state.update()
                .where(evaluation_facts_state.c.id == 1)
                .values(watermark=b, refreshed_at=datetime.now(UTC))
            )
        mark = b
        if on_batch is not None:
            on_batch(mark - start, end - start)
    if taken >= ANALYZE_AFTER:
        _analyze(engine)
    return RefreshResult(mark, taken, rebuilt)


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics after a large intake (PostgreSQL: with a VACUUM, which also
    marks the new rows all-visible, so the post and work keys are read from their indexes
    alone — what autovacuum would do later)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in PROJECTION:
                conn.execute(text(f"VACUUM (ANALYZE) {table.name}"))
        return
    with engine.begin() as conn:
        conn.execute(text("PRAGMA analysis_limit = 1000"))
        for table in PROJECTION:
            conn.execute(text(f"ANALYZE {table.name}"))


__all__ = ["FACTS_VERSION", "RefreshResult", "refresh_facts", "statements", "watermark"]
