"""Placing an order: the caller's coordinates when the channel sends them (app, WeChat),
otherwise the address text matched against the city's districts, streets, communities, roads
and named places (the geography tables), then the grid of the point found.

The gazetteer is built from the database once and kept per engine; it is rebuilt when the
grids' revision changes or after ``REFRESH_SECONDS``.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

import shapely
from sqlalchemy import Engine, select

from cityops.adapters.db.tables import geography as g
from cityops.domain.geo.model import CoordSystem
from cityops.domain.hotline.address import Gazetteer, NamedFeature
from cityops.domain.hotline.model import Placement
from cityops.errors import ValidationError
from cityops.services.runtime import Runtime

REFRESH_SECONDS = 300.0


@dataclass(frozen=True)
class _Cached:
    gazetteer: Gazetteer
    revision: int
    built_at: float


_cache: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _revision(rt: Runtime) -> int:
    with rt.uow(readonly=True) as uow:
        value = uow.conn.execute(
            select(g.geography_revisions.c.revision).where(g.geography_revisions.c.layer == "grids")
        ).scalar()
    return int(value or 0)


def build_gazetteer(rt: Runtime) -> Gazetteer:
    with rt.uow(readonly=True) as uow:
        regions = uow.conn.execute(
            select(g.regions.c.code, g.regions.c.level, g.regions.c.name, g.regions.c.geometry)
        ).all()
        roads = uow.conn.execute(
            select(g.roads.c.name, g.roads.c.kind, g.roads.c.district_code, g.roads.c.geometry)
        ).all()
        places = uow.conn.execute(
            select(g.places.c.name, g.places.c.lon, g.places.c.lat, g.places.c.grid_code)
        ).all()
    feats: list[NamedFeature] = []
    city_names = [r.name for r in regions if r.level == "city"]
    others = [r for r in regions if r.level != "city"]
    geoms = shapely.from_wkb([r.geometry for r in others]) if others else []
    feats += [
        NamedFeature(r.name, r.level, geom, r.code) for r, geom in zip(others, geoms, strict=True)
    ]
    named_roads = [r for r in roads if r.kind != "river"]
    road_geoms = shapely.from_wkb([r.geometry for r in named_roads]) if named_roads else []
    feats += [
        NamedFeature(r.name, "road", geom, None, r.district_code)
        for r, geom in zip(named_roads, road_geoms, strict=True)
    ]
    feats += [
        NamedFeature(p.name, "place", shapely.Point(p.lon, p.lat), None, None, p.grid_code)
        for p in places
    ]
    return Gazetteer(feats, city_names)


def gazetteer(rt: Runtime) -> Gazetteer:
    with _lock:
        hit = _cache.get(rt.engine)
    now = time.monotonic()
    if hit is not None and now - hit.built_at < REFRESH_SECONDS:
        return hit.gazetteer
    revision = _revision(rt)
    if hit is not None and hit.revision == revision and now - hit.built_at < 4 * REFRESH_SECONDS:
        with _lock:
            _cache[rt.engine] = _Cached(hit.gazetteer, revision, now)
        return hit.gazetteer
    built = build_gazetteer(rt)
    with _lock:
        _cache[rt.engine] = _Cached(built, revision, now)
    return built


def forget_gazetteer(rt: Runtime) -> None:
    with _lock:
        _cache.pop(rt.engine, None)


def place_order(
    rt: Runtime,
    address: str,
    content: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: CoordSystem = CoordSystem.WGS84,
) -> Placement:
    """Coordinates win when given; else the address, else names in the content itself."""
    if (lon is None) != (lat is None):
        raise ValidationError("hotline.coordinates_incomplete", "经度和纬度须同时提供")
    if lon is not None and lat is not None:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                "location.out_of_range", "坐标超出范围", lon=lon, lat=lat, crs=crs.value
            )
        loc = rt.locator.locate(lon, lat, crs)
        return Placement(
            loc.lon,
            loc.lat,
            loc.grid_code,
            loc.community_code,
            loc.street_code,
            loc.district_code,
            "point",
            1.0 if loc.grid_code else 0.5,
            (),
        )
    gz = gazetteer(rt)

    def grid_of(x: float, y: float) -> str | None:
        return rt.locator.locate(x, y, CoordSystem.WGS84).grid_code

    for text in (address, content):
        if text and text.strip():
            placed = gz.match(text, grid_of)
            if placed.level != "none":
                return placed
    return Placement()
