"""Address text → position: callers say "历下区解放路街道经十路与历山路路口" or "XX小区东门",
not coordinates. The gazetteer finds the city's own names in the text (districts, streets,
communities, roads, named places), keeps the candidates that agree with the administrative
context the text gives, and places the order at the most specific thing it can:

=========  =========================================================  ==========
level      position                                                   confidence
=========  =========================================================  ==========
place      the named place (小区, 学校, 市场 …)                          0.9
crossing   where two named roads meet                                 0.85
road       the middle of the road inside the narrowest area named     0.6 (0.4 alone)
community  a point inside the community                               0.5
street     a point inside the street (no grid: too coarse)            0.3
district   a point inside the district (no grid)                      0.2
=========  =========================================================  ==========

Several equally good candidates lower the confidence (×0.6). Names are matched greedily,
longest first, so "解放路街道" is the street, not the road "解放路".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry

from cityops.domain.hotline.model import Placement

LEVELS = ("district", "street", "community", "road", "place")
AMBIGUITY_FACTOR = 0.6
GRID_LEVELS = frozenset({"point", "place", "crossing", "road", "community"})

# point → grid code (None outside every grid)
GridLookup = Callable[[float, float], str | None]


@dataclass(frozen=True, slots=True)
class NamedFeature:
    name: str
    level: str  # district | street | community | road | place
    geometry: BaseGeometry  # polygon (regions), line (roads) or point (places)
    code: str | None = None  # region code for districts, streets, communities
    district_code: str | None = None  # roads are stored per district piece
    grid_code: str | None = None  # places know their grid

    def area_code(self) -> str | None:
        """The most specific administrative code known for the feature."""
        if self.code:
            return self.code
        if self.grid_code:
            return self.grid_code
        return self.district_code


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    start: int
    end: int
    features: tuple[NamedFeature, ...]

    @property
    def level(self) -> str:
        return self.features[0].level


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace())


class Gazetteer:
    """The city's names, for matching. Build once per geography revision (it is immutable)."""

    def __init__(self, features: Iterable[NamedFeature], city_names: Iterable[str] = ()) -> None:
        self.by_name: dict[str, list[NamedFeature]] = {}
        for f in features:
            name = normalize(f.name)
            if len(name) >= 2:
                self.by_name.setdefault(name, []).append(f)
        # A name at several levels (a street named like its road) keeps its most general level
        # first; the greedy match decides by length anyway.
        self.lengths = sorted({len(n) for n in self.by_name}, reverse=True)
        self.city_names = tuple(normalize(n) for n in city_names if n)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_name.values())

    def mentions(self, text: str) -> list[Mention]:
        """Names found in ``text``, leftmost-longest and not overlapping."""
        s = normalize(text)
        for city in self.city_names:
            s = s.replace(city, " " * len(city))
        found: list[Mention] = []
        i = 0
        while i < len(s):
            for n in self.lengths:
                if i + n > len(s):
                    continue
                feats = self.by_name.get(s[i : i + n])
                if feats:
                    found.append(Mention(s[i : i + n], i, i + n, tuple(feats)))
                    i += n
                    break
            else:
                i += 1
        return found

    def match(self, text: str, grid_of: GridLookup | None = None) -> Placement:
        return place_text(self.mentions(text), grid_of)


# --------------------------------------------------------------------------- placing


def _context(mentions: list[Mention]) -> list[str]:
    """Administrative codes named in the text, most specific first, that agree with each
    other (a street outside the named district is dropped)."""
    codes: dict[str, list[str]] = {lvl: [] for lvl in ("district", "street", "community")}
    for m in mentions:
        if m.level in codes:
            codes[m.level].extend(f.code for f in m.features if f.code)
    chosen: list[str] = []
    for level in ("district", "street", "community"):
        keep = sorted({c for c in codes[level] if all(c.startswith(p) for p in chosen)})
        if len(keep) == 1:
            chosen.append(keep[0])
        elif keep:
            break  # several candidates agree: the context stops at the last unique level
    return list(reversed(chosen))


def _agrees(f: NamedFeature, context: list[str]) -> bool:
    code = f.area_code()
    if not context:
        return True
    if code is None:
        return True
    narrow = context[0]
    return code.startswith(narrow) or narrow.startswith(code)


def _area_of(context: list[str], mentions: list[Mention]) -> BaseGeometry | None:
    if not context:
        return None
    for m in mentions:
        for f in m.features:
            if f.code == context[0]:
                return f.geometry
    return None


# Points on a road often fall on a grid boundary (grids are cut along roads): look a few
# metres around before giving up.
_NUDGES = [(0.0, 0.0)] + [
    (dx * step, dy * step)
    for step in (0.00005, 0.00015)
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1))
]


def _grid_near(point: Point, grid_of: GridLookup) -> str | None:
    for dx, dy in _NUDGES:
        grid = grid_of(point.x + dx, point.y + dy)
        if grid is not None:
            return grid
    return None


def _placement(
    point: Point,
    level: str,
    confidence: float,
    matched: list[str],
    grid_of: GridLookup | None,
    codes: str | None = None,
) -> Placement:
    grid = _grid_near(point, grid_of) if (grid_of and level in GRID_LEVELS) else None
    area = grid or codes or ""
    return Placement(
        lon=round(point.x, 7),
        lat=round(point.y, 7),
        grid_code=grid,
        community_code=area[:12] if len(area) >= 12 else None,
        street_code=area[:9] if len(area) >= 9 else None,
        district_code=area[:6] if len(area) >= 6 else None,
        level=level,
        confidence=round(confidence, 3),
        matched=tuple(matched),
    )


def _lines(geom: BaseGeometry) -> list[LineString]:
    if isinstance(geom, LineString):
        return [geom] if not geom.is_empty else []
    if isinstance(geom, MultiLineString):
        return [g for g in geom.geoms if not g.is_empty]
    if hasattr(geom, "geoms"):
        return [g for part in geom.geoms for g in _lines(part)]
    return []


def _road_point(features: Iterable[NamedFeature], area: BaseGeometry | None) -> Point | None:
    pieces: list[LineString] = []
    for f in features:
        geom = f.geometry if area is None else f.geometry.intersection(area)
        pieces.extend(_lines(geom))
    if not pieces:
        return None
    longest = max(pieces, key=lambda g: g.length)
    return longest.interpolate(0.5, normalized=True)


def _crossing(a: Mention, b: Mention, area: BaseGeometry | None) -> Point | None:
    ga = shapely.union_all([f.geometry for f in a.features])
    gb = shapely.union_all([f.geometry for f in b.features])
    meet = ga.intersection(gb)
    if meet.is_empty:
        # roads drawn a few metres apart still "meet" at a crossing: 30 m tolerance
        meet = ga.buffer(0.0003).intersection(gb)
        if meet.is_empty:
            return None
        meet = meet.centroid
    points = list(meet.geoms) if hasattr(meet, "geoms") else [meet]
    points = [p if isinstance(p, Point) else p.centroid for p in points]
    if area is not None:
        inside = [p for p in points if area.covers(p)]
        points = inside or points
    return points[0]


def place_text(mentions: list[Mention], grid_of: GridLookup | None = None) -> Placement:
    """The best placement for the names found in a text (see the module's table)."""
    if not mentions:
        return Placement()
    context = _context(mentions)
    area = _area_of(context, mentions)
    names = [m.name for m in mentions]

    places = [f for m in mentions if m.level == "place" for f in m.features if _agrees(f, context)]
    if places:
        conf = 0.9 if len(places) == 1 else 0.9 * AMBIGUITY_FACTOR
        chosen = places[0]
        point = chosen.geometry if isinstance(chosen.geometry, Point) else chosen.geometry.centroid
        p = _placement(point, "place", conf, names, grid_of)
        if p.grid_code is None and chosen.grid_code:
            return _placement(point, "place", conf, names, None, chosen.grid_code)
        return p

    roads = [m for m in mentions if m.level == "road"]
    roads = [
        Mention(m.name, m.start, m.end, tuple(f for f in m.features if _agrees(f, context)))
        for m in roads
    ]
    roads = [m for m in roads if m.features]
    distinct = list({m.name: m for m in roads}.values())
    if len(distinct) >= 2:
        point = _crossing(distinct[0], distinct[1], area)
        if point is not None:
            return _placement(point, "crossing", 0.85, names, grid_of)
    if distinct:
        point = _road_point(distinct[0].features, area)
        if point is not None:
            pieces = {f.district_code for f in distinct[0].features}
            conf = 0.6 if area is not None or len(pieces) == 1 else 0.4
            return _placement(point, "road", conf, names, grid_of)

    for level in ("community", "street", "district"):
        regions = [
            f for m in mentions if m.level == level for f in m.features if _agrees(f, context)
        ]
        if regions:
            chosen = regions[0]
            conf = {"community": 0.5, "street": 0.3, "district": 0.2}[level]
            if len(regions) > 1:
                conf *= AMBIGUITY_FACTOR
            point = chosen.geometry.representative_point()
            return _placement(point, level, conf, names, grid_of, chosen.code)
    return Placement(matched=tuple(names))
