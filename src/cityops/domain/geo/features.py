"""Reading features that come from outside: problems, properties, codes and polygons.

A feature is a GeoJSON-like mapping ``{"type": "Feature", "properties": {…}, "geometry": …}``
whose geometry is either a GeoJSON mapping or, for rows read from a GeoPackage / Shapefile, a
Shapely geometry. Importers check every feature and collect every :class:`FeatureProblem`
before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.geojson import geometry_to_wgs84
from cityops.domain.geo.model import CoordSystem


@dataclass(frozen=True, slots=True)
class FeatureProblem:
    """One thing wrong with one feature: ``index`` counts from 0 in file order; ``problem`` is
    a stable code (e.g. ``geo.grid_code_invalid``); ``reason`` says it in Chinese."""

    index: int
    code: str | None
    problem: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "code": self.code,
            "problem": self.problem,
            "reason": self.reason,
        }


def by_index(problems: Iterable[FeatureProblem]) -> list[FeatureProblem]:
    """Problems in file order (stable: a feature's problems keep the order they were found)."""
    return sorted(problems, key=lambda p: p.index)


def properties_of(index: int, feature: Any) -> Mapping[str, Any] | FeatureProblem:
    """The feature's properties, or the problem that it is not a feature with properties."""
    if not isinstance(feature, Mapping) or feature.get("type", "Feature") != "Feature":
        return FeatureProblem(index, None, "geo.feature_invalid", "不是 GeoJSON 要素")
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        return FeatureProblem(index, None, "geo.feature_invalid", "要素缺少属性")
    return props


def first_property(props: Mapping[str, Any], keys: Iterable[str]) -> Any:
    """The first of ``keys`` with a non-blank value, or None."""
    for key in keys:
        value = props.get(key)
        if value is not None and str(value).strip() != "":
            return value
    return None


def code_text(value: Any) -> str:
    """A code as text; codes read from spreadsheets / DBF files arrive as numbers."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def polygon_of(feature: Mapping[str, Any], crs: CoordSystem) -> tuple[BaseGeometry | None, str]:
    """The feature's (multi)polygon converted from ``crs`` to WGS84, or None and the reason
    (missing, wrong type, unreadable, off the globe, empty, invalid, zero area)."""
    raw = feature.get("geometry")
    if raw is None:
        return None, "缺少几何"
    if isinstance(raw, BaseGeometry):
        geom = raw
    else:
        if not isinstance(raw, Mapping) or raw.get("type") not in ("Polygon", "MultiPolygon"):
            kind = raw.get("type") if isinstance(raw, Mapping) else type(raw).__name__
            return None, f"几何类型应为 Polygon 或 MultiPolygon，实际为 {kind}"
        try:
            geom = shape(raw)
        except Exception as exc:
            return None, f"几何无法读取：{exc}"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"几何类型应为 Polygon 或 MultiPolygon，实际为 {geom.geom_type}"
    if geom.is_empty:
        return None, "几何为空"
    coords = shapely.get_coordinates(geom)
    if (
        not np.isfinite(coords).all()
        or (np.abs(coords[:, 0]) > 180).any()
        or (np.abs(coords[:, 1]) > 90).any()
    ):
        return None, "坐标超出经纬度范围（经度 ±180°，纬度 ±90°），请确认是经纬度而非投影坐标"
    geom = geometry_to_wgs84(geom, crs)
    if not geom.is_valid:
        return None, f"几何无效：{shapely.is_valid_reason(geom)}"
    if geom.area <= 0:
        return None, "几何面积为零"
    return geom, ""
