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
* ``geo.grid_code_duplicate`` — the same code appears again later in the file;
* ``geo.grid_outside_community`` — when the communities' areas are known: the grid reaches
  outside its community by more than the tolerance (the overhang area is reported);
* ``geo.grid_overlap`` — the grid overlaps an earlier grid of the file, or a stored grid the
  file does not replace, by more than the tolerance (see :mod:`cityops.domain.geo.topology`).

The code is read from the first property present among :data:`CODE_PROPERTIES`; the name
from :data:`NAME_PROPERTIES`. Coordinates are converted from the declared coordinate system
to WGS84.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.codes import LEGACY_GRID_CODE_LENGTH, grid_code_problem
from cityops.domain.geo.features import (
    FeatureProblem,
    by_index,
    code_text,
    first_property,
    polygon_of,
    properties_of,
)
from cityops.domain.geo.layers import Grid, as_multipolygon
from cityops.domain.geo.model import CoordSystem
from cityops.domain.geo.topology import (
    DEFAULT_TOLERANCE_M,
    find_overhangs,
    find_overlaps,
    square_metres,
)

CODE_PROPERTIES = ("code", "grid_code", "GRID_CODE", "wgbm", "WGBM", "网格编码", "网格代码", "BM")
NAME_PROPERTIES = ("name", "grid_name", "NAME", "wgmc", "WGMC", "网格名称", "MC")

__all__ = [
    "CODE_PROPERTIES",
    "NAME_PROPERTIES",
    "FeatureProblem",
    "IndexedGrid",
    "check_grid_features",
    "check_grid_layout",
    "read_grids",
]


def _grid_code(
    index: int, props: Mapping[str, Any]
) -> tuple[str | None, str | None, list[FeatureProblem]]:
    """(valid 15-digit code or None, the code as given, problems)."""
    raw = first_property(props, CODE_PROPERTIES)
    if raw is None:
        reason = f"缺少网格代码（属性名可为 {'、'.join(CODE_PROPERTIES[:5])} 等）"
        return None, None, [FeatureProblem(index, None, "geo.grid_code_missing", reason)]
    code = shown = code_text(raw)
    if len(code) == LEGACY_GRID_CODE_LENGTH and code.isdigit():
        code = code[:12] + "0" + code[12:]
    problem = grid_code_problem(code)
    if problem:
        return None, shown, [FeatureProblem(index, code, "geo.grid_code_invalid", problem)]
    return code, shown, []


IndexedGrid = tuple[int, Grid]  # (feature index, grid)


def read_grids(
    features: Sequence[Any],
    communities: Collection[str],
    crs: CoordSystem = CoordSystem.WGS84,
    *,
    generated: bool = False,
) -> tuple[list[IndexedGrid], list[FeatureProblem]]:
    """Each feature on its own: the grids read (in WGS84, with their feature index) and the
    problems found. ``communities`` holds the codes of the known communities."""
    crs = CoordSystem(crs)
    problems: list[FeatureProblem] = []
    accepted: list[IndexedGrid] = []
    first_seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        props = properties_of(index, feature)
        if isinstance(props, FeatureProblem):
            problems.append(props)
            continue
        code, shown, code_problems = _grid_code(index, props)
        problems += code_problems
        geom, why = polygon_of(feature, crs)
        if geom is None:
            problems.append(FeatureProblem(index, code or shown, "geo.geometry_invalid", why))
        if code is None:
            continue
        known = code[:12] in communities
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
            name = first_property(props, NAME_PROPERTIES)
            accepted.append((index, Grid(code, as_multipolygon(geom), str(name or ""), generated)))
    return accepted, problems


def check_grid_layout(
    grids: Sequence[IndexedGrid],
    community_areas: Mapping[str, BaseGeometry],
    stored: Sequence[tuple[str, BaseGeometry]] = (),
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> list[FeatureProblem]:
    """The grids read, together: each inside its community (where ``community_areas`` has
    it), none overlapping another of the file or a ``stored`` grid (code, area) whose code
    the file does not carry."""
    return _outside_community(grids, community_areas, tolerance_m) + _overlaps(
        grids, stored, tolerance_m
    )


def check_grid_features(
    features: Sequence[Any],
    communities: Collection[str] | Mapping[str, BaseGeometry],
    crs: CoordSystem = CoordSystem.WGS84,
    *,
    generated: bool = False,
    stored: Sequence[tuple[str, BaseGeometry]] = (),
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> tuple[list[Grid], list[FeatureProblem]]:
    """:func:`read_grids` then :func:`check_grid_layout`: the grids of ``features`` and every
    problem, in file order; use the grids only when there are no problems. When
    ``communities`` maps the codes to their areas, containment is checked too."""
    accepted, problems = read_grids(features, communities, crs, generated=generated)
    areas = communities if isinstance(communities, Mapping) else {}
    problems += check_grid_layout(accepted, areas, stored, tolerance_m)
    return [g for _, g in accepted], by_index(problems)


def _outside_community(
    accepted: Sequence[IndexedGrid],
    areas: Mapping[str, BaseGeometry],
    tolerance_m: float,
) -> list[FeatureProblem]:
    checked = [(i, g) for i, g in accepted if areas.get(g.community_code) is not None]
    found = find_overhangs(
        [g.geometry for _, g in checked],
        [areas[g.community_code] for _, g in checked],
        tolerance_m,
    )
    out = []
    for hang in found:
        index, grid = checked[hang.index]
        out.append(
            FeatureProblem(
                index,
                grid.code,
                "geo.grid_outside_community",
                f"网格超出所属社区 {grid.community_code} 的边界约 {square_metres(hang.area_m2)} "
                f"平方米（占网格面积 {hang.share:.1%}），超过容差 {tolerance_m:g} 米",
            )
        )
    return out


def _overlaps(
    accepted: Sequence[IndexedGrid],
    stored: Sequence[tuple[str, BaseGeometry]],
    tolerance_m: float,
) -> list[FeatureProblem]:
    in_file = {g.code for _, g in accepted}
    kept = [(code, geom) for code, geom in stored if code not in in_file]
    found = find_overlaps(
        [g.geometry for _, g in accepted], tolerance_m, [geom for _, geom in kept]
    )
    out = []
    for lap in found:
        index, grid = accepted[lap.index]
        if lap.fixed:
            other = f"已有网格 {kept[lap.other][0]}（不在本文件中，不会被替换）"
        else:
            other_index, other_grid = accepted[lap.other]
            other = f"第 {other_index} 个要素（网格 {other_grid.code}）"
        out.append(
            FeatureProblem(
                index,
                grid.code,
                "geo.grid_overlap",
                f"与{other}重叠约 {square_metres(lap.area_m2)} 平方米，超过容差 {tolerance_m:g} 米",
            )
        )
    return out
