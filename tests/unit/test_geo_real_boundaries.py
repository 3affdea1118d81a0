"""The real district polygons of 济南 (DataV GeoAtlas, GCJ-02; read in place, never copied):
converted to WGS84 they index correctly, and the demo city's districts lie mostly inside
their real namesakes; real district files pass the region import checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from shapely.geometry import shape

from cityops.domain.geo.coords import gcj02_to_wgs84
from cityops.domain.geo.demo_city import generate_demo_city
from cityops.domain.geo.geojson import geometry_to_wgs84
from cityops.domain.geo.index import GridIndex
from cityops.domain.geo.model import CoordSystem, RegionLevel

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def jinan(shared_data: Path) -> list[dict[str, Any]]:
    doc = json.loads((shared_data / "cn_boundaries_datav" / "370100_full.json").read_text("utf-8"))
    return list(doc["features"])


@pytest.fixture(scope="module")
def district_index(jinan: list[dict[str, Any]]) -> GridIndex:
    return GridIndex(
        [
            (
                str(f["properties"]["adcode"]),
                geometry_to_wgs84(shape(f["geometry"]), CoordSystem.GCJ02),
            )
            for f in jinan
        ]
    )


def test_every_district_centre_locates_to_its_own_district(
    jinan: list[dict[str, Any]], district_index: GridIndex
) -> None:
    assert len(jinan) == 12
    for f in jinan:
        props = f["properties"]
        for key in ("center", "centroid"):
            lon, lat = gcj02_to_wgs84(*props[key])
            assert district_index.locate(lon, lat) == str(props["adcode"]), (props["name"], key)


def test_the_gcj02_offset_matters_for_these_polygons(jinan: list[dict[str, Any]]) -> None:
    raw = GridIndex([(str(f["properties"]["adcode"]), shape(f["geometry"])) for f in jinan])
    converted = [
        (str(f["properties"]["adcode"]), geometry_to_wgs84(shape(f["geometry"]), CoordSystem.GCJ02))
        for f in jinan
    ]
    rng = np.random.default_rng(1)
    x, y = rng.uniform(116.2, 117.9, 200_000), rng.uniform(36.0, 37.5, 200_000)
    differ = (raw.locate_many(x, y) != GridIndex(converted).locate_many(x, y)).sum()
    assert differ > 100  # a few hundred metres along every border


def test_index_agrees_with_sjoin_on_the_real_polygons(
    jinan: list[dict[str, Any]], district_index: GridIndex
) -> None:
    import geopandas as gpd

    polys = list(district_index.geometries)
    rng = np.random.default_rng(4)
    x, y = rng.uniform(116.2, 117.9, 100_000), rng.uniform(36.0, 37.5, 100_000)
    grids = gpd.GeoDataFrame(geometry=polys)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
    joined = gpd.sjoin(points, grids, predicate="within", how="left")
    expected = joined["index_right"].fillna(-1).astype(int).groupby(level=0).min()
    assert (district_index.locate_many(x, y) == expected.to_numpy()).all()


def test_demo_districts_lie_mostly_inside_the_real_ones(
    jinan: list[dict[str, Any]], district_index: GridIndex
) -> None:
    real = dict(zip(district_index.codes, district_index.geometries, strict=True))
    for district in generate_demo_city().geography.regions_at(RegionLevel.DISTRICT):
        p = district.geometry.representative_point()
        assert district_index.locate(p.x, p.y) == district.code, district.name
        inside = district.geometry.intersection(real[district.code]).area / district.geometry.area
        assert inside > 0.6, district.name


@pytest.mark.parametrize(("city", "districts"), [("370100", 12), ("370800", 11), ("320200", 7)])
def test_real_district_files_pass_the_region_import_checks(
    shared_data: Path, city: str, districts: int
) -> None:
    from cityops.domain.geo.region_import import check_region_features

    path = shared_data / "cn_boundaries_datav" / f"{city}_full.json"
    features = json.loads(path.read_text("utf-8"))["features"]
    regions, problems = check_region_features(features, RegionLevel.DISTRICT, {}, CoordSystem.GCJ02)
    assert problems == []
    assert len(regions) == districts
    assert all(r.code.startswith(city[:4]) and r.name for r in regions)


def test_real_districts_overhang_a_coarser_city_outline_and_each_overhang_is_measured(
    shared_data: Path, jinan: list[dict[str, Any]]
) -> None:
    # The province file's outline of 济南 is simplified more than its districts' own file:
    # districts reach out of it by up to several km². Such a mix is reported, with the area.
    from cityops.domain.geo.region_import import check_region_features

    province = json.loads(
        (shared_data / "cn_boundaries_datav" / "370000_full.json").read_text("utf-8")
    )
    (outline,) = [f for f in province["features"] if f["properties"]["adcode"] == 370100]
    city = geometry_to_wgs84(shape(outline["geometry"]), CoordSystem.GCJ02)
    _, problems = check_region_features(
        jinan, RegionLevel.DISTRICT, {"370100": city}, CoordSystem.GCJ02
    )
    assert {p.problem for p in problems} == {"geo.region_outside_parent"}
    assert len(problems) >= 8
    _, loose = check_region_features(
        jinan, RegionLevel.DISTRICT, {"370100": city}, CoordSystem.GCJ02, tolerance_m=2000
    )
    assert len(loose) < len(problems)
