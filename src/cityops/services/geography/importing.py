"""Importing a city's own geography: administrative regions level by level, then unit grids.

Both imports are **all or nothing**: every feature is read and checked — alone (codes, names,
parents, geometry) and together (containment in the parent, overlaps) — and any problem fails
the whole import with ``geo.import_invalid``, ``details['problems']`` listing every one as
``{index, code, problem, reason}``. Otherwise one transaction replaces the rows whose code
exists and adds the others (rows not in the file are left alone), and bumps the layer's
revision so that cached locators reload.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, Table, bindparam, select

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.features import FeatureProblem, by_index
from cityops.domain.geo.grid_import import check_grid_layout, read_grids
from cityops.domain.geo.layers import Region
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.domain.geo.region_import import PARENT_LEVEL, check_region_layout, read_regions
from cityops.domain.geo.topology import DEFAULT_TOLERANCE_M, find_overhangs
from cityops.errors import ValidationError
from cityops.services.geography.files import FeatureFile, read_features
from cityops.services.geography.reading import reading
from cityops.services.geography.revisions import bump, note_change

CHUNK = 500  # codes per IN (…) list
SOURCE_LENGTH = 64  # the width of the ``source`` columns


@dataclass(frozen=True, slots=True)
class ImportSummary:
    features: int
    inserted: int
    updated: int


@dataclass(frozen=True, slots=True)
class RegionImportSummary:
    level: RegionLevel
    features: int
    inserted: int
    updated: int
    # Stored children (streets, communities or grids) of replaced regions that now reach
    # outside their new boundary beyond the tolerance: import them again to fix them.
    children_outside: tuple[str, ...] = ()


def _source(path: Path, source: str | None) -> str:
    return (source or f"import:{path.name}")[:SOURCE_LENGTH]


def _check_tolerance(tolerance_m: float) -> None:
    if not math.isfinite(tolerance_m) or tolerance_m < 0:
        raise ValidationError(
            "geo.tolerance_invalid",
            f"容差应为不小于 0 的米数，实际为 {tolerance_m}",
            tolerance_m=tolerance_m,
        )


def _crs(crs: CoordSystem | str | None, found: FeatureFile) -> CoordSystem:
    """The declared ``crs``; failing that the one the file names; failing that WGS84."""
    if crs is not None:
        return CoordSystem(crs)
    return found.declared_crs or CoordSystem.WGS84


def _refuse(path: Path, features: int, problems: Sequence[FeatureProblem]) -> None:
    if problems:
        raise ValidationError(
            "geo.import_invalid",
            f"导入失败：{len(problems)} 处问题（涉及 {len({p.index for p in problems})} 个要素），"
            "未写入任何数据",
            path=str(path),
            features=features,
            problems=[p.to_dict() for p in by_index(problems)],
        )


def _chunks(codes: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(codes))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _areas_by_code(conn: Connection, codes: Collection[str]) -> dict[str, BaseGeometry]:
    r = t.regions
    out: dict[str, BaseGeometry] = {}
    for chunk in _chunks(codes):
        for row in conn.execute(select(r.c.code, r.c.geometry).where(r.c.code.in_(chunk))):
            out[row.code] = shapely.from_wkb(row.geometry)
    return out


def _existing(conn: Connection, table: Table, codes: Collection[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(codes):
        found |= set(conn.execute(select(table.c.code).where(table.c.code.in_(chunk))).scalars())
    return found


def _stored_near(
    conn: Connection, table: Table, geoms: Sequence[BaseGeometry], *where: Any
) -> list[tuple[str, BaseGeometry]]:
    """(code, area) of the rows of ``table`` whose bounding box meets that of ``geoms``."""
    x0, y0, x1, y1 = shapely.total_bounds(list(geoms))
    found = conn.execute(
        select(table.c.code, table.c.geometry).where(
            table.c.min_lon <= float(x1),
            table.c.max_lon >= float(x0),
            table.c.min_lat <= float(y1),
            table.c.max_lat >= float(y0),
            *where,
        )
    ).all()
    return [(row.code, shapely.from_wkb(row.geometry)) for row in found]


def _codes_at(conn: Connection, level: RegionLevel | None) -> set[str]:
    if level is None:
        return set()
    r = t.regions
    return set(conn.execute(select(r.c.code).where(r.c.level == level.value)).scalars())


# --------------------------------------------------------------------------- grids


def import_grids(
    engine: Engine,
    path: Path | str,
    crs: CoordSystem | str | None = None,
    *,
    source: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layer: str | None = None,
) -> ImportSummary:
    """Import unit grids from GeoJSON, GeoPackage or Shapefile, with lon/lat in ``crs``
    (default: what the file declares, else WGS84). Each grid must belong to a stored
    community, lie inside it and overlap no other grid, both up to ``tolerance_m`` metres.
    All or nothing (``geo.import_invalid``); grids whose code exists are replaced."""
    _check_tolerance(tolerance_m)
    path = Path(path)
    found = read_features(path, layer)
    crs = _crs(crs, found)
    with reading(engine) as conn:
        community_codes = _codes_at(conn, RegionLevel.COMMUNITY)
    accepted, problems = read_grids(found.features, community_codes, crs)
    if accepted:
        geoms = [g.geometry for _, g in accepted]
        with reading(engine) as conn:
            areas = _areas_by_code(conn, {g.community_code for _, g in accepted})
            stored = _stored_near(conn, t.grids, geoms)
        problems += check_grid_layout(accepted, areas, stored, tolerance_m)
    _refuse(path, len(found.features), problems)
    if not accepted:
        raise ValidationError("geo.import_empty", "文件中没有任何网格要素", path=str(path))
    grids = [g for _, g in accepted]
    codes = [g.code for g in grids]
    with engine.begin() as conn:
        existing = _existing(conn, t.grids, codes)
        for chunk in _chunks(existing):
            conn.execute(t.grids.delete().where(t.grids.c.code.in_(chunk)))
        conn.execute(t.grids.insert(), t.grid_rows(grids, _source(path, source)))
        bump(conn, "grids")
    note_change(engine)
    return ImportSummary(len(found.features), len(codes) - len(existing), len(existing))


# --------------------------------------------------------------------------- regions


def _level(level: RegionLevel | str) -> RegionLevel:
    try:
        return RegionLevel(level)
    except ValueError:
        allowed = [lv.value for lv in RegionLevel]
        raise ValidationError(
            "geo.level_unknown",
            f"没有层级“{level}”，可选：{'、'.join(allowed)}",
            level=str(level),
            allowed=allowed,
        ) from None


def import_regions(
    engine: Engine,
    path: Path | str,
    level: RegionLevel | str,
    crs: CoordSystem | str | None = None,
    *,
    source: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layer: str | None = None,
) -> RegionImportSummary:
    """Import one level of administrative regions (city, district, street or community) with
    their real codes and names from GeoJSON, GeoPackage or Shapefile, lon/lat in ``crs``
    (default: what the file declares, else WGS84). Parents must be stored first (a city is
    optional above districts); each region must lie in its parent and overlap none of its
    level, up to ``tolerance_m`` metres. All or nothing (``geo.import_invalid``); regions
    whose code exists are replaced in place (their children stay)."""
    _check_tolerance(tolerance_m)
    path = Path(path)
    level = _level(level)
    found = read_features(path, layer)
    crs = _crs(crs, found)
    with reading(engine) as conn:
        parent_codes = _codes_at(conn, PARENT_LEVEL.get(level))
    accepted, problems = read_regions(found.features, level, parent_codes, crs)
    children_outside: list[str] = []
    if accepted:
        geoms = [r.geometry for _, r in accepted]
        with reading(engine) as conn:
            parents = _areas_by_code(conn, {r.parent_code for _, r in accepted if r.parent_code})
            stored = _stored_near(conn, t.regions, geoms, t.regions.c.level == level.value)
            if not problems:
                children_outside = _children_outside(
                    conn, [r for _, r in accepted], level, tolerance_m
                )
        problems += check_region_layout(accepted, parents, stored, tolerance_m)
    _refuse(path, len(found.features), problems)
    if not accepted:
        raise ValidationError("geo.import_empty", "文件中没有任何区划要素", path=str(path))
    regions = [r for _, r in accepted]
    with engine.begin() as conn:
        existing = _existing(conn, t.regions, [r.code for r in regions])
        _write_regions(conn, regions, existing, _source(path, source))
        if level is RegionLevel.CITY:
            _adopt_districts(conn, [r.code for r in regions])
        bump(conn, "regions")
    note_change(engine)
    return RegionImportSummary(
        level,
        len(found.features),
        len(regions) - len(existing),
        len(existing),
        tuple(children_outside),
    )


def _write_regions(
    conn: Connection, regions: Sequence[Region], existing: set[str], source: str
) -> None:
    rows = t.region_rows(regions, source)
    new = [row for row in rows if row["code"] not in existing]
    if new:
        conn.execute(t.regions.insert(), new)
    changed = [{f"b_{k}": v for k, v in row.items()} for row in rows if row["code"] in existing]
    if changed:
        columns = [c for c in rows[0] if c != "code"]
        conn.execute(
            t.regions.update()
            .where(t.regions.c.code == bindparam("b_code"))
            .values({c: bindparam(f"b_{c}") for c in columns}),
            changed,
        )


def _adopt_districts(conn: Connection, cities: Sequence[str]) -> None:
    """Districts stored before their city get it as their parent."""
    r = t.regions
    for city in cities:
        conn.execute(
            r.update()
            .where(
                r.c.level == RegionLevel.DISTRICT.value,
                r.c.parent_code.is_(None),
                r.c.code.startswith(city[:4]),
            )
            .values(parent_code=city)
        )


def _children_outside(
    conn: Connection, regions: Sequence[Region], level: RegionLevel, tolerance_m: float
) -> list[str]:
    """Codes of stored children of the regions being replaced that would reach outside
    their parent's new boundary."""
    new_area = {r.code: r.geometry for r in regions}
    child: Table = t.grids if level is RegionLevel.COMMUNITY else t.regions
    parent_column = child.c.community_code if child is t.grids else child.c.parent_code
    rows: list[Any] = []
    for chunk in _chunks(new_area):
        rows += conn.execute(
            select(child.c.code, parent_column.label("parent"), child.c.geometry).where(
                parent_column.in_(chunk)
            )
        ).all()
    if not rows:
        return []
    rows.sort(key=lambda row: row.code)
    found = find_overhangs(
        list(shapely.from_wkb([row.geometry for row in rows])),
        [new_area[row.parent] for row in rows],
        tolerance_m,
    )
    return [rows[h.index].code for h in found]
