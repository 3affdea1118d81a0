"""Roads, named places and responsibility areas of the demo city (all generated).

Roads keep their name per district piece, as addresses do ("历下区经十路"). Places are put at
random interior points of the grids they belong to, with an address on the nearest road;
a handful of real landmarks are placed at approximate positions.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo import demo_layout as layout
from cityops.domain.geo.demo_names import (
    SHANGHE_ROADS,
    URBAN_EW_ROADS,
    URBAN_NS_ROADS,
    URBAN_SECONDARY_ROADS,
    NamePool,
)
from cityops.domain.geo.demo_roads import RoadLine
from cityops.domain.geo.layers import Grid, Place, Region, ResponsibilityArea, Road
from cityops.domain.geo.model import RegionLevel

if TYPE_CHECKING:
    from cityops.domain.geo.demo_city import DemoCity, Settlement

_MIN_ROAD_M = 30.0


def add_features(city: DemoCity, rng: random.Random, names: NamePool) -> None:
    geo = city.geography
    districts = geo.regions_at(RegionLevel.DISTRICT)
    for settlement, urban in zip(city.settlements, (True, False), strict=True):
        geo.roads += _roads(settlement, urban, districts, rng, names)
    road_tree = shapely.STRtree([r.geometry for r in geo.roads])
    builder = _PlaceBuilder(city, rng, names, road_tree)
    geo.places += builder.build()
    geo.areas += _areas(geo.regions, geo.roads, geo.places)


# --- roads ---


def _main_name(
    road: RoadLine, names: NamePool, urban: bool, used: set[str], pool: list[str]
) -> str:
    """A real road name listed near the road's position, else one from the pool."""
    from cityops.domain.geo.demo_city import FRAME

    if urban and road.axis:
        lon = FRAME.point_lonlat(road.position, 0.0)[0]
        lat = FRAME.point_lonlat(0.0, road.position)[1]
        table, pos = (URBAN_NS_ROADS, lon) if road.axis == "ns" else (URBAN_EW_ROADS, lat)
        free = [(abs(p - pos), n) for n, p in table if n not in used and abs(p - pos) < 0.006]
        if free:
            name = min(free)[1]
            used.add(name)
            return name
    return names.road(pool)


def _roads(
    s: Settlement, urban: bool, districts: list[Region], rng: random.Random, names: NamePool
) -> list[Road]:
    from cityops.domain.geo.demo_city import FRAME

    pool = list(URBAN_SECONDARY_ROADS if urban else SHANGHE_ROADS)
    rng.shuffle(pool)
    used: set[str] = set()
    named: list[tuple[str, str, BaseGeometry]] = []
    for road, visible in zip(s.roads, s.visible, strict=False):
        if road.kind == "main":
            name = road.name or _main_name(road, names, urban, used, pool)
            names.used.add(name)
            named.append((name, "main", visible))
        else:
            named.append((names.road(pool), "secondary", visible))
    for (name, _), visible in zip(s.rivers, s.visible[len(s.roads) :], strict=True):
        named.append((name, "river", visible))
    out: list[Road] = []
    local = [d for d in districts if (d.code == layout.SHANGHE_CODE) != urban]
    for name, kind, geom in named:
        if geom.is_empty:
            continue
        ll = shapely.transform(FRAME.to_lonlat(geom), lambda c: np.round(c, 7))
        for d in local:
            for part in _lines(ll.intersection(d.geometry)):
                if _length_m(part) >= _MIN_ROAD_M:
                    out.append(Road(name, kind, part, d.code, generated=True))
    return out


def _lines(geom: BaseGeometry) -> list[LineString]:
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, LineString)]
    if len(parts) > 1:
        parts = [p for p in shapely.get_parts(shapely.line_merge(shapely.multilinestrings(parts)))]
    return [p for p in parts if isinstance(p, LineString)]


def _polygons(geom: BaseGeometry) -> BaseGeometry:
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon)]
    return MultiPolygon(parts)


def _length_m(line: LineString) -> float:
    from cityops.domain.geo.measure import metres_per_degree

    c = shapely.get_coordinates(line)
    if len(c) < 2:
        return 0.0
    kx, ky = metres_per_degree(float(c[:, 1].mean()))
    return float(np.hypot(np.diff(c[:, 0]) * kx, np.diff(c[:, 1]) * ky).sum())


# --- places ---


class _PlaceBuilder:
    def __init__(
        self, city: DemoCity, rng: random.Random, names: NamePool, road_tree: shapely.STRtree
    ) -> None:
        self.geo = city.geography
        self.rng = rng
        self.names = names
        self.road_tree = road_tree
        self.region = {r.code: r for r in self.geo.regions}
        self.grids_of: dict[str, list[Grid]] = {}
        for g in self.geo.grids:
            self.grids_of.setdefault(g.community_code, []).append(g)

    def _point_in(self, grid: Grid) -> Point:
        minx, miny, maxx, maxy = grid.geometry.bounds
        for _ in range(200):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            x, y = round(x, 7), round(y, 7)
            if shapely.contains_xy(grid.geometry, x, y):
                return Point(x, y)
        return grid.geometry.representative_point()

    def _address(self, point: Point, district_code: str) -> str:
        idx = int(self.road_tree.nearest(point))
        road = self.geo.roads[idx].name
        district = self.region[district_code].name
        return f"济南市{district}{road}{self.rng.randint(1, 299)}号"

    def _place(self, kind: str, name: str, grid: Grid) -> Place:
        p = self._point_in(grid)
        return Place(name, kind, p, self._address(p, grid.district_code), grid.code, True)

    def build(self) -> list[Place]:
        out: list[Place] = []
        for comm in self.geo.regions_at(RegionLevel.COMMUNITY):
            grids = self.grids_of[comm.code]
            stem = comm.name.removesuffix("社区").removesuffix("村")
            for _ in range(self.rng.randint(1, 3) if comm.name.endswith("社区") else 1):
                kind_name = self.names.compound(stem) if comm.name.endswith("社区") else comm.name
                name = kind_name if kind_name != comm.name else f"{comm.name}村委会"
                out.append(self._place("residential", name, self.rng.choice(grids)))
        for street in self.geo.regions_at(RegionLevel.STREET):
            comms = [c for c in self.geo.regions if c.parent_code == street.code]
            grids = [g for c in comms for g in self.grids_of[c.code]]
            centre = street.geometry.representative_point()
            office = min(grids, key=lambda g: g.geometry.distance(centre))
            short = street.name.removesuffix("街道")
            out.append(self._place("office", _office(street.name), office))
            school = f"{short}中心小学" if street.name.endswith("镇") else f"{short}小学"
            out.append(self._place("school", self.names.take(school) or f"{short}实验小学",
                                   self.rng.choice(grids)))  # fmt: skip
            clinic = (
                f"{short}镇卫生院" if street.name.endswith("镇") else f"{short}社区卫生服务中心"
            )
            out.append(self._place("clinic", clinic, self.rng.choice(grids)))
            out.append(self._place("market", self.names.market(short), self.rng.choice(grids)))
        for district in self.geo.regions_at(RegionLevel.DISTRICT):
            grids = [g for g in self.geo.grids if g.district_code == district.code]
            out.append(self._place("hospital", f"{district.name}人民医院", self.rng.choice(grids)))
            for _ in range(2):
                out.append(self._place("park", self.names.park(), self.rng.choice(grids)))
            out.append(
                self._place("school", f"济南市{district.name[:-1]}中学", self.rng.choice(grids))
            )
        out += self._landmarks()
        return out

    def _landmarks(self) -> list[Place]:
        tree = shapely.STRtree([g.geometry for g in self.geo.grids])
        out = []
        for kind, name, lon, lat in layout.LANDMARKS:
            p = Point(lon, lat)
            hits = tree.query(p, predicate="within")
            grid = self.geo.grids[int(hits.min())] if len(hits) else None
            address = self._address(p, grid.district_code) if grid else ""
            out.append(Place(name, kind, p, address, grid.code if grid else None, generated=False))
        return out


# --- responsibility areas ---

_DEPARTMENT_AREAS = [
    ("BM001", "大明湖风景名胜区", "大明湖风景名胜区管理服务中心", "大明湖风景区", 700.0),
    ("BM002", "千佛山风景名胜区", "千佛山风景名胜区管理服务中心", "千佛山风景区", 800.0),
    ("BM003", "天下第一泉风景区", "天下第一泉风景区管理服务中心", "趵突泉公园", 500.0),
    ("BM004", "济南西站片区", "济南西站片区管理服务中心", "济南西站", 1200.0),
]


def _areas(
    regions: list[Region], roads: list[Road], places: list[Place]
) -> list[ResponsibilityArea]:
    from cityops.domain.geo.demo_city import FRAME

    out: list[ResponsibilityArea] = []
    for r in regions:
        if r.level is RegionLevel.STREET:
            out.append(
                ResponsibilityArea(
                    f"JD{r.code}", f"{r.name}责任区", "street_office", _office(r.name),
                    r.geometry, generated=True,
                )
            )  # fmt: skip
        elif r.level is RegionLevel.DISTRICT:
            bureau = "综合行政执法局" if r.name.endswith("县") else "城市管理局"
            out.append(
                ResponsibilityArea(
                    f"CG{r.code}", f"{r.name}城市管理责任区", "district_bureau",
                    f"{r.name}{bureau}", r.geometry, generated=True,
                )
            )  # fmt: skip
    city = next(r.geometry for r in regions if r.level is RegionLevel.CITY)
    where = {p.name: p.point for p in places}
    for code, name, unit, anchor, radius in _DEPARTMENT_AREAS:
        if anchor not in where:
            continue
        x, y = FRAME.point_xy(where[anchor].x, where[anchor].y)
        zone = FRAME.to_lonlat(Point(x, y).buffer(radius, quad_segs=8)).intersection(city)
        if not zone.is_empty:
            out.append(ResponsibilityArea(code, name, "department", unit, _polygons(zone), True))
    river = [FRAME.to_xy(r.geometry) for r in roads if r.name == "小清河"]
    if river:
        zone = FRAME.to_lonlat(shapely.union_all(river).buffer(100.0)).intersection(city)
        out.append(
            ResponsibilityArea(
                "BM005", "小清河沿岸管理区", "department", "济南市城乡水务局",
                _polygons(zone), generated=True,
            )
        )  # fmt: skip
    return out


def _office(street_name: str) -> str:
    """The street office (街道办事处) or town government (镇人民政府)."""
    return (
        f"{street_name}人民政府" if street_name.endswith(("镇", "乡")) else f"{street_name}办事处"
    )
