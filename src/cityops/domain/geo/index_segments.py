"""Boundary segments for :class:`~cityops.domain.geo.index.GridIndex`.

Every ring segment of every polygon, deduplicated: an edge two grids share is one segment with
one grid on its left and the other on its right. The index uses this to mark the raster cells a
boundary touches and, for a cell that exactly one segment crosses, to answer "which side?" with
an orientation test instead of a point-in-polygon test.

The orientation test is Shewchuk's ``orient2d`` with its static error bound: when the floating
point determinant is farther from zero than the bound, its sign is the exact sign; otherwise
(the point is on or extremely near the segment) the caller falls back to GEOS. Answers are
therefore exactly those of an exact-arithmetic predicate, as GEOS' are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Shewchuk's ccwerrboundA = (3 + 16ε)ε with ε = 2^-53, doubled for a margin.
_CCW_BOUND = 2.0 * (3.0 + 16.0 * 2.0**-53) * 2.0**-53


@dataclass(frozen=True, slots=True)
class Segments:
    """Distinct boundary segments, each directed from its lexicographically smaller end."""

    ax: FloatArray
    ay: FloatArray
    bx: FloatArray
    by: FloatArray
    left: IntArray  # polygon whose interior lies left of a→b, -1 if none
    right: IntArray  # polygon whose interior lies right of a→b, -1 if none
    simple: BoolArray  # at most one polygon on each side

    def __len__(self) -> int:
        return len(self.ax)


def ring_segments(geoms: npt.NDArray[np.object_]) -> Segments:
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    parts_kept = ~shapely.is_empty(parts)
    parts, part_owner = parts[parts_kept], part_owner[parts_kept]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = ring_part[1:] != ring_part[:-1]
    interior_left = exterior == shapely.is_ccw(rings)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    seg_ring = ring[:-1][same]
    owner = part_owner[ring_part[seg_ring]]
    left_side = interior_left[seg_ring]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    left_side ^= swap
    keys = np.ascontiguousarray(np.hstack([lo, hi]))
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n = len(uniq)
    left = np.full(n, -1, dtype=np.int64)
    right = np.full(n, -1, dtype=np.int64)
    n_left = np.bincount(inverse[left_side], minlength=n)
    n_right = np.bincount(inverse[~left_side], minlength=n)
    left[inverse[left_side]] = owner[left_side]
    right[inverse[~left_side]] = owner[~left_side]
    return Segments(
        uniq[:, 0].copy(),
        uniq[:, 1].copy(),
        uniq[:, 2].copy(),
        uniq[:, 3].copy(),
        left,
        right,
        (n_left <= 1) & (n_right <= 1),
    )


def covered_cells(
    seg: Segments,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    ny: int,
    eps: float,
) -> tuple[IntArray, IntArray]:
    """(cell, segment) pairs for every cell each segment may touch, widened by ``eps``: never
    fewer than the cells it really touches. Segments are walked in steps of at most half a cell,
    so each step's widened box covers at most 2 x 2 cells."""
    length = np.hypot(seg.bx - seg.ax, seg.by - seg.ay)
    steps = np.maximum(1, np.ceil(length / (cell / 2.0))).astype(np.int64)
    uid = np.repeat(np.arange(len(seg), dtype=np.int64), steps)
    k = np.arange(len(uid)) - np.repeat(np.cumsum(steps) - steps, steps)
    n = steps[uid].astype(np.float64)
    t0, t1 = k / n, (k + 1) / n
    dx, dy = (seg.bx - seg.ax)[uid], (seg.by - seg.ay)[uid]
    xa, xb = seg.ax[uid] + dx * t0, seg.ax[uid] + dx * t1
    ya, yb = seg.ay[uid] + dy * t0, seg.ay[uid] + dy * t1
    x_lo = np.floor((np.minimum(xa, xb) - eps - x0) / cell).astype(np.int64)
    x_hi = np.floor((np.maximum(xa, xb) + eps - x0) / cell).astype(np.int64)
    y_lo = np.floor((np.minimum(ya, yb) - eps - y0) / cell).astype(np.int64)
    y_hi = np.floor((np.maximum(ya, yb) + eps - y0) / cell).astype(np.int64)
    cells: list[IntArray] = []
    owners: list[IntArray] = []
    for ddx in (0, 1):
        for ddy in (0, 1):
            ix, iy = x_lo + ddx, y_lo + ddy
            keep = (ix <= x_hi) & (iy <= y_hi) & (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
            cells.append(iy[keep] * nx + ix[keep])
            owners.append(uid[keep])
    return np.concatenate(cells), np.concatenate(owners)


def side_of(
    seg: Segments, which: IntArray, px: FloatArray, py: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """For each point, (certain, left): whether the sign of orient2d(a, b, p) is certain, and
    whether p lies left of a→b (counter-clockwise)."""
    ax, ay, bx, by = seg.ax[which], seg.ay[which], seg.bx[which], seg.by[which]
    det_left = (ax - px) * (by - py)
    det_right = (ay - py) * (bx - px)
    det = det_left - det_right
    bound = _CCW_BOUND * (np.abs(det_left) + np.abs(det_right))
    return np.abs(det) > bound, det > 0
