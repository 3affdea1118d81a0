"""The cockpit (驾驶舱): one summary of the city's live state for the leaders' screen, the
feed of new case events behind its live stream, and two reads the evaluation API needs.

Everything is read from the ``cases`` projection and the ``case_events`` log through their
indexes (``reported_at``, ``state``/``light``, the open-case partial indexes, events by
``(type, at)`` and by id), so a summary stays fast on a city-year of a million cases. The
figures and their definitions are listed in ``docs/cockpit.md``; the closure rates of a
period that ends *now* are exactly the evaluation's (``docs/evaluation.md``): 应结案数 = the
filed cases open now + the cases closed in the period, 结案数 = the cases closed in it.

``SummaryCache`` keeps a summary for a few seconds (several screens polling the same numbers
cost one computation); ``EventFeed`` reads the events after a client's last seen id, and
re-reads ids it skipped, since on PostgreSQL a transaction that took an id earlier may commit
after a later one. Read only: nothing here writes.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, Engine, case, func, literal, select, text
from sqlalchemy.exc import OperationalError

from cityops.adapters.db.engine import READONLY_OPTION
from cityops.adapters.db.tables.cases import case_events, cases
from cityops.adapters.db.tables.evaluation import assessment_items, assessment_schemes
from cityops.adapters.db.tables.geography import grids, regions
from cityops.domain.cases.vocabulary import (
    CHANNEL_LABELS_ZH,
    EVENT_LABELS_ZH,
    ROLE_LABELS_ZH,
    STATE_LABELS_ZH,
    CaseState,
    Channel,
    EventType,
    Role,
)
from cityops.domain.catalog.model import CityProfile
from cityops.domain.geo.measure import metres_per_degree
from cityops.services.case_queries import OPEN_VALUES
from cityops.services.geography.revisions import generation, revisions

# Filed and not ended: the open cases that count in 应结案数.
FILED_OPEN = frozenset(
    s.value for s in (CaseState.FILED, CaseState.DISPATCHED, CaseState.HANDLED, CaseState.CHECKING)
)
# The open states written out as the partial indexes of migration 0009 are defined.
OPEN_SQL = "state IN ({})".format(", ".join(f"'{v}'" for v in OPEN_VALUES))
OPEN_INDEX_HINT = " INDEXED BY ix_cases_open_deadline"
PUBLIC_ACTOR_ZH = "市民"
MAX_HEAT_DAYS = 90
TREND_DAYS = 30


class HeatMode(StrEnum):
    GRID = "grid"  # counts per unit grid, at the grid's centroid
    HEX = "hex"  # counts per hexagon of ``hex_m`` metres (centre to corner)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only connection (SQLite: a deferred BEGIN, so it never blocks a writer)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{READONLY_OPTION: True})


# ----------------------------------------------------------------------------- time


@dataclass(frozen=True)
class Clock:
    """The instants of a summary, in UTC, from the city's day boundaries."""

    now: datetime
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, clock_time(0), self.zone).astimezone(UTC)

    @property
    def today_lo(self) -> datetime:
        return self.midnight(self.today)

    @property
    def month_lo(self) -> datetime:
        return self.midnight(self.today.replace(day=1))

    def hours(self) -> list[datetime]:
        """The bounds of the hours of today (24 of them, 23 or 25 on a change of DST)."""
        lo, hi = self.today_lo, self.midnight(self.today + timedelta(days=1))
        n = round((hi - lo).total_seconds() / 3600)
        return [lo + timedelta(hours=k) for k in range(n + 1)]

    def days(self, n: int) -> list[datetime]:
        """The bounds of the last ``n`` days, today included (n + 1 instants)."""
        first = self.today - timedelta(days=n - 1)
        return [self.midnight(first + timedelta(days=k)) for k in range(n + 1)]

    def local(self, at: datetime) -> str:
        return at.astimezone(self.zone).isoformat()


def _bucket(column: Any, bounds: list[datetime], first: int = 0) -> Any:
    """The index of the interval [bounds[i], bounds[i+1]) that holds ``column`` (for a value
    already known to lie in [bounds[0], bounds[-1])), as nested halvings: a handful of
    comparisons per row however many intervals there are."""
    n = len(bounds) - 1
    if n <= 1:  # an expression of the column: a bare constant would read as a position
        return case((column < bounds[-1], literal(first)), else_=literal(first))
    mid = n // 2
    return case(
        (column < bounds[mid], _bucket(column, bounds[: mid + 1], first)),
        else_=_bucket(column, bounds[mid:], first + mid),
    )


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 2)


# ----------------------------------------------------------------------------- names


@dataclass
class _Places:
    grids: dict[str, tuple[float, float, str]]  # code → centroid lon, lat, name
    regions: dict[str, str]  # code → name


_places: dict[tuple[Any, ...], _Places] = {}
_places_lock = threading.Lock()


def _places_of(conn: Connection, engine: Engine) -> _Places:
    """Grid centroids and region names, loaded once per change of the geography."""
    key = (id(engine), generation(engine), revisions(conn))
    found = _places.get(key)
    if found is not None:
        return found
    g = {
        str(r.code): (float(r.centroid_lon), float(r.centroid_lat), str(r.name or ""))
        for r in conn.execute(
            select(grids.c.code, grids.c.centroid_lon, grids.c.centroid_lat, grids.c.name)
        )
    }
    names = {str(r.code): str(r.name) for r in conn.execute(select(regions.c.code, regions.c.name))}
    places = _Places(g, names)
    with _places_lock:
        for old in [k for k in _places if k[0] == id(engine)]:
            del _places[old]
        _places[key] = places
    return places


def _unit_name(profile: CityProfile, code: str | None) -> str | None:
    if not code:
        return None
    unit = profile.units.get(code)
    return unit.name if unit else code


def _region_name(profile: CityProfile, places: _Places, code: str | None) -> str | None:
    if not code:
        return None
    if code in places.regions:
        return places.regions[code]
    region = profile.regions.get(code)
    return region.name if region is not None and region.name else code


# ----------------------------------------------------------------------------- events


EVENT_COLUMNS = (
    case_events.c.id,
    case_events.c.case_id,
    case_events.c.seq,
    case_events.c.type,
    case_events.c.at,
    case_events.c.actor,
    case_events.c.role,
    case_events.c.unit,
    case_events.c.from_state,
    case_events.c.to_state,
    cases.c.case_no,
    cases.c.district_code,
    cases.c.street_code,
    cases.c.grid_code,
    cases.c.class_code,
    cases.c.assigned_unit,
    cases.c.light,
)


def event_item(row: Any, profile: CityProfile, zone: ZoneInfo) -> dict[str, Any]:
    """One case event as the cockpit shows it: what happened to which case, where, and who
    did it (a citizen's login is shown as 市民; no contact data, no opinions)."""
    m = row._mapping
    kind, role = str(m["type"]), str(m["role"])
    cls = profile.classes.get(m["class_code"] or "")
    return {
        "id": int(m["id"]),
        "case_id": int(m["case_id"]),
        "case_no": m["case_no"],
        "seq": int(m["seq"]),
        "type": kind,
        "type_zh": EVENT_LABELS_ZH.get(EventType(kind), kind) if _known(EventType, kind) else kind,
        "at": m["at"].astimezone(zone).isoformat(),
        "role": role,
        "role_zh": ROLE_LABELS_ZH[Role(role)] if _known(Role, role) else role,
        "actor": PUBLIC_ACTOR_ZH if role == Role.PUBLIC.value else m["actor"],
        "from_state": m["from_state"],
        "to_state": m["to_state"],
        "to_state_zh": STATE_LABELS_ZH[CaseState(m["to_state"])]
        if _known(CaseState, m["to_state"])
        else m["to_state"],
        "district_code": m["district_code"],
        "grid_code": m["grid_code"],
        "class_code": m["class_code"],
        "class_name": cls.name if cls else None,
        "unit": m["assigned_unit"],
        "unit_name": _unit_name(profile, m["assigned_unit"]),
        "light": m["light"],
    }


def _known(enum: Any, value: object) -> bool:
    return value in enum._value2member_map_


def last_event_id(engine: Engine) -> int:
    with reading(engine) as conn:
        return int(conn.execute(select(func.max(case_events.c.id))).scalar() or 0)


@dataclass
class EventFeed:
    """The case events after ``after`` for one client, oldest first, ``batch`` at a time.

    ``last`` is the highest id handed out (events of other districts are passed over, not
    handed out). An id missing below ``last`` is remembered for ``gap_seconds`` and read
    again each poll: its transaction may still commit (PostgreSQL hands out ids at insert,
    not at commit); a rolled-back id simply expires."""

    engine: Engine
    profile: CityProfile
    after: int
    district: str | None = None
    batch: int = 200
    gap_seconds: float = 10.0
    clock: Callable[[], float] = time.monotonic
    gaps: dict[int, float] = field(default_factory=dict)
    full: bool = False  # the last poll filled a batch: more are waiting

    def __post_init__(self) -> None:
        self.last = self.after
        self.zone = ZoneInfo(self.profile.calendar.time_zone)

    def poll(self) -> list[dict[str, Any]]:
        now = self.clock()
        for gid, seen in list(self.gaps.items()):
            if now - seen > self.gap_seconds:
                del self.gaps[gid]
        e = case_events.c
        wanted = e.id > self.last
        if self.gaps:
            wanted = wanted | e.id.in_(sorted(self.gaps))
        stmt = (
            select(*EVENT_COLUMNS)
            .select_from(case_events.outerjoin(cases, cases.c.id == e.case_id))
            .where(wanted)
            .order_by(e.id)
            .limit(self.batch)
        )
        with reading(self.engine) as conn:
            rows = conn.execute(stmt).all()
        out = []
        for row in rows:
            rid = int(row.id)
            if rid in self.gaps:
                del self.gaps[rid]
            elif rid > self.last:
                for missing in range(self.last + 1, min(rid, self.last + 1 + self.batch)):
                    self.gaps.setdefault(missing, now)
                self.last = rid
            if self.district is None or row.district_code == self.district:
                out.append(event_item(row, self.profile, self.zone))
        self.full = len(rows) >= self.batch
        return out


# ----------------------------------------------------------------------------- days


@dataclass
class DayStore:
    """Figures of whole past days, kept so that a summary reads only today from the
    database: per day, reports per (district, grid), closures per (district, unit), timed
    steps per (type, district), and (for hexagons) the reports' positions.

    A past day changes only when an event is recorded late with a time on it: every refresh
    reads the earliest time among the events added since the last one (by id, a short index
    range) and forgets the days from then on. ``ttl`` forgets everything now and then, in
    case an event's transaction committed after a later one's (PostgreSQL)."""

    ttl: float = 1800.0
    clock: Callable[[], float] = time.monotonic
    days: dict[str, dict[date, Any]] = field(default_factory=dict)
    seen: int | None = None
    born: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, conn: Connection, clk: Clock) -> int:
        """Forget what later events changed; returns the newest event id."""
        newest = int(conn.execute(select(func.max(case_events.c.id))).scalar() or 0)
        if self.seen is None or self.clock() - self.born > self.ttl or newest < self.seen:
            self.days, self.born = {}, self.clock()
        elif newest > self.seen:
            first = conn.execute(
                select(func.min(case_events.c.at)).where(case_events.c.id > self.seen)
            ).scalar()
            if first is not None and first < clk.today_lo:
                since = first.astimezone(clk.zone).date()
                for family in self.days.values():
                    for day in [d for d in family if d >= since]:
                        del family[day]
        self.seen = newest
        return newest

    def get(self, conn: Connection, clk: Clock, family: str, first: date) -> dict[date, Any]:
        """The family's figures of the days from ``first`` to yesterday, loading the days
        not kept yet in one query."""
        kept = self.days.setdefault(family, {})
        wanted = [first + timedelta(days=k) for k in range((clk.today - first).days)]
        missing = [d for d in wanted if d not in kept]
        if missing:
            lo, hi = missing[0], missing[-1] + timedelta(days=1)
            bounds = [clk.midnight(lo + timedelta(days=k)) for k in range((hi - lo).days + 1)]
            loaded = LOADERS[family](conn, bounds)
            for k in range(len(bounds) - 1):
                kept[lo + timedelta(days=k)] = loaded.get(k, EMPTY[family]())
        return {d: kept[d] for d in wanted}


def _grids(conn: Connection, bounds: list[datetime]) -> dict[int, Counter[tuple[Any, Any]]]:
    c = cases.c
    day = _bucket(c.reported_at, bounds).label("d")
    out: dict[int, Counter[tuple[Any, Any]]] = defaultdict(Counter)
    for d, district, grid, n in conn.execute(
        select(day, c.district_code, c.grid_code, func.count())
        .where(c.reported_at >= bounds[0], c.reported_at < bounds[-1])
        .group_by(day, c.district_code, c.grid_code)
    ):
        out[int(d)][(district, grid)] += int(n)
    return out


Tally = dict[tuple[str, Any, Any], list[int]]  # (type, district, unit) → [events, in time]
TALLIED = (EventType.CLOSED.value, EventType.HANDLED.value, EventType.DISPATCHED.value)


def _events(conn: Connection, bounds: list[datetime]) -> dict[int, Tally]:
    """Closures (by the case's responsible unit, in time when the last handling was) and
    handlings and dispatches (in time when their stage was), per day and district."""
    e, c = case_events.c, cases.c
    day = _bucket(e.at, bounds).label("d")
    closed = e.type == EventType.CLOSED.value
    unit = case((closed, c.assigned_unit), else_=None).label("u")
    good = case(
        (closed, case((e.data["handled_on_time"].as_boolean(), 1), else_=0)),
        else_=case((e.data["on_time"].as_boolean(), 1), else_=0),
    )
    out: dict[int, Tally] = defaultdict(dict)
    for d, kind, district, u, n, ok in conn.execute(
        select(day, e.type, c.district_code, unit, func.count(), func.sum(good))
        .select_from(case_events.join(cases, c.id == e.case_id))
        .where(e.type.in_(TALLIED), e.at >= bounds[0], e.at < bounds[-1])
        .group_by(day, e.type, c.district_code, unit)
    ):
        out[int(d)][(str(kind), district, u)] = [int(n), int(ok or 0)]
    return out


Points = tuple[np.ndarray, np.ndarray]  # lon/lat pairs (n × 2), district codes (n)


def _points(conn: Connection, bounds: list[datetime]) -> dict[int, Points]:
    c = cases.c
    day = _bucket(c.reported_at, bounds).label("d")
    rows = conn.execute(
        select(day, c.district_code, c.lon, c.lat).where(
            c.reported_at >= bounds[0], c.reported_at < bounds[-1]
        )
    ).all()
    if not rows:
        return {}
    days = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    where = np.fromiter((v for r in rows for v in (r[2], r[3])), dtype=float, count=2 * len(rows))
    districts = np.array([r[1] or "" for r in rows], dtype="U12")
    where = where.reshape(-1, 2)
    return {int(d): (where[days == d], districts[days == d]) for d in np.unique(days)}


LOADERS: dict[str, Callable[[Connection, list[datetime]], dict[int, Any]]] = {
    "grids": _grids,
    "events": _events,
    "points": _points,
}
EMPTY: dict[str, Callable[[], Any]] = {
    "grids": Counter,
    "events": dict,
    "points": lambda: (np.zeros((0, 2)), np.zeros(0, dtype="U12")),
}

_stores: weakref.WeakKeyDictionary[Engine, DayStore] = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def day_store(engine: Engine) -> DayStore:
    with _stores_lock:
        store = _stores.get(engine)
        if store is None:
            store = _stores[engine] = DayStore()
        return store


# ----------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class SummaryRequest:
    district: str | None = None
    heat_days: int = 7
    heat_mode: HeatMode = HeatMode.GRID
    hex_m: float = 500.0
    top: int = 10
    latest: int = 20


def summary(
    engine: Engine,
    profile: CityProfile,
    now: datetime,
    req: SummaryRequest | None = None,
    store: DayStore | None = None,
) -> dict[str, Any]:
    """The cockpit's figures at ``now`` for the whole city or one district (docs/cockpit.md)."""
    req = req or SummaryRequest()
    store = store or day_store(engine)
    clk = Clock(now.astimezone(UTC), ZoneInfo(profile.calendar.time_zone))
    heat_days = max(1, min(MAX_HEAT_DAYS, req.heat_days))
    month_first = clk.today.replace(day=1)
    trend_first = clk.today - timedelta(days=TREND_DAYS - 1)
    heat_first = clk.today - timedelta(days=heat_days - 1)
    live = [clk.today_lo, clk.midnight(clk.today + timedelta(days=1))]  # all of today
    mine = _in_district(req.district)
    with reading(engine) as conn, store.lock:
        places = _places_of(conn, engine)
        last_id = store.refresh(conn, clk)
        today, today_grids = _today_cases(conn, clk, mine)
        open_, units_open = _open_cases(conn, req.district)
        grids = store.get(conn, clk, "grids", min(trend_first, month_first, heat_first))
        grids[clk.today] = today_grids
        tally = store.get(conn, clk, "events", min(trend_first, month_first))
        tally[clk.today] = _events(conn, live).get(0, {})
        points: dict[date, Points] = {}
        if req.heat_mode == HeatMode.HEX:
            points = store.get(conn, clk, "points", heat_first)
            points[clk.today] = _points(conn, live).get(0, EMPTY["points"]())
        latest = _latest(conn, profile, clk, req, last_id)
    filed_open = sum(n for (state, _), n in open_["by_state_light"].items() if state in FILED_OPEN)
    month_days = [d for d in tally if d >= month_first]
    month = f"{month_first.isoformat()}..{clk.today.isoformat()}"
    rates = {
        "today": _rates(clk.today.isoformat(), [tally[clk.today]], filed_open, mine),
        "month": _rates(month, [tally[d] for d in month_days], filed_open, mine),
    }
    units_closed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in month_days:
        for (kind, district, unit), (n, ok) in tally[d].items():
            if kind == EventType.CLOSED.value and unit and mine(district):
                units_closed[unit][0] += n
                units_closed[unit][1] += ok
    trend = [
        {
            "date": d.isoformat(),
            "intake": sum(n for (district, _), n in grids[d].items() if mine(district)),
            "closed": _sums([tally[d]], mine)[EventType.CLOSED.value][0],
        }
        for d in (trend_first + timedelta(days=k) for k in range(TREND_DAYS))
    ]
    heat_range = [heat_first + timedelta(days=k) for k in range(heat_days)]
    if req.heat_mode == HeatMode.HEX:
        heat_cells = _hex_cells([points[d] for d in heat_range], req.district, req.hex_m)
    else:
        heat_cells = _grid_cells([grids[d] for d in heat_range], mine, places)
    heat_cells.sort(key=lambda x: (-x["count"], str(x["code"])))
    return {
        "computed_at": clk.local(datetime.now(UTC)),
        "now": clk.local(clk.now),
        "time_zone": profile.calendar.time_zone,
        "city": profile.city_name,
        "district": req.district,
        "district_name": _region_name(profile, places, req.district),
        "last_event_id": last_id,
        "today": today,
        "open": _open_out(open_),
        "rates": rates,
        "units": _units_out(profile, units_open, units_closed, req.top),
        "trend_7d": trend[-7:],
        "trend_30d": trend,
        "heat": {
            "mode": req.heat_mode.value,
            "days": heat_days,
            "since": clk.local(clk.midnight(heat_first)),
            "hex_m": req.hex_m if req.heat_mode == HeatMode.HEX else None,
            "total": sum(x["count"] for x in heat_cells),
            "max": max((x["count"] for x in heat_cells), default=0),
            "cells": heat_cells,
        },
        "events": latest,
    }


def _in_district(district: str | None) -> Callable[[Any], bool]:
    if district is None:
        return lambda _d: True
    return lambda d: d == district


def _sums(days: list[Tally], mine: Callable[[Any], bool]) -> dict[str, list[int]]:
    out = {kind: [0, 0] for kind in TALLIED}
    for tally in days:
        for (kind, district, _), (n, ok) in tally.items():
            if mine(district):
                out[kind][0] += n
                out[kind][1] += ok
    return out


def _rates(
    label: str, days: list[Tally], filed_open: int, mine: Callable[[Any], bool]
) -> dict[str, Any]:
    """结案率 and 按期结案率 as the evaluation's for a period ending now, and the shares of
    handlings and dispatches in time."""
    sums = _sums(days, mine)
    closed, on_time = sums[EventType.CLOSED.value]
    handled, handled_ok = sums[EventType.HANDLED.value]
    dispatched, dispatched_ok = sums[EventType.DISPATCHED.value]
    due = filed_open + closed
    return {
        "period": label,
        "closure_due": due,
        "closed": closed,
        "closed_on_time": on_time,
        "closure_rate": _rate(closed, due),
        "on_time_closure_rate": _rate(on_time, due),
        "handled": handled,
        "handled_on_time": handled_ok,
        "on_time_handling_share": _rate(handled_ok, handled),
        "dispatched": dispatched,
        "dispatched_on_time": dispatched_ok,
        "on_time_dispatch_share": _rate(dispatched_ok, dispatched),
    }


def _today_cases(
    conn: Connection, clk: Clock, mine: Callable[[Any], bool]
) -> tuple[dict[str, Any], Counter[tuple[Any, Any]]]:
    """Today's reports by channel and hour (in scope), and by grid (all districts)."""
    bounds = clk.hours()
    c = cases.c
    hour = _bucket(c.reported_at, bounds).label("h")
    by_channel: Counter[str] = Counter()
    by_hour: Counter[int] = Counter()
    grids: Counter[tuple[Any, Any]] = Counter()
    for channel, h, district, grid, n in conn.execute(
        select(c.channel, hour, c.district_code, c.grid_code, func.count())
        .where(c.reported_at >= bounds[0], c.reported_at < bounds[-1])
        .group_by(c.channel, hour, c.district_code, c.grid_code)
    ):
        grids[(district, grid)] += int(n)
        if mine(district):
            by_channel[str(channel)] += int(n)
            by_hour[int(h)] += int(n)
    known = [ch.value for ch in Channel]
    today = {
        "date": clk.today.isoformat(),
        "intake": sum(by_channel.values()),
        "by_channel": [
            {
                "channel": ch,
                "label_zh": CHANNEL_LABELS_ZH[Channel(ch)] if _known(Channel, ch) else ch,
                "count": by_channel.get(ch, 0),
            }
            for ch in known + sorted(set(by_channel) - set(known))
        ],
        "by_hour": [
            {
                "hour": b.astimezone(clk.zone).strftime("%H:00"),
                "start": clk.local(b),
                "count": by_hour.get(i, 0),
            }
            for i, b in enumerate(bounds[:-1])
        ],
    }
    return today, grids


def _open_cases(
    conn: Connection, district: str | None
) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """Open cases by state, light, unit and suspension. SQLite's planner, misled by the
    statistics of ``state`` (nearly every case is closed), would scan a whole index: it is
    told to read the partial index of the open cases (migration 0009), which holds only them."""
    where = f"{OPEN_SQL} AND district_code = :d" if district else OPEN_SQL
    sql = "SELECT state, light, assigned_unit, suspended, count(*) FROM cases{} WHERE {} "
    sql += "GROUP BY state, light, assigned_unit, suspended"
    params = {"d": district} if district else {}
    rows = None
    if conn.dialect.name == "sqlite":
        try:
            rows = conn.execute(text(sql.format(OPEN_INDEX_HINT, where)), params).all()
        except OperationalError:  # a database migrated before the index existed
            rows = None
    if rows is None:
        rows = conn.execute(text(sql.format("", where)), params).all()
    by_state_light: Counter[tuple[str, str]] = Counter()
    suspended = 0
    units: dict[str, dict[str, int]] = defaultdict(lambda: {"red": 0, "yellow": 0, "open": 0})
    for state, light, unit, susp, n in rows:
        by_state_light[(str(state), str(light))] += int(n)
        if susp:
            suspended += int(n)
        if unit and str(state) in FILED_OPEN:
            u = units[str(unit)]
            u["open"] += int(n)
            if light in ("red", "yellow"):
                u[str(light)] += int(n)
    return {"by_state_light": by_state_light, "suspended": suspended}, units


def _open_out(open_: dict[str, Any]) -> dict[str, Any]:
    by_state: Counter[str] = Counter()
    lights: Counter[str] = Counter()
    for (state, light), n in open_["by_state_light"].items():
        by_state[state] += n
        lights[light] += n
    return {
        "total": sum(by_state.values()),
        "by_state": [
            {"state": s, "label_zh": STATE_LABELS_ZH[CaseState(s)], "count": by_state.get(s, 0)}
            for s in OPEN_VALUES
        ],
        "red": lights.get("red", 0),
        "yellow": lights.get("yellow", 0),
        "green": lights.get("green", 0),
        "suspended": open_["suspended"],
    }


def _units_out(
    profile: CityProfile,
    open_units: dict[str, dict[str, int]],
    closed_units: dict[str, list[int]],
    top: int,
) -> dict[str, Any]:
    overdue = sorted(
        ((u, v) for u, v in open_units.items() if v["red"]), key=lambda x: (-x[1]["red"], x[0])
    )
    closure: list[dict[str, Any]] = []
    for u in sorted(set(open_units) | set(closed_units)):
        n, ok = closed_units.get(u, [0, 0])
        due = open_units.get(u, {"open": 0})["open"] + n
        closure.append(
            {
                "unit": u,
                "name": _unit_name(profile, u),
                "closure_due": due,
                "closed": n,
                "closed_on_time": ok,
                "closure_rate": _rate(n, due),
                "on_time_closure_rate": _rate(ok, due),
            }
        )
    with_due = [r for r in closure if r["closure_due"]]
    return {
        "by_overdue": [
            {
                "unit": u,
                "name": _unit_name(profile, u),
                **{k: v[k] for k in ("red", "yellow", "open")},
            }
            for u, v in overdue[:top]
        ],
        "by_closure": sorted(
            with_due, key=lambda r: (-(r["closure_rate"] or 0), -r["closure_due"], r["unit"])
        )[:top],
        "lowest_closure": sorted(
            with_due, key=lambda r: (r["closure_rate"] or 0, -r["closure_due"], r["unit"])
        )[:top],
    }


def _grid_cells(
    days: list[Counter[tuple[Any, Any]]], mine: Callable[[Any], bool], places: _Places
) -> list[dict[str, Any]]:
    total: Counter[Any] = Counter()
    for counts in days:
        for (district, grid), n in counts.items():
            if mine(district):
                total[grid] += n
    cells = []
    for code, n in total.items():
        where = places.grids.get(str(code)) if code else None
        cells.append(
            {
                "code": code,
                "name": where[2] if where else None,
                "lon": where[0] if where else None,
                "lat": where[1] if where else None,
                "count": n,
            }
        )
    return cells


def _hex_cells(days: list[Points], district: str | None, size_m: float) -> list[dict[str, Any]]:
    if not days:
        return []
    lonlat = np.concatenate([p[0] for p in days])
    if district is not None:
        lonlat = lonlat[np.concatenate([p[1] for p in days]) == district]
    return hexbin(lonlat, size_m)


def hexbin(lonlat: np.ndarray, size_m: float) -> list[dict[str, Any]]:
    """Counts of points per pointy-top hexagon of circumradius ``size_m`` metres (on a local
    plane through the points' mean latitude), with each hexagon's centre in lon/lat."""
    if len(lonlat) == 0:
        return []
    lat0 = float(lonlat[:, 1].mean())
    mx, my = metres_per_degree(lat0)
    x, y = lonlat[:, 0] * mx, lonlat[:, 1] * my
    q = (math.sqrt(3) / 3 * x - y / 3) / size_m
    r = (2 / 3 * y) / size_m
    s = -q - r  # cube rounding: the coordinate that moved most is set from the other two
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    keys = rq.astype(np.int64) * (1 << 32) + (rr.astype(np.int64) + (1 << 31))
    uniq, counts = np.unique(keys, return_counts=True)
    hq = np.floor_divide(uniq - (1 << 31), 1 << 32)
    hr = uniq - hq * (1 << 32) - (1 << 31)
    out = []
    for a, b, n in zip(hq.tolist(), hr.tolist(), counts.tolist(), strict=True):
        cx = size_m * (math.sqrt(3) * a + math.sqrt(3) / 2 * b)
        cy = size_m * 1.5 * b
        out.append(
            {
                "code": f"h{a}_{b}",
                "name": None,
                "lon": round(cx / mx, 6),
                "lat": round(cy / my, 6),
                "count": int(n),
            }
        )
    return out


# How many of the newest events a district's latest are looked for in first.
LATEST_WINDOW = 20_000


def _latest(
    conn: Connection, profile: CityProfile, clk: Clock, req: SummaryRequest, last_id: int
) -> list[dict[str, Any]]:
    """The newest events (of the district). A district's are looked for among the city's
    newest events read backwards by id, each case's district looked up by its key: joining
    the district's cases by their index and sorting their events (SQLite's plan) would cost
    a year of them. A district with fewer in that window is read the indexed way."""
    e = case_events.c
    stmt = (
        select(*EVENT_COLUMNS)
        .select_from(case_events.outerjoin(cases, cases.c.id == e.case_id))
        .order_by(e.id.desc())
        .limit(req.latest)
    )
    if not req.district:
        return [event_item(row, profile, clk.zone) for row in conn.execute(stmt)]
    owner = cases.alias("owner")
    district_of = (
        select(owner.c.district_code)
        .where(owner.c.id == e.case_id)
        .correlate(case_events)
        .scalar_subquery()
    )
    rows = conn.execute(
        stmt.where(e.id > last_id - LATEST_WINDOW, district_of == req.district)
    ).all()
    if len(rows) < req.latest:
        rows = conn.execute(stmt.where(cases.c.district_code == req.district)).all()
    return [event_item(row, profile, clk.zone) for row in rows]


# ----------------------------------------------------------------------------- caching


@dataclass
class SummaryCache:
    """Summaries kept ``ttl`` seconds, and at least ``min_age`` seconds even when new events
    arrived (so a burst of screens refreshing after one event costs one computation). One
    computation per key at a time: concurrent callers wait for it."""

    ttl: float = 5.0
    min_age: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _entries: dict[Any, tuple[float, int, dict[str, Any]]] = field(default_factory=dict)
    _locks: dict[Any, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Any, latest_id: Callable[[], int], compute: Callable[[], Any]) -> Any:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._entries.get(key)
            now = self.clock()
            if found is not None:
                at, seen, value = found
                age = now - at
                if age < self.min_age or (age < self.ttl and latest_id() == seen):
                    return value
            seen_id = latest_id()
            value = compute()
            with self._lock:
                if len(self._entries) > 64:
                    self._entries.clear()
                self._entries[key] = (self.clock(), seen_id, value)
            return value


# ----------------------------------------------------------------------------- evaluation reads


_evaluations: dict[Any, tuple[float, Any]] = {}
_evaluations_lock = threading.Lock()
EVALUATION_TTL = 600.0


def cached_evaluation(
    engine: Engine, period: Any, *, compare: bool, compute: Callable[[], Any]
) -> Any:
    """An evaluation computed once for a period while the event log stays the same: the key
    holds the last event id and the active profile, so a new event or a new profile gives a
    new evaluation; ten minutes at most in any case (names of users and regions)."""
    from cityops.services.profile import active_version

    version = active_version(engine)
    key = (
        id(engine),
        str(period),
        compare,
        last_event_id(engine),
        version.content_hash if version else "",
    )
    now = time.monotonic()
    with _evaluations_lock:
        found = _evaluations.get(key)
    if found is not None and now - found[0] < EVALUATION_TTL:
        return found[1]
    value = compute()
    with _evaluations_lock:
        for old in [k for k, v in _evaluations.items() if now - v[0] >= EVALUATION_TTL]:
            del _evaluations[old]
        if len(_evaluations) >= 16:
            _evaluations.pop(next(iter(_evaluations)))
        _evaluations[key] = (now, value)
    return value


def assessment_schemes_list(engine: Engine) -> list[dict[str, Any]]:
    """Every assessment scheme with its number of items (the assessment service reads one
    scheme by name; the console lists them to choose one)."""
    s, i = assessment_schemes.c, assessment_items.c
    stmt = (
        select(s.id, s.name, s.note, s.created_at, s.created_by, func.count(i.id))
        .select_from(assessment_schemes.outerjoin(assessment_items, i.scheme_id == s.id))
        .group_by(s.id, s.name, s.note, s.created_at, s.created_by)
        .order_by(s.name)
    )
    with reading(engine) as conn:
        return [
            {
                "id": int(r[0]),
                "name": r[1],
                "note": r[2],
                "created_at": r[3],
                "created_by": r[4],
                "items": int(r[5]),
            }
            for r in conn.execute(stmt)
        ]
