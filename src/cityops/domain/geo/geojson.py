"""GeoJSON text for layers, and coordinate-system conversion of whole geometries."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.coords import from_wgs84_many, to_wgs84_many
from cityops.domain.geo.model import CoordSystem


def _convert(geom: BaseGeometry, crs: CoordSystem, *, to_wgs84: bool) -> BaseGeometry:
    def convert(c: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        if to_wgs84:
            lon, lat = to_wgs84_many(c[:, 0], c[:, 1], crs)
        else:
            lon, lat = from_wgs84_many(c[:, 0], c[:, 1], crs)
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)


def geometry_to_wgs84(geom: BaseGeometry, crs: CoordSystem) -> BaseGeometry:
    """A geometry given in ``crs`` converted to WGS84 vertex by vertex."""
    crs = CoordSystem(crs)
    return geom if crs is CoordSystem.WGS84 else _convert(geom, crs, to_wgs84=True)


def geometry_from_wgs84(geom: BaseGeometry, crs: CoordSystem) -> BaseGeometry:
    crs = CoordSystem(crs)
    return geom if crs is CoordSystem.WGS84 else _convert(geom, crs, to_wgs84=False)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def feature_collection(
    geoms: Sequence[BaseGeometry],
    props: Sequence[Mapping[str, Any]],
    crs: CoordSystem = CoordSystem.WGS84,
    name: str = "",
) -> str:
    """A GeoJSON FeatureCollection (RFC 7946 when ``crs`` is WGS84; otherwise the coordinate
    system is named in a ``cityops:crs`` member so nobody mistakes GCJ-02 for WGS84)."""
    doc: dict[str, Any] = {"type": "FeatureCollection"}
    if name:
        doc["name"] = name
    if CoordSystem(crs) is not CoordSystem.WGS84:
        doc["cityops:crs"] = CoordSystem(crs).value
    doc["features"] = [
        {
            "type": "Feature",
            "properties": {k: _clean(v) for k, v in p.items()},
            "geometry": mapping(g),
        }
        for g, p in zip(geoms, props, strict=True)
    ]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
