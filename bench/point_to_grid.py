"""Point → unit grid: ``GridIndex.locate_many`` against ``geopandas.sjoin(predicate="within")``.

Usage: ``.venv/bin/python bench/point_to_grid.py [N] [--runs 3] [--write]``

N random points (default 1,000,000) are drawn uniformly (fixed seed) over two windows of the
generated demo city: the whole grid extent (which includes the empty country between the
urban districts and 商河, so most points fall in no grid) and the urban core 116.95–117.08 E,
36.62–36.70 N (nearly every point in a grid, many near boundaries). For each window the script
times, as the median of ``--runs`` runs:

* GridIndex build (from the grid polygons) and ``locate_many`` on the prebuilt index;
* sjoin's own index (geopandas builds the STRtree over the *points* for ``within``), then the
  join itself, and their sum, on a fresh points frame each run (building the frame from the
  coordinates is not counted);

and checks that both give the same grid for every point (overlaps: smallest index, which
cannot occur in the demo city's tiling). Any mismatch exits with status 1. ``--write`` puts the
table into the ``geo`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from cityops.domain.geo.demo_city import generate_demo_city
from cityops.domain.geo.index import GridIndex

ROOT = Path(__file__).resolve().parents[1]
URBAN_CORE = (116.95, 36.62, 117.08, 36.70)


class Timing(float):
    """Median wall time (the float value) with the median CPU time of the same runs."""

    cpu: float

    def __new__(cls, wall: float, cpu: float) -> Timing:
        obj = super().__new__(cls, wall)
        obj.cpu = cpu
        return obj

    def show(self, digits: int = 2) -> str:
        return f"{self:.{digits}f} / {self.cpu:.{digits}f}"


def timed(fn: Callable[[], Any], runs: int) -> tuple[Timing, Any]:
    """Median wall and CPU time of ``runs`` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return Timing(statistics.median(walls), statistics.median(cpus)), result


def sjoin_answers(points: gpd.GeoDataFrame, grids: gpd.GeoDataFrame, n: int) -> np.ndarray:
    joined = gpd.sjoin(points, grids, predicate="within", how="left")
    best = joined["index_right"].fillna(-1).astype(np.int64).groupby(level=0).min()
    return best.reindex(range(n)).to_numpy()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = float("nan")
    return f"{os.cpu_count()} vCPU ({cpu}), {mem:.0f} GiB RAM"


def run_window(
    name: str,
    bounds: tuple[float, float, float, float],
    items: list[tuple[str, Any]],
    n: int,
    runs: int,
) -> dict[str, Any]:
    rng = np.random.default_rng(20260701)
    x = rng.uniform(bounds[0], bounds[2], n)
    y = rng.uniform(bounds[1], bounds[3], n)
    build, index = timed(lambda: GridIndex(items), runs)
    query, ours = timed(lambda: index.locate_many(x, y), runs)

    grids = gpd.GeoDataFrame({"code": [c for c, _ in items]}, geometry=[g for _, g in items])
    tree_w, tree_c, join_w, join_c, total_w, total_c = [], [], [], [], [], []
    theirs = np.empty(0)
    for _ in range(runs):
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))  # not timed
        w0, c0 = time.perf_counter(), time.process_time()
        _ = points.sindex  # the tree sjoin builds for "within" (over the points)
        w1, c1 = time.perf_counter(), time.process_time()
        theirs = sjoin_answers(points, grids, n)
        w2, c2 = time.perf_counter(), time.process_time()
        tree_w.append(w1 - w0)
        tree_c.append(c1 - c0)
        join_w.append(w2 - w1)
        join_c.append(c2 - c1)
        total_w.append(w2 - w0)
        total_c.append(c2 - c0)
    med = statistics.median
    mismatches = int((ours != theirs).sum())
    return {
        "window": name,
        "points": n,
        "inside": int((ours >= 0).sum()),
        "build": build,
        "query": query,
        "sindex": Timing(med(tree_w), med(tree_c)),
        "sjoin_query": Timing(med(join_w), med(join_c)),
        "sjoin_total": Timing(med(total_w), med(total_c)),
        "mismatches": mismatches,
        "stats": index.stats,
    }


def report(results: list[dict[str, Any]], grids: int, gen_time: float, runs: int) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"Run {time.strftime('%Y-%m-%d')}: `bench/point_to_grid.py {results[0]['points']}` — "
        f"{machine()}; Python {platform.python_version()}, Shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), GeoPandas {gpd.__version__}; "
        f"load average {load:.1f} at start (shared machine). Demo city: {grids} unit grids "
        f"(generated in {gen_time:.1f} s). Median of {runs} runs each; each time is "
        "*wall / CPU* seconds (CPU = process time, less disturbed by other load).",
        "",
        "| window | points (in a grid) | GridIndex build | GridIndex locate_many "
        "| sjoin: points STRtree | sjoin with tree built | sjoin total "
        "| speed-up vs sjoin total (wall / CPU) | vs sjoin with tree built | mismatches |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        q, total, join = r["query"], r["sjoin_total"], r["sjoin_query"]
        lines.append(
            f"| {r['window']} | {r['points']:,} ({r['inside']:,}) | {r['build'].show()} "
            f"| {q.show(3)} | {r['sindex'].show()} | {join.show()} "
            f"| {total.show()} | {total / q:.0f}× / {total.cpu / q.cpu:.0f}× "
            f"| {join / q:.0f}× / {join.cpu / q.cpu:.0f}× | {r['mismatches']} |"
        )
    s = results[0]["stats"]
    lines += [
        "",
        f"Index: {s.columns}×{s.rows} cells of {s.cell_size:.5f}°, {s.boundary_cells:,} "
        f"boundary cells ({s.one_segment_cells:,} of them crossed by a single shared edge and "
        f"settled by an orientation test), {s.candidate_pairs:,} candidate pairs. "
        "The GridIndex is built once "
        "per change of the grids and cached (`get_locator`); sjoin rebuilds its tree over "
        "every new batch of points, so *sjoin total* (tree + join, excluding the "
        "GeoDataFrame construction) is the like-for-like peer of *locate_many*; "
        "*sjoin with tree built* is shown for honesty. Counting the index build too, the "
        "first batch costs build + locate_many.",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    doc = path.read_text(encoding="utf-8")
    pattern = re.compile(r"(<!-- section:geo -->\n).*?(\n<!-- /section:geo -->)", re.S)
    if not pattern.search(doc):
        raise SystemExit("BENCHMARKS.md has no geo section markers")
    path.write_text(pattern.sub(lambda m: m.group(1) + text + m.group(2), doc), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="points per window")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()

    t0 = time.perf_counter()
    geo = generate_demo_city().geography
    gen_time = time.perf_counter() - t0
    items = [(g.code, g.geometry) for g in geo.grids]
    extent = tuple(float(v) for v in shapely.total_bounds([g for _, g in items]))
    results = []
    for name, bounds in (("whole grid extent", extent), ("urban core", URBAN_CORE)):
        r = run_window(name, bounds, items, args.n, args.runs)  # type: ignore[arg-type]
        print(
            f"{name}: build {r['build']:.2f}s, locate_many {r['query']:.3f}s, "
            f"sjoin total {r['sjoin_total']:.2f}s (tree {r['sindex']:.2f}s, "
            f"join {r['sjoin_query']:.2f}s), mismatches {r['mismatches']}",
            flush=True,
        )
        results.append(r)
    text = report(results, len(items), gen_time, args.runs)
    print()
    print(text)
    if args.write:
        write_section(text)
    return 1 if any(r["mismatches"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
