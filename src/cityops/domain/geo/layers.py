"""The geographic layers of a city as plain values (WGS84 lon/lat geometries).

These are what the demo generator produces, what imports validate into and what storage
writes; they carry no database or file concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.model import RegionLevel

Area: TypeAlias = Polygon | MultiPolygon


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Polygon → one-part MultiPolygon; MultiPolygon unchanged; anything else refused."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    raise TypeError(f"expected a polygon, got {geom.geom_type}")


@dataclass(frozen=True, slots=True)
class Region:
    """An administrative area: city, district/county, street/town or community/village."""

    code: str
    level: RegionLevel
    name: str
    parent_code: str | None
    geometry: Area
    generated: bool = False  # True where the geometry (or the whole region) is made up
    full_name: str = ""


@dataclass(frozen=True, slots=True)
class Grid:
    """A unit grid (单元网格): 15-digit code, inside exactly one community."""

    code: str
    geometry: Area
    name: str = ""
    generated: bool = False

    @property
    def community_code(self) -> str:
        return self.code[:12]

    @property
    def street_code(self) -> str:
        return self.code[:9]

    @property
    def district_code(self) -> str:
        return self.code[:6]


@dataclass(frozen=True, slots=True)
class ResponsibilityArea:
    """A responsibility grid (责任网格): the area a unit answers for, e.g. a street office's
    jurisdiction or a department's scenic area; may cut across unit grids."""

    code: str
    name: str
    kind: str  # "street_office", "district_bureau", "department"
    unit: str  # the responsible unit's name
    geometry: Area
    generated: bool = False


@dataclass(frozen=True, slots=True)
class Road:
    name: str
    kind: str  # "main", "secondary", "river"
    geometry: LineString
    district_code: str | None = None
    generated: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """A named point people use in addresses: 小区, 学校, 医院, 市场, 公园, landmark …"""

    name: str
    kind: (
        str  # "residential", "school", "hospital", "clinic", "market", "park", "landmark", "office"
    )
    point: Point
    address: str = ""
    grid_code: str | None = None
    generated: bool = False


@dataclass(slots=True)
class Geography:
    """Every layer of one city."""

    regions: list[Region] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    areas: list[ResponsibilityArea] = field(default_factory=list)
    roads: list[Road] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)

    def regions_at(self, level: RegionLevel) -> list[Region]:
        return [r for r in self.regions if r.level is level]
