"""The demo city's geography, generated deterministically from a seed.

济南市 (370100) with the urban districts 历下 (370102), 市中 (370103), 槐荫 (370104), 天桥
(370105), 历城 (370112) and the rural county 商河 (370126) as a separate county town ~60 km
north. District and street/town codes and names are real (``admin_codes``); every street and
town of those districts appears. All geometry is generated — the real boundaries are not
licensed for copying — and so are the communities (codes: the street's 9 digits + 001… for a
社区, 201… for a 村, as in the statistics codes) and their names.

Recipe: a street pattern (``demo_roads``) cut by rivers is polygonized into blocks; large blocks
are split by lanes and slivers merged, giving the unit grids; grids are assigned to districts by
rough outlines (``demo_layout``), grouped into streets and then communities by balanced region
growing (``demo_partition``), and numbered in reading order inside each community.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo import demo_layout as layout
from cityops.domain.geo.admin_codes import AdminDivision, division, divisions_under
from cityops.domain.geo.codes import number_grids
from cityops.domain.geo.demo_names import NamePool
from cityops.domain.geo.demo_partition import (
    AreaTarget,
    adjacency,
    cut_lines,
    faces,
    grow,
    kmeans_seeds,
    make_contiguous,
    merge_small,
    visible_parts,
)
from cityops.domain.geo.demo_roads import RoadLine, StreetPattern, river, street_pattern
from cityops.domain.geo.layers import Geography, Grid, Region, as_multipolygon
from cityops.domain.geo.measure import LocalFrame
from cityops.domain.geo.model import RegionLevel

DEFAULT_SEED = 20260701
DEMO_SOURCE = "demo"
FRAME = LocalFrame(*layout.CITY_CENTRE)
_DECIMALS = 7  # ~1 cm


@dataclass(slots=True)
class Settlement:
    """One built-up area: its grids (local metres) and the lines that cut them."""

    centre: tuple[float, float]
    outline: Polygon
    grids: list[Polygon]
    roads: list[RoadLine]
    rivers: list[tuple[str, LineString]]
    village_beyond_m: float
    # The visible part of each road, then of each river: what bounds some block.
    visible: list[BaseGeometry]


@dataclass(slots=True)
class DemoCity:
    """The generated geography plus the working data the extra layers are built from."""

    geography: Geography
    settlements: list[Settlement]
    district_of_grid: dict[str, str]
    seed: int


def _xy_polygon(points: list[layout.LonLat]) -> Polygon:
    return Polygon([FRAME.point_xy(lon, lat) for lon, lat in points])


def _xy_line(points: list[layout.LonLat]) -> list[tuple[float, float]]:
    return [FRAME.point_xy(lon, lat) for lon, lat in points]


def _settle(
    rng: random.Random,
    centre_ll: layout.LonLat,
    outline_ll: list[layout.LonLat],
    rivers: list[layout.RiverCourse],
    pattern: StreetPattern,
    target: AreaTarget,
    village_beyond_m: float,
) -> Settlement:
    outline = _xy_polygon(outline_ll)
    centre = FRAME.point_xy(*centre_ll)
    roads = street_pattern(rng, pattern)
    river_lines = [(r.name, river(rng, _xy_line(r.points), r.meander_m)) for r in rivers]
    lines: list[BaseGeometry] = [r.geometry for r in roads] + [g for _, g in river_lines]
    blocks = faces(lines, outline)
    grids = faces(lines + cut_lines(blocks, target), outline)
    grids = merge_small(grids, target)
    visible = visible_parts(lines, outline)
    return Settlement(centre, outline, grids, roads, river_lines, village_beyond_m, visible)


def _urban(rng: random.Random) -> Settlement:
    centre = FRAME.point_xy(*layout.CITY_CENTRE)
    outline = _xy_polygon(layout.URBAN_OUTLINE)

    def target(x: float, y: float) -> float:
        r = math.hypot(x - centre[0], y - centre[1])
        return (150.0 + 0.025 * r) ** 2

    pattern = StreetPattern(
        centre=centre,
        bounds=outline.bounds,
        main_spacing=lambda r: 1000.0 * (1.0 + r / 9000.0),
        block_size=lambda r: 210.0 + 0.035 * r,
        diagonals=tuple((name, tuple(_xy_line(points))) for name, points in layout.URBAN_DIAGONALS),
    )
    return _settle(
        rng, layout.CITY_CENTRE, layout.URBAN_OUTLINE, layout.URBAN_RIVERS, pattern, target, 11000.0
    )


def _shanghe(rng: random.Random) -> Settlement:
    centre = FRAME.point_xy(*layout.SHANGHE_CENTRE)
    outline = _xy_polygon(layout.SHANGHE_OUTLINE)

    def target(x: float, y: float) -> float:
        r = math.hypot(x - centre[0], y - centre[1])
        return (190.0 + 0.09 * r) ** 2

    pattern = StreetPattern(
        centre=centre,
        bounds=outline.bounds,
        main_spacing=lambda r: 900.0 * (1.0 + r / 2500.0),
        block_size=lambda r: 260.0 + 0.12 * r,
        main_jitter=80.0,
        diagonals=tuple(
            (name, tuple(_xy_line(points))) for name, points in layout.SHANGHE_DIAGONALS
        ),
    )
    return _settle(
        rng,
        layout.SHANGHE_CENTRE,
        layout.SHANGHE_OUTLINE,
        layout.SHANGHE_RIVERS,
        pattern,
        target,
        3500.0,
    )


def _districts_of(settlement: Settlement, adj: list[set[int]], urban: bool) -> list[str]:
    if not urban:
        return [layout.SHANGHE_CODE] * len(settlement.grids)
    outlines = [(code, _xy_polygon(points)) for code, points in layout.URBAN_DISTRICTS]
    labels = []
    for grid in settlement.grids:
        p = grid.representative_point()
        code = next((c for c, o in outlines if o.contains(p)), layout.REMAINDER_DISTRICT)
        labels.append(code)
    return make_contiguous(labels, adj)


def _to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    ll = FRAME.to_lonlat(geom)
    return shapely.transform(ll, lambda c: np.round(c, _DECIMALS))


def _union(polys: list[BaseGeometry]) -> BaseGeometry:
    merged = shapely.coverage_union_all(polys)
    if not merged.is_valid:
        merged = shapely.union_all(polys)
    return merged


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = NamePool(random.Random(seed + 1))
        self.geo = Geography()
        self.district_of_grid: dict[str, str] = {}

    def add_settlement(self, s: Settlement, urban: bool) -> None:
        adj = adjacency(s.grids)
        xy = np.array([[g.centroid.x, g.centroid.y] for g in s.grids])
        districts = _districts_of(s, adj, urban)
        for code in sorted(set(districts)):
            members = [i for i, d in enumerate(districts) if d == code]
            self._district(code, members, s, adj, xy)

    def _district(
        self, code: str, members: list[int], s: Settlement, adj: list[set[int]], xy: np.ndarray
    ) -> None:
        streets = divisions_under(code)
        seeds = kmeans_seeds(self.rng, xy[members], len(streets))
        seeds = [members[k] for k in seeds]
        seeds.sort(key=lambda i: math.dist(xy[i], s.centre))
        labels = grow(members, adj, seeds, xy)
        district_polys: list[BaseGeometry] = []
        for k, street in enumerate(streets):
            street_members = [i for i in members if labels[i] == k]
            district_polys.append(self._street(street, street_members, s, adj, xy))
        self._region(division_or_fail(code), _union(district_polys), generated=False)

    def _street(
        self,
        street: AdminDivision,
        members: list[int],
        s: Settlement,
        adj: list[set[int]],
        xy: np.ndarray,
    ) -> BaseGeometry:
        n_comm = max(1, min(len(members), round(len(members) / 6)))
        seeds = [members[k] for k in kmeans_seeds(self.rng, xy[members], n_comm)]
        labels = grow(members, adj, seeds, xy)
        groups = [[i for i in members if labels[i] == k] for k in range(len(seeds))]
        groups = [g for g in groups if g]
        # Communities are numbered in reading order of their centres.
        centres = [xy[g].mean(axis=0) for g in groups]
        order = sorted(range(len(groups)), key=lambda k: (-round(centres[k][1], -3), centres[k][0]))
        next_seq = {"社区": 1, "村": 201}
        polys: list[BaseGeometry] = []
        for k in order:
            rural = street.is_town or math.dist(centres[k], s.centre) > s.village_beyond_m
            kind = "村" if rural else "社区"
            code = f"{street.code}{next_seq[kind]:03d}"
            next_seq[kind] += 1
            name = self.names.village() if rural else self.names.community()
            polys.append(self._community(code, name, street.code, [s.grids[i] for i in groups[k]]))
        merged = _union(polys)
        self._region(street, merged, generated=False)
        return merged

    def _community(
        self, code: str, name: str, street_code: str, grids_xy: list[Polygon]
    ) -> BaseGeometry:
        grids_ll = [_to_lonlat(g) for g in grids_xy]
        points = [(p.x, p.y) for p in (g.representative_point() for g in grids_ll)]
        heights = [g.bounds[3] - g.bounds[1] for g in grids_ll]
        grid_codes = number_grids(code, points, row_tolerance=0.5 * float(np.median(heights)))
        for grid_code, geom in zip(grid_codes, grids_ll, strict=True):
            label = f"{name}第{int(grid_code[12:])}网格"
            self.geo.grids.append(Grid(grid_code, as_multipolygon(geom), label, generated=True))
            self.district_of_grid[grid_code] = code[:6]
        merged = _union(grids_ll)
        self.geo.regions.append(
            Region(
                code,
                RegionLevel.COMMUNITY,
                name,
                street_code,
                as_multipolygon(merged),
                generated=True,
            )
        )
        return merged

    def _region(self, div: AdminDivision, geom: BaseGeometry, generated: bool) -> None:
        self.geo.regions.append(
            Region(div.code, div.level, div.name, div.parent_code, as_multipolygon(geom), generated)
        )


def division_or_fail(code: str) -> AdminDivision:
    div = division(code)
    if div is None:  # pragma: no cover - the shipped list has every demo district
        raise LookupError(f"administrative code {code} missing from the shipped list")
    return div


def generate_demo_city(seed: int = DEFAULT_SEED) -> DemoCity:
    """The demo city (a few seconds; cached per seed). Treat the result as read-only."""
    return _generate(int(seed))


@lru_cache(maxsize=2)
def _generate(seed: int) -> DemoCity:
    from cityops.domain.geo.demo_features import add_features

    builder = _Builder(seed)
    settlements = [_urban(builder.rng), _shanghe(builder.rng)]
    for settlement, urban in zip(settlements, (True, False), strict=True):
        builder.add_settlement(settlement, urban)
    districts = builder.geo.regions_at(RegionLevel.DISTRICT)
    city = division_or_fail(layout.CITY_CODE)
    builder._region(city, _union([d.geometry for d in districts]), generated=False)
    city_demo = DemoCity(builder.geo, settlements, builder.district_of_grid, seed)
    add_features(city_demo, random.Random(seed + 2), builder.names)
    return city_demo


def demo_geography(seed: int = DEFAULT_SEED) -> Geography:
    return generate_demo_city(seed).geography


def point_xy(lon: float, lat: float) -> Point:
    return Point(FRAME.point_xy(lon, lat))
