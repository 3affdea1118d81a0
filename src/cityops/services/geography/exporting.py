"""Exporting a layer as GeoJSON or GeoPackage, in WGS84 or for a Chinese web map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import Connection, Engine, select

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.geojson import feature_collection, geometry_from_wgs84
from cityops.domain.geo.model import CoordSystem
from cityops.errors import ValidationError
from cityops.services.geography.files import write_geopackage
from cityops.services.geography.reading import reading

LAYERS = ("grids", "regions", "roads", "places", "areas")

_LAYER_COLUMNS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "grids": (
        t.grids,
        ("code", "name", "community_code", "street_code", "district_code", "area_m2", "generated"),
    ),
    "regions": (t.regions, ("code", "level", "name", "parent_code", "generated")),
    "areas": (t.responsibility_areas, ("code", "name", "kind", "unit", "generated")),
    "roads": (t.roads, ("name", "kind", "district_code", "length_m", "generated")),
    "places": (t.places, ("name", "kind", "address", "grid_code", "generated")),
}


def _layer_features(conn: Connection, layer: str) -> tuple[list[Any], list[dict[str, Any]]]:
    table, names = _LAYER_COLUMNS[layer]
    order = table.c.code if "code" in table.c else table.c.id
    found = conn.execute(select(table).order_by(order)).all()
    if layer == "places":
        geoms = list(shapely.points([r.lon for r in found], [r.lat for r in found]))
    else:
        geoms = list(shapely.from_wkb([r.geometry for r in found]))
    props = [{n: getattr(r, n) for n in names} for r in found]
    return geoms, props


def export_layer(
    engine: Engine,
    layer: str,
    path: Path | str,
    fmt: str = "geojson",
    crs: CoordSystem = CoordSystem.WGS84,
) -> int:
    """Write one layer (grids, regions, roads, places, areas) to ``path`` as GeoJSON or
    GeoPackage, in ``crs`` (WGS84 unless a Chinese web map needs GCJ-02 / BD-09). Returns the
    number of features."""
    if layer not in LAYERS:
        raise ValidationError(
            "geo.layer_unknown",
            f"没有图层“{layer}”，可选：{'、'.join(LAYERS)}",
            layer=layer,
            allowed=list(LAYERS),
        )
    if fmt not in ("geojson", "gpkg"):
        raise ValidationError(
            "geo.format_unsupported", f"不支持的导出格式“{fmt}”，可选 geojson、gpkg", format=fmt
        )
    with reading(engine) as conn:
        geoms, props = _layer_features(conn, layer)
    geoms = [geometry_from_wgs84(g, CoordSystem(crs)) for g in geoms]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        write_geopackage(path, layer, geoms, props)
    else:
        path.write_text(feature_collection(geoms, props, crs, name=layer), encoding="utf-8")
    return len(geoms)


def export_grids(engine: Engine, path: Path | str, fmt: str = "geojson") -> int:
    return export_layer(engine, "grids", path, fmt)


def export_regions(engine: Engine, path: Path | str, fmt: str = "geojson") -> int:
    return export_layer(engine, "regions", path, fmt)
