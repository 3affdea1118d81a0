"""The evaluation engine: the counts of every object in one period, computed by the database
from the event log (``case_events``) in one SQL statement, on SQLite and on PostgreSQL.

The statement follows ``docs/evaluation.md`` rule by rule; the pure-Python reference
(``domain.evaluation.reference``) follows the same rules case by case, and the tests hold the
two equal. Shape of the statement:

* ``rel``: the cases that can count in ``[lo, hi)`` — reported before ``hi`` and not ended
  before ``lo`` (from the ``cases`` projection, which also gives their location and channel);
* ``ev``: their events before ``hi``, with the few JSON fields the rules read extracted once
  (stage ``on_time``, dispatched ``unit``, extension ``approved``, closure ``handled_on_time``,
  and whether the handling clock or the dispatch stage was past its limit at ``hi``);
* ``cf``: one row per case — its state at ``lo`` and at ``hi``, its last dispatch, return,
  handling and clock event — by aggregates over ``ev`` (``max(seq * k + value)`` picks a value
  of the last event of a kind without a join);
* three aggregates, united: counts per (district, street, community, grid, unit), counts
  per post (role, actor), and the grids each inspector worked in.

Regions are summed up from the grid rows, departments from the unit column, in Python.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text

from cityops.adapters.db.types import UTCDateTime
from cityops.domain.cases.vocabulary import Channel
from cityops.domain.evaluation.definitions import (
    CITY_CODE,
    CLOCK_EVENTS,
    EXTERNAL_CHANNELS,
    POST_ROLES,
    TIMED_EVENTS,
    Count,
    Counts,
    ObjectKind,
    normalized,
)
from cityops.errors import ValidationError

C = Count
K = ObjectKind
_CHANNELS = frozenset(c.value for c in Channel)
STATE_CODES = {
    "reported": 1,
    "verifying": 2,
    "rejected": 3,
    "filed": 4,
    "dispatched": 5,
    "handled": 6,
    "checking": 7,
    "closed": 8,
    "cancelled": 9,
}
REGION_LEVELS = (K.DISTRICT, K.STREET, K.COMMUNITY, K.GRID)
ALL_COUNTS = tuple(Count)
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


@dataclass(frozen=True)
class Dialect:
    """The few SQL fragments that differ between SQLite and PostgreSQL."""

    name: str

    def text(self, *path: str) -> str:
        if self.name == "postgresql":
            return f"(e.data #>> '{{{','.join(path)}}}')"
        return f"json_extract(e.data, '$.{'.'.join(path)}')"

    def flag(self, *path: str) -> str:
        """1 when the JSON value is ``true``, else 0."""
        if self.name == "postgresql":
            return f"(CASE WHEN {self.text(*path)} = 'true' THEN 1 ELSE 0 END)"
        return f"(CASE WHEN {self.text(*path)} = 1 THEN 1 ELSE 0 END)"

    def integer(self, *path: str) -> str:
        if self.name == "postgresql":
            return f"CAST({self.text(*path)} AS BIGINT)"
        return f"CAST({self.text(*path)} AS INTEGER)"

    def before_hi(self, *path: str) -> str:
        """The JSON timestamp is before ``hi`` (SQLite: compared in whole UTC seconds, which
        is exact because ``hi`` is a whole second)."""
        if self.name == "postgresql":
            return f"CAST({self.text(*path)} AS TIMESTAMPTZ) < :hi"
        return f"datetime({self.text(*path)}) < :hi_s"

    def events_of(self, rel: str) -> str:
        """The events before ``hi`` of the cases in ``rel``, read case by case through the
        (case_id, seq) index. PostgreSQL would rather scan every event before ``hi`` by time
        and hash-join (ten times slower on a city-year): the LATERAL subquery with
        ``OFFSET 0`` keeps it to the index."""
        if self.name == "postgresql":
            return (
                f"{rel} rel CROSS JOIN LATERAL (SELECT * FROM case_events e0 "
                "WHERE e0.case_id = rel.id AND e0.at < :hi OFFSET 0) e"
            )
        return f"{rel} rel JOIN case_events e ON e.case_id = rel.id WHERE e.at < :hi"

    def padded(self, expr: str) -> str:
        if self.name == "postgresql":
            return f"lpad(CAST({expr} AS TEXT), 10, '0')"
        return f"substr('0000000000' || {expr}, -10)"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def _pieces(
    d: Dialect, channels: frozenset[str] | None, t: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The bodies of the steps (``rel`` … ``f``) and the three final aggregates; ``t`` names
    the tables the steps read (CTE names, or temporary tables)."""
    only = f" AND c.channel IN {_in(channels)}" if channels is not None else ""
    states = " ".join(f"WHEN '{s}' THEN {n}" for s, n in STATE_CODES.items())
    limit = d.text("handling", "limit_seconds")
    used = d.integer("handling", "used_seconds")
    clock = f"""CASE WHEN e.type IN {_in(CLOCK_EVENTS)} AND {limit} IS NOT NULL THEN
              CASE WHEN {d.text("handling", "deadline")} IS NOT NULL
                   THEN (CASE WHEN {d.before_hi("handling", "deadline")} THEN 1 ELSE 0 END)
                   ELSE (CASE WHEN {used} > {d.integer("handling", "limit_seconds")}
                              THEN 1 ELSE 0 END)
              END
         END"""
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

    bodies = {
        "rel": f"""
  SELECT c.id, c.district_code, c.street_code, c.community_code, c.grid_code,
         CASE WHEN c.channel IN {_in(EXTERNAL_CHANNELS)} THEN 1 ELSE 0 END AS ext
  FROM cases c
  WHERE c.reported_at < :hi AND (c.ended_at IS NULL OR c.ended_at >= :lo){only}
""",
        "ev": f"""
  SELECT e.case_id, e.seq, e.type, e.actor, e.role,
         CASE e.to_state {states} END AS st,
         CASE WHEN e.at >= :lo THEN 1 ELSE 0 END AS inp,
         CASE WHEN e.type IN {_in(TIMED_EVENTS)} THEN {d.flag("on_time")} ELSE 0 END AS ok,
         CASE WHEN e.type = 'dispatched' THEN {d.padded("e.seq")} || {d.text("unit")} END AS dunit,
         CASE WHEN e.type = 'extension_decided' THEN {d.flag("approved")} ELSE 0 END AS approved,
         CASE WHEN e.type = 'closed' THEN {d.flag("handled_on_time")} ELSE 0 END AS hot,
         {clock} AS hover,
         CASE WHEN e.to_state = 'filed'
              THEN (CASE WHEN {d.before_hi("clock", "deadline")} THEN 1 ELSE 0 END) END AS sover
  FROM {d.events_of(t["rel"])}
""",
        "cf": f"""
  SELECT case_id,
         MAX(CASE WHEN inp = 0 THEN seq * 16 + st END) % 16 AS st_lo,
         MAX(seq * 16 + st) % 16 AS st_hi,
         MAX(CASE WHEN type = 'reported' THEN inp ELSE 0 END) AS rep_in,
         MAX(CASE WHEN type = 'filed' THEN 1 ELSE 0 END) AS f_any,
         MAX(CASE WHEN type = 'filed' THEN inp ELSE 0 END) AS f_in,
         MAX(CASE WHEN type = 'filed' THEN inp * ok ELSE 0 END) AS f_ok,
         MAX(CASE WHEN type = 'cancelled' THEN 1 ELSE 0 END) AS canc,
         MAX(dunit) AS d_unit,
         MAX(CASE WHEN type = 'dispatched' THEN seq * 2 + inp END) AS d_last,
         COALESCE(MAX(CASE WHEN type = 'returned' THEN seq END), 0) AS r_last,
         SUM(CASE WHEN type = 'dispatched' THEN inp ELSE 0 END) AS d_n,
         SUM(CASE WHEN type = 'dispatched' THEN inp * ok ELSE 0 END) AS d_ok,
         MAX(CASE WHEN type = 'handled' THEN seq * 4 + inp * 2 + ok END) AS h_last,
         MAX(CASE WHEN type = 'reworked' THEN inp ELSE 0 END) AS rw_in,
         MAX(CASE WHEN type = 'extension_decided' THEN inp * approved ELSE 0 END) AS ext_in,
         MAX(CASE WHEN hover IS NOT NULL THEN seq * 2 + hover END) % 2 AS over_hi,
         MAX(CASE WHEN sover IS NOT NULL THEN seq * 2 + sover END) % 2 AS s_over,
         MAX(CASE WHEN type = 'closed' THEN inp * 2 + hot ELSE 0 END) AS cl,
         MAX(CASE WHEN type = 'reported' THEN role || '|' || actor END) AS reporter,
         MAX(CASE WHEN type = 'filed' THEN role || '|' || actor END) AS filer,
         MAX(CASE WHEN type = 'dispatched'
                  THEN {d.padded("seq")} || role || '|' || actor END) AS d_actor
  FROM {t["ev"]} ev
  GROUP BY case_id
""",
        "fu": f"""
  SELECT cf.*, rel.district_code, rel.street_code, rel.community_code, rel.grid_code, rel.ext,
         CASE WHEN cf.d_last IS NOT NULL AND cf.d_last / 2 > cf.r_last AND cf.canc = 0
              THEN 1 ELSE 0 END AS has_unit,
         CASE WHEN cf.d_last IS NOT NULL AND cf.d_last % 2 = 1 AND cf.d_last / 2 > cf.r_last
              THEN 1 ELSE 0 END AS d_kept,
         CASE WHEN cf.st_hi = 4 AND cf.s_over = 1 THEN 1 ELSE 0 END AS pending_over,
         CASE WHEN cf.f_any = 1 AND cf.canc = 0 AND (cf.st_lo IS NULL OR cf.st_lo <> 8)
              THEN 1 ELSE 0 END AS cdue
  FROM cf JOIN {t["rel"]} rel ON rel.id = cf.case_id
""",
        "fh": """
  SELECT fu.*,
         CASE WHEN has_unit = 1 THEN substr(d_unit, 11) END AS unit,
         CASE WHEN has_unit = 1 AND d_last % 2 = 1 THEN 1 ELSE 0 END AS received,
         CASE WHEN has_unit = 1 AND (st_lo IS NULL OR st_lo NOT IN (6, 7, 8) OR rw_in = 1)
              THEN 1 ELSE 0 END AS hdue,
         CASE WHEN cdue = 1 AND cl >= 2 THEN 1 ELSE 0 END AS closed,
         CASE WHEN cdue = 1 AND cl = 3 THEN 1 ELSE 0 END AS closed_ok
  FROM fu
""",
        "f": """
  SELECT fh.*,
         CASE WHEN hdue = 1 AND st_hi IN (6, 7, 8) AND (h_last / 2) % 2 = 1
              THEN 1 ELSE 0 END AS handled,
         CASE WHEN hdue = 1 AND st_hi IN (6, 7, 8) AND (h_last / 2) % 2 = 1 AND h_last % 2 = 1
              THEN 1 ELSE 0 END AS handled_ok,
         CASE WHEN hdue = 1 AND st_hi = 5 AND over_hi = 1 THEN 1 ELSE 0 END AS overdue
  FROM fh
""",
    }
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
SELECT 'post', v.role, v.actor, v.type, NULL, NULL, COUNT(*), SUM(v.ok), {zeros(2)}
FROM {t["ev"]} v
WHERE v.inp = 1 AND v.role IN {_in(POST_ROLES)} AND v.type IN {_in(POST_EVENTS)}
GROUP BY v.role, v.actor, v.type
""",
        "reporter": f"""
SELECT 'reporter', f.reporter, NULL, NULL, NULL, NULL, {one(C.REPORTED_VALID, "f.f_any")}
FROM {t["f"]} f WHERE f.rep_in = 1
GROUP BY f.reporter
""",
        "filer": f"""
SELECT 'filer', f.filer, NULL, NULL, NULL, NULL, {one(C.FILED_CANCELLED, "f.canc")}
FROM {t["f"]} f WHERE f.f_in = 1
GROUP BY f.filer
""",
        "kept": f"""
SELECT 'kept', substr(f.d_actor, 11), NULL, NULL, NULL, NULL, {one(C.DISPATCHED_WRONG, "f.d_kept")}
FROM {t["f"]} f WHERE f.d_kept = 1
GROUP BY substr(f.d_actor, 11)
""",
        "worked": f"""
SELECT DISTINCT 'worked', v.actor, r.grid_code, NULL, NULL, NULL,
       {", ".join(f"0 AS {c.value}" for c in ALL_COUNTS)}
FROM {t["ev"]} v JOIN {t["rel"]} r ON r.id = v.case_id
WHERE v.inp = 1 AND v.role = 'inspector'
  AND v.type IN ('reported', 'verified', 'reworked', 'closed')
  AND r.grid_code IS NOT NULL
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
CTE_NAMES = ("rel", "ev", "cf", "fu", "fh", "f")
FINALS = ("region", "unit", "post", "reporter", "filer", "kept", "worked")
TEMP = {"rel": "eval_rel", "ev": "eval_ev", "f": "eval_f"}
# SQLite evaluates a CTE again for every branch of a UNION that reads it, so there the steps
# go through temporary tables; PostgreSQL materializes a CTE read twice once.
USE_TEMP_TABLES = {"sqlite": True}
PG_WORK_MEM = "256MB"
_STATEMENTS: dict[tuple[str, frozenset[str] | None, bool], str] = {}
_STEPS: dict[tuple[str, frozenset[str] | None], tuple[list[str], dict[str, str]]] = {}


def statement(dialect: str, channels: frozenset[str] | None = None, case_ids: bool = False) -> str:
    """The whole evaluation as one statement (CTEs; ``case_ids``: the overdue cases only)."""
    key = (dialect, channels, case_ids)
    if key not in _STATEMENTS:
        bodies, finals = _pieces(Dialect(dialect), channels, {n: n for n in CTE_NAMES})
        ctes = ",\n".join(f"{n} AS ({bodies[n]})" for n in CTE_NAMES)
        final = (
            "SELECT f.case_id FROM f WHERE f.overdue = 1 ORDER BY f.case_id"
            if case_ids
            else "UNION ALL".join(finals[k] for k in FINALS)
        )
        _STATEMENTS[key] = f"WITH {ctes}\n{final}"
    return _STATEMENTS[key]


def steps(dialect: str, channels: frozenset[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The evaluation through temporary tables: the statements that fill them, and the final
    queries (``region``, ``post``, ``worked``, ``overdue``) that read them."""
    key = (dialect, channels)
    if key not in _STEPS:
        bodies, finals = _pieces(Dialect(dialect), channels, TEMP)
        chain = ",\n".join(f"{n} AS ({bodies[n]})" for n in ("cf", "fu", "fh", "f"))
        setup = [f"DROP TABLE IF EXISTS {name}" for name in TEMP.values()]
        setup += [
            f"CREATE TEMP TABLE {TEMP['rel']} AS {bodies['rel']}",
            f"CREATE TEMP TABLE {TEMP['ev']} AS {bodies['ev']}",
            f"CREATE TEMP TABLE {TEMP['f']} AS WITH {chain}\nSELECT * FROM f",
            f"CREATE INDEX {TEMP['f']}_case ON {TEMP['f']} (case_id)",
            f"CREATE INDEX {TEMP['rel']}_id ON {TEMP['rel']} (id)",
        ]
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
            # Compiling this one statement costs more than it saves; its sorts and hash
            # aggregates over a month's events need more than the default 4 MB to stay in memory.
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
    params: dict[str, object] = {"lo": lo, "hi": hi}
    if conn.dialect.name == "sqlite":
        params["hi_s"] = hi.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return params


def _bound(sql: str) -> Any:
    """The statement with its time parameters typed (only those it uses)."""
    typed = [bindparam(n, type_=UTCDateTime()) for n in ("lo", "hi") if re.search(rf":{n}\b", sql)]
    return text(sql).bindparams(*typed)


def _used(sql: str, params: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in params.items() if re.search(rf":{k}\b", sql)}


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
    ``channels``: count only the cases reported through these channels (e.g. the hotline)."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
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
    """Roll the statement's rows up into every object's counts."""
    out: Counts = defaultdict(Counter)
    grid_counts: dict[str, Counter[str]] = defaultdict(Counter)
    worked: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        kind = row[0]
        keys = row[1:6]
        values = {c.value: int(v or 0) for c, v in zip(ALL_COUNTS, row[6:], strict=True) if v}
        if kind == "region":
            district, street, community, grid = (
                str(k) if k is not None else None for k in keys[:4]
            )
            targets = [(K.CITY, CITY_CODE)]
            targets += [
                (lvl, code)
                for lvl, code in zip(
                    REGION_LEVELS, (district, street, community, grid), strict=True
                )
                if code
            ]
            for target in targets:
                out[target].update(values)
            if grid:
                grid_counts[grid].update(values)
        elif kind == "unit":
            out[(K.DEPARTMENT, str(keys[0]))].update(values)
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
                if kind == "kept":
                    post.subtract(values)
                else:
                    post.update(values)
        else:
            worked[str(keys[0])].add(str(keys[1]))
    explicit = {k: set(v) for k, v in (assignment or {}).items()}
    for actor in {code for kind, code in out if kind == K.INSPECTOR} | set(explicit):
        grids = explicit.get(actor, worked.get(actor, set()))
        counts = out[(K.INSPECTOR, actor)]
        counts[C.GRID_FILED] += sum(grid_counts[g][C.FILED] for g in grids)
        counts[C.MISSED] += sum(grid_counts[g][C.FILED_PUBLIC] for g in grids)
    return dict(out)


__all__ = ["assemble", "engine_counts", "normalized", "overdue_case_ids", "statement"]
