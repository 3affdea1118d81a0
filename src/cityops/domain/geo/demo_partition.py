"""Cutting land into blocks and grouping blocks into areas, for the demo city.

Everything works in local metres. Faces come from polygonizing a noded set of lines, so
neighbouring faces share their edges exactly (a proper coverage: no gaps, no overlaps).
Grouping (streets in a district, communities in a street) grows regions over the adjacency
graph from seeds, always extending the smallest region first, so groups are contiguous and of
similar size in blocks.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

AreaTarget = Callable[[float, float], float]  # (x, y) → wished-for grid area in m²
L = TypeVar("L")


def faces(lines: Sequence[BaseGeometry], outline: Polygon) -> list[Polygon]:
    """The faces that ``lines`` and the outline's boundary cut out inside ``outline``."""
    noded = shapely.union_all([*lines, outline.exterior])
    polys = shapely.polygonize(shapely.get_parts(noded).tolist())
    out = []
    for poly in shapely.get_parts(polys):
        if poly.area > 1.0 and outline.contains(poly.representative_point()):
            out.append(poly)
    return out


def visible_parts(lines: Sequence[BaseGeometry], outline: Polygon) -> list[BaseGeometry]:
    """For each line the parts of it that bound some face inside ``outline``: the dangling
    ends past the last crossing and everything outside the outline are dropped."""
    edges = shapely.get_parts(shapely.union_all([*lines, outline.exterior]))
    _, cuts, dangles, _ = shapely.polygonize_full(edges.tolist())
    loose = {g.wkb for g in shapely.get_parts(cuts)} | {g.wkb for g in shapely.get_parts(dangles)}
    keep = np.array([e.wkb not in loose for e in edges])
    mids = shapely.line_interpolate_point(edges, 0.5, normalized=True)
    keep &= shapely.covers(outline, mids)
    edges, mids = edges[keep], mids[keep]
    tree = shapely.STRtree(np.array(lines, dtype=object))
    e_idx, l_idx = tree.query(mids, predicate="dwithin", distance=1e-6)
    out: list[BaseGeometry] = []
    for k in range(len(lines)):
        mine = edges[e_idx[l_idx == k]]
        out.append(
            shapely.line_merge(shapely.multilinestrings(mine)) if len(mine) else LineString()
        )
    return out


def cut_lines(blocks: Sequence[Polygon], target: AreaTarget) -> list[BaseGeometry]:
    """Chords (lanes) across blocks much larger than the target area, reaching 2 m past the
    block on each side so that noding joins them to its edges."""
    chords: list[BaseGeometry] = []
    for block in blocks:
        c = block.centroid
        wanted = target(c.x, c.y)
        if block.area < 1.8 * wanted:
            continue
        pieces = min(6, round(block.area / wanted))
        rect = block.minimum_rotated_rectangle
        corners = list(rect.exterior.coords)[:4]
        (ax, ay), (bx, by), (_, _), (dx, dy) = corners
        len_ab = math.hypot(bx - ax, by - ay)
        len_ad = math.hypot(dx - ax, dy - ay)
        # Cut across the long side, at equal steps along it.
        if len_ab >= len_ad:
            (ux, uy), (vx, vy) = (bx - ax, by - ay), (dx - ax, dy - ay)
        else:
            (ux, uy), (vx, vy) = (dx - ax, dy - ay), (bx - ax, by - ay)
        reach = block.buffer(2.0)
        for k in range(1, pieces):
            t = k / pieces
            sx, sy = ax + ux * t, ay + uy * t
            line = LineString([(sx - vx * 0.1, sy - vy * 0.1), (sx + vx * 1.1, sy + vy * 1.1)])
            chord = line.intersection(reach)
            if not chord.is_empty:
                chords.append(chord)
    return chords


def adjacency(polys: Sequence[Polygon], min_shared: float = 1.0) -> list[set[int]]:
    """For each polygon the polygons it shares edges of at least ``min_shared`` metres with.

    Faces of one polygonized line set share their edges vertex for vertex, so shared edges are
    found by matching identical segments."""
    arr = np.array(polys, dtype=object)
    rings, owner_of_ring = shapely.get_rings(arr, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    owner = owner_of_ring[ring[:-1][same]]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    order = np.lexsort((hi[:, 1], hi[:, 0], lo[:, 1], lo[:, 0]))
    seg = np.hstack([lo, hi])[order]
    owner = owner[order]
    dup = np.flatnonzero(np.all(seg[1:] == seg[:-1], axis=1))
    length = np.hypot(seg[dup, 2] - seg[dup, 0], seg[dup, 3] - seg[dup, 1])
    shared: dict[tuple[int, int], float] = {}
    for i, j, d in zip(owner[dup].tolist(), owner[dup + 1].tolist(), length.tolist(), strict=True):
        if i != j:
            key = (min(i, j), max(i, j))
            shared[key] = shared.get(key, 0.0) + d
    out: list[set[int]] = [set() for _ in polys]
    for (i, j), d in shared.items():
        if d >= min_shared:
            out[i].add(j)
            out[j].add(i)
    return out


def merge_small(polys: list[Polygon], target: AreaTarget, share: float = 0.2) -> list[Polygon]:
    """Merge faces smaller than ``share`` of their target area into the neighbour they share
    the longest edge with (repeated until none is left that can be merged)."""
    polys = list(polys)
    while True:
        adj = adjacency(polys)
        small = [
            i
            for i, p in enumerate(polys)
            if p.area < share * target(p.centroid.x, p.centroid.y) and adj[i]
        ]
        if not small:
            return polys
        taken: set[int] = set()
        merged: dict[int, Polygon] = {}
        for i in sorted(small, key=lambda k: polys[k].area):
            if i in taken:
                continue
            best = max(
                (j for j in adj[i] if j not in taken),
                key=lambda j: polys[i].boundary.intersection(polys[j].boundary).length,
                default=None,
            )
            if best is None:
                continue
            union = shapely.union(polys[i], polys[best])
            if union.geom_type != "Polygon":
                continue
            taken.update((i, best))
            merged[best] = union
        if not merged:
            return polys
        polys = [merged.get(k, p) for k, p in enumerate(polys) if k not in taken or k in merged]


def kmeans_seeds(rng: random.Random, xy: np.ndarray, k: int, rounds: int = 12) -> list[int]:
    """Indices of ``k`` well-spread items: Lloyd's k-means from a k-means++ start, then the
    item nearest each centre."""
    n = len(xy)
    k = min(k, n)
    centres = [xy[rng.randrange(n)]]
    for _ in range(1, k):
        d2 = np.min([((xy - c) ** 2).sum(axis=1) for c in centres], axis=0)
        total = float(d2.sum())
        pick = rng.random() * total if total > 0 else 0.0
        centres.append(xy[int(np.searchsorted(np.cumsum(d2), pick).clip(0, n - 1))])
    cent = np.array(centres, dtype=float)
    for _ in range(rounds):
        labels = np.argmin(((xy[:, None, :] - cent[None, :, :]) ** 2).sum(axis=2), axis=1)
        for j in range(k):
            members = xy[labels == j]
            if len(members):
                cent[j] = members.mean(axis=0)
    seeds: list[int] = []
    for c in cent:
        order = np.argsort(((xy - c) ** 2).sum(axis=1))
        seeds.append(int(next(i for i in order if int(i) not in seeds)))
    return seeds


def grow(
    members: Sequence[int], adj: Sequence[set[int]], seeds: Sequence[int], xy: np.ndarray
) -> dict[int, int]:
    """Label each of ``members`` with the index of a seed, growing the currently smallest
    region by its nearest free neighbour. Members unreachable from every seed go to the
    nearest seed."""
    allowed = set(members)
    label: dict[int, int] = {s: k for k, s in enumerate(seeds)}
    sizes = [1] * len(seeds)
    frontier: list[list[tuple[float, int]]] = [[] for _ in seeds]

    def push(k: int, item: int) -> None:
        for nb in adj[item]:
            if nb in allowed and nb not in label:
                d = float(((xy[nb] - xy[seeds[k]]) ** 2).sum())
                heapq.heappush(frontier[k], (d, nb))

    for k, s in enumerate(seeds):
        push(k, s)
    queue = [(1, k) for k in range(len(seeds))]
    heapq.heapify(queue)
    while queue:
        _, k = heapq.heappop(queue)
        while frontier[k] and frontier[k][0][1] in label:
            heapq.heappop(frontier[k])
        if not frontier[k]:
            continue
        _, item = heapq.heappop(frontier[k])
        label[item] = k
        sizes[k] += 1
        push(k, item)
        heapq.heappush(queue, (sizes[k], k))
    for item in members:
        if item not in label:
            label[item] = int(np.argmin([((xy[item] - xy[s]) ** 2).sum() for s in seeds]))
    return label


def make_contiguous(labels: list[L], adj: Sequence[set[int]], rounds: int = 10) -> list[L]:
    """Give every piece of a label that is cut off from the label's largest piece to the label
    it borders most, until each label is one connected piece."""
    labels = list(labels)
    for _ in range(rounds):
        changed = False
        for lab in sorted(set(labels), key=str):
            items = [i for i, v in enumerate(labels) if v == lab]
            parts = _components(items, adj, labels)
            for part in sorted(parts, key=len)[:-1]:
                around = [labels[nb] for i in part for nb in adj[i] if labels[nb] != lab]
                if around:
                    new = max(set(around), key=around.count)
                    for i in part:
                        labels[i] = new
                    changed = True
        if not changed:
            break
    return labels


def _components(
    items: list[int], adj: Sequence[set[int]], labels: Sequence[object]
) -> list[list[int]]:
    seen: set[int] = set()
    parts = []
    for start in items:
        if start in seen:
            continue
        stack, part = [start], []
        seen.add(start)
        while stack:
            i = stack.pop()
            part.append(i)
            for nb in adj[i]:
                if nb not in seen and labels[nb] == labels[start]:
                    seen.add(nb)
                    stack.append(nb)
        parts.append(part)
    return parts
