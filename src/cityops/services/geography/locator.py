"""Point → unit grid: the cached in-memory locator, and the database's own answer.

:func:`get_locator` keeps one :class:`Locator` per engine and process over a
:class:`~cityops.domain.geo.index.GridIndex` of all grids. The index is rebuilt when the
geography changes: at once after a write through these services in this process, and within
``recheck_seconds`` after a write from another process (the locator re-reads the revision
counters of :data:`~cityops.services.geography.revisions.WATCHED_LAYERS` at most that often).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from sqlalchemy import Connection, Engine, select, text

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.coords import check_lon_lat, to_wgs84, to_wgs84_many
from cityops.domain.geo.index import GridIndex
from cityops.domain.geo.model import CoordSystem, Location
from cityops.services.geography.reading import reading
from cityops.services.geography.revisions import generation, revisions

_locators: weakref.WeakKeyDictionary[Engine, Locator] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Snapshot:
    index: GridIndex
    revision: tuple[int, ...]
    generation: int
    checked_at: float


class Locator:
    """Point → unit grid for one database, over an in-memory :class:`GridIndex` of all grids
    (ordered by code, so where grids overlap the smallest code wins).

    The index is rebuilt when grids or regions change: at once after a write through these
    services in this process, and within ``recheck_seconds`` after a write from another
    process."""

    def __init__(self, engine: Engine, recheck_seconds: float = 2.0) -> None:
        # Weak, so that the per-engine cache does not keep engines (and indexes) alive.
        self._engine = weakref.ref(engine)
        self.recheck_seconds = recheck_seconds
        self._snapshot: _Snapshot | None = None
        self._build_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the engine of this locator has been discarded")
        return engine

    def _load(self, generation: int) -> _Snapshot:
        with reading(self.engine) as conn:
            revision = revisions(conn)
            found = conn.execute(
                select(t.grids.c.code, t.grids.c.geometry).order_by(t.grids.c.code)
            ).all()
        geoms = shapely.from_wkb([r.geometry for r in found])
        index = GridIndex(list(zip([r.code for r in found], geoms, strict=True)))
        return _Snapshot(index, revision, generation, time.monotonic())

    def _current(self) -> GridIndex:
        snap = self._snapshot
        now_generation = generation(self.engine)
        now = time.monotonic()
        if snap is not None and snap.generation == now_generation:
            if now - snap.checked_at < self.recheck_seconds:
                return snap.index
            with reading(self.engine) as conn:
                revision = revisions(conn)
            if revision == snap.revision:
                self._snapshot = _Snapshot(snap.index, revision, now_generation, now)
                return snap.index
        with self._build_lock:
            if self._snapshot is snap or self._snapshot is None:
                self._snapshot = self._load(now_generation)
            return self._snapshot.index

    @property
    def index(self) -> GridIndex:
        return self._current()

    def locate(self, lon: float, lat: float, crs: CoordSystem = CoordSystem.WGS84) -> Location:
        """The WGS84 point and its grid, community, street and district (None outside)."""
        wlon, wlat = to_wgs84(lon, lat, CoordSystem(crs))
        return Location.from_grid(wlon, wlat, self._current().locate(wlon, wlat))

    def locate_many(
        self,
        lons: npt.ArrayLike,
        lats: npt.ArrayLike,
        crs: CoordSystem = CoordSystem.WGS84,
    ) -> list[Location]:
        wlon, wlat = to_wgs84_many(lons, lats, CoordSystem(crs))
        index = self._current()
        found = index.locate_many(wlon, wlat)
        return [
            Location.from_grid(x, y, None if i < 0 else index.codes[i])
            for x, y, i in zip(wlon.tolist(), wlat.tolist(), found.tolist(), strict=True)
        ]

    def grid_codes(
        self, lons: npt.ArrayLike, lats: npt.ArrayLike, crs: CoordSystem = CoordSystem.WGS84
    ) -> list[str | None]:
        wlon, wlat = to_wgs84_many(lons, lats, CoordSystem(crs))
        index = self._current()
        return index.codes_of(index.locate_many(wlon, wlat))


def get_locator(engine: Engine) -> Locator:
    """The locator of ``engine``'s database, one per engine per process."""
    with _lock:
        locator = _locators.get(engine)
        if locator is None:
            locator = _locators[engine] = Locator(engine)
        return locator


def locate_in_database(engine: Engine, points: Sequence[tuple[float, float]]) -> list[str | None]:
    """Grid codes of WGS84 points computed by the database itself: PostGIS ``ST_Contains``
    on PostgreSQL, a bounding-box query refined with Shapely on SQLite. Same semantics as the
    locator (interior only; smallest code where grids overlap). For checks and tools; use
    :func:`get_locator` for volume."""
    for lon, lat in points:
        check_lon_lat(lon, lat)
    with reading(engine) as conn:
        if engine.dialect.name == "postgresql":
            found = conn.execute(
                text(
                    "SELECT p.i, (SELECT g.code FROM grids g WHERE ST_Contains(g.geom, "
                    "ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) ORDER BY g.code LIMIT 1) "
                    "FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) "
                    "WITH ORDINALITY AS p(lon, lat, i) ORDER BY p.i"
                ),
                {"lons": [p[0] for p in points], "lats": [p[1] for p in points]},
            ).all()
            return [row[1] for row in found]
        return _locate_by_bbox(conn, points)


def _locate_by_bbox(conn: Connection, points: Sequence[tuple[float, float]]) -> list[str | None]:
    """SQLite has no spatial SQL: read the grids whose box meets the points' box (by code) and
    test them with Shapely, smallest code first."""
    if not points:
        return []
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    g = t.grids
    found = conn.execute(
        select(g.c.code, g.c.geometry)
        .where(
            g.c.min_lon <= float(xs.max()),
            g.c.max_lon >= float(xs.min()),
            g.c.min_lat <= float(ys.max()),
            g.c.max_lat >= float(ys.min()),
        )
        .order_by(g.c.code)
    ).all()
    out: list[str | None] = [None] * len(points)
    if not found:
        return out
    tree = shapely.STRtree(shapely.from_wkb([r.geometry for r in found]))
    p_idx, g_idx = tree.query(shapely.points(xs, ys), predicate="within")
    for p, i in sorted(zip(p_idx.tolist(), g_idx.tolist(), strict=True), reverse=True):
        out[p] = str(found[i].code)  # ascending codes last: the smallest code wins
    return out
