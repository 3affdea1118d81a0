"""Benchmark: hotspot and recurrence analysis of hotline orders.

    .venv/bin/python bench/hotline_hotspots.py [N] [--runs R] [--db M] [--pg URL]

1. N synthetic orders over one year in a 20 km × 16 km city of 2,000 unit grids: classes
   Zipf-distributed over 120 codes, a few dense hot spots, planted repeated problems (the same
   matter at the same grid every few days) and weekly ones (a night market's noise every
   Saturday evening), calls by hour and weekday as the hotline receives them.
2. The full analysis of the hotline page (top matters, grids and grid × matter pairs, spatial
   clusters, repeated series, periodic problems, weekday × hour pattern) with NumPy (the
   platform's path, ``domain/hotline``) and, as the peer in the same run, the same analyses in
   DuckDB SQL (``services/hotline/duck.py``) over the same columns; the results must be equal.
3. With ``--db M``: M of those orders written to a SQLite database (and PostgreSQL with
   ``--pg``), then read back into columns by ``load_frame`` (the step before the analysis).

Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cityops.domain.hotline.frame import OrderFrame
from cityops.domain.hotline.hotspots import (
    spatial_clusters,
    top_grids,
    top_matters,
    top_pairs,
)
from cityops.domain.hotline.recurrence import (
    patterns,
    periodic_problems,
    repeated_series,
)
from cityops.services.hotline import duck

YEAR0 = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()) - 8 * 3600
HOURLY = np.array(
    [0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 1, 3, 7, 9, 9, 8, 5, 6, 8, 8, 7, 6, 4, 4, 3, 2, 1, 1]
)
WEEKDAY = np.array([1.1, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8])


def synthetic(n: int, seed: int = 7) -> OrderFrame:
    rng = np.random.default_rng(seed)
    cols, rows = 50, 40  # 2,000 grids of 400 m
    grids = [
        f"370102{c // 10 + 1:03d}{c % 10 + 1:03d}{r + 1:03d}"
        for c in range(cols)
        for r in range(rows)
    ]
    lon0, lat0, step_lon, step_lat = 116.9, 36.6, 0.00447, 0.0036
    classes = [f"{m:02d}{k:03d}" for m in range(1, 11) for k in range(1, 13)]
    zipf = 1.0 / np.arange(1, len(classes) + 1) ** 1.1
    n_plain = int(n * 0.9)
    weight = np.ones(len(grids))
    weight[rng.choice(len(grids), 40, replace=False)] *= 12.0  # markets, stations, night streets
    g = rng.choice(len(grids), n_plain, p=weight / weight.sum())
    c = rng.choice(len(classes), n_plain, p=zipf / zipf.sum())
    day = rng.integers(0, 365, n_plain)
    day = day - (day % 7) + rng.choice(7, n_plain, p=WEEKDAY / WEEKDAY.sum())
    hour = rng.choice(24, n_plain, p=HOURLY / HOURLY.sum())
    t = YEAR0 + np.clip(day, 0, 364) * 86400 + hour * 3600 + rng.integers(0, 3600, n_plain)
    # repeated problems: a matter at a grid every 2-10 days
    n_rep = int(n * 0.07)
    series = rng.integers(0, max(1, n_rep // 8), n_rep)
    s_grid = rng.integers(0, len(grids), series.max() + 1)[series]
    s_cls = rng.integers(0, len(classes), series.max() + 1)[series]
    s_start = rng.integers(0, 300, series.max() + 1)[series]
    s_t = YEAR0 + (s_start + rng.integers(0, 60, n_rep)) * 86400 + rng.integers(8, 20, n_rep) * 3600
    # weekly: Saturday evenings at a few night markets
    n_week = n - n_plain - n_rep
    markets = rng.choice(len(grids), 30, replace=False)
    w_grid = markets[rng.integers(0, len(markets), n_week)]
    w_t = (
        YEAR0 + (rng.integers(0, 52, n_week) * 7 + 5) * 86400 + rng.integers(19, 23, n_week) * 3600
    )
    grid_i = np.concatenate([g, s_grid, w_grid])
    cls_i = np.concatenate([c, s_cls, np.full(n_week, classes.index("09001"))])
    ts = np.concatenate([t, s_t, w_t]).astype(np.int64)
    gx, gy = grid_i // rows, grid_i % rows
    lon = lon0 + (gx + rng.random(n)) * step_lon
    lat = lat0 + (gy + rng.random(n)) * step_lat
    grid_codes = np.array(grids, dtype=object)[grid_i]
    grid_codes[rng.random(n) < 0.03] = None  # placed no better than a street
    return OrderFrame.build(
        np.arange(1, n + 1), ts, np.array(classes, dtype=object)[cls_i], grid_codes, lon, lat
    )


def numpy_analysis(f: OrderFrame) -> dict[str, Any]:
    return {
        "top_matters": top_matters(f, 10),
        "top_grids": top_grids(f, 10),
        "pairs": top_pairs(f, 10),
        "clusters": spatial_clusters(f, 200.0, 60, 30),
        "repeated": repeated_series(f, 30, 3, limit=50),
        "periodic": periodic_problems(f, limit=30),
        "weekday_hour": patterns(f).weekday_hour,
    }


def duck_analysis(f: OrderFrame) -> dict[str, Any]:
    return duck.report(f, top_n=10, window_days=30, min_orders=3)


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def load_from_db(url: str, f: OrderFrame, m: int, runs: int) -> list[float]:
    from sqlalchemy import insert

    from cityops.adapters.db.engine import make_engine
    from cityops.adapters.db.migrate import upgrade
    from cityops.adapters.db.tables.hotline import hotline_orders
    from cityops.config import Settings
    from cityops.services.hotline.hotspots import load_frame
    from cityops.services.runtime import bootstrap

    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    batch = []
    with engine.begin() as conn:
        for i in range(m):
            t = datetime.fromtimestamp(int(f.t[i]), UTC)
            grid = f.grids[f.grid[i]] if f.grid[i] >= 0 else None
            batch.append(
                {
                    "id": i + 1,
                    "order_no": f"RX{i + 1:012d}",
                    "version": 1,
                    "state": "closed",
                    "kind": "complaint",
                    "channel": "phone",
                    "urgency": "normal",
                    "received_at": t,
                    "received_by": "bench",
                    "content": "",
                    "address": "",
                    "lon": float(f.lon[i]),
                    "lat": float(f.lat[i]),
                    "grid_code": grid,
                    "district_code": grid[:6] if grid else None,
                    "location_level": "place",
                    "location_confidence": 0.9,
                    "class_code": f.classes[f.cls[i]],
                    "revisit_required": True,
                    "revisit_attempts": 0,
                    "dispatch_count": 1,
                    "transfer_count": 0,
                    "return_count": 0,
                    "reopen_count": 0,
                    "extension_count": 0,
                    "updated_at": now,
                }
            )
            if len(batch) == 20000:
                conn.execute(insert(hotline_orders), batch)
                batch = []
        if batch:
            conn.execute(insert(hotline_orders), batch)
    tmp = Path(tempfile.mkdtemp())
    rt = bootstrap(Settings(var_dir=tmp, database_url=url), engine=engine)
    rt.policy_override = _policy()
    start = datetime.fromtimestamp(YEAR0, UTC)
    times, frame = timed(lambda: load_frame(rt, start, start + timedelta(days=366)), runs)
    assert len(frame) == m, (len(frame), m)
    engine.dispose()
    return times


def _policy() -> Any:
    from tests.fakes import make_profile

    from cityops.domain.cases.policy import CasePolicy
    from cityops.domain.clock.calendar import calendar_for
    from cityops.domain.clock.settings import CalendarSettings

    profile = make_profile()
    return CasePolicy(profile, calendar_for(CalendarSettings()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--db", type=int, default=0, help="orders to write and read back")
    ap.add_argument("--pg", default="", help="PostgreSQL URL of an empty scratch database")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    t0 = time.perf_counter()
    f = synthetic(args.n)
    build = time.perf_counter() - t0
    np_times, np_out = timed(lambda: numpy_analysis(f), args.runs)
    dk_times, dk_out = timed(lambda: duck_analysis(f), args.runs)
    for key in ("top_matters", "top_grids", "repeated", "periodic", "weekday_hour"):
        assert np_out[key] == dk_out[key], f"NumPy and DuckDB differ on {key}"
    per_step = {}
    for name, fn in (
        ("top matters + grids + pairs", lambda: (top_matters(f), top_grids(f), top_pairs(f))),
        ("spatial clusters (200 m cells)", lambda: spatial_clusters(f, 200.0, 60, 30)),
        ("repeated series (30 days, ≥ 3)", lambda: repeated_series(f, 30, 3, limit=50)),
        ("periodic problems (≥ 4 weeks)", lambda: periodic_problems(f, limit=30)),
        ("weekday × hour, month, season", lambda: patterns(f)),
    ):
        per_step[name] = statistics.median(timed(fn, args.runs)[0])

    def ms(values: list[float]) -> str:
        lo, hi = min(values) * 1000, max(values) * 1000
        return (
            f"{statistics.median(values) * 1000:,.0f} ms ({len(values)} runs, {lo:,.0f}–{hi:,.0f})"
        )

    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, DuckDB {duck.duckdb.__version__}"
    )
    print(
        f"Orders: {args.n:,} over one year, {len(f.grids):,} grids, {len(f.classes)} classes "
        f"(built in {build:.1f} s)\n"
    )
    print("| analysis | orders | median of runs |")
    print("|---|---:|---:|")
    print(f"| full hotline-page analysis, NumPy (platform) | {args.n:,} | {ms(np_times)} |")
    print(f"| same analyses, DuckDB SQL (peer) | {args.n:,} | {ms(dk_times)} |")
    for name, v in per_step.items():
        print(f"| — {name}, NumPy | {args.n:,} | {v * 1000:,.0f} ms |")
    series = np_out["repeated"]
    print(
        f"\nFound: {len(np_out['clusters'])} clusters, repeated series (top 50 shown) up to "
        f"{series[0].orders if series else 0} orders, {len(np_out['periodic'])} periodic problems; "
        "NumPy and DuckDB results equal."
    )
    if args.db:
        tmp = Path(tempfile.mkdtemp())
        lite = load_from_db(f"sqlite:///{tmp / 'bench.sqlite'}", f, args.db, args.runs)
        print(f"| load_frame from SQLite | {args.db:,} | {ms(lite)} |")
        if args.pg:
            pg = load_from_db(args.pg, f, args.db, args.runs)
            print(f"| load_frame from PostgreSQL | {args.db:,} | {ms(pg)} |")


if __name__ == "__main__":
    main()
