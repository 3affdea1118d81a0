"""The evaluation engine: the counts of every object in one period, computed by the database,
on SQLite and on PostgreSQL, from the evaluation's projection of the event log
(``facts``) and, for the events the projection has not taken in yet, from the log itself.

The statement follows ``docs/evaluation.md`` rule by rule; the pure-Python reference
(``domain.evaluation.reference``) follows the same rules case by case, and the tests hold the
two equal. Shape of the statement (``w`` is the projection's watermark):

* ``dcase``: the cases with events above ``w`` — read from the log (``case_events``) alone;
* the cases that can count in ``[lo, hi)`` (their first event before ``hi``, not ended before
  ``lo``), found in ``evaluation_case_facts`` by their first event: those ended within
  ``SPAN_DAYS`` of it by an index range, the longer and the open ones apart;
* *interior* cases — every event inside ``[lo, hi)`` and ended — count with their stored
  whole-history figures, which are exactly their figures in the period (most cases);
* the others (``bid``: the period cuts through them) and ``dcase`` are walked event by event
  (``facts_sql.walk``), from ``evaluation_event_facts`` and from the log respectively;
* sums per (district, street, community, grid), per unit, per reporter, filer and kept
  dispatch over those per-case rows; posts (role, actor, event type) and the grids each
  inspector worked in from the events in the period, through the post and work keys.

Regions are summed up from the grid rows, departments from the unit column, in Python.
"""

from __future__ import annotations

import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text

from cityops.adapters.db.engine import READONLY_OPTION
from cityops.adapters.db.tables.evaluation import (
    evaluation_case_facts,
    evaluation_event_facts,
    evaluation_post_keys,
    evaluation_work_keys,
)
from cityops.adapters.db.types import UTCDateTime
from cityops.domain.cases.vocabulary import Channel
from cityops.domain.evaluation.definitions import (
    CITY_CODE,
    POST_ROLES,
    Count,
    Counts,
    ObjectKind,
    normalized,
)
from cityops.errors import ValidationError
from cityops.services.evaluation.facts import refresh_facts, watermark
from cityops.services.evaluation.facts_sql import (
    CASE_ROW,
    EVENT_COLUMNS,
    SPAN_DAYS,
    WORK_TYPES,
    Dialect,
    in_list,
    typed_events,
    walk,
)

C = Count
K = ObjectKind
_CHANNELS = frozenset(c.value for c in Channel)
REGION_LEVELS = (K.DISTRICT, K.STREET, K.COMMUNITY, K.GRID)
ALL_COUNTS = tuple(Count)
COUNT_NAMES = tuple(c.value for c in ALL_COUNTS)
# The counts of a department (the responsible unit of a case).
UNIT_COUNTS = (
    C.RECEIVED,
    C.HANDLING_DUE,
    C.HANDLED,
    C.HANDLED_ON_TIME,
    C.EXTENDED,
    C.OVERDUE,
    C.CLOSURE_DUE,
    C.CLOSED,
    C.CLOSED_ON_TIME,
    C.REWORKED,
)
CF = evaluation_case_facts.name
EF = evaluation_event_facts.name
# Relevant stored cases: ended within SPAN_DAYS of their first event (found from ``:lo_span``,
# a day of margin before lo − SPAN_DAYS), or longer / still open.
SHORT = "c.long_span = 0 AND c.first_at >= :lo_span AND c.first_at < :hi AND c.last_at >= :lo"
LONG = "c.long_span = 1 AND c.first_at < :hi AND (c.ended = 0 OR c.last_at >= :lo)"
INTERIOR = "c.ended = 1 AND c.first_at >= :lo AND c.last_at < :hi"


def _pieces(
    d: Dialect, channels: frozenset[str] | None, t: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The bodies of the steps (``dcase``, ``bid``, the walk, ``f``) and the final queries;
    ``t`` names the tables the steps are read from (CTE names, or temporary tables)."""
    only = f" AND channel IN {in_list(channels)}" if channels is not None else ""
    fresh = f"NOT EXISTS (SELECT 1 FROM {t['dcase']} x WHERE x.case_id = c.case_id)"
    row = ", ".join(f"c.{name}" for name in CASE_ROW)
    region_sums = {
        C.REPORTED: "f.rep_in",
        C.REPORTED_VALID: "f.rep_in * f.f_any",
        C.REPORTED_PUBLIC: "f.rep_in * f.ext",
        C.FILED: "f.f_in",
        C.FILED_ON_TIME: "f.f_ok",
        C.FILED_PUBLIC: "f.f_in * f.ext",
        C.FILED_CANCELLED: "f.f_in * f.canc",
        C.DISPATCHED: "f.d_n",
        C.DISPATCHED_ON_TIME: "f.d_ok",
        C.DISPATCHED_WRONG: "f.d_n - f.d_kept",
        C.DISPATCH_DUE: "f.d_n + f.pending_over",
        C.RECEIVED: "f.received",
        C.HANDLING_DUE: "f.hdue",
        C.HANDLED: "f.handled",
        C.HANDLED_ON_TIME: "f.handled_ok",
        C.EXTENDED: "f.hdue * f.ext_in",
        C.OVERDUE: "f.overdue",
        C.CLOSURE_DUE: "f.cdue",
        C.CLOSED: "f.closed",
        C.CLOSED_ON_TIME: "f.closed_ok",
        C.REWORKED: "f.cdue * f.rw_in",
    }

    def zeros(skip: int) -> str:
        return ", ".join(f"0 AS {c.value}" for c in ALL_COUNTS[skip:])

    def one(count: Count, expr: str) -> str:
        return ", ".join(
            f"SUM({expr}) AS {c.value}" if c == count else f"0 AS {c.value}" for c in ALL_COUNTS
        )

    def counts(sums: Mapping[Count, str]) -> str:
        return ",\n       ".join(
            f"SUM({sums[c]}) AS {c.value}" if c in sums else f"0 AS {c.value}" for c in ALL_COUNTS
        )

    in_f = f" AND {{}}.case_id IN (SELECT case_id FROM {t['f']})" if channels is not None else ""
    in_period = "{0}.at >= :lo AND {0}.at < :hi"
    events = ", ".join(EVENT_COLUMNS)
    bodies = {
        "dcase": "SELECT case_id FROM case_events WHERE id > :w",
        "bid": f"""
  SELECT c.case_id FROM {CF} c WHERE {SHORT} AND NOT ({INTERIOR}) AND {fresh}
  UNION ALL
  SELECT c.case_id FROM {CF} c WHERE {LONG} AND NOT ({INTERIOR}) AND {fresh}
""",
        "bev": f"""
  SELECT {events} FROM {EF}
  WHERE case_id IN (SELECT case_id FROM {t["bid"]}) AND at < :hi
  UNION ALL
  SELECT {events}
  FROM ({typed_events(d, f"e.case_id IN (SELECT case_id FROM {t['dcase']}) AND e.at < :hi")}) t
""",
        **walk(d, "bev"),
        "f": f"""
  SELECT {row} FROM {CF} c WHERE {SHORT} AND {INTERIOR} AND {fresh}{only}
  UNION ALL
  SELECT {row} FROM {CF} c WHERE {LONG} AND {INTERIOR} AND {fresh}{only}
  UNION ALL
  SELECT {", ".join(CASE_ROW)} FROM fw WHERE 1 = 1{only}
""",
    }
    # A role|actor text of a post (citizens' and systems' reports credit no one).
    posts = " OR ".join(f"{{0}} LIKE '{role}|%'" for role in sorted(POST_ROLES))
    post_filter = f"e.role IN {in_list(POST_ROLES)} AND e.type IN {in_list(POST_EVENTS)}"
    work_filter = f"e.role = 'inspector' AND e.type IN {in_list(WORK_TYPES)}"
    fresh_events = "e.id > :w AND e.at >= :lo AND e.at < :hi AND "
    finals = {
        "region": f"""
SELECT 'region' AS kind, f.district_code AS k1, f.street_code AS k2, f.community_code AS k3,
       f.grid_code AS k4, NULL AS k5,
       {counts(region_sums)}
FROM {t["f"]} f
GROUP BY f.district_code, f.street_code, f.community_code, f.grid_code
""",
        "unit": f"""
SELECT 'unit', f.unit, NULL, NULL, NULL, NULL,
       {counts({c: region_sums[c] for c in UNIT_COUNTS})}
FROM {t["f"]} f
WHERE f.unit IS NOT NULL
GROUP BY f.unit
""",
        "post": f"""
SELECT 'post', k.role, k.actor, k.type, NULL, NULL, COUNT(*), SUM(ef.on_time), {zeros(2)}
FROM {evaluation_post_keys.name} k JOIN {EF} ef ON ef.post_key = k.id
WHERE {in_period.format("ef")} AND ef.event_id <= :w{in_f.format("ef")}
GROUP BY k.id, k.role, k.actor, k.type
UNION ALL
SELECT 'post', t.role, t.actor, t.type, NULL, NULL, COUNT(*), SUM(t.on_time), {zeros(2)}
FROM ({typed_events(d, fresh_events + post_filter)}) t
WHERE 1 = 1{in_f.format("t")}
GROUP BY t.role, t.actor, t.type
""",
        "reporter": f"""
SELECT 'reporter', f.reporter, NULL, NULL, NULL, NULL, {one(C.REPORTED_VALID, "f.f_any")}
FROM {t["f"]} f WHERE f.rep_in = 1 AND ({posts.format("f.reporter")})
GROUP BY f.reporter
""",
        "filer": f"""
SELECT 'filer', f.filer, NULL, NULL, NULL, NULL, {one(C.FILED_CANCELLED, "f.canc")}
FROM {t["f"]} f WHERE f.f_in = 1 AND ({posts.format("f.filer")})
GROUP BY f.filer
""",
        "kept": f"""
SELECT 'kept', substr(f.d_actor, 11), NULL, NULL, NULL, NULL, {one(C.DISPATCHED_WRONG, "f.d_kept")}
FROM {t["f"]} f WHERE f.d_kept = 1
GROUP BY substr(f.d_actor, 11)
""",
        "worked": f"""
SELECT 'worked', k.actor, k.grid_code, NULL, NULL, NULL, {zeros(0)}
FROM {evaluation_work_keys.name} k
WHERE EXISTS (SELECT 1 FROM {EF} ef WHERE ef.work_key = k.id AND {in_period.format("ef")}
              AND ef.event_id <= :w{in_f.format("ef")})
UNION ALL
SELECT DISTINCT 'worked', t.actor, t.work_grid, NULL, NULL, NULL, {zeros(0)}
FROM ({typed_events(d, fresh_events + work_filter, case_fields=True)}) t
WHERE t.work_grid IS NOT NULL{in_f.format("t")}
""",
    }
    return bodies, finals


# Event type → (counts it adds to, counts its on-time events add to), for posts. Every
# dispatch adds to 错派数 here; the 'kept' rows take the dispatch each case kept off again.
POST_EVENTS: dict[str, tuple[tuple[Count, ...], tuple[Count, ...]]] = {
    "reported": ((C.REPORTED,), ()),
    "verified": ((C.VERIFIED,), (C.VERIFIED_ON_TIME,)),
    "filed": ((C.ACCEPTED, C.FILED), (C.ACCEPTED_ON_TIME, C.FILED_ON_TIME)),
    "rejected": ((C.ACCEPTED,), (C.ACCEPTED_ON_TIME,)),
    "dispatched": (
        (C.DISPATCHED, C.DISPATCH_DUE, C.DISPATCHED_WRONG),
        (C.DISPATCHED_ON_TIME,),
    ),
    "check_requested": ((C.CHECK_SENT,), (C.CHECK_SENT_ON_TIME,)),
    "reworked": ((C.CHECKED,), (C.CHECKED_ON_TIME,)),
    "closed": ((C.CHECKED, C.CLOSE_STEPS), (C.CHECKED_ON_TIME, C.CLOSE_STEPS_ON_TIME)),
}
STEPS = ("dcase", "bid", "bev", "cw", "fu", "fh", "fw", "f")
FINALS = ("region", "unit", "post", "reporter", "filer", "kept", "worked")
TEMP = {"dcase": "eval_dcase", "bid": "eval_bid", "f": "eval_f"}
# SQLite evaluates a CTE again for every branch of a UNION that reads it, so there the steps
# go through temporary tables; PostgreSQL materializes a CTE read twice once.
USE_TEMP_TABLES = {"sqlite": True}
PG_WORK_MEM = "64MB"
_STATEMENTS: dict[tuple[str, frozenset[str] | None, bool], str] = {}
_STEPS: dict[tuple[str, frozenset[str] | None], tuple[list[str], dict[str, str]]] = {}


def statement(dialect: str, channels: frozenset[str] | None = None, case_ids: bool = False) -> str:
    """The whole evaluation as one statement (CTEs; ``case_ids``: the overdue cases only)."""
    key = (dialect, channels, case_ids)
    if key not in _STATEMENTS:
        bodies, finals = _pieces(Dialect(dialect), channels, {n: n for n in STEPS})
        ctes = ",\n".join(f"{n} AS ({bodies[n]})" for n in STEPS)
        final = (
            "SELECT f.case_id FROM f WHERE f.overdue = 1 ORDER BY f.case_id"
            if case_ids
            else "UNION ALL".join(finals[k] for k in FINALS)
        )
        _STATEMENTS[key] = f"WITH {ctes}\n{final}"
    return _STATEMENTS[key]


def steps(dialect: str, channels: frozenset[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The evaluation through temporary tables: the statements that fill them, and the final
    queries (``FINALS`` and ``overdue``) that read them."""
    key = (dialect, channels)
    if key not in _STEPS:
        bodies, finals = _pieces(Dialect(dialect), channels, TEMP)
        chain = ",\n".join(f"{n} AS ({bodies[n]})" for n in ("bev", "cw", "fu", "fh", "fw"))
        setup = [f"DROP TABLE IF EXISTS {name}" for name in TEMP.values()]
        setup += [
            f"CREATE TEMP TABLE {TEMP['dcase']} (case_id INTEGER PRIMARY KEY)",
            f"INSERT OR IGNORE INTO {TEMP['dcase']} {bodies['dcase']}",
            f"CREATE TEMP TABLE {TEMP['bid']} (case_id INTEGER PRIMARY KEY)",
            f"INSERT INTO {TEMP['bid']} {bodies['bid']}",
            f"CREATE TEMP TABLE {TEMP['f']} AS WITH {chain}\n{bodies['f']}",
        ]
        if channels is not None:  # posts and worked grids keep to the cases of the channels
            setup.append(f"CREATE INDEX {TEMP['f']}_case ON {TEMP['f']} (case_id)")
        queries = dict(finals)
        queries["overdue"] = f"SELECT case_id FROM {TEMP['f']} WHERE overdue = 1 ORDER BY case_id"
        _STEPS[key] = (setup, queries)
    return _STEPS[key]


def _run(
    conn: Connection,
    lo: datetime,
    hi: datetime,
    channels: frozenset[str] | None,
    what: tuple[str, ...],
) -> list[Sequence[Any]]:
    params = _params(conn, lo, hi)
    dialect = conn.dialect.name
    if not USE_TEMP_TABLES.get(dialect):
        if dialect == "postgresql":
            # Compiling this one statement costs more than it saves; its hash aggregates need
            # more than the default 4 MB to stay in memory.
            conn.execute(text("SET LOCAL jit = off"))
            conn.execute(text(f"SET LOCAL work_mem = '{PG_WORK_MEM}'"))
        sql = statement(dialect, channels, what == ("overdue",))
        return list(conn.execute(_bound(sql), params).all())
    setup, queries = steps(dialect, channels)
    try:
        for sql in setup:
            conn.execute(_bound(sql), _used(sql, params))
        rows: list[Sequence[Any]] = []
        for name in what:
            rows.extend(conn.execute(_bound(queries[name]), _used(queries[name], params)).all())
        return rows
    finally:
        for name in TEMP.values():
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))


def _params(conn: Connection, lo: datetime, hi: datetime) -> dict[str, object]:
    """The bounds, the first event from which a short case can reach ``lo``, and the
    projection's watermark (read in the caller's transaction, with everything else)."""
    return {
        "lo": lo,
        "hi": hi,
        "lo_span": lo - timedelta(days=SPAN_DAYS + 1),
        "w": watermark(conn),
    }


def _bound(sql: str) -> Any:
    """The statement with its time parameters typed (only those it uses)."""
    typed = [
        bindparam(n, type_=UTCDateTime())
        for n in ("lo", "hi", "lo_span")
        if re.search(rf":{n}\b", sql)
    ]
    return text(sql).bindparams(*typed)


def _used(sql: str, params: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in params.items() if re.search(rf":{k}\b", sql)}


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only connection (SQLite: a deferred BEGIN, so an evaluation never holds up the
    writers; its temporary tables are its own)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{READONLY_OPTION: True})


def overdue_case_ids(conn: Connection, lo: datetime, hi: datetime) -> list[int]:
    """The cases counted as 超期待处置 at the end of ``[lo, hi)`` (the same rule as the
    counts: still awaiting handling at ``hi`` and past the handling deadline)."""
    return [int(r[0]) for r in _run(conn, lo, hi, None, ("overdue",))]


def engine_counts(
    conn: Connection | Engine,
    lo: datetime,
    hi: datetime,
    assignment: Mapping[str, Iterable[str]] | None = None,
    channels: Iterable[str] | None = None,
) -> Counts:
    """Counts of every object for ``[lo, hi)``; ``assignment`` as in ``reference_counts``.
    ``channels``: count only the cases reported through these channels (e.g. the hotline).
    Given an engine, the projection is refreshed first; given a connection, it is read as it
    stands (the events it lacks are read from the log)."""
    if isinstance(conn, Engine):
        refresh_facts(conn)
        with reading(conn) as c:
            return engine_counts(c, lo, hi, assignment, channels)
    only = frozenset(str(ch) for ch in channels) if channels is not None else None
    if only is not None and not only <= _CHANNELS:
        raise ValidationError(
            "evaluation.channel_unknown", "未知的上报渠道", channels=sorted(only - _CHANNELS)
        )
    rows = _run(conn, lo, hi, only, FINALS)
    return assemble(rows, assignment)


def assemble(
    rows: Iterable[Sequence[Any]], assignment: Mapping[str, Iterable[str]] | None
) -> Counts:
    """Roll the statement's rows up into every object's counts (regions and departments are
    summed as rows of numbers, then kept without their zeros)."""
    out: Counts = defaultdict(Counter)
    sums: dict[tuple[ObjectKind, str], list[int]] = {}
    grid_sums: dict[str, list[int]] = {}
    worked: dict[str, set[str]] = defaultdict(set)

    def add(into: dict[Any, list[int]], key: Any, values: list[int]) -> None:
        acc = into.get(key)
        into[key] = values if acc is None else list(map(operator.add, acc, values))

    for row in rows:
        kind = row[0]
        keys = row[1:6]
        if kind == "region":
            values = [int(v or 0) for v in row[6:]]
            add(sums, (K.CITY, CITY_CODE), values)
            for level, code in zip(REGION_LEVELS, keys[:4], strict=True):
                if code:
                    add(sums, (level, str(code)), values)
            if keys[3]:
                add(grid_sums, str(keys[3]), values)
        elif kind == "unit":
            add(sums, (K.DEPARTMENT, str(keys[0])), [int(v or 0) for v in row[6:]])
        elif kind == "post":  # (role, actor, event type): number of events, number on time
            role, actor, event_type = str(keys[0]), str(keys[1]), str(keys[2])
            n, on_time = int(row[6] or 0), int(row[7] or 0)
            post = out[(POST_ROLES[role], actor)]
            for key in POST_EVENTS[event_type][0]:
                post[key] += n
            for key in POST_EVENTS[event_type][1]:
                post[key] += on_time
        elif kind in ("reporter", "filer", "kept"):
            role, _, actor = str(keys[0]).partition("|")
            if role in POST_ROLES:
                post = out[(POST_ROLES[role], actor)]
                values_of = {c: int(v) for c, v in zip(COUNT_NAMES, row[6:], strict=True) if v}
                if kind == "kept":
                    post.subtract(values_of)
                else:
                    post.update(values_of)
        else:
            worked[str(keys[0])].add(str(keys[1]))
    for target, values in sums.items():
        out[target].update({c: v for c, v in zip(COUNT_NAMES, values, strict=True) if v})
    filed, public = ALL_COUNTS.index(C.FILED), ALL_COUNTS.index(C.FILED_PUBLIC)
    explicit = {k: set(v) for k, v in (assignment or {}).items()}
    for actor in {code for kind, code in out if kind == K.INSPECTOR} | set(explicit):
        grids = [
            grid_sums[g] for g in explicit.get(actor, worked.get(actor, set())) if g in grid_sums
        ]
        counts = out[(K.INSPECTOR, actor)]
        counts[C.GRID_FILED] += sum(g[filed] for g in grids)
        counts[C.MISSED] += sum(g[public] for g in grids)
    return dict(out)


__all__ = [
    "assemble",
    "engine_counts",
    "normalized",
    "overdue_case_ids",
    "reading",
    "statement",
]
