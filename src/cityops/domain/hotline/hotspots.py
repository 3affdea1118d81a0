"""Hotspots: the most frequent matters and places, and spatial clusters of orders.

Spatial clusters: orders are binned into square cells of ``cell_m`` metres (a local metric
frame at the orders' mean latitude); a cell is hot when it holds at least ``min_count`` orders
and at least ``relative`` (default 3) times the mean of the non-empty cells; hot cells that
touch (8-neighbourhood) form one cluster. Each cluster reports its orders, its centre (mean
position), its bounding box, its leading classes and grids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from cityops.domain.geo.measure import metres_per_degree
from cityops.domain.hotline.frame import OrderFrame


@dataclass(frozen=True)
class Count:
    key: str
    count: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "count": self.count, "share": round(self.share, 6)}


def _top(codes: npt.NDArray[np.int32], names: list[str], n: int, total: int) -> list[Count]:
    valid = codes[codes >= 0]
    if valid.size == 0:
        return []
    counts = np.bincount(valid, minlength=len(names))
    order = np.lexsort((np.arange(len(counts)), -counts))[:n]
    return [
        Count(names[i], int(counts[i]), float(counts[i] / total) if total else 0.0)
        for i in order
        if counts[i] > 0
    ]


def top_matters(frame: OrderFrame, n: int = 10) -> list[Count]:
    return _top(frame.cls, frame.classes, n, len(frame))


def top_grids(frame: OrderFrame, n: int = 10) -> list[Count]:
    return _top(frame.grid, frame.grids, n, len(frame))


def top_districts(frame: OrderFrame, n: int = 20) -> list[Count]:
    return _top(frame.district, frame.districts, n, len(frame))


def top_pairs(frame: OrderFrame, n: int = 10) -> list[tuple[str, str, int]]:
    """(grid, class, orders): the places where one matter is most frequent."""
    ok = (frame.grid >= 0) & (frame.cls >= 0)
    if not ok.any():
        return []
    key = frame.grid[ok].astype(np.int64) * (len(frame.classes) + 1) + frame.cls[ok]
    uniq, counts = np.unique(key, return_counts=True)
    order = np.lexsort((uniq, -counts))[:n]
    width = len(frame.classes) + 1
    return [
        (frame.grids[int(uniq[i] // width)], frame.classes[int(uniq[i] % width)], int(counts[i]))
        for i in order
    ]


@dataclass
class Cluster:
    orders: int
    lon: float
    lat: float
    bbox: tuple[float, float, float, float]
    cells: int
    top_classes: list[Count] = field(default_factory=list)
    top_grids: list[Count] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "orders": self.orders,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "bbox": [round(v, 6) for v in self.bbox],
            "cells": self.cells,
            "top_classes": [c.to_dict() for c in self.top_classes],
            "top_grids": [c.to_dict() for c in self.top_grids],
        }


def cell_keys(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], cell_m: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Integer cell coordinates (ix, iy) of each point (finite points only)."""
    lat0 = float(np.nanmean(lat)) if lat.size else 0.0
    kx, ky = metres_per_degree(lat0)
    ix = np.floor(lon * kx / cell_m).astype(np.int64)
    iy = np.floor(lat * ky / cell_m).astype(np.int64)
    return ix, iy


def _find(parent: dict[int, int], a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def spatial_clusters(
    frame: OrderFrame,
    cell_m: float = 200.0,
    min_count: int = 20,
    limit: int = 50,
    relative: float = 3.0,
) -> list[Cluster]:
    """Hot cells hold at least ``min_count`` orders and at least ``relative`` times the mean of
    the cells that have any (so a year of orders does not make the whole city one cluster)."""
    ok = np.isfinite(frame.lon) & np.isfinite(frame.lat)
    sub = frame.select(ok)
    if len(sub) == 0:
        return []
    ix, iy = cell_keys(sub.lon, sub.lat, cell_m)
    x0, y0 = int(ix.min()), int(iy.min())
    width = int(ix.max()) - x0 + 3
    key = (iy - y0 + 1) * width + (ix - x0 + 1)
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    threshold = max(float(min_count), relative * float(counts.mean()))
    hot = uniq[counts >= threshold]
    if hot.size == 0:
        return []
    hot_set = {int(k) for k in hot}
    parent = {k: k for k in hot_set}
    for k in hot_set:
        for dk in (1, width - 1, width, width + 1):
            other = k + dk
            if other in hot_set:
                ra, rb = _find(parent, k), _find(parent, other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    root_of_cell = {k: _find(parent, k) for k in hot_set}
    roots = sorted(set(root_of_cell.values()))
    root_index = {r: i for i, r in enumerate(roots)}
    cell_cluster = np.full(uniq.shape[0], -1, dtype=np.int64)
    for pos, k in enumerate(uniq.tolist()):
        if k in root_of_cell:
            cell_cluster[pos] = root_index[root_of_cell[k]]
    member = cell_cluster[inverse]
    cells_per_cluster = np.bincount(cell_cluster[cell_cluster >= 0], minlength=len(roots))
    rows = np.flatnonzero(member >= 0)
    rows = rows[np.argsort(member[rows], kind="stable")]
    bounds = np.searchsorted(member[rows], np.arange(len(roots) + 1))
    clusters = []
    for c in range(len(roots)):
        part = sub.select(rows[bounds[c] : bounds[c + 1]])
        clusters.append(
            Cluster(
                orders=len(part),
                lon=float(part.lon.mean()),
                lat=float(part.lat.mean()),
                bbox=(
                    float(part.lon.min()),
                    float(part.lat.min()),
                    float(part.lon.max()),
                    float(part.lat.max()),
                ),
                cells=int(cells_per_cluster[c]),
                top_classes=top_matters(part, 3),
                top_grids=top_grids(part, 3),
            )
        )
    clusters.sort(key=lambda cl: (-cl.orders, cl.lon, cl.lat))
    return clusters[:limit]
