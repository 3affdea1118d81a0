"""Geography: point → grid lookup, and GeoJSON layers for the console's map (unit grids in a
box, regions by level, roads, responsibility areas), in WGS84 or a Chinese web map's system.

The layer reads are plain window queries on the stored bounding boxes; the geometries are
stored as WKB and sent as they are (converted when another coordinate system is asked for).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Query, Response
from sqlalchemy import ColumnElement, Table, and_, select, true

from cityops.adapters.db.tables import geography as g
from cityops.api.deps import RT, CurrentUser, Staff
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.geo import GEOJSON_RESPONSE, LocateOut, PlaceNames
from cityops.domain.geo.coords import to_wgs84
from cityops.domain.geo.geojson import feature_collection, geometry_from_wgs84
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.errors import ValidationError
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/geo", tags=["geo 地理"], responses=ERROR_RESPONSES)

MAX_FEATURES = 5000
GEOJSON = "application/geo+json"

BBox = Annotated[
    str | None,
    Query(
        max_length=128,
        description="min_lon,min_lat,max_lon,max_lat in `crs`",
        examples=["116.98,36.64,117.04,36.68"],
    ),
]
Crs = Annotated[
    CoordSystem,
    Query(description="Coordinate system of the bbox and of the answer (wgs84, gcj02, bd09)"),
]
Limit = Annotated[int, Query(ge=1, le=MAX_FEATURES)]


@router.get(
    "/locate",
    summary="坐标定位 Point → unit grid, community, street, district",
    response_model=LocateOut,
)
def locate(
    rt: RT,
    user: CurrentUser,
    lon: Annotated[float, Query(ge=-180, le=180, examples=[117.0137])],
    lat: Annotated[float, Query(ge=-90, le=90, examples=[36.6617])],
    crs: Annotated[CoordSystem, Query()] = CoordSystem.WGS84,
) -> LocateOut:
    return locate_out(rt, lon, lat, crs)


def locate_out(rt: Runtime, lon: float, lat: float, crs: CoordSystem) -> LocateOut:
    """The point in WGS84 with its grid and areas, and their names."""
    loc = rt.locator.locate(lon, lat, crs)
    names = PlaceNames()
    if loc.grid_code:
        with rt.uow(readonly=True) as uow:
            grid_name = uow.conn.execute(
                select(g.grids.c.name).where(g.grids.c.code == loc.grid_code)
            ).scalar()
            found = {
                str(code): str(name)
                for code, name in uow.conn.execute(
                    select(g.regions.c.code, g.regions.c.name).where(
                        g.regions.c.code.in_(
                            [loc.community_code, loc.street_code, loc.district_code]
                        )
                    )
                )
            }
        names = PlaceNames(
            grid=grid_name or None,
            community=found.get(loc.community_code or ""),
            street=found.get(loc.street_code or ""),
            district=found.get(loc.district_code or ""),
        )
    return LocateOut(
        inside=loc.grid_code is not None,
        crs=CoordSystem(crs).value,
        lon=loc.lon,
        lat=loc.lat,
        grid_code=loc.grid_code,
        community_code=loc.community_code,
        street_code=loc.street_code,
        district_code=loc.district_code,
        names=names,
    )


def parse_bbox(text: str | None, crs: CoordSystem) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` in ``crs`` → the WGS84 box (None if not given)."""
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationError(
            "geo.bbox_invalid",
            "bbox 须为“最小经度,最小纬度,最大经度,最大纬度”四个数，例如 116.98,36.64,117.04,36.68",
            bbox=text[:128],
        )
    x0, y0, x1, y1 = values
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise ValidationError(
            "geo.bbox_invalid", "bbox 的最小值须小于最大值，且在经纬度范围内", bbox=text[:128]
        )
    if crs is not CoordSystem.WGS84:
        x0, y0 = to_wgs84(x0, y0, crs)
        x1, y1 = to_wgs84(x1, y1, crs)
    return x0, y0, x1, y1


def _in_box(table: Table, box: tuple[float, float, float, float] | None) -> ColumnElement[bool]:
    if box is None:
        return true()
    x0, y0, x1, y1 = box
    c = table.c
    return and_(c.max_lon >= x0, c.min_lon <= x1, c.max_lat >= y0, c.min_lat <= y1)


def _layer(
    rt: Runtime,
    table: Table,
    columns: tuple[str, ...],
    where: ColumnElement[bool],
    crs: CoordSystem,
    name: str,
    limit: int,
) -> Response:
    order = table.c.code if "code" in table.c else table.c.id
    query = (
        select(table.c.geometry, *(table.c[n] for n in columns))
        .where(where)
        .order_by(order)
        .limit(limit + 1)
    )
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(query).all()
    truncated = len(rows) > limit
    rows = rows[:limit]
    geoms = [geometry_from_wgs84(x, crs) for x in shapely.from_wkb([r.geometry for r in rows])]
    props: list[dict[str, Any]] = [{n: getattr(r, n) for n in columns} for r in rows]
    body = feature_collection(geoms, props, crs, name=name)
    if truncated:  # a foreign member beside "type" (RFC 7946 §6.1)
        body = '{"cityops:truncated":true,' + body[1:]
    return Response(body, media_type=GEOJSON, headers={"Cache-Control": "private, max-age=300"})


@router.get(
    "/grids",
    summary="单元网格图层 Unit grids in a box (GeoJSON)",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def grids(
    rt: RT,
    user: Staff,
    bbox: BBox = None,
    community: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    crs: Crs = CoordSystem.WGS84,
    limit: Limit = 2000,
) -> Response:
    box = parse_bbox(bbox, crs)
    if box is None and community is None:
        raise ValidationError(
            "geo.window_required", "请给出 bbox 或 community，以免一次取回全市网格"
        )
    where = _in_box(g.grids, box)
    if community:
        where = and_(where, g.grids.c.community_code == community)
    columns = ("code", "name", "community_code", "street_code", "district_code")
    return _layer(rt, g.grids, columns, where, crs, "grids", limit)


@router.get(
    "/regions",
    summary="行政区划图层 Regions of one level (GeoJSON)",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def regions(
    rt: RT,
    user: Staff,
    level: Annotated[RegionLevel, Query()] = RegionLevel.DISTRICT,
    parent: Annotated[str | None, Query(pattern=r"^\d{6,12}$")] = None,
    bbox: BBox = None,
    crs: Crs = CoordSystem.WGS84,
    limit: Limit = 2000,
) -> Response:
    box = parse_bbox(bbox, crs)
    where = and_(g.regions.c.level == RegionLevel(level).value, _in_box(g.regions, box))
    if parent:
        where = and_(where, g.regions.c.parent_code == parent)
    columns = ("code", "level", "name", "parent_code")
    return _layer(rt, g.regions, columns, where, crs, "regions", limit)


@router.get(
    "/roads",
    summary="道路图层 Roads (GeoJSON)",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def roads(
    rt: RT,
    user: Staff,
    bbox: BBox = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    crs: Crs = CoordSystem.WGS84,
    limit: Limit = 2000,
) -> Response:
    box = parse_bbox(bbox, crs)
    where = _in_box(g.roads, box)
    if district:
        where = and_(where, g.roads.c.district_code == district)
    columns = ("name", "kind", "district_code", "length_m")
    return _layer(rt, g.roads, columns, where, crs, "roads", limit)


@router.get(
    "/areas",
    summary="责任网格图层 Responsibility areas (GeoJSON)",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def areas(
    rt: RT,
    user: Staff,
    bbox: BBox = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    crs: Crs = CoordSystem.WGS84,
    limit: Limit = 2000,
) -> Response:
    box = parse_bbox(bbox, crs)
    t = g.responsibility_areas
    where = _in_box(t, box)
    if kind:
        where = and_(where, t.c.kind == kind)
    return _layer(rt, t, ("code", "name", "kind", "unit"), where, crs, "areas", limit)
