# ruff: noqa: E501
"""Benchmark: the cockpit's summary (驾驶舱) and its live stream's poll on a city-year, on
SQLite and PostgreSQL, against the evaluation engine for the same month-to-date in the same
run (the peer: what the month's closure rates would cost through ``evaluate``).

    .venv/bin/python bench/cockpit.py [CASES] [--at 2025-06-20T15:00+08:00] [--runs 5]
                                      [--db sqlite,postgresql] [--peer-runs 1]

The history is made by the evaluation benchmark's generator (``bench/evaluation.py``: a
direct bulk generator of a city-year with the state machine's event shapes) into this
script's own databases (``var/bench/cockpit-<CASES>.sqlite``, PostgreSQL
``cityops_bench_cockpit_<CASES>``), migrated first so that they carry every current index;
they are kept and reused. ``--at`` is the cockpit's "now" (default: 20 June, a full half-month of events
before it). The generated projection holds every case's final state, so the open-case figures
are those of a year's end; the work the queries do (index ranges over a day, a month, 30
days) is that of a live city at ``--at``.

Timed, each ``--runs`` times (median): ``summary`` with no cache (grid heat map, 7 days), the
same with a hexagon heat map over 30 days, for one district, a cached call (``SummaryCache``
hit), the response model's validation and JSON encoding, one poll of the stream's
``EventFeed`` with 200 new events and one with none; the peer ``evaluate(engine,
"<month start>..<day>", compare=False)`` ``--peer-runs`` times. Prints a Markdown block for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cityops.adapters.db.tables.cases import case_events
from cityops.api.schemas.cockpit import CockpitOut
from cityops.domain.catalog.profile_loader import load_profile
from cityops.services import cockpit as svc
from cityops.services.evaluation.evaluate import evaluate
from cityops.services.profile import demo_profile_path
from evaluation import prepare  # the evaluation benchmark's generated city-years


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, list[float], Any]:
    times, value = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, value


def ms(median: float, times: list[float]) -> str:
    return f"{median * 1000:.0f} ms ({', '.join(f'{t * 1000:.0f}' for t in times)})"


def measure(
    backend: str,
    engine: Engine,
    profile: Any,
    now: datetime,
    month: str,
    runs: int,
    peer_runs: int,
) -> str:
    """One backend's row of the table."""
    with svc.reading(engine) as conn:
        newest = int(conn.execute(select(func.max(case_events.c.id))).scalar() or 0)
    district = sorted(profile.regions)[0]

    def run(req: svc.SummaryRequest) -> dict[str, Any]:
        return svc.summary(engine, profile, now, req)

    svc.summary(engine, profile, now)  # warm the connection pool and the place cache
    grid_t, grid_all, doc = timed(lambda: run(svc.SummaryRequest()), runs)
    hex_t, hex_all, _ = timed(
        lambda: run(svc.SummaryRequest(heat_mode=svc.HeatMode.HEX, heat_days=30)), runs
    )
    one_t, one_all, _ = timed(lambda: run(svc.SummaryRequest(district=district)), runs)
    cache = svc.SummaryCache()
    key = ("bench", svc.SummaryRequest())
    cache.get(key, lambda: svc.last_event_id(engine), lambda: doc)
    hit_t, _, _ = timed(
        lambda: cache.get(key, lambda: svc.last_event_id(engine), lambda: doc), runs
    )
    out_t, out_all, _ = timed(lambda: CockpitOut.model_validate(doc).model_dump_json(), runs)

    def poll(after: int) -> int:
        return len(svc.EventFeed(engine, profile, after).poll())

    poll_t, _, got = timed(lambda: poll(newest - 200), runs)
    assert got == 200, got
    idle_t, _, _ = timed(lambda: poll(newest), runs)
    peer_t, peer_all, ev = timed(
        lambda: evaluate(engine, month, profile=profile, compare=False), peer_runs
    )
    city = ev.city
    print(
        f"{backend}: {newest:,} events; today {doc['today']['intake']} reported; month "
        f"{doc['rates']['month']}; peer city closure {city.rate('closure_rate') if city else None}",
        file=sys.stderr,
    )
    return (
        f"| {backend} | {ms(grid_t, grid_all)} | {ms(hex_t, hex_all)} | {ms(one_t, one_all)} | "
        f"{hit_t * 1e6:.0f} µs | {ms(out_t, out_all)} | {poll_t * 1000:.1f} / {idle_t * 1000:.1f} ms | "
        f"{peer_t:.2f} s ({', '.join(f'{t:.2f}' for t in peer_all)}) |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("cases", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--at", default="2025-06-20T15:00:00+08:00")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peer-runs", type=int, default=1)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--var", type=Path, default=Path("var/bench"))
    args = ap.parse_args(argv)
    args.var.mkdir(parents=True, exist_ok=True)
    profile = load_profile(demo_profile_path())
    now = datetime.fromisoformat(args.at)
    clk = svc.Clock(now, svc.ZoneInfo(profile.calendar.time_zone))
    month = f"{clk.today.replace(day=1).isoformat()}..{clk.today.isoformat()}"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"Machine: {os.cpu_count()} vCPU ({platform.machine()}), Python {platform.python_version()}, "
        f"load average {load:.1f} at start; command: `.venv/bin/python bench/cockpit.py {args.cases} "
        f"--at {args.at} --runs {args.runs} --peer-runs {args.peer_runs}`.",
        "",
        "| database | summary, no cache (grid, 7 days) | hexagons, 30 days | one district | cached | model + JSON | stream poll: 200 new / none | peer: `evaluate` of "
        f"{month} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for backend in [b.strip() for b in args.db.split(",") if b.strip()]:
        engine, made = prepare(backend, args.cases, args.var, "cockpit")
        if made is not None:
            print(f"{backend}: history made in {made:.0f} s", file=sys.stderr)
        lines.append(measure(backend, engine, profile, now, month, args.runs, args.peer_runs))
        engine.dispose()
    lines += [
        "",
        f"City-year of {args.cases:,} cases; cockpit at {args.at}: today = {clk.today}, month = {month}.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
