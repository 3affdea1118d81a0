"""Regions, unit grids, responsibility areas, roads and places (owned by the geography area).

Geometries are stored as WKB (``geometry``, WGS84 lon/lat) on every database, with their
bounding box in plain columns for cheap window queries. On PostgreSQL the migration adds a
PostGIS column ``geom`` to each table — *generated* from ``geometry`` (or from lon/lat for
places), so it can never drift — with a GIST index. ``geom`` is deliberately not declared
here: SQLite has no such column, and nothing is ever written to it.

``geography_revisions`` counts changes per layer; every write of grids bumps the ``grids``
row in the same transaction, which is how cached point locators notice new grids.

The ``*_rows`` functions at the end turn the domain's layer values into rows of these tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId
from cityops.domain.geo.layers import Grid, Place, Region, ResponsibilityArea, Road
from cityops.domain.geo.measure import area_m2, metres_per_degree


def _bbox() -> list[Column[Any]]:
    return [
        Column("min_lon", Float, nullable=False),
        Column("min_lat", Float, nullable=False),
        Column("max_lon", Float, nullable=False),
        Column("max_lat", Float, nullable=False),
    ]


regions = Table(
    "regions",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("name", String(64), nullable=False),
    Column("parent_code", String(12), ForeignKey("regions.code"), nullable=True),
    Column("generated", Boolean, nullable=False, default=False),
    Column("source", String(64), nullable=False, default=""),
    Column("geometry", LargeBinary, nullable=False),
    *_bbox(),
    Index("ix_regions_parent_code", "parent_code"),
    Index("ix_regions_level", "level"),
)

grids = Table(
    "grids",
    metadata,
    Column("code", String(15), primary_key=True),
    Column("community_code", String(12), ForeignKey("regions.code"), nullable=False),
    Column("street_code", String(9), nullable=False),
    Column("district_code", String(6), nullable=False),
    Column("name", String(128), nullable=False, default=""),
    Column("generated", Boolean, nullable=False, default=False),
    Column("source", String(64), nullable=False, default=""),
    Column("geometry", LargeBinary, nullable=False),
    Column("area_m2", Float, nullable=False),
    Column("centroid_lon", Float, nullable=False),
    Column("centroid_lat", Float, nullable=False),
    *_bbox(),
    Index("ix_grids_community_code", "community_code"),
    Index("ix_grids_street_code", "street_code"),
    Index("ix_grids_district_code", "district_code"),
    Index("ix_grids_min_lon_max_lon", "min_lon", "max_lon"),
)

responsibility_areas = Table(
    "responsibility_areas",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("unit", String(128), nullable=False),
    Column("generated", Boolean, nullable=False, default=False),
    Column("source", String(64), nullable=False, default=""),
    Column("geometry", LargeBinary, nullable=False),
    *_bbox(),
    Index("ix_responsibility_areas_kind", "kind"),
)

roads = Table(
    "roads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("district_code", String(6), nullable=True),
    Column("length_m", Float, nullable=False),
    Column("generated", Boolean, nullable=False, default=False),
    Column("source", String(64), nullable=False, default=""),
    Column("geometry", LargeBinary, nullable=False),
    *_bbox(),
    Index("ix_roads_name", "name"),
    Index("ix_roads_district_code", "district_code"),
)

places = Table(
    "places",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("address", String(256), nullable=False, default=""),
    Column("grid_code", String(15), nullable=True),
    Column("generated", Boolean, nullable=False, default=False),
    Column("source", String(64), nullable=False, default=""),
    Index("ix_places_name", "name"),
    Index("ix_places_grid_code", "grid_code"),
)

geography_revisions = Table(
    "geography_revisions",
    metadata,
    Column("layer", String(32), primary_key=True),
    Column("revision", Integer, nullable=False),
)

# --- rows ---


def _geometry_columns(geoms: Sequence[Any]) -> list[dict[str, Any]]:
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    wkb = shapely.to_wkb(arr)
    b = shapely.bounds(arr)
    return [
        {
            "geometry": bytes(w),
            "min_lon": float(x0),
            "min_lat": float(y0),
            "max_lon": float(x1),
            "max_lat": float(y1),
        }
        for w, (x0, y0, x1, y1) in zip(wkb, b.tolist(), strict=True)
    ]


def region_rows(regions: Sequence[Region], source: str) -> list[dict[str, Any]]:
    cols = _geometry_columns([r.geometry for r in regions])
    return [
        {
            "code": r.code,
            "level": r.level.value,
            "name": r.name,
            "parent_code": r.parent_code,
            "generated": r.generated,
            "source": source,
            **c,
        }
        for r, c in zip(regions, cols, strict=True)
    ]


def grid_rows(grids: Sequence[Grid], source: str) -> list[dict[str, Any]]:
    cols = _geometry_columns([g.geometry for g in grids])
    centroids = shapely.get_coordinates(shapely.centroid(np.array([g.geometry for g in grids])))
    return [
        {
            "code": g.code,
            "community_code": g.community_code,
            "street_code": g.street_code,
            "district_code": g.district_code,
            "name": g.name,
            "generated": g.generated,
            "source": source,
            "area_m2": area_m2(g.geometry),
            "centroid_lon": float(cx),
            "centroid_lat": float(cy),
            **c,
        }
        for g, c, (cx, cy) in zip(grids, cols, centroids.tolist(), strict=True)
    ]


def area_rows(areas: Sequence[ResponsibilityArea], source: str) -> list[dict[str, Any]]:
    cols = _geometry_columns([a.geometry for a in areas])
    return [
        {
            "code": a.code,
            "name": a.name,
            "kind": a.kind,
            "unit": a.unit,
            "generated": a.generated,
            "source": source,
            **c,
        }
        for a, c in zip(areas, cols, strict=True)
    ]


def _length_m(coords: np.ndarray) -> float:
    kx, ky = metres_per_degree(float(coords[:, 1].mean()))
    return float(np.hypot(np.diff(coords[:, 0]) * kx, np.diff(coords[:, 1]) * ky).sum())


def road_rows(roads: Sequence[Road], source: str) -> list[dict[str, Any]]:
    cols = _geometry_columns([r.geometry for r in roads])
    return [
        {
            "name": r.name,
            "kind": r.kind,
            "district_code": r.district_code,
            "length_m": _length_m(shapely.get_coordinates(r.geometry)),
            "generated": r.generated,
            "source": source,
            **c,
        }
        for r, c in zip(roads, cols, strict=True)
    ]


def place_rows(places: Sequence[Place], source: str) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "kind": p.kind,
            "lon": p.point.x,
            "lat": p.point.y,
            "address": p.address,
            "grid_code": p.grid_code,
            "generated": p.generated,
            "source": source,
        }
        for p in places
    ]


__all__ = [
    "area_rows",
    "geography_revisions",
    "grid_rows",
    "grids",
    "place_rows",
    "places",
    "region_rows",
    "regions",
    "responsibility_areas",
    "road_rows",
    "roads",
]
