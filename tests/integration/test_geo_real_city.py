"""A city brings its own geography: a small real-looking city — one street of 济南市历下区
split into three communities along crooked lines, each tiled by irregular unit grids — is
imported level by level from GeoJSON (GCJ-02, as AMap-based tools give it) and from one
GeoPackage (CGCS2000 3-degree Gauss–Krüger, as surveying departments give it), then located,
on SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import split
from sqlalchemy import Engine, select, text

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.codes import number_grids
from cityops.domain.geo.coords import from_wgs84
from cityops.domain.geo.geojson import geometry_from_wgs84
from cityops.domain.geo.measure import LocalFrame
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.services import geography

pytestmark = pytest.mark.db

FRAME = LocalFrame(117.02, 36.665)  # near 泉城广场, 历下区
CITY, DISTRICT, STREET = "370100", "370102", "370102001"
COMMUNITY_NAMES = ("文化西路社区", "趵突泉北路社区", "黑虎泉西路社区")


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    geometry: BaseGeometry  # WGS84 lon/lat


@dataclass(frozen=True)
class SmallCity:
    city: Feature
    district: Feature
    street: Feature
    communities: list[Feature]
    grids: list[Feature]


def build_city(seed: int = 7) -> SmallCity:
    """One street ≈1.7 km × 1.3 km, three communities cut by crooked lines, 6–9 Voronoi grids
    in each (all built in metres, then placed at 济南)."""
    street = Polygon(
        [(0, 0), (900, -40), (1650, 60), (1700, 700), (1500, 1250), (700, 1300), (60, 1150),
         (-40, 600)]
    )  # fmt: skip
    cuts = [
        LineString([(560, -200), (520, 300), (610, 700), (540, 1100), (590, 1500)]),
        LineString([(1150, -200), (1210, 400), (1120, 800), (1180, 1500)]),
    ]
    parts = [street]
    for cut in cuts:
        parts = [piece for part in parts for piece in split(part, cut).geoms]
    parts.sort(key=lambda p: p.centroid.x)  # west to east
    assert len(parts) == 3
    rng = np.random.default_rng(seed)
    communities, grids = [], []
    for number, (part, name) in enumerate(zip(parts, COMMUNITY_NAMES, strict=True), start=1):
        code = f"{STREET}{number:03d}"
        communities.append(Feature(code, name, FRAME.to_lonlat(part)))
        x0, y0, x1, y1 = part.bounds
        seeds: list[tuple[float, float]] = []
        wanted = int(rng.integers(6, 10))
        while len(seeds) < wanted:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if part.contains(shapely.Point(x, y)):
                seeds.append((x, y))
        cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=part).geoms
        pieces = [FRAME.to_lonlat(cell.intersection(part)) for cell in cells]
        points = [(p.representative_point().x, p.representative_point().y) for p in pieces]
        codes = number_grids(code, points, row_tolerance=0.001)
        grids += [
            Feature(c, f"{name}第{int(c[12:])}网格", p)
            for c, p in sorted(zip(codes, pieces, strict=True))
        ]
    district = FRAME.to_lonlat(street.buffer(500, quad_segs=2))
    return SmallCity(
        city=Feature(CITY, "济南市", FRAME.to_lonlat(street.buffer(3000, quad_segs=2))),
        district=Feature(DISTRICT, "历下区", district),
        street=Feature(STREET, "解放路街道", FRAME.to_lonlat(street)),
        communities=communities,
        grids=grids,
    )


def geojson_in_gcj02(path: Path, features: list[Feature], code_key: str = "adcode") -> Path:
    """A FeatureCollection in GCJ-02 (regions' properties named as DataV / AMap name them)."""
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {code_key: f.code, "name": f.name},
                "geometry": mapping(geometry_from_wgs84(f.geometry, CoordSystem.GCJ02)),
            }
            for f in features
        ],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def write_gpkg_layer(path: Path, layer: str, features: list[Feature], grids: bool) -> None:
    """One layer of a GeoPackage in CGCS2000 / 3-degree Gauss–Krüger CM 117E (EPSG:4548),
    with the field names surveying data often uses (WGBM/WGMC, XZQDM/XZQMC)."""
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
    geoms = [
        shapely.transform(f.geometry, lambda c: np.column_stack(to_gk.transform(*c.T)))
        for f in features
    ]
    fields = ["WGBM", "WGMC"] if grids else ["XZQDM", "XZQMC"]
    pyogrio.raw.write(
        str(path),
        geometry=shapely.to_wkb(np.array(geoms, dtype=object)),
        field_data=[
            np.array([f.code for f in features], dtype=object),
            np.array([f.name for f in features], dtype=object),
        ],
        fields=fields,
        layer=layer,
        driver="GPKG",
        geometry_type="Unknown",
        crs="EPSG:4548",
    )


def assert_every_grid_is_found(engine: Engine, city: SmallCity) -> None:
    locator = geography.get_locator(engine)
    points = [g.geometry.representative_point() for g in city.grids]
    wgs84 = [(p.x, p.y) for p in points]
    expected = [g.code for g in city.grids]
    assert locator.grid_codes([x for x, _ in wgs84], [y for _, y in wgs84]) == expected
    assert geography.locate_in_database(engine, wgs84) == expected
    gcj = [from_wgs84(x, y, CoordSystem.GCJ02) for x, y in wgs84]
    found = locator.locate_many([x for x, _ in gcj], [y for _, y in gcj], CoordSystem.GCJ02)
    assert [loc.grid_code for loc in found] == expected
    assert {loc.street_code for loc in found} == {STREET}
    outside = FRAME.point_lonlat(-300, 600)  # in the district, west of the street
    assert locator.locate(*outside).grid_code is None


def test_a_city_brings_its_geography_as_gcj02_geojson_and_it_is_located(
    engine: Engine, tmp_path: Path
) -> None:
    city = build_city()
    steps = [
        (RegionLevel.CITY, [city.city]),
        (RegionLevel.DISTRICT, [city.district]),
        (RegionLevel.STREET, [city.street]),
        (RegionLevel.COMMUNITY, city.communities),
    ]
    for level, features in steps:
        path = geojson_in_gcj02(tmp_path / f"{level.value}.geojson", features)
        summary = geography.import_regions(engine, path, level, CoordSystem.GCJ02)
        assert (summary.level, summary.inserted, summary.updated) == (level, len(features), 0)
    grids_path = geojson_in_gcj02(tmp_path / "grids.geojson", city.grids, "code")
    summary = geography.import_grids(engine, grids_path, CoordSystem.GCJ02)
    assert (summary.features, summary.inserted) == (len(city.grids), len(city.grids))
    assert 18 <= len(city.grids) <= 27

    assert_every_grid_is_found(engine, city)
    assert geography.full_name(engine, "370102001002") == "济南市历下区解放路街道趵突泉北路社区"
    assert [r.code for r in geography.communities(engine, STREET)] == [
        "370102001001",
        "370102001002",
        "370102001003",
    ]
    assert not any(r.generated for r in geography.list_regions(engine))
    with engine.connect() as conn:
        stored = shapely.from_wkb(
            conn.execute(select(t.regions.c.geometry).where(t.regions.c.code == STREET)).scalar()
        )
        source = conn.execute(select(t.grids.c.source).limit(1)).scalar()
    # GCJ-02 in, WGS84 stored: the street is where it was built, to a millimetre or so.
    assert shapely.hausdorff_distance(stored, city.street.geometry) < 1e-7
    assert source == "import:grids.geojson"


def test_a_city_brings_its_geography_as_one_cgcs2000_geopackage_and_it_is_located(
    engine: Engine, tmp_path: Path
) -> None:
    city = build_city(seed=11)
    path = tmp_path / "city.gpkg"
    layers = [
        ("district", RegionLevel.DISTRICT, [city.district]),
        ("street", RegionLevel.STREET, [city.street]),
        ("community", RegionLevel.COMMUNITY, city.communities),
    ]
    for layer, _, features in layers:
        write_gpkg_layer(path, layer, features, grids=False)
    write_gpkg_layer(path, "grid", city.grids, grids=True)

    for layer, level, features in layers:
        summary = geography.import_regions(engine, path, level, layer=layer)
        assert summary.inserted == len(features)
    summary = geography.import_grids(engine, path, layer="grid")
    assert summary.inserted == len(city.grids)

    assert_every_grid_is_found(engine, city)
    assert geography.full_name(engine, "370102001003") == "历下区解放路街道黑虎泉西路社区"
    assert geography.region_name(engine, city.grids[0].code) == city.grids[0].name
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            inside = conn.execute(
                text(
                    "SELECT code FROM regions WHERE ST_Contains(geom, "
                    "ST_SetSRID(ST_MakePoint(:x, :y), 4326)) ORDER BY code"
                ),
                dict(zip("xy", FRAME.point_lonlat(300, 600), strict=True)),
            ).scalars()
            assert list(inside) == [DISTRICT, STREET, "370102001001"]
