"""Writing a whole geography: the generated demo city, or any :class:`Geography` value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.demo_city import DEFAULT_SEED, DEMO_SOURCE, generate_demo_city
from cityops.domain.geo.layers import Geography
from cityops.domain.geo.model import RegionLevel
from cityops.services.geography.reading import reading
from cityops.services.geography.revisions import bump, note_change


@dataclass(frozen=True, slots=True)
class InstallSummary:
    installed: bool
    regions: int
    grids: int
    areas: int
    roads: int
    places: int

    def __str__(self) -> str:
        state = "installed" if self.installed else "already present, kept"
        return (
            f"{state}: {self.regions} regions, {self.grids} grids, {self.areas} responsibility "
            f"areas, {self.roads} roads, {self.places} places"
        )


def _counts(conn: Connection, installed: bool) -> InstallSummary:
    def n(table: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)

    return InstallSummary(
        installed,
        n(t.regions),
        n(t.grids),
        n(t.responsibility_areas),
        n(t.roads),
        n(t.places),
    )


def write_geography(conn: Connection, geo: Geography, source: str) -> None:
    """Insert every layer of ``geo`` (parents before children) inside ``conn``'s transaction,
    and count the change of regions and grids."""
    level_order = {RegionLevel.CITY: 0, RegionLevel.DISTRICT: 1, RegionLevel.STREET: 2}
    regions = sorted(geo.regions, key=lambda r: (level_order.get(r.level, 3), r.code))
    for table, batch in (
        (t.regions, t.region_rows(regions, source)),
        (t.grids, t.grid_rows(geo.grids, source)),
        (t.responsibility_areas, t.area_rows(geo.areas, source)),
        (t.roads, t.road_rows(geo.roads, source)),
        (t.places, t.place_rows(geo.places, source)),
    ):
        if batch:
            conn.execute(table.insert(), batch)
    if geo.regions:
        bump(conn, "regions")
    if geo.grids:
        bump(conn, "grids")


def install_demo_geography(engine: Engine, seed: int = DEFAULT_SEED) -> InstallSummary:
    """Install the generated 济南 demo geography in one transaction. Idempotent: when the
    database already holds any regions (the demo or a city's own), nothing is changed."""
    with reading(engine) as conn:
        if conn.execute(select(t.regions.c.code).limit(1)).first() is not None:
            return _counts(conn, installed=False)
    geo = generate_demo_city(seed).geography
    with engine.begin() as conn:
        if conn.execute(select(t.regions.c.code).limit(1)).first() is not None:
            return _counts(conn, installed=False)  # someone else was quicker
        write_geography(conn, geo, f"{DEMO_SOURCE}:{seed}")
        summary = _counts(conn, installed=True)
    note_change(engine)
    return summary
