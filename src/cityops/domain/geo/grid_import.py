"""Checking unit grids that come from outside, before anything is stored.

Input is a list of features (a GeoJSON FeatureCollection's ``features``, or rows read from a
GeoPackage/Shapefile turned into the same shape). Every feature is checked and every problem
is reported with the feature's index (0-based, in file order), its code if it has one, a
stable problem code and a reason in Chinese:

* ``geo.feature_invalid`` — not a feature, or no properties;
* ``geo.grid_code_missing`` / ``geo.grid_code_invalid`` — no code, or not 15 digits (a
  14-digit legacy code is widened, see :mod:`cityops.domain.geo.codes`);
* ``geo.geometry_invalid`` — missing, not a (multi)polygon, unreadable, coordinates off the
  globe, empty, or invalid (self-intersection, …, with GEOS' reason);
* ``geo.community_unknown`` — the first 12 digits are not a community we know;
* ``geo.grid_code_duplicate`` — the same code appears again later in the file.

The code is read from the first property present among :data:`CODE_PROPERTIES`; the name
from :data:`NAME_PROPERTIES`. Coordinates are converted from the declared coordinate system
to WGS84.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.codes import LEGACY_GRID_CODE_LENGTH, grid_code_problem
from cityops.domain.geo.geojson import geometry_to_wgs84
from cityops.domain.geo.layers import Grid, as_multipolygon
from cityops.domain.geo.model import CoordSystem

CODE_PROPERTIES = ("code", "grid_code", "GRID_CODE", "wgbm", "WGBM", "网格编码", "网格代码", "BM")
NAME_PROPERTIES = ("name", "grid_name", "NAME", "wgmc", "WGMC", "网格名称", "MC")


@dataclass(frozen=True, slots=True)
class FeatureProblem:
    index: int
    code: str | None
    problem: str  # stable code, e.g. geo.grid_code_invalid
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "code": self.code,
            "problem": self.problem,
            "reason": self.reason,
        }


def _first(props: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        value = props.get(key)
        if value is not None and str(value).strip() != "":
            return value
    return None


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # codes read from spreadsheets / DBF arrive as numbers
    return str(value).strip()


def _geometry(feature: Mapping[str, Any], crs: CoordSystem) -> tuple[BaseGeometry | None, str]:
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


def check_grid_features(
    features: Sequence[Any],
    known_communities: set[str],
    crs: CoordSystem = CoordSystem.WGS84,
    *,
    generated: bool = False,
) -> tuple[list[Grid], list[FeatureProblem]]:
    """The grids of ``features`` (in WGS84) and every problem found; use the grids only when
    there are no problems."""
    crs = CoordSystem(crs)
    grids: list[Grid] = []
    problems: list[FeatureProblem] = []
    first_seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, Mapping) or feature.get("type", "Feature") != "Feature":
            problems.append(FeatureProblem(index, None, "geo.feature_invalid", "不是 GeoJSON 要素"))
            continue
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            problems.append(FeatureProblem(index, None, "geo.feature_invalid", "要素缺少属性"))
            continue
        raw_code = _first(props, CODE_PROPERTIES)
        code: str | None = None
        shown: str | None = None  # the code as given, for reporting
        if raw_code is None:
            problems.append(
                FeatureProblem(
                    index,
                    None,
                    "geo.grid_code_missing",
                    f"缺少网格代码（属性名可为 {'、'.join(CODE_PROPERTIES[:5])} 等）",
                )
            )
        else:
            code = shown = _code_text(raw_code)
            if len(code) == LEGACY_GRID_CODE_LENGTH and code.isdigit():
                code = code[:12] + "0" + code[12:]
            problem = grid_code_problem(code)
            if problem:
                problems.append(FeatureProblem(index, code, "geo.grid_code_invalid", problem))
                code = None
        geom, why = _geometry(feature, crs)
        if geom is None:
            problems.append(FeatureProblem(index, code or shown, "geo.geometry_invalid", why))
        if code is None:
            continue
        known = code[:12] in known_communities
        if not known:
            problems.append(
                FeatureProblem(
                    index,
                    code,
                    "geo.community_unknown",
                    f"社区代码 {code[:12]} 不存在，请先导入该社区（行政区划）",
                )
            )
        if code in first_seen:
            problems.append(
                FeatureProblem(
                    index,
                    code,
                    "geo.grid_code_duplicate",
                    f"与第 {first_seen[code]} 个要素（从 0 起算）的网格代码重复",
                )
            )
            continue
        first_seen[code] = index
        if geom is not None and known:
            name = _first(props, NAME_PROPERTIES)
            grids.append(Grid(code, as_multipolygon(geom), str(name or ""), generated))
    return grids, problems
