"""A plausible street pattern for the demo city, in local metres (x east, y north).

Main roads run on a perturbed grid whose spacing grows away from the centre; inside each
superblock between main roads, secondary roads are laid at a spacing that also grows with
distance, not aligned with those of the neighbouring superblocks (so the pattern has T
junctions rather than a checkerboard); rivers cut across everything.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from shapely.geometry import LineString

Spacing = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class RoadLine:
    geometry: LineString  # local metres
    kind: str  # "main", "secondary", "river"
    axis: str  # "ns", "ew" or "" (rivers)
    position: float  # x of a north–south road, y of an east–west road (metres)
    name: str = ""


@dataclass(frozen=True, slots=True)
class StreetPattern:
    """Parameters of one settlement's road network (all lengths in metres)."""

    centre: tuple[float, float]
    bounds: tuple[float, float, float, float]  # minx, miny, maxx, maxy
    main_spacing: Spacing  # spacing of main roads at distance r from the centre
    block_size: Spacing  # spacing of secondary roads at distance r
    main_jitter: float = 60.0
    skip_secondary: float = 0.12  # share of secondary roads left out
    partial_main: float = 0.25  # share of main roads that end part-way (at a T junction)
    diagonals: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = ()


def _positions(
    rng: random.Random, centre: float, lo: float, hi: float, spacing: Spacing
) -> list[float]:
    """Main road positions along one axis, outwards from the centre, spacing growing."""
    out = [centre + rng.uniform(-0.2, 0.2) * spacing(0.0)]
    for direction in (1, -1):
        pos = out[0]
        while True:
            pos += direction * spacing(abs(pos - centre)) * rng.uniform(0.85, 1.15)
            if not lo < pos < hi:
                break
            out.append(pos)
    return sorted(out)


def _wavy(
    rng: random.Random, axis: str, pos: float, start: float, end: float, jitter: float
) -> LineString:
    """A road along ``axis`` at ``pos`` from ``start`` to ``end`` with a slight tilt and bends."""
    tilt = rng.uniform(-0.012, 0.012)
    steps = max(2, int((end - start) / 1500.0) + 1)
    pts = []
    for k in range(steps + 1):
        t = start + (end - start) * k / steps
        offset = (t - start) * tilt + (rng.uniform(-jitter, jitter) if 0 < k < steps else 0.0)
        pts.append((pos + offset, t) if axis == "ns" else (t, pos + offset))
    return LineString(pts)


def street_pattern(rng: random.Random, p: StreetPattern) -> list[RoadLine]:
    cx, cy = p.centre
    minx, miny, maxx, maxy = p.bounds
    margin = 400.0
    xs = _positions(rng, cx, minx, maxx, p.main_spacing)
    ys = _positions(rng, cy, miny, maxy, p.main_spacing)
    lines: list[RoadLine] = []
    for axis, positions, lo, hi in (("ns", xs, miny, maxy), ("ew", ys, minx, maxx)):
        for pos in positions:
            start, end = lo - margin, hi + margin
            if rng.random() < p.partial_main:
                cut = start + (end - start) * rng.uniform(0.35, 0.65)
                start, end = (start, cut) if rng.random() < 0.5 else (cut, end)
            geom = _wavy(rng, axis, pos, start, end, p.main_jitter)
            lines.append(RoadLine(geom, "main", axis, pos))
    for name, points in p.diagonals:
        lines.append(RoadLine(LineString(points), "main", "", 0.0, name))
    # Secondary roads inside each superblock, reaching a little past its main roads so that
    # they meet them despite the bends.
    reach = 2.5 * p.main_jitter + 60.0
    x_edges = [minx - margin, *xs, maxx + margin]
    y_edges = [miny - margin, *ys, maxy + margin]
    for x0, x1 in itertools.pairwise(x_edges):
        for y0, y1 in itertools.pairwise(y_edges):
            r = math.hypot((x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy)
            size = p.block_size(r)
            lines += _secondaries(rng, "ns", x0, x1, y0 - reach, y1 + reach, size, p.skip_secondary)
            lines += _secondaries(rng, "ew", y0, y1, x0 - reach, x1 + reach, size, p.skip_secondary)
    return lines


def _secondaries(
    rng: random.Random,
    axis: str,
    lo: float,
    hi: float,
    start: float,
    end: float,
    size: float,
    skip: float,
) -> list[RoadLine]:
    count = round((hi - lo) / size) - 1
    out = []
    for k in range(1, count + 1):
        if rng.random() < skip:
            continue
        pos = lo + (hi - lo) * k / (count + 1) + rng.uniform(-0.15, 0.15) * size
        geom = _wavy(rng, axis, pos, start, end, jitter=8.0)
        out.append(RoadLine(geom, "secondary", axis, pos))
    return out


def river(rng: random.Random, course: list[tuple[float, float]], meander: float) -> LineString:
    """A river through the given points (metres), with extra meanders between them."""
    pts: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(course):
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length
        steps = max(2, int(length / 600.0))
        phase = rng.uniform(0, math.tau)
        for k in range(steps):
            t = k / steps
            bend = meander * math.sin(phase + t * math.tau) * math.sin(math.pi * t)
            pts.append((x0 + (x1 - x0) * t + nx * bend, y0 + (y1 - y0) * t + ny * bend))
    pts.append(course[-1])
    return LineString(pts)
