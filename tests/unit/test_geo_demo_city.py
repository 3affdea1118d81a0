"""The generated demo city: real codes, nested generated areas, a proper tiling, plausible
layout, named roads and places, deterministic."""

from __future__ import annotations

import hashlib
import math
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from cityops.domain.geo.admin_codes import divisions_under
from cityops.domain.geo.codes import admin_code_problem, grid_code_problem
from cityops.domain.geo.demo_city import DEFAULT_SEED, DemoCity, _generate, generate_demo_city
from cityops.domain.geo.index import GridIndex
from cityops.domain.geo.layers import Geography
from cityops.domain.geo.measure import distance_m
from cityops.domain.geo.model import RegionLevel

DISTRICTS = {
    "370102": "历下区",
    "370103": "市中区",
    "370104": "槐荫区",
    "370105": "天桥区",
    "370112": "历城区",
    "370126": "商河县",
}


@pytest.fixture(scope="module")
def demo() -> DemoCity:
    return generate_demo_city()


@pytest.fixture(scope="module")
def geo(demo: DemoCity) -> Geography:
    return demo.geography


def test_several_thousand_grids_with_valid_unique_codes(geo: Geography) -> None:
    assert 4000 <= len(geo.grids) <= 8000
    codes = [g.code for g in geo.grids]
    assert len(set(codes)) == len(codes)
    assert not [c for c in codes if grid_code_problem(c)]
    assert {g.district_code for g in geo.grids} == set(DISTRICTS)


def test_every_real_street_and_town_of_the_districts_appears(geo: Geography) -> None:
    regions = {r.code: r for r in geo.regions}
    assert regions["370100"].name == "济南市"
    for code, name in DISTRICTS.items():
        assert regions[code].name == name
        assert regions[code].level is RegionLevel.DISTRICT
        assert not regions[code].generated
        for street in divisions_under(code):
            assert regions[street.code].name == street.name
            assert regions[street.code].parent_code == code
    streets = geo.regions_at(RegionLevel.STREET)
    assert len(streets) == sum(len(divisions_under(c)) for c in DISTRICTS)


def test_communities_are_generated_under_their_street(geo: Geography) -> None:
    streets = {r.code for r in geo.regions_at(RegionLevel.STREET)}
    communities = geo.regions_at(RegionLevel.COMMUNITY)
    assert all(c.generated for c in communities)
    assert all(c.parent_code == c.code[:9] and c.parent_code in streets for c in communities)
    assert not [c.code for c in communities if admin_code_problem(c.code, RegionLevel.COMMUNITY)]
    for c in communities:
        seq = int(c.code[9:])
        if c.name.endswith("村"):
            assert seq >= 201  # 村委会 numbered from 201, as in the statistics codes
        else:
            assert c.name.endswith("社区") and seq < 200
    kinds = Counter(c.name[-1] for c in communities)
    assert kinds["区"] > 100 and kinds["村"] > 50
    assert len({c.name for c in communities}) == len(communities)
    town_communities = [
        c for c in communities if c.parent_code.startswith("370126") and c.code[6:9] > "100"
    ]
    assert town_communities and all(c.name.endswith("村") for c in town_communities)


def test_grids_tile_the_city_without_overlaps(geo: Geography) -> None:
    grids = np.array([g.geometry for g in geo.grids], dtype=object)
    assert shapely.is_valid(grids).all()
    union = shapely.coverage_union_all(grids)
    assert shapely.area(grids).sum() == pytest.approx(union.area, rel=1e-9)
    city = next(r for r in geo.regions if r.level is RegionLevel.CITY)
    assert city.geometry.symmetric_difference(union).area < 1e-9 * union.area


def test_each_grid_lies_in_its_community_and_regions_nest(geo: Geography) -> None:
    regions = {r.code: r.geometry for r in geo.regions}
    tol = 1e-9
    for g in geo.grids:
        assert regions[g.community_code].buffer(tol).contains(g.geometry)
    for r in geo.regions:
        if r.parent_code:
            assert regions[r.parent_code].buffer(tol).contains(r.geometry)


def test_districts_and_streets_are_contiguous(geo: Geography) -> None:
    for r in geo.regions:
        if r.level in (RegionLevel.DISTRICT, RegionLevel.STREET):
            assert len(r.geometry.geoms) == 1, r.name


def test_grid_sequences_run_from_one_in_each_community(geo: Geography) -> None:
    per_community: dict[str, list[int]] = {}
    for g in geo.grids:
        per_community.setdefault(g.community_code, []).append(int(g.code[12:]))
    for seqs in per_community.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))


def test_first_grid_of_a_big_community_is_in_its_north_west(geo: Geography) -> None:
    per_community: dict[str, list] = {}
    for g in geo.grids:
        per_community.setdefault(g.community_code, []).append(g)
    big = [gs for gs in per_community.values() if len(gs) >= 6]
    north_first = 0
    for gs in big:
        by_seq = sorted(gs, key=lambda g: g.code)
        first, last = by_seq[0].geometry.centroid, by_seq[-1].geometry.centroid
        north_first += first.y > last.y
    assert north_first / len(big) > 0.9


def test_districts_sit_roughly_where_they_really_are(geo: Geography) -> None:
    centre = {
        r.code: r.geometry.representative_point()
        for r in geo.regions
        if r.level is RegionLevel.DISTRICT
    }
    lixia, shizhong, huaiyin, tianqiao = (
        centre[c] for c in ("370102", "370103", "370104", "370105")
    )
    assert lixia.x > shizhong.x and lixia.x > huaiyin.x  # 历下 east of 市中 and 槐荫
    assert shizhong.y < tianqiao.y and shizhong.y < lixia.y  # 市中 south
    assert huaiyin.x < shizhong.x and huaiyin.x < tianqiao.x  # 槐荫 west
    assert tianqiao.y > lixia.y  # 天桥 north
    assert centre["370112"].x > 117.05  # 历城 east
    shanghe = centre["370126"]
    assert 50_000 < distance_m(117.0, 36.66, shanghe.x, shanghe.y) < 80_000
    assert abs(lixia.x - 117.0) < 0.2 and abs(lixia.y - 36.66) < 0.1


def test_roads_are_named_lines_including_real_arterials_and_rivers(geo: Geography) -> None:
    assert len(geo.roads) > 500
    assert all(isinstance(r.geometry, LineString) and r.name for r in geo.roads)
    names = {r.name for r in geo.roads}
    assert {"经十路", "泉城路", "历山路", "小清河", "黄河"} <= names
    assert {r.kind for r in geo.roads} == {"main", "secondary", "river"}
    assert all(r.district_code in DISTRICTS for r in geo.roads)


def test_places_lie_in_the_grid_they_name(geo: Geography) -> None:
    kinds = Counter(p.kind for p in geo.places)
    for kind in ("residential", "school", "hospital", "clinic", "market", "park", "office"):
        assert kinds[kind] > 0, kind
    index = GridIndex([(g.code, g.geometry) for g in geo.grids])
    located = index.codes_of(
        index.locate_many([p.point.x for p in geo.places], [p.point.y for p in geo.places])
    )
    assert located == [p.grid_code for p in geo.places]
    assert all(p.address.startswith("济南市") for p in geo.places if p.generated)
    assert any(p.name == "大明湖风景区" for p in geo.places)


def test_responsibility_areas(geo: Geography) -> None:
    kinds = Counter(a.kind for a in geo.areas)
    assert kinds["street_office"] == len(geo.regions_at(RegionLevel.STREET))
    assert kinds["district_bureau"] == len(DISTRICTS)
    assert kinds["department"] >= 3
    offices = {a.unit for a in geo.areas if a.kind == "street_office"}
    assert "解放路街道办事处" in offices and "殷巷镇人民政府" in offices
    assert all(a.geometry.is_valid and not a.geometry.is_empty for a in geo.areas)


def _fingerprint(geo: Geography) -> str:
    h = hashlib.sha256()
    for g in geo.grids:
        h.update(g.code.encode())
        h.update(g.geometry.wkb)
    for r in geo.regions:
        h.update(r.code.encode() + r.name.encode())
    for p in geo.places:
        h.update(p.name.encode() + p.address.encode())
    return h.hexdigest()


def test_same_seed_same_city(geo: Geography) -> None:
    again = _generate.__wrapped__(DEFAULT_SEED).geography  # bypass the cache
    assert _fingerprint(again) == _fingerprint(geo)


def test_grid_sizes_are_plausible(geo: Geography) -> None:
    from cityops.domain.geo.measure import area_m2

    areas = np.array([area_m2(g.geometry) for g in geo.grids])
    assert 20_000 < np.median(areas) < 400_000
    assert areas.min() > 1_000
    core = [
        area_m2(g.geometry)
        for g in geo.grids
        if math.dist((g.geometry.centroid.x, g.geometry.centroid.y), (117.0, 36.66)) < 0.03
    ]
    assert np.median(core) < np.median(areas)  # denser in the centre
