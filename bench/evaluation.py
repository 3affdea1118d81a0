# ruff: noqa: E501, SIM113
"""Benchmark: a monthly evaluation of every object over a city-year, on SQLite and on
PostgreSQL, against the pure-Python reference in the same run.

    .venv/bin/python bench/evaluation.py [CASES] [--month 2025-06] [--runs R]
                                         [--db sqlite,postgresql] [--no-reference]

The history is made by a *direct bulk generator*, not by the service-layer simulator (far too
slow for a million cases): for each case it draws the same script as the simulator (channel,
verification, rejection, cancellation, wrong dispatch and return, extension, suspension,
overdue handling, rework, late desk and field steps, with the simulator's default
probabilities) and writes the events with the shapes the state machine gives them
(``data`` keys ``on_time``/``due``, ``clock``, ``handling``, ``unit``, ``approved``,
``handled_on_time``, …) straight into ``case_events`` and the ``cases`` projection. Time
limits are counted in natural time (the engine only reads the recorded deadlines). The
generated databases are kept (``var/bench/``, PostgreSQL database ``cityops_bench_eval``) and
reused when they hold the same number of cases.

Before timing, the evaluation's projection of the log is brought up to date
(``refresh_facts``: the whole log the first time, timed and reported). Timed, R times each
(median), with wall and CPU seconds:

* ``evaluate(engine, MONTH, compare=False)`` — the projection's refresh check, the counts, the
  roll-up to every district, street, community, grid, department and post, rates, composite
  scores, grades and rankings;
* the counts alone (``engine_counts`` on one connection), with the CPU of the database
  (SQLite: this process; PostgreSQL: the backend process serving the connection);
* taking a day of new events into the projection (the projection is first rewound by that
  many events: their facts deleted and the watermark set back);

then the pure-Python reference loads the same cases' events and walks them once (the peer),
and both results are compared object by object. ``--pull`` also times pulling those events
into Python (the first step of a DuckDB or pandas route). Prints a Markdown block for
BENCHMARKS.md, with the load average.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.engine import make_url

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables.cases import cases
from cityops.domain.catalog.profile_loader import load_profile
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.evaluation.reference import reference_counts
from cityops.services.evaluation.engine import _bound, engine_counts, normalized, reading
from cityops.services.evaluation.evaluate import evaluate
from cityops.services.evaluation.facts import refresh_facts
from cityops.services.evaluation.store import relevant_case_events
from cityops.services.profile import demo_profile_path

YEAR_START = datetime(2024, 12, 31, 16, tzinfo=UTC)  # 2025-01-01 00:00 Beijing time
CHANNELS = [
    ("inspector", 0.62),
    ("public", 0.13),
    ("hotline", 0.14),
    ("video_ai", 0.07),
    ("sensor", 0.02),
    ("leader", 0.01),
    ("media", 0.01),
]
VERIFY = {"public", "hotline", "media"}
HOURLY = [1, 0.5, 0.3, 0.2, 0.2, 0.5, 2, 5, 9, 10, 10, 8, 5, 6, 9, 10, 9, 7, 5, 4, 3, 2, 1.5, 1]
LIMITS = [(4 * 3600, 0.45), (8 * 3600, 0.3), (2 * 3600, 0.1), (24 * 3600, 0.1), (72 * 3600, 0.05)]
STAGE = 1800  # file, dispatch and check-dispatch stages: 30 min
FIELD = 3600  # verification and check on site: 1 h


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


class City:
    """Districts from the demo profile, each with streets, communities and grids."""

    def __init__(self, rng: random.Random) -> None:
        profile = load_profile(demo_profile_path())
        self.districts = sorted(profile.regions) or ["370102"]
        self.area = {d: profile.area_class(d).value for d in self.districts}
        self.grids: list[str] = []
        for d in self.districts:
            for s in range(1, 11):
                for c in range(1, 9):
                    for g in range(1, 7):
                        self.grids.append(f"{d}{s:03d}{c:03d}{g:03d}")
        weights = [1.0 if self.area[g[:6]] == "urban" else 0.35 for g in self.grids]
        for i in rng.sample(range(len(weights)), len(weights) // 40):
            weights[i] *= 4.0
        self.cum = list(_accumulate(weights))
        self.units = [f"street.{g[:9]}" for g in self.grids[:: 6 * 8]] + [
            f"dept.{n}" for n in ("sanitation", "greening", "roads", "water", "lighting")
        ]

    def grid(self, rng: random.Random) -> str:
        x = rng.random() * self.cum[-1]
        lo, hi = 0, len(self.cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cum[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return self.grids[lo]


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


class Case:
    """One case's events: (seq, type, at, actor, role, unit, from, to, data)."""

    def __init__(self, cid: int) -> None:
        self.id = cid
        self.events: list[
            tuple[int, str, float, str, str, str | None, str | None, str, dict[str, object]]
        ] = []
        self.state: str | None = None

    def add(
        self,
        kind: str,
        at: float,
        actor: str,
        role: str,
        to: str,
        data: dict[str, object],
        unit: str | None = None,
    ) -> None:
        self.events.append(
            (len(self.events) + 1, kind, at, actor, role, unit, self.state, to, data)
        )
        self.state = to


def _stage(stage: str, start: float, limit: int) -> dict[str, object]:
    return {
        "stage": stage,
        "started_at": iso(start),
        "deadline": iso(start + limit),
        "yellow_at": iso(start + 0.8 * limit),
    }


def _clock(limit: int, used: float, since: float | None) -> dict[str, object]:
    running = since is not None
    return {
        "working": False,
        "limit_seconds": int(limit),
        "used_seconds": int(used),
        "running_since": iso(since) if running else None,
        "deadline": iso(since + max(0, limit - used)) if running else None,
        "yellow_at": iso(since + max(0, 0.8 * limit - used)) if running else None,
    }


def make_case(cid: int, t: float, city: City, rng: random.Random) -> tuple[Case, dict[str, object]]:
    """The events of one case reported at ``t`` (epoch seconds) and its projection facts."""
    c = Case(cid)
    channel = rng.choices([ch for ch, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
    grid = city.grid(rng)
    community = grid[:12]
    inspector = f"inspector.{community}"
    acceptor = f"acceptor.{rng.randrange(1, 13)}"
    reporter, role = {
        "inspector": (inspector, "inspector"),
        "public": (f"citizen.{rng.randrange(10**6)}", "public"),
        "video_ai": ("system.video_ai", "system"),
        "sensor": ("system.sensor", "system"),
        "leader": ("leader.1", "leader"),
    }.get(channel, (acceptor, "acceptor"))
    verify = channel in VERIFY

    def late(p: float) -> bool:
        return rng.random() < p

    def desk() -> float:
        return rng.uniform(35, 120) * 60 if late(0.04) else rng.lognormvariate(math.log(300), 0.6)

    def field() -> float:
        return (
            rng.uniform(1.2, 3.0) * 3600
            if late(0.06)
            else min(3300.0, rng.lognormvariate(math.log(1500), 0.5))
        )

    base = {
        "case_no": f"B{cid:09d}",
        "channel": channel,
        "description": "道路上有暴露垃圾",
        "address": "",
        "lon": 117.0,
        "lat": 36.6,
        "grid_code": grid,
        "community_code": community,
        "street_code": grid[:9],
        "district_code": grid[:6],
        "area_class": city.area[grid[:6]],
        "class_code": "06010",
        "urgency": "normal",
        "verifier": inspector if verify else None,
    }
    start_stage = "verify" if verify else "file"
    c.add(
        "reported",
        t,
        reporter,
        role,
        "verifying" if verify else "reported",
        {**base, "clock": _stage(start_stage, t, FIELD if verify else STAGE)},
    )
    facts: dict[str, object] = {
        "grid": grid,
        "channel": channel,
        "reporter": reporter,
        "at": t,
        "verifier": base["verifier"],
    }
    stage_start, stage_limit = t, FIELD if verify else STAGE
    now = t
    if verify:
        now += field()
        found = rng.random() >= 0.12
        c.add(
            "verified",
            now,
            inspector,
            "inspector",
            "reported",
            {
                "found": found,
                "on_time": now <= stage_start + stage_limit,
                "due": iso(stage_start + stage_limit),
                "clock": _stage("file", now, STAGE),
            },
        )
        stage_start, stage_limit = now, STAGE
        if not found or rng.random() < 0.03:
            now += desk()
            c.add(
                "rejected",
                now,
                acceptor,
                "acceptor",
                "rejected",
                {
                    "reason_code": "not_found" if not found else "out_of_scope",
                    "on_time": now <= stage_start + stage_limit,
                    "due": iso(stage_start + stage_limit),
                },
            )
            return c, {**facts, "ended": now}
    elif rng.random() < 0.03:
        now += desk()
        c.add(
            "rejected",
            now,
            acceptor,
            "acceptor",
            "rejected",
            {
                "reason_code": "out_of_scope",
                "on_time": now <= stage_start + stage_limit,
                "due": iso(stage_start + stage_limit),
            },
        )
        return c, {**facts, "ended": now}
    now += desk()
    limit = rng.choices([lim for lim, _ in LIMITS], weights=[w for _, w in LIMITS])[0]
    c.add(
        "filed",
        now,
        acceptor,
        "acceptor",
        "filed",
        {
            "class_code": "06010",
            "condition_code": "06010-01",
            "urgency": "normal",
            "handling_limit": f"{limit // 3600} hours",
            "on_time": now <= stage_start + stage_limit,
            "due": iso(stage_start + stage_limit),
            "clock": _stage("dispatch", now, STAGE),
        },
    )
    facts["filed"] = now
    stage_start = now
    if rng.random() < 0.01:
        now += rng.uniform(600, 7200)
        c.add(
            "cancelled",
            now,
            f"shift_leader.{rng.randrange(1, 5)}",
            "shift_leader",
            "cancelled",
            {"reason": "案卷信息有误"},
        )
        return c, {**facts, "ended": now}
    unit = rng.choice(city.units)
    dispatcher = f"dispatcher.{rng.randrange(1, 9)}"
    dispatches = 0
    while True:
        now += desk()
        wrong = dispatches == 0 and rng.random() < 0.05
        to_unit = rng.choice(city.units) if wrong else unit
        c.add(
            "dispatched",
            now,
            dispatcher,
            "dispatcher",
            "dispatched",
            {
                "unit": to_unit,
                "redispatch": dispatches > 0,
                "suggested_unit": unit,
                "on_time": now <= stage_start + STAGE,
                "due": iso(stage_start + STAGE),
                "handling": _clock(limit, 0, now),
            },
        )
        dispatches += 1
        if not wrong:
            break
        now += rng.uniform(600, 5400)
        c.add(
            "returned",
            now,
            f"handler.{to_unit}",
            "handler",
            "filed",
            {
                "unit": to_unit,
                "reason": "不属于本单位职责",
                "clock": _stage("dispatch", now, STAGE),
            },
            to_unit,
        )
        stage_start = now
    handler = f"handler.{unit}"
    facts["unit"] = unit
    lim, used, since = limit, 0.0, now
    frac = (
        rng.uniform(1.05, 2.5)
        if rng.random() < 0.08
        else min(0.97, rng.lognormvariate(math.log(0.45), 0.45))
    )
    total = max(120.0, lim * frac)
    if rng.random() < 0.01:  # suspension: 30 % of the work, a pause of 2–15 days, the rest
        now += total * 0.3
        used += now - since
        c.add(
            "suspended",
            now,
            dispatcher,
            "dispatcher",
            "dispatched",
            {"reason": "季节性施工", "handling": _clock(lim, used, None)},
        )
        now += rng.uniform(2, 15) * 86400
        since = now
        c.add(
            "resumed",
            now,
            dispatcher,
            "dispatcher",
            "dispatched",
            {"handling": _clock(lim, used, since)},
        )
        total *= 0.7
    elif rng.random() < 0.04:  # extension halfway
        now += total * 0.5
        c.add(
            "extension_requested",
            now,
            handler,
            "handler",
            "dispatched",
            {"amount": f"{lim // 7200} hours", "reason": "需协调"},
            unit,
        )
        now += desk()
        approved = rng.random() < 0.8
        data: dict[str, object] = {"approved": approved, "requested": f"{lim // 7200} hours"}
        if approved:
            lim += limit // 2
            data["handling"] = _clock(lim, used, since)
        c.add("extension_decided", now, dispatcher, "dispatcher", "dispatched", data)
        total = total * 0.5 * (1.4 if approved else 1.0)
    reworks = 0
    while True:
        now += total
        due = since + max(0.0, lim - used)
        used += now - since
        on_time = used <= lim
        c.add(
            "handled",
            now,
            handler,
            "handler",
            "handled",
            {
                "opinion": "已处置",
                "due": iso(due),
                "on_time": on_time,
                "used_seconds": int(used),
                "handling": _clock(lim, used, None),
                "clock": _stage("check_dispatch", now, STAGE),
            },
            unit,
        )
        handled_on_time = on_time
        check_start = now
        now += desk()
        c.add(
            "check_requested",
            now,
            acceptor,
            "acceptor",
            "checking",
            {
                "inspector": inspector,
                "on_time": now <= check_start + STAGE,
                "due": iso(check_start + STAGE),
                "clock": _stage("check", now, FIELD),
            },
        )
        check_start = now
        now += field()
        if rng.random() < 0.07 / (2**reworks):
            reworks += 1
            since = now
            c.add(
                "reworked",
                now,
                inspector,
                "inspector",
                "dispatched",
                {
                    "reason": "未处置到位",
                    "unit": unit,
                    "rework_count": reworks,
                    "on_time": now <= check_start + FIELD,
                    "due": iso(check_start + FIELD),
                    "handling": _clock(lim, used, since),
                },
            )
            total = max(600.0, lim - used) * rng.uniform(0.2, 0.8)
            continue
        c.add(
            "closed",
            now,
            inspector,
            "inspector",
            "closed",
            {
                "outcome": "fixed",
                "handled_on_time": handled_on_time,
                "on_time": now <= check_start + FIELD,
                "due": iso(check_start + FIELD),
            },
        )
        return c, {**facts, "ended": now, "closed": now}


def generate(n: int, seed: int = 2025) -> Iterator[tuple[Case, dict[str, object]]]:
    rng = random.Random(seed)
    city = City(rng)
    per_day = n / 365.0
    hour_total = sum(HOURLY)
    cid = 0
    for day in range(365):
        weekday = (day + 2) % 7  # 2025-01-01 was a Wednesday
        count = round(per_day * (1.05 if weekday < 5 else 0.88))
        if day == 364:
            count = n - cid
        for _ in range(max(0, count)):
            if cid >= n:
                return
            hour = rng.choices(range(24), weights=HOURLY)[0] if hour_total else 0
            t = YEAR_START.timestamp() + day * 86400 + hour * 3600 + rng.uniform(0, 3600)
            cid += 1
            yield make_case(cid, t, city, rng)


# ---------------------------------------------------------------------------- writing

EVENT_COLUMNS = "case_id, seq, type, at, actor, role, unit, from_state, to_state, data, schema_version, recorded_at"
CASE_COLUMNS = (
    "id, case_no, version, state, channel, reported_at, reported_by, description, address, lon, lat, "
    "grid_code, community_code, street_code, district_code, area_class, class_code, urgency, verifier, "
    "assigned_unit, suspended, light, filed_at, closed_at, ended_at, rework_count, return_count, "
    "dispatch_count, extension_count, suspension_count, updated_at"
)


def _rows(
    c: Case, f: dict[str, object], ts: object
) -> tuple[tuple[object, ...], list[tuple[object, ...]]]:
    last = c.events[-1]
    types = [e[1] for e in c.events]
    grid = str(f["grid"])
    case_row = (
        c.id,
        f"B{c.id:09d}",
        len(c.events),
        c.state,
        f["channel"],
        ts(f["at"]),
        f["reporter"],
        "道路上有暴露垃圾",
        "",
        117.0,
        36.6,
        grid,
        grid[:12],
        grid[:9],
        grid[:6],
        "urban",
        "06010",
        "normal",
        f["verifier"],
        f.get("unit"),
        False,
        "none" if "ended" in f else "green",
        ts(f["filed"]) if "filed" in f else None,
        ts(f["closed"]) if "closed" in f else None,
        ts(f["ended"]) if "ended" in f else None,
        types.count("reworked"),
        types.count("returned"),
        types.count("dispatched"),
        types.count("extension_decided"),
        types.count("suspended"),
        ts(last[2]),
    )
    events = [
        (
            c.id,
            seq,
            kind,
            ts(at),
            actor,
            role,
            unit,
            frm,
            to,
            json.dumps(data, ensure_ascii=False),
            1,
            ts(at),
        )
        for seq, kind, at, actor, role, unit, frm, to, data in c.events
    ]
    return case_row, events


def _sqlite_ts(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _pg_ts(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()


def load_sqlite(engine: Engine, n: int, batch: int = 20000) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        case_buf: list[tuple[object, ...]] = []
        ev_buf: list[tuple[object, ...]] = []

        def flush() -> None:
            cur.execute("BEGIN")
            cur.executemany(
                f"INSERT INTO cases ({CASE_COLUMNS}) VALUES ({', '.join('?' * 31)})", case_buf
            )
            cur.executemany(
                f"INSERT INTO case_events ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 12)})", ev_buf
            )
            cur.execute("COMMIT")
            case_buf.clear()
            ev_buf.clear()

        for c, f in generate(n):
            row, evs = _rows(c, f, _sqlite_ts)
            case_buf.append(row)
            ev_buf.extend(evs)
            if len(case_buf) >= batch:
                flush()
        if case_buf:
            flush()
        cur.execute("ANALYZE")
    finally:
        raw.close()


def _tsv(values: tuple[object, ...]) -> str:
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif isinstance(v, bool):
            out.append("t" if v else "f")
        else:
            out.append(str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " "))
    return "\t".join(out) + "\n"


def load_postgresql(engine: Engine, n: int, batch: int = 20000) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        case_buf = io.StringIO()
        ev_buf = io.StringIO()
        count = 0

        def flush() -> None:
            with cur.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as cp:
                cp.write(case_buf.getvalue())
            with cur.copy(f"COPY case_events ({EVENT_COLUMNS}) FROM STDIN") as cp:
                cp.write(ev_buf.getvalue())
            raw.commit()
            case_buf.seek(0)
            case_buf.truncate()
            ev_buf.seek(0)
            ev_buf.truncate()

        for c, f in generate(n):
            row, evs = _rows(c, f, _pg_ts)
            case_buf.write(_tsv(row))
            for e in evs:
                ev_buf.write(_tsv(e))
            count += 1
            if count % batch == 0:
                flush()
        flush()
        cur.execute("ANALYZE cases")
        cur.execute("ANALYZE case_events")
        raw.commit()
    finally:
        raw.close()


# ---------------------------------------------------------------------------- running


def kept_database(backend: str, sqlite_path: Path, pg_name: str) -> Engine:
    """A benchmark's own database, kept between runs: the SQLite file, or the PostgreSQL
    database on the server of CITYOPS_BENCH_PG_URL (made when absent); migrated."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{sqlite_path}")
    else:
        admin_url = os.environ.get(
            "CITYOPS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        admin = make_engine(admin_url, pool_size=1)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": pg_name}
            ).first():
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
        admin.dispose()
        engine = make_engine(
            make_url(admin_url).set(database=pg_name).render_as_string(hide_password=False),
            pool_size=2,
        )
    upgrade(engine)
    return engine


def prepare(
    backend: str, n: int, var: Path, name: str = "evaluation"
) -> tuple[Engine, float | None]:
    """The generated database of ``n`` cases (``var/<name>-N.sqlite``, PostgreSQL
    ``cityops_bench_<name>_N``; migrated before loading, so that it has every index of the
    current migrations), made now if absent or of another size, and the seconds it took to
    make (None when reused)."""
    pg_name = f"cityops_bench_{'eval' if name == 'evaluation' else name}_{n}"
    engine = kept_database(backend, var / f"{name}-{n}.sqlite", pg_name)
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(cases)).scalar_one()
    if have == n:
        return engine, None
    if have:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM case_events"))
            conn.execute(text("DELETE FROM cases"))
    t0 = time.perf_counter()
    (load_sqlite if backend == "sqlite" else load_postgresql)(engine, n)
    return engine, time.perf_counter() - t0


def pull_seconds(engine: Engine, period: EvalPeriod) -> tuple[float, int]:
    """What pulling the relevant events out of the database costs (the DuckDB/pandas route
    would start with this): the rows of the engine's first two steps, fetched to Python."""
    lo, hi = period.utc_bounds()
    sql = (
        "SELECT e.case_id, e.seq, e.type, e.at, e.actor, e.role, e.to_state, e.data FROM cases c "
        "JOIN case_events e ON e.case_id = c.id WHERE c.reported_at < :hi "
        "AND (c.ended_at IS NULL OR c.ended_at >= :lo) AND e.at < :hi"
    )
    t0 = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(_bound(sql), {"lo": lo, "hi": hi}).all()
    return time.perf_counter() - t0, len(rows)


def backend_cpu(conn: Connection) -> Callable[[], float]:
    """CPU seconds used so far by the database for this connection: the PostgreSQL backend
    process serving it (read from /proc: the server runs on this machine), or this process
    for SQLite."""
    if conn.dialect.name != "postgresql":
        return time.process_time
    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / tick

    return read


def rewind(engine: Engine, events: int) -> int:
    """Set the projection back by its last ``events`` events (their facts deleted, the
    watermark lowered) so that the next refresh takes them in again; returns the new mark."""
    with engine.begin() as conn:
        mark = conn.execute(text("SELECT watermark FROM evaluation_facts_state")).scalar_one()
        back = conn.execute(
            text("SELECT id FROM case_events WHERE id <= :w ORDER BY id DESC LIMIT 1 OFFSET :n"),
            {"w": mark, "n": events},
        ).scalar_one()
        first_case = conn.execute(
            text("SELECT MIN(case_id) FROM case_events WHERE id > :b"), {"b": back}
        ).scalar_one()
        conn.execute(
            text("DELETE FROM evaluation_event_facts WHERE case_id >= :c AND event_id > :b"),
            {"c": first_case, "b": back},
        )
        conn.execute(text("UPDATE evaluation_facts_state SET watermark = :b"), {"b": back})
    return int(back)


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("cases", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--month", default="2025-06")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--pull", action="store_true", help="also time pulling the events to Python")
    ap.add_argument("--day-events", type=int, default=17_500, help="events of one new day")
    ap.add_argument("--var", type=Path, default=Path("var/bench"))
    args = ap.parse_args(argv)
    args.var.mkdir(parents=True, exist_ok=True)
    profile = load_profile(demo_profile_path())
    period = EvalPeriod.parse(args.month, profile.calendar.time_zone)
    lo, hi = period.utc_bounds()
    lines = [
        f"Machine: {os.cpu_count()} vCPU ({platform.machine()}), Python {platform.python_version()}; "
        f"command: `.venv/bin/python bench/evaluation.py {args.cases} --month {args.month} --runs {args.runs}`.",
        "",
        "| database | events | projection built in | evaluate(): wall (runs) | evaluate(): CPU here | counts alone: wall | counts: CPU of the database | a day of new events taken in | reference (peer) | equal | load average |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for backend in [b.strip() for b in args.db.split(",") if b.strip()]:
        engine, made = prepare(backend, args.cases, args.var)
        with engine.connect() as conn:
            n_events = conn.execute(text("SELECT count(*) FROM case_events")).scalar_one()
        t0 = time.perf_counter()
        built = refresh_facts(engine)
        build_s = f"{time.perf_counter() - t0:.0f} s" if built.events else "up to date"
        load = [os.getloadavg()[0]]
        walls, cpus, ev = [], [], None
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            ev = evaluate(engine, period, profile=profile, compare=False)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        assert ev is not None
        objects = sum(len(v) for v in ev.objects.values())
        count_walls, db_cpus = [], []
        for _ in range(args.runs):
            with reading(engine) as conn:
                cpu = backend_cpu(conn)
                c0, t0 = cpu(), time.perf_counter()
                engine_counts(conn, lo, hi)
                count_walls.append(time.perf_counter() - t0)
                db_cpus.append(cpu() - c0)
        day = []
        for _ in range(args.runs):
            rewind(engine, args.day_events)
            t0 = time.perf_counter()
            refresh_facts(engine)
            day.append(time.perf_counter() - t0)
        load.append(os.getloadavg()[0])
        pull_s = ""
        if args.pull:
            pull, pulled = pull_seconds(engine, period)
            pull_s = f"; pull of the events to Python {pull:.2f} s ({pulled:,} rows)"
        ref_s, equal = "—", "not checked"
        if not args.no_reference:
            t0 = time.perf_counter()
            with engine.connect() as conn:
                want = normalized(reference_counts(relevant_case_events(conn, lo, hi), lo, hi))
            ref_s = f"{time.perf_counter() - t0:.1f} s"
            got = normalized(engine_counts(engine, lo, hi))
            equal = (
                f"yes, all {len(got):,} objects"
                if got == want
                else f"NO ({sum(1 for k in set(got) | set(want) if got.get(k) != want.get(k))} objects differ)"
            )
        load.append(os.getloadavg()[0])
        city = ev.city
        print(
            f"{backend}: {objects} objects, city counts {city.counts if city else {}}{pull_s}",
            file=sys.stderr,
        )
        lines.append(
            f"| {backend} | {n_events:,} | {build_s} | {med(walls)} s ({runs(walls)}) | "
            f"{med(cpus)} s | {med(count_walls)} s ({runs(count_walls)}) | {med(db_cpus)} s | "
            f"{med(day)} s ({args.day_events:,} events) | {ref_s} | {equal} | "
            f"{' → '.join(f'{x:.1f}' for x in load)} |"
        )
        engine.dispose()
    lines.append("")
    lines.append(
        f"Month {period.label} of a city-year of {args.cases:,} cases"
        f"{'' if made is None else f' (history made in {made:.0f} s)'}; objects evaluated: every "
        "district, street, community, grid, department and post with activity."
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
