"""The SQL the evaluation shares between its projection and its engine, on SQLite and
PostgreSQL: reading the typed facts of events out of ``case_events.data`` (``typed_events``),
and the walk that turns a case's typed events into its figures for a period (``walk``).

The projection (``facts``) stores ``typed_events`` rows in ``evaluation_event_facts`` and the
walk over a case's whole history in ``evaluation_case_facts``; the engine (``engine``) walks
the events of the few cases a period cuts through, from the projection or, for events it has
not taken in yet, straight from the log with the same ``typed_events``. One definition, three
uses: the figures cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cityops.adapters.db.tables.evaluation import evaluation_case_facts
from cityops.domain.evaluation.definitions import (
    CLOCK_EVENTS,
    EXTERNAL_CHANNELS,
    POST_ROLES,
    TIMED_EVENTS,
)

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
TERMINAL_CODES = (3, 8, 9)
# The event types counted for posts (engine.POST_EVENTS) and an inspector's own steps, whose
# grids are the grids the inspector worked in.
POST_TYPES = frozenset(
    {
        "reported",
        "verified",
        "filed",
        "rejected",
        "dispatched",
        "check_requested",
        "reworked",
        "closed",
    }
)
WORK_TYPES = frozenset({"reported", "verified", "reworked", "closed"})
LOCATION = ("channel", "district_code", "street_code", "community_code", "grid_code")
# A case is looked up by its first event when it ended within SPAN_DAYS of it; longer and
# open cases are few and listed apart (``long_span``).
SPAN_DAYS = 7
# The bounds of a walk over a whole history.
FAR_PAST = datetime(1900, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
# The per-case figures, in the order of ``evaluation_case_facts``.
FIGURES = tuple(
    c.name
    for c in evaluation_case_facts.c
    if c.name not in ("case_id", "first_at", "last_at", "ended", "long_span", *LOCATION)
)
# What the final sums read of a case: its id, location and figures.
CASE_ROW = ("case_id", *LOCATION, *FIGURES)
# The typed columns of an event, as stored in evaluation_event_facts (keys aside).
EVENT_COLUMNS = (
    "event_id",
    "case_id",
    "seq",
    "at",
    "type",
    "role",
    "actor",
    "state",
    "on_time",
    "unit",
    "approved",
    "handled_on_time",
    "clock",
    "handling_deadline",
    "handling_over",
    "stage_deadline",
    *LOCATION,
)


def in_list(values: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


@dataclass(frozen=True)
class Dialect:
    """The few SQL fragments that differ between SQLite and PostgreSQL."""

    name: str

    @property
    def postgresql(self) -> bool:
        return self.name == "postgresql"

    def text(self, doc: str, *path: str) -> str:
        """The JSON value at ``path`` of the column ``doc``, as text."""
        if self.postgresql:
            return f"({doc} #>> '{{{','.join(path)}}}')"
        return f"json_extract({doc}, '$.{'.'.join(path)}')"

    def flag(self, doc: str, *path: str) -> str:
        """1 when the JSON value is ``true``, else 0."""
        true = "'true'" if self.postgresql else "1"
        return f"(CASE WHEN {self.text(doc, *path)} = {true} THEN 1 ELSE 0 END)"

    def integer(self, doc: str, *path: str) -> str:
        return f"CAST({self.text(doc, *path)} AS {'BIGINT' if self.postgresql else 'INTEGER'})"

    def instant(self, raw: str) -> str:
        """An ISO 8601 text (``datetime.isoformat()`` of an aware time, any offset) as the
        stored form of a UTC time. SQLite stores ``YYYY-MM-DD HH:MM:SS.ffffff`` text: the
        seconds are converted by ``datetime()`` and the microseconds kept as written (an
        offset is whole minutes), so comparisons stay exact to the microsecond."""
        if self.postgresql:
            return f"CAST({raw} AS TIMESTAMPTZ)"
        seconds = f"datetime(substr({raw}, 1, 19) || substr({raw}, 27))"
        return (
            f"(CASE WHEN {raw} IS NULL THEN NULL"
            f" WHEN substr({raw}, 20, 1) = '.' AND substr({raw}, 27, 1) IN ('+', '-', 'Z')"
            f" THEN {seconds} || '.' || substr({raw}, 21, 6)"
            f" WHEN substr({raw}, 20, 1) IN ('+', '-', 'Z') THEN datetime({raw}) || '.000000'"
            f" ELSE strftime('%Y-%m-%d %H:%M:%f', {raw}) || '000' END)"
        )

    def padded(self, expr: str) -> str:
        if self.postgresql:
            return f"lpad(CAST({expr} AS TEXT), 10, '0')"
        return f"substr('0000000000' || {expr}, -10)"

    def longer_than(self, first: str, last: str, days: int) -> str:
        if self.postgresql:
            return f"({last} - {first} > INTERVAL '{days} days')"
        return f"(julianday({last}) - julianday({first}) > {days})"


def typed_events(d: Dialect, where: str, *, case_fields: bool = False) -> str:
    """The typed facts of the events ``e`` of ``case_events`` that satisfy ``where``.

    ``case_fields`` adds, from the case's ``reported`` event (``r``, seq 1), ``work_grid``
    (the case's grid, on an inspector's own steps) and ``case_channel``."""
    states = " ".join(f"WHEN '{s}' THEN {n}" for s, n in STATE_CODES.items())
    limit = d.text("e.data", "handling", "limit_seconds")
    clock = f"e.type IN {in_list(CLOCK_EVENTS)} AND {limit} IS NOT NULL"
    used = d.integer("e.data", "handling", "used_seconds")
    location = ",\n         ".join(
        f"CASE WHEN e.type = 'reported' THEN {d.text('e.data', name)} END AS {name}"
        for name in LOCATION
    )
    extra, join = "", ""
    if case_fields:
        extra = f""",
         CASE WHEN e.role = 'inspector' AND e.type IN {in_list(WORK_TYPES)}
              THEN {d.text("r.data", "grid_code")} END AS work_grid,
         {d.text("r.data", "channel")} AS case_channel"""
        join = "LEFT JOIN case_events r ON r.case_id = e.case_id AND r.seq = 1"
    inner = f"""
  SELECT e.id AS event_id, e.case_id, e.seq, e.at, e.type, e.role, e.actor,
         CASE e.to_state {states} END AS state,
         CASE WHEN e.type IN {in_list(TIMED_EVENTS)} THEN {d.flag("e.data", "on_time")}
              ELSE 0 END AS on_time,
         CASE WHEN e.type = 'dispatched' THEN {d.text("e.data", "unit")} END AS unit,
         CASE WHEN e.type = 'extension_decided' THEN {d.flag("e.data", "approved")}
              ELSE 0 END AS approved,
         CASE WHEN e.type = 'closed' THEN {d.flag("e.data", "handled_on_time")}
              ELSE 0 END AS handled_on_time,
         CASE WHEN {clock} THEN 1 ELSE 0 END AS clock,
         CASE WHEN {clock} THEN {d.text("e.data", "handling", "deadline")} END AS hd_raw,
         CASE WHEN {clock} AND {used} > {d.integer("e.data", "handling", "limit_seconds")}
              THEN 1 ELSE 0 END AS handling_over,
         CASE WHEN e.to_state = 'filed' THEN {d.text("e.data", "clock", "deadline")}
              END AS sd_raw,
         {location}{extra}
  FROM case_events e {join}
  WHERE {where}"""
    plain = [c for c in EVENT_COLUMNS if c not in ("handling_deadline", "stage_deadline")]
    outer = [f"x.{c}" for c in plain] + [
        f"{d.instant('x.hd_raw')} AS handling_deadline",
        f"{d.instant('x.sd_raw')} AS stage_deadline",
    ]
    if case_fields:
        outer += ["x.work_grid", "x.case_channel"]
    return f"SELECT {', '.join(outer)}\nFROM ({inner}) x"


def walk(d: Dialect, source: str) -> dict[str, str]:
    """The CTE bodies (``cw``, ``fu``, ``fh``, ``fw``) that turn typed events into one row
    per case with its figures for ``[:lo, :hi)``; ``source`` holds the typed events of the
    cases (``EVENT_COLUMNS``) before ``:hi``. ``fw`` has ``CASE_ROW`` plus ``first_at``,
    ``last_at``, ``ended`` and ``long_span``.

    ``max(seq × k + value)`` picks a value of the last event of a kind without a join."""
    loc = ",\n         ".join(
        f"MAX(CASE WHEN type = 'reported' THEN {name} END) AS {name}" for name in LOCATION
    )
    return {
        "cw": f"""
  SELECT case_id, MIN(at) AS first_at, MAX(at) AS last_at,
         {loc},
         MAX(CASE WHEN inp = 0 THEN seq * 16 + state END) % 16 AS st_lo,
         MAX(seq * 16 + state) % 16 AS st_hi,
         MAX(CASE WHEN type = 'reported' THEN inp ELSE 0 END) AS rep_in,
         MAX(CASE WHEN type = 'filed' THEN 1 ELSE 0 END) AS f_any,
         MAX(CASE WHEN type = 'filed' THEN inp ELSE 0 END) AS f_in,
         MAX(CASE WHEN type = 'filed' THEN inp * on_time ELSE 0 END) AS f_ok,
         MAX(CASE WHEN type = 'cancelled' THEN 1 ELSE 0 END) AS canc,
         MAX(CASE WHEN type = 'dispatched' THEN {d.padded("seq")} || unit END) AS d_unit,
         MAX(CASE WHEN type = 'dispatched' THEN seq * 2 + inp END) AS d_last,
         COALESCE(MAX(CASE WHEN type = 'returned' THEN seq END), 0) AS r_last,
         SUM(CASE WHEN type = 'dispatched' THEN inp ELSE 0 END) AS d_n,
         SUM(CASE WHEN type = 'dispatched' THEN inp * on_time ELSE 0 END) AS d_ok,
         MAX(CASE WHEN type = 'handled' THEN seq * 4 + inp * 2 + on_time END) AS h_last,
         MAX(CASE WHEN type = 'reworked' THEN inp ELSE 0 END) AS rw_in,
         MAX(CASE WHEN type = 'extension_decided' THEN inp * approved ELSE 0 END) AS ext_in,
         MAX(CASE WHEN clock = 1 THEN seq * 2 + hover END) % 2 AS over_hi,
         MAX(CASE WHEN state = 4 THEN seq * 2 + sover END) % 2 AS s_over,
         MAX(CASE WHEN type = 'closed' THEN inp * 2 + handled_on_time ELSE 0 END) AS cl,
         MAX(CASE WHEN type = 'reported' THEN role || '|' || actor END) AS reporter,
         MAX(CASE WHEN type = 'filed' THEN role || '|' || actor END) AS filer,
         MAX(CASE WHEN type = 'dispatched'
                  THEN {d.padded("seq")} || role || '|' || actor END) AS d_actor
  FROM (SELECT s.*,
               CASE WHEN s.at >= :lo THEN 1 ELSE 0 END AS inp,
               CASE WHEN s.handling_deadline IS NULL THEN s.handling_over
                    WHEN s.handling_deadline < :hi THEN 1 ELSE 0 END AS hover,
               CASE WHEN s.stage_deadline < :hi THEN 1 ELSE 0 END AS sover
        FROM {source} s) ev
  GROUP BY case_id
""",
        "fu": f"""
  SELECT cw.*,
         CASE WHEN channel IN {in_list(EXTERNAL_CHANNELS)} THEN 1 ELSE 0 END AS ext,
         CASE WHEN d_last IS NOT NULL AND d_last / 2 > r_last AND canc = 0
              THEN 1 ELSE 0 END AS has_unit,
         CASE WHEN d_last IS NOT NULL AND d_last % 2 = 1 AND d_last / 2 > r_last
              THEN 1 ELSE 0 END AS d_kept,
         CASE WHEN st_hi = 4 AND s_over = 1 THEN 1 ELSE 0 END AS pending_over,
         CASE WHEN f_any = 1 AND canc = 0 AND (st_lo IS NULL OR st_lo <> 8)
              THEN 1 ELSE 0 END AS cdue
  FROM cw
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
        "fw": f"""
  SELECT {", ".join(CASE_ROW)}, first_at, last_at,
         CASE WHEN st_hi IN {TERMINAL_CODES} THEN 1 ELSE 0 END AS ended,
         CASE WHEN st_hi NOT IN {TERMINAL_CODES}
                   OR {d.longer_than("first_at", "last_at", SPAN_DAYS)} THEN 1 ELSE 0 END
              AS long_span
  FROM (SELECT fh.*,
               CASE WHEN hdue = 1 AND st_hi IN (6, 7, 8) AND (h_last / 2) % 2 = 1
                    THEN 1 ELSE 0 END AS handled,
               CASE WHEN hdue = 1 AND st_hi IN (6, 7, 8) AND (h_last / 2) % 2 = 1
                         AND h_last % 2 = 1 THEN 1 ELSE 0 END AS handled_ok,
               CASE WHEN hdue = 1 AND st_hi = 5 AND over_hi = 1 THEN 1 ELSE 0 END AS overdue
        FROM fh) f
""",
    }


def walk_ctes(d: Dialect, source: str) -> str:
    """The walk as ``name AS (body)`` CTEs (to follow a ``WITH`` and precede a SELECT from
    ``fw``)."""
    return ",\n".join(f"{name} AS ({body})" for name, body in walk(d, source).items())


__all__ = [
    "CASE_ROW",
    "EVENT_COLUMNS",
    "FAR_FUTURE",
    "FAR_PAST",
    "FIGURES",
    "POST_ROLES",
    "POST_TYPES",
    "SPAN_DAYS",
    "STATE_CODES",
    "WORK_TYPES",
    "Dialect",
    "typed_events",
    "walk",
    "walk_ctes",
]
