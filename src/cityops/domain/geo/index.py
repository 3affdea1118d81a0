"""Point → unit grid lookup: a uniform raster over the grids' extent.

Semantics (identical to ``geopandas.sjoin(points, grids, predicate="within")``):

* a point belongs to a polygon when it lies in the polygon's **interior**; a point exactly on
  a boundary (an edge shared by two grids, a vertex, a hole's ring) is within no polygon;
* when polygons overlap, a point inside several of them gets the one that came **first** in
  the input (lowest index). To compare with sjoin, keep for each point the smallest
  ``index_right`` among its matches.

How it works. The extent is cut into square cells (about ``cells_per_grid`` cells across a
typical polygon, capped at ``max_cells``). Every cell that a polygon boundary touches — found
by walking the boundaries in steps shorter than half a cell — is a *boundary cell* and keeps
the list of polygons that intersect it. Every other cell is crossed by no boundary, so all its
points have the same answer; neighbouring such cells along a row share it too, so one exact
test per run of cells settles them. A query then costs one array lookup. In a boundary cell
that a single edge crosses (most of them: grids share long straight edges) the point's side
of that edge decides, by an orientation test whose sign is certified exact
(:mod:`~cityops.domain.geo.index_segments`); the remaining points — near vertices, on an
edge, where several grids meet — are resolved with ``shapely.contains_xy`` against the cell's
few candidates, in one vectorized batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.index_segments import covered_cells, ring_segments, side_of
from cityops.errors import ValidationError

IntArray = npt.NDArray[np.int64]

NO_GRID = -1
# Cells are widened by this much (degrees, ~0.1 mm) whenever they are tested, so that rounding
# in "which cell is this point in" can never put a point in a cell whose answer is wrong for it.
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class IndexStats:
    polygons: int
    columns: int
    rows: int
    cell_size: float
    boundary_cells: int
    candidate_pairs: int
    one_segment_cells: int  # boundary cells settled by an orientation test


class GridIndex:
    """Unit grids by code, answering "which grid is this point in"."""

    def __init__(
        self,
        items: Sequence[tuple[str, BaseGeometry]],
        *,
        cells_per_grid: float = 16.0,
        max_cells: int = 6_000_000,
        cell_size: float | None = None,
    ) -> None:
        self.codes: list[str] = [code for code, _ in items]
        geoms = np.empty(len(items), dtype=object)
        geoms[:] = [geom for _, geom in items]
        for i, geom in enumerate(geoms):
            if not isinstance(geom, BaseGeometry) or geom.geom_type not in (
                "Polygon",
                "MultiPolygon",
            ):
                raise ValidationError(
                    "geo.geometry_invalid",
                    "单元网格的几何必须是面（Polygon 或 MultiPolygon）",
                    grid_code=self.codes[i],
                )
        self.geometries = geoms
        shapely.prepare(geoms)
        self._tree = shapely.STRtree(geoms)
        nonempty = ~shapely.is_empty(geoms)
        if not nonempty.any():
            self._empty()
            return
        minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms[nonempty]))
        size = cell_size or self._auto_cell_size(geoms[nonempty], cells_per_grid)
        width, height = maxx - minx, maxy - miny
        size = max(size, math.sqrt(max(width * height, 1e-18) / max_cells), 1e-7)
        self.x0, self.y0, self.cell = minx, miny, size
        self.nx = math.floor(width / size) + 1
        self.ny = math.floor(height / size) + 1
        self._build(geoms)

    # --- construction ---

    def _empty(self) -> None:
        self.x0 = self.y0 = 0.0
        self.cell = 1.0
        self.nx = self.ny = 0
        self._raster = np.empty(0, dtype=np.int32)
        self._ptr = np.zeros(1, dtype=np.int64)
        self._cand = np.empty(0, dtype=np.int32)
        self._slot_seg = np.empty(0, dtype=np.int64)

    @staticmethod
    def _auto_cell_size(geoms: npt.NDArray[np.object_], cells_per_grid: float) -> float:
        b = shapely.bounds(geoms)
        spans = np.sqrt(np.maximum(b[:, 2] - b[:, 0], 0) * np.maximum(b[:, 3] - b[:, 1], 0))
        typical = float(np.median(spans[spans > 0])) if np.any(spans > 0) else 1e-3
        return typical / cells_per_grid

    def _cell_range(self, lo: npt.NDArray[np.float64], origin: float) -> IntArray:
        return np.floor((lo - origin) / self.cell).astype(np.int64)

    def _cell_boxes(self, flat: IntArray) -> npt.NDArray[np.object_]:
        iy, ix = np.divmod(flat, self.nx)
        x = self.x0 + ix * self.cell
        y = self.y0 + iy * self.cell
        return shapely.box(x - _EPS, y - _EPS, x + self.cell + _EPS, y + self.cell + _EPS)

    def _build(self, geoms: npt.NDArray[np.object_]) -> None:
        seg = ring_segments(geoms)
        pair_cells, pair_segs = covered_cells(
            seg, self.x0, self.y0, self.cell, self.nx, self.ny, _EPS
        )
        is_boundary = np.zeros(self.nx * self.ny, dtype=bool)
        is_boundary[pair_cells] = True
        boundary = np.flatnonzero(is_boundary)
        raster = np.full(self.nx * self.ny, NO_GRID, dtype=np.int32)

        # Cells no boundary touches: one exact test per run of such cells along a row.
        free = ~is_boundary
        grid_starts = free.reshape(self.ny, self.nx).copy()
        grid_starts[:, 1:] &= is_boundary.reshape(self.ny, self.nx)[:, :-1]
        starts = grid_starts.ravel()
        start_ids = np.flatnonzero(starts)
        iy, ix = np.divmod(start_ids, self.nx)
        probes = shapely.points(self.x0 + (ix + 0.5) * self.cell, self.y0 + (iy + 0.5) * self.cell)
        p_idx, g_idx = self._tree.query(probes, predicate="within")
        unset = np.iinfo(np.int64).max
        run_value = np.full(len(start_ids), unset, dtype=np.int64)
        np.minimum.at(run_value, p_idx, g_idx)  # overlapping polygons: the lowest index wins
        run_value[run_value == unset] = NO_GRID
        run_of_cell = np.cumsum(starts, dtype=np.int32) - 1
        raster[free] = run_value[run_of_cell[free]]

        # Boundary cells: candidates are the polygons that intersect the (widened) cell.
        boxes = self._cell_boxes(boundary)
        b_idx, c_idx = self._tree.query(boxes, predicate="intersects")
        order = np.lexsort((c_idx, b_idx))
        b_idx, c_idx = b_idx[order], c_idx[order]
        counts = np.bincount(b_idx, minlength=len(boundary))
        # A boundary cell with one candidate that holds the whole cell answers directly.
        single = np.flatnonzero(counts == 1)
        first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        if len(single):
            owner = c_idx[first[single]]
            whole = shapely.contains_properly(geoms[owner], boxes[single])
            raster[boundary[single[whole]]] = owner[whole]
            counts_keep = counts.copy()
            counts_keep[single[whole]] = 0
        else:
            counts_keep = counts
        empty = counts == 0
        raster[boundary[empty]] = NO_GRID
        mixed = np.flatnonzero(counts_keep > 0)
        keep_pair = np.repeat(counts_keep > 0, counts)
        self._cand = c_idx[keep_pair].astype(np.int32)
        self._ptr = np.concatenate(([0], np.cumsum(counts_keep[mixed]))).astype(np.int64)
        raster[boundary[mixed]] = (-2 - np.arange(len(mixed))).astype(np.int32)
        self._raster = raster
        self._seg = seg
        self._slot_seg = self._one_segment_slots(boundary[mixed], pair_cells, pair_segs)

    def _one_segment_slots(self, slot_cells: IntArray, cells: IntArray, segs: IntArray) -> IntArray:
        """For each boundary slot, the one segment crossing its cell when that settles every
        point of the cell (no other polygon involved), else -1."""
        seg = self._seg
        # A cell is crossed by one segment when the smallest and largest segment ids seen in it
        # agree (checked only for the slot cells).
        lowest = np.full(self.nx * self.ny, np.iinfo(np.int32).max, dtype=np.int32)
        highest = np.full(self.nx * self.ny, -1, dtype=np.int32)
        np.minimum.at(lowest, cells, segs.astype(np.int32))
        np.maximum.at(highest, cells, segs.astype(np.int32))
        lo, hi = lowest[slot_cells], highest[slot_cells]
        slot_seg = np.where(lo == hi, lo, -1).astype(np.int64)
        known = slot_seg >= 0
        slot_seg[known] = np.where(seg.simple[slot_seg[known]], slot_seg[known], -1)
        # Every candidate polygon of the cell must be one of the segment's two sides.
        counts = np.diff(self._ptr)
        pair_slot = np.repeat(np.arange(len(slot_cells)), counts)
        s_of_pair = slot_seg[pair_slot]
        ok = (s_of_pair >= 0) & (
            (self._cand == seg.left[np.maximum(s_of_pair, 0)])
            | (self._cand == seg.right[np.maximum(s_of_pair, 0)])
        )
        bad = np.bincount(pair_slot[~ok], minlength=len(slot_cells))
        slot_seg[bad > 0] = -1
        return slot_seg

    # --- queries ---

    @property
    def stats(self) -> IndexStats:
        return IndexStats(
            polygons=len(self.codes),
            columns=self.nx,
            rows=self.ny,
            cell_size=self.cell,
            boundary_cells=len(self._ptr) - 1,
            candidate_pairs=len(self._cand),
            one_segment_cells=int((self._slot_seg >= 0).sum()),
        )

    def __len__(self) -> int:
        return len(self.codes)

    def locate_index(self, lon: float, lat: float) -> int:
        """Index (into ``codes``) of the grid whose interior holds the point, or -1."""
        fx = (lon - self.x0) / self.cell
        fy = (lat - self.y0) / self.cell
        if not (0 <= fx < self.nx and 0 <= fy < self.ny):  # also false for NaN
            return NO_GRID
        value = int(self._raster[int(fy) * self.nx + int(fx)])
        if value >= NO_GRID:
            return value
        slot = -2 - value
        for cand in self._cand[self._ptr[slot] : self._ptr[slot + 1]]:
            if shapely.contains_xy(self.geometries[cand], lon, lat):
                return int(cand)
        return NO_GRID

    def locate(self, lon: float, lat: float) -> str | None:
        i = self.locate_index(lon, lat)
        return None if i < 0 else self.codes[i]

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> IntArray:
        """For each point the index into ``codes`` of its grid, -1 where it is in none."""
        x = np.asarray(lons, dtype=np.float64).ravel()
        y = np.asarray(lats, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise ValidationError(
                "geo.coordinate_invalid", "经度和纬度的个数不一致", lons=len(x), lats=len(y)
            )
        out = np.full(len(x), NO_GRID, dtype=np.int64)
        if self.nx == 0:
            return out
        fx = (x - self.x0) / self.cell
        fy = (y - self.y0) / self.cell
        inside = np.flatnonzero((fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny))
        cells = fy[inside].astype(np.int64) * self.nx + fx[inside].astype(np.int64)
        values = self._raster[cells]
        out[inside] = values
        mixed = values < NO_GRID
        points = inside[mixed]
        if len(points) == 0:
            return out
        out[points] = NO_GRID
        slots = -2 - values[mixed].astype(np.int64)
        # Cells crossed by one shared edge: which side of it, by an exact orientation test.
        seg_of = self._slot_seg[slots]
        quick = np.flatnonzero(seg_of >= 0)
        if len(quick):
            s = seg_of[quick]
            certain, left = side_of(self._seg, s, x[points[quick]], y[points[quick]])
            side = np.where(left, self._seg.left[s], self._seg.right[s])
            out[points[quick[certain]]] = side[certain]
            rest = np.ones(len(points), dtype=bool)
            rest[quick[certain]] = False
            points, slots = points[rest], slots[rest]
        if len(points) == 0:
            return out
        begin = self._ptr[slots]
        counts = self._ptr[slots + 1] - begin
        owner = np.repeat(np.arange(len(points)), counts)
        offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        cand = self._cand[np.repeat(begin, counts) + offset]
        pts = points[owner]
        hit = shapely.contains_xy(self.geometries[cand], x[pts], y[pts])
        hit_owner, hit_cand = owner[hit], cand[hit]
        # Candidates are in ascending order per point, so the first hit is the lowest index.
        first_owner, first_at = np.unique(hit_owner, return_index=True)
        out[points[first_owner]] = hit_cand[first_at]
        return out

    def codes_of(self, indices: IntArray) -> list[str | None]:
        return [None if i < 0 else self.codes[i] for i in indices.tolist()]
