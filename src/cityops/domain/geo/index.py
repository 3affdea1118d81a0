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
test per run of cells settles them. A query then costs one array lookup, and points in a
boundary cell are resolved exactly with ``shapely.contains_xy`` against their few candidates,
in one vectorized batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

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

    @staticmethod
    def _auto_cell_size(geoms: npt.NDArray[np.object_], cells_per_grid: float) -> float:
        b = shapely.bounds(geoms)
        spans = np.sqrt(np.maximum(b[:, 2] - b[:, 0], 0) * np.maximum(b[:, 3] - b[:, 1], 0))
        typical = float(np.median(spans[spans > 0])) if np.any(spans > 0) else 1e-3
        return typical / cells_per_grid

    def _cell_range(self, lo: npt.NDArray[np.float64], origin: float) -> IntArray:
        return np.floor((lo - origin) / self.cell).astype(np.int64)

    def _boundary_mask(self, geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
        """Every cell that some polygon boundary touches (a superset, never less)."""
        rings = shapely.get_parts(shapely.boundary(geoms[~shapely.is_empty(geoms)]))
        rings = shapely.segmentize(rings, self.cell / 2.0)
        coords, which = shapely.get_coordinates(rings, return_index=True)
        same = which[1:] == which[:-1]
        a, b = coords[:-1][same], coords[1:][same]
        x_lo = self._cell_range(np.minimum(a[:, 0], b[:, 0]) - _EPS, self.x0)
        x_hi = self._cell_range(np.maximum(a[:, 0], b[:, 0]) + _EPS, self.x0)
        y_lo = self._cell_range(np.minimum(a[:, 1], b[:, 1]) - _EPS, self.y0)
        y_hi = self._cell_range(np.maximum(a[:, 1], b[:, 1]) + _EPS, self.y0)
        # Steps are at most half a cell long, so each touches at most 2 x 2 cells.
        mask = np.zeros(self.nx * self.ny, dtype=bool)
        for dx in (0, 1):
            for dy in (0, 1):
                ix, iy = x_lo + dx, y_lo + dy
                keep = (ix <= x_hi) & (iy <= y_hi)
                keep &= (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
                mask[iy[keep] * self.nx + ix[keep]] = True
        return mask

    def _cell_boxes(self, flat: IntArray) -> npt.NDArray[np.object_]:
        iy, ix = np.divmod(flat, self.nx)
        x = self.x0 + ix * self.cell
        y = self.y0 + iy * self.cell
        return shapely.box(x - _EPS, y - _EPS, x + self.cell + _EPS, y + self.cell + _EPS)

    def _build(self, geoms: npt.NDArray[np.object_]) -> None:
        is_boundary = self._boundary_mask(geoms)
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
