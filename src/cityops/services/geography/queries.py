"""Names and lists: a region's or grid's name, full names, regions by level and parent."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from sqlalchemy import Engine, select

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.layers import Grid, as_multipolygon
from cityops.domain.geo.model import RegionLevel
from cityops.services.geography.reading import reading


@dataclass(frozen=True, slots=True)
class RegionInfo:
    code: str
    level: RegionLevel
    name: str
    parent_code: str | None
    generated: bool


def region_name(engine: Engine, code: str) -> str | None:
    """The name of a region (6/9/12 digits) or unit grid (15 digits); None if unknown."""
    table = t.grids if len(code) == 15 else t.regions
    with reading(engine) as conn:
        return conn.execute(select(table.c.name).where(table.c.code == code)).scalar()


def full_name(engine: Engine, code: str) -> str:
    """济南市历下区解放路街道某某社区 for a community code (and so on for each level)."""
    names: list[str] = []
    current: str | None = code
    seen: set[str] = set()
    with reading(engine) as conn:
        while current and current not in seen:
            seen.add(current)
            row = conn.execute(
                select(t.regions.c.name, t.regions.c.parent_code).where(t.regions.c.code == current)
            ).first()
            if row is None:
                break
            names.append(row.name)
            current = row.parent_code
    return "".join(reversed(names))


def list_regions(
    engine: Engine, level: RegionLevel | None = None, parent_code: str | None = None
) -> list[RegionInfo]:
    """Regions by code, optionally of one level and/or under one parent."""
    r = t.regions
    query = select(r.c.code, r.c.level, r.c.name, r.c.parent_code, r.c.generated).order_by(r.c.code)
    if level is not None:
        query = query.where(r.c.level == RegionLevel(level).value)
    if parent_code is not None:
        query = query.where(r.c.parent_code == parent_code)
    with reading(engine) as conn:
        return [
            RegionInfo(row.code, RegionLevel(row.level), row.name, row.parent_code, row.generated)
            for row in conn.execute(query)
        ]


def districts(engine: Engine) -> list[RegionInfo]:
    return list_regions(engine, RegionLevel.DISTRICT)


def streets(engine: Engine, district_code: str | None = None) -> list[RegionInfo]:
    return list_regions(engine, RegionLevel.STREET, district_code)


def communities(engine: Engine, street_code: str | None = None) -> list[RegionInfo]:
    return list_regions(engine, RegionLevel.COMMUNITY, street_code)


def grids_of(engine: Engine, community_code: str) -> list[Grid]:
    with reading(engine) as conn:
        found = conn.execute(
            select(t.grids.c.code, t.grids.c.geometry, t.grids.c.name, t.grids.c.generated)
            .where(t.grids.c.community_code == community_code)
            .order_by(t.grids.c.code)
        ).all()
    return [
        Grid(row.code, as_multipolygon(shapely.from_wkb(row.geometry)), row.name, row.generated)
        for row in found
    ]
