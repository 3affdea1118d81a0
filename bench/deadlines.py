"""Benchmark: working-time deadlines, vectorized (NumPy) against the scalar path.

    .venv/bin/python bench/deadlines.py [N] [--runs R] [--scalar K] [--brute B] [--seed S]

N mixed-unit deadlines (the five units with realistic amounts, starts spread over the year
2025 in the demo city's calendar) are computed R times with ``vectorized.deadlines``; the
scalar ``WorkCalendar.advance`` (aware datetimes in and out, as the services call it) runs on
K of them in the same process. Both are checked: the scalar sample against the vectorized
results, and a random sample of B against the brute-force walk (mismatches must be 0).
Prints a Markdown block for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tomllib
from datetime import UTC, datetime
from importlib import resources

import numpy as np

from cityops.domain.clock import vectorized
from cityops.domain.clock.brute_force import BruteForceClock
from cityops.domain.clock.calendar import WorkCalendar
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.clock.settings import CalendarSettings, calendar_settings_from_dict

# Realistic amounts per unit (stage limits and handling limits seen in cities' rules).
AMOUNTS: dict[LimitUnit, tuple[float, ...]] = {
    LimitUnit.MINUTES: (10, 15, 30, 60, 120),
    LimitUnit.HOURS: (1, 2, 4, 12, 24, 48, 72),
    LimitUnit.DAYS: (1, 2, 3, 5, 7, 15, 30),
    LimitUnit.WORKING_HOURS: (0.5, 1, 2, 4, 8, 16, 24),
    LimitUnit.WORKING_DAYS: (0.5, 1, 2, 3, 5, 7, 10, 15, 20),
}
YEAR_START = datetime(2024, 12, 31, 16, tzinfo=UTC)  # 2025-01-01 00:00 Beijing time
YEAR_END = datetime(2025, 12, 31, 16, tzinfo=UTC)


def demo_settings() -> CalendarSettings:
    text = resources.files("cityops").joinpath("data/cities/jinan-demo/city.toml").read_text()
    return calendar_settings_from_dict(tomllib.loads(text)["calendar"])


def workload(
    n: int, day_seconds: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Starts, amounts (seconds), working flags and unit index of ``n`` random deadlines."""
    seconds: list[int] = []
    working: list[bool] = []
    unit_of: list[int] = []
    for i, (unit, values) in enumerate(AMOUNTS.items()):
        for v in values:
            seconds.append(TimeLimit(v, unit).seconds(day_seconds))
            working.append(unit.is_working)
            unit_of.append(i)
    unit = rng.integers(0, len(AMOUNTS), n)  # equal shares of the five units
    choices = [np.flatnonzero(np.array(unit_of) == i) for i in range(len(AMOUNTS))]
    pick = np.empty(n, dtype=np.int64)
    for i, idx in enumerate(choices):
        mask = unit == i
        pick[mask] = rng.choice(idx, int(mask.sum()))
    lo, hi = int(YEAR_START.timestamp()), int(YEAR_END.timestamp())
    starts = rng.integers(lo, hi, n, dtype=np.int64)
    return starts, np.array(seconds)[pick], np.array(working)[pick], unit


def _spread(times: list[float]) -> str:
    return f"{min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="deadlines per run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (median reported)")
    parser.add_argument("--scalar", type=int, default=20_000, help="scalar sample size")
    parser.add_argument("--brute", type=int, default=1_000, help="brute-force sample size")
    parser.add_argument("--seed", type=int, default=20251001)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    t0 = time.perf_counter()
    cal = WorkCalendar(demo_settings())
    tables = cal.tables(int(YEAR_START.timestamp()), int(YEAR_END.timestamp()))
    build = time.perf_counter() - t0

    starts, amounts, working, unit = workload(args.n, cal.day_seconds, rng)

    vector_times = []
    result = np.empty(0, dtype=np.int64)
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = vectorized.deadlines(cal, starts, amounts, working)
        vector_times.append(time.perf_counter() - t0)
    vector = statistics.median(vector_times)

    k = min(args.scalar, args.n)
    sample = rng.choice(args.n, k, replace=False)
    s_dt = [datetime.fromtimestamp(int(t), UTC) for t in starts[sample]]
    s_amount = [int(a) for a in amounts[sample]]
    s_working = [bool(w) for w in working[sample]]
    scalar_times = []
    scalar_out: list[datetime] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        scalar_out = [
            cal.advance(s, a, w) for s, a, w in zip(s_dt, s_amount, s_working, strict=True)
        ]
        scalar_times.append(time.perf_counter() - t0)
    scalar = statistics.median(scalar_times)
    scalar_mismatch = sum(
        int(d.timestamp()) != int(v) for d, v in zip(scalar_out, result[sample], strict=True)
    )

    # brute force on working-unit deadlines (natural ones are plain additions), plus a few
    # natural ones so both kinds are walked
    in_working = np.flatnonzero(working)
    in_natural = np.flatnonzero(~working)
    b = min(args.brute, in_working.size)
    brute_sample = np.concatenate(
        [
            rng.choice(in_working, b, replace=False),
            rng.choice(in_natural, min(b // 10, in_natural.size), replace=False),
        ]
    )
    brute = BruteForceClock(cal.settings)
    t0 = time.perf_counter()
    brute_mismatch = sum(
        brute.advance(int(starts[i]), int(amounts[i]), bool(working[i])) != int(result[i])
        for i in brute_sample
    )
    brute_time = time.perf_counter() - t0
    brute_working = int(working[brute_sample].sum())
    brute_natural = brute_sample.size - brute_working

    shares = ", ".join(f"{u.value} {np.mean(unit == i):.0%}" for i, u in enumerate(AMOUNTS))
    print("<!-- section:clock -->")
    print(
        f"Machine: {os.cpu_count()} vCPU ({platform.machine()}), Python "
        f"{platform.python_version()}, NumPy {np.__version__}; demo city (济南) calendar. "
        f"Command: `.venv/bin/python bench/deadlines.py {args.n} --runs {args.runs} "
        f"--scalar {k} --brute {b}`."
    )
    print()
    print(
        f"Workload: {args.n:,} deadlines, starts uniform over 2025 (Beijing time), units in "
        f"equal shares ({shares}), amounts from realistic lists "
        "(e.g. 0.5–24 working hours, 0.5–20 working days, 10–120 minutes, 1–30 days)."
    )
    print()
    print("| path | size | median of runs | deadlines / s |")
    print("|---|---:|---:|---:|")
    print(
        f"| vectorized `vectorized.deadlines` (NumPy) | {args.n:,} | "
        f"{vector * 1000:.1f} ms ({args.runs} runs, {_spread(vector_times)}) | "
        f"{args.n / vector:,.0f} |"
    )
    print(
        f"| scalar `WorkCalendar.advance` (peer, datetimes) | {k:,} | "
        f"{scalar * 1000:.1f} ms ({args.runs} runs, {_spread(scalar_times)}) | "
        f"{k / scalar:,.0f} |"
    )
    print()
    speedup = (args.n / vector) / (k / scalar)
    years = f"{tables.first_year}–{tables.last_year}"
    print(f"- Speed-up of the vectorized path over the scalar one: {speedup:.0f}×.")
    print(f"- Tables of working intervals for {years} built on first use in {build * 1000:.0f} ms.")
    print(f"- Scalar vs vectorized on the {k:,} sampled deadlines: {scalar_mismatch} mismatches.")
    print(
        f"- Brute-force walk (minute by minute) on {brute_working:,} random deadlines in "
        f"working units and {brute_natural:,} in natural units: {brute_mismatch} mismatches "
        f"({brute_time:.1f} s)."
    )
    print("<!-- /section:clock -->")
    return 1 if scalar_mismatch or brute_mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
