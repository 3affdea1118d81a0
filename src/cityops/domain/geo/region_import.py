"""Checking a city's own administrative areas (districts, streets, communities) before they
are stored.

One file holds one level. Every feature is checked and every problem reported with its index
(0-based, in file order), its code and a reason in Chinese:

* ``geo.feature_invalid`` — not a feature, or no properties;
* ``geo.region_code_missing`` / ``geo.admin_code_invalid`` — no code, or not a code of this
  level (GB/T 2260: 6 digits for a district or county, 9 for a street or town, 12 for a
  community or village; the 12-digit statistics form padded with zeros is accepted and
  shortened: ``370102001000`` → ``370102001``);
* ``geo.region_name_missing`` / ``geo.region_name_invalid`` — no name, or longer than 64;
* ``geo.region_parent_mismatch`` — the file names a parent whose code is not the prefix of
  the region's code (a street's 9 digits start with its district's 6);
* ``geo.region_parent_unknown`` — the parent (the code's prefix) is not stored: import the
  districts before their streets, the streets before their communities;
* ``geo.region_code_duplicate`` — the same code again later in the file;
* ``geo.geometry_invalid`` — as for grids (:func:`~cityops.domain.geo.features.polygon_of`);
* ``geo.region_outside_parent`` — reaches outside its stored parent beyond the tolerance;
* ``geo.region_overlap`` — overlaps another region of this level (of the file, or stored and
  not replaced by the file) beyond the tolerance.

A district's parent is its city (``370102`` → ``370100``) when that city is stored, and none
otherwise: a city row is optional.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.codes import admin_code_problem, parent_code, short_admin_code
from cityops.domain.geo.features import (
    FeatureProblem,
    by_index,
    code_text,
    first_property,
    polygon_of,
    properties_of,
)
from cityops.domain.geo.layers import Region, as_multipolygon
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.domain.geo.topology import (
    DEFAULT_TOLERANCE_M,
    find_overhangs,
    find_overlaps,
    square_metres,
)

CODE_PROPERTIES = (
    "code", "adcode", "ADCODE", "CODE", "xzqdm", "XZQDM", "区划代码", "行政区划代码",
    "QHDM", "qhdm", "DM", "dm",
)  # fmt: skip
NAME_PROPERTIES = (
    "name", "NAME", "xzqmc", "XZQMC", "名称", "区划名称", "QHMC", "qhmc", "MC", "mc",
)  # fmt: skip
PARENT_PROPERTIES = ("parent_code", "parent", "PARENT", "上级代码", "sjdm", "SJDM")
MAX_NAME_LENGTH = 64

LEVEL_NAMES = {
    RegionLevel.CITY: "地级市",
    RegionLevel.DISTRICT: "区县",
    RegionLevel.STREET: "街道乡镇",
    RegionLevel.COMMUNITY: "社区村",
}
PARENT_LEVEL = {
    RegionLevel.DISTRICT: RegionLevel.CITY,
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
}


def region_code(raw: Any, level: RegionLevel) -> tuple[str, str | None]:
    """(the short code, or the text as given; why it is not a code of ``level``, or None)."""
    code = code_text(raw)
    if len(code) == 12 and code.isdigit() and level is not RegionLevel.COMMUNITY:
        code = short_admin_code(code)  # the statistics form, padded with zeros
    return code, admin_code_problem(code, level)


def _parent_given(props: Mapping[str, Any]) -> str | None:
    raw = first_property(props, PARENT_PROPERTIES)
    if isinstance(raw, Mapping):  # DataV / AMap style: {"adcode": 370100}
        raw = first_property(raw, CODE_PROPERTIES)
    if raw is None:
        return None
    given = code_text(raw)
    if len(given) == 12 and given.isdigit():
        given = short_admin_code(given)
    return given


IndexedRegion = tuple[int, Region]  # (feature index, region)


def read_regions(
    features: Sequence[Any],
    level: RegionLevel,
    parent_codes: Collection[str],
    crs: CoordSystem = CoordSystem.WGS84,
) -> tuple[list[IndexedRegion], list[FeatureProblem]]:
    """Each feature on its own: the regions read (level ``level``, WGS84, with their feature
    index) and the problems found. ``parent_codes`` are the stored regions of the level
    above."""
    level, crs = RegionLevel(level), CoordSystem(crs)
    problems: list[FeatureProblem] = []
    accepted: list[IndexedRegion] = []
    first_seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        props = properties_of(index, feature)
        if isinstance(props, FeatureProblem):
            problems.append(props)
            continue
        found = len(problems)
        raw = first_property(props, CODE_PROPERTIES)
        code: str | None = None
        parent: str | None = None
        if raw is None:
            reason = f"缺少区划代码（属性名可为 {'、'.join(CODE_PROPERTIES[:6])} 等）"
            problems.append(FeatureProblem(index, None, "geo.region_code_missing", reason))
        else:
            code, why = region_code(raw, level)
            if why:
                reason = f"不是{LEVEL_NAMES[level]}代码：{why}"
                problems.append(FeatureProblem(index, code, "geo.admin_code_invalid", reason))
                code = None
            else:
                parent, parent_problems = _parent(index, code, level, props, parent_codes)
                problems += parent_problems
        name = first_property(props, NAME_PROPERTIES)
        name_text = "" if name is None else str(name).strip()
        if not name_text:
            problems.append(FeatureProblem(index, code, "geo.region_name_missing", "缺少名称"))
        elif len(name_text) > MAX_NAME_LENGTH:
            reason = f"名称过长（{len(name_text)} 字，最多 {MAX_NAME_LENGTH} 字）"
            problems.append(FeatureProblem(index, code, "geo.region_name_invalid", reason))
        geom, why = polygon_of(feature, crs)
        if geom is None:
            problems.append(FeatureProblem(index, code, "geo.geometry_invalid", why))
        if code is not None:
            if code in first_seen:
                reason = f"与第 {first_seen[code]} 个要素（从 0 起算）的区划代码重复"
                problems.append(FeatureProblem(index, code, "geo.region_code_duplicate", reason))
            else:
                first_seen[code] = index
        if len(problems) == found and code is not None and geom is not None:
            region = Region(code, level, name_text, parent, as_multipolygon(geom))
            accepted.append((index, region))
    return accepted, problems


def check_region_layout(
    regions: Sequence[IndexedRegion],
    parent_areas: Mapping[str, BaseGeometry],
    stored: Sequence[tuple[str, BaseGeometry]] = (),
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> list[FeatureProblem]:
    """The regions read, together: each inside its parent (where ``parent_areas`` has it),
    none overlapping another of the file or a ``stored`` region of the level (code, area)
    whose code the file does not carry."""
    return _outside_parent(regions, parent_areas, tolerance_m) + _overlaps(
        regions, stored, tolerance_m
    )


def check_region_features(
    features: Sequence[Any],
    level: RegionLevel,
    parents: Mapping[str, BaseGeometry],
    crs: CoordSystem = CoordSystem.WGS84,
    *,
    stored: Sequence[tuple[str, BaseGeometry]] = (),
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> tuple[list[Region], list[FeatureProblem]]:
    """:func:`read_regions` then :func:`check_region_layout`: the regions of ``features`` and
    every problem, in file order; use the regions only when there are no problems.
    ``parents`` maps the stored regions of the level above to their areas."""
    accepted, problems = read_regions(features, level, parents, crs)
    problems += check_region_layout(accepted, parents, stored, tolerance_m)
    return [r for _, r in accepted], by_index(problems)


def _parent(
    index: int,
    code: str,
    level: RegionLevel,
    props: Mapping[str, Any],
    parents: Collection[str],
) -> tuple[str | None, list[FeatureProblem]]:
    """The stored parent of a valid ``code`` and the problems with it."""
    if level is RegionLevel.CITY:
        return None, []
    expected = parent_code(code)
    assert expected is not None
    problems = []
    given = _parent_given(props)
    if given is not None and given != expected:
        reason = (
            f"上级代码 {given} 与区划代码不符：{LEVEL_NAMES[level]}代码 {code} "
            f"的上级应为 {expected}"
        )
        problems.append(FeatureProblem(index, code, "geo.region_parent_mismatch", reason))
    if expected in parents:
        return expected, problems
    if level is RegionLevel.DISTRICT:
        return None, problems  # the city row is optional
    upper = LEVEL_NAMES[PARENT_LEVEL[level]]
    reason = f"上级{upper} {expected} 不存在，请先导入{upper}"
    problems.append(FeatureProblem(index, code, "geo.region_parent_unknown", reason))
    return None, problems


def _outside_parent(
    accepted: Sequence[IndexedRegion],
    parents: Mapping[str, BaseGeometry],
    tolerance_m: float,
) -> list[FeatureProblem]:
    checked = [(i, r) for i, r in accepted if parents.get(r.parent_code or "") is not None]
    found = find_overhangs(
        [r.geometry for _, r in checked],
        [parents[r.parent_code or ""] for _, r in checked],
        tolerance_m,
    )
    out = []
    for hang in found:
        index, region = checked[hang.index]
        out.append(
            FeatureProblem(
                index,
                region.code,
                "geo.region_outside_parent",
                f"超出上级区划 {region.parent_code} 的边界约 {square_metres(hang.area_m2)} "
                f"平方米（占本区划面积 {hang.share:.1%}），超过容差 {tolerance_m:g} 米",
            )
        )
    return out


def _overlaps(
    accepted: Sequence[IndexedRegion],
    stored: Sequence[tuple[str, BaseGeometry]],
    tolerance_m: float,
) -> list[FeatureProblem]:
    in_file = {r.code for _, r in accepted}
    kept = [(code, geom) for code, geom in stored if code not in in_file]
    found = find_overlaps(
        [r.geometry for _, r in accepted], tolerance_m, [geom for _, geom in kept]
    )
    out = []
    for lap in found:
        index, region = accepted[lap.index]
        if lap.fixed:
            other = f"已有区划 {kept[lap.other][0]}（不在本文件中，不会被替换）"
        else:
            other_index, other_region = accepted[lap.other]
            other = f"第 {other_index} 个要素（{other_region.code} {other_region.name}）"
        out.append(
            FeatureProblem(
                index,
                region.code,
                "geo.region_overlap",
                f"与{other}重叠约 {square_metres(lap.area_m2)} 平方米，超过容差 {tolerance_m:g} 米",
            )
        )
    return out
