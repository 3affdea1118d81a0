"""Checking a city's own districts, streets and communities: codes of the right level,
parents by code prefix, names, geometry, nesting and overlaps — every problem reported."""

from __future__ import annotations

import re
from typing import Any

import pytest
from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.coords import from_wgs84
from cityops.domain.geo.measure import LocalFrame
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.domain.geo.region_import import check_region_features, region_code

FRAME = LocalFrame(117.0, 36.66)


def metres(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    """A box in metres east/north of 117.0 E, 36.66 N, as WGS84 lon/lat."""
    return FRAME.to_lonlat(box(x0, y0, x1, y1))


def region(props: dict[str, Any] | None, geom: BaseGeometry | None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": None if geom is None else mapping(geom),
    }


def square_metres_in(reason: str) -> float:
    found = re.search(r"约 ([0-9,.]+) 平方米", reason)
    assert found, reason
    return float(found.group(1).replace(",", ""))


DISTRICT = metres(0, 0, 3000, 2000)
STREETS_PARENTS = {"370102": DISTRICT}


@pytest.mark.parametrize(
    ("raw", "level", "code", "valid"),
    [
        ("370102", RegionLevel.DISTRICT, "370102", True),
        (370102, RegionLevel.DISTRICT, "370102", True),
        ("370102000000", RegionLevel.DISTRICT, "370102", True),  # statistics form
        ("370100", RegionLevel.DISTRICT, "370100", False),  # a city
        ("370100", RegionLevel.CITY, "370100", True),
        ("370102001", RegionLevel.STREET, "370102001", True),
        ("370102001000", RegionLevel.STREET, "370102001", True),
        (370102001000.0, RegionLevel.STREET, "370102001", True),  # as a DBF number
        ("370102001", RegionLevel.DISTRICT, "370102001", False),
        ("370102001001", RegionLevel.STREET, "370102001001", False),
        ("370102001001", RegionLevel.COMMUNITY, "370102001001", True),
        ("370102001000", RegionLevel.COMMUNITY, "370102001000", False),
        ("99010200", RegionLevel.DISTRICT, "99010200", False),
        ("37A102", RegionLevel.DISTRICT, "37A102", False),
    ],
)
def test_codes_must_be_of_the_level(raw: Any, level: RegionLevel, code: str, valid: bool) -> None:
    got, problem = region_code(raw, level)
    assert got == code
    assert (problem is None) is valid


def test_good_streets_become_regions_under_their_district() -> None:
    features = [
        region({"code": "370102001", "name": "解放路街道"}, metres(0, 0, 1500, 2000)),
        region(
            {"XZQDM": "370102002000", "XZQMC": "千佛山街道", "sjdm": "370102"},
            metres(1500, 0, 3000.4, 2000),  # 0.4 m over the district's edge: slop
        ),
    ]
    regions, problems = check_region_features(features, RegionLevel.STREET, STREETS_PARENTS)
    assert problems == []
    assert [(r.code, r.name, r.parent_code, r.level) for r in regions] == [
        ("370102001", "解放路街道", "370102", RegionLevel.STREET),
        ("370102002", "千佛山街道", "370102", RegionLevel.STREET),
    ]
    assert regions[0].geometry.geom_type == "MultiPolygon"
    assert not regions[0].generated


def test_every_problem_of_a_street_file_is_reported_with_its_feature_index() -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[117.0, 36.6], [117.1, 36.7], [117.1, 36.6], [117.0, 36.7], [117.0, 36.6]]
        ],
    }
    features: list[Any] = [
        region({"code": "370102001", "name": "甲街道"}, metres(0, 0, 1000, 1000)),  # 0 fine
        region({"code": "370102002", "name": "乙街道", "parent_code": "370103"},
               metres(1000, 0, 2000, 1000)),  # 1 names another parent
        region({"code": "370103001", "name": "丙街道"}, metres(2000, 0, 3000, 1000)),  # 2
        region({"code": "370102", "name": "历下区"}, metres(0, 1000, 1000, 2000)),  # 3 level
        region({"code": "370102004"}, metres(1000, 1000, 2000, 2000)),  # 4 no name
        region({"name": "无代码街道"}, metres(2000, 1000, 3000, 2000)),  # 5 no code
        region({"code": "370102001", "name": "甲街道"}, metres(0, 0, 1000, 1000)),  # 6 again
        {**region({"code": "370102007", "name": "丁街道"}, None), "geometry": bowtie},  # 7
        region({"code": "370102008", "name": "戊街道"}, None),  # 8 no geometry
        region({"code": "370102009", "name": "己街道" * 30}, metres(0, 0, 10, 10)),  # 9 name
        region(None, metres(0, 0, 10, 10)),  # 10 no properties
        "not a feature",  # 11
    ]  # fmt: skip
    regions, problems = check_region_features(features, RegionLevel.STREET, STREETS_PARENTS)
    assert [(p.index, p.problem) for p in problems] == [
        (1, "geo.region_parent_mismatch"),
        (2, "geo.region_parent_unknown"),
        (3, "geo.admin_code_invalid"),
        (4, "geo.region_name_missing"),
        (5, "geo.region_code_missing"),
        (6, "geo.region_code_duplicate"),
        (7, "geo.geometry_invalid"),
        (8, "geo.geometry_invalid"),
        (9, "geo.region_name_invalid"),
        (10, "geo.feature_invalid"),
        (11, "geo.feature_invalid"),
    ]
    reasons = {p.index: p.reason for p in problems}
    assert "370103" in reasons[1] and "370102" in reasons[1]
    assert "请先导入区县" in reasons[2]
    assert "街道乡镇代码应为 9 位" in reasons[3]
    assert "第 0 个" in reasons[6]
    assert "Self-intersection" in reasons[7]
    assert [r.code for r in regions] == ["370102001"]
    assert all(p.code in (None, "370102", "370102004") or p.code[:6] in ("370102", "370103")
               for p in problems)  # fmt: skip


def test_regions_must_nest_in_their_parent_and_not_overlap_their_siblings() -> None:
    stored = [
        ("370102005", metres(2500, 1500, 3000, 2000)),  # stays
        ("370102001", metres(0, 0, 3000, 2000)),  # replaced by the file: ignored
    ]
    features = [
        region({"code": "370102001", "name": "甲"}, metres(0, 0, 1500, 1000)),
        region({"code": "370102002", "name": "乙"}, metres(1500, 0, 3000, 1000)),
        region({"code": "370102003", "name": "丙"}, metres(0, 990, 1500, 2000)),  # 10 m into 0
        region({"code": "370102004", "name": "丁"}, metres(1500, 1000, 2600, 2050)),
    ]
    _, problems = check_region_features(
        features, RegionLevel.STREET, STREETS_PARENTS, stored=stored
    )
    assert [(p.index, p.problem) for p in problems] == [
        (2, "geo.region_overlap"),
        (3, "geo.region_outside_parent"),
        (3, "geo.region_overlap"),
    ]
    assert "第 0 个要素（370102001 甲）" in problems[0].reason
    assert square_metres_in(problems[0].reason) == pytest.approx(15_000, rel=1e-3)  # 1500 × 10
    assert "370102" in problems[1].reason
    assert square_metres_in(problems[1].reason) == pytest.approx(55_000, rel=1e-3)  # 1100 × 50
    assert "已有区划 370102005" in problems[2].reason


def test_a_district_takes_its_city_when_stored_and_reads_datav_properties() -> None:
    datav = [
        region(
            {"adcode": 370102, "name": "历下区", "parent": {"adcode": 370100}, "level": "district"},
            DISTRICT,
        ),
        region({"adcode": 370103, "name": "市中区", "parent": {"adcode": 370200}},
               metres(0, -2000, 3000, 0)),
    ]  # fmt: skip
    regions, problems = check_region_features(datav, RegionLevel.DISTRICT, {})
    assert [(p.index, p.problem) for p in problems] == [(1, "geo.region_parent_mismatch")]
    assert regions[0].parent_code is None  # no city stored: the city row is optional
    city = metres(-5000, -5000, 5000, 5000)
    regions, problems = check_region_features(datav[:1], RegionLevel.DISTRICT, {"370100": city})
    assert problems == [] and regions[0].parent_code == "370100"


def test_gcj02_boundaries_are_brought_to_wgs84() -> None:
    corners = [(117.0, 36.66), (117.02, 36.66), (117.02, 36.68), (117.0, 36.68)]
    shifted = [list(from_wgs84(x, y, CoordSystem.GCJ02)) for x, y in corners]
    geom = {"type": "Polygon", "coordinates": [[*shifted, shifted[0]]]}
    feature = {
        "type": "Feature",
        "properties": {"code": "370102001", "name": "甲"},
        "geometry": geom,
    }
    regions, problems = check_region_features(
        [feature], RegionLevel.STREET, {"370102": box(116.9, 36.6, 117.1, 36.7)}, CoordSystem.GCJ02
    )
    assert problems == []
    got = list(regions[0].geometry.geoms[0].exterior.coords)[:4]
    for (gx, gy), (x, y) in zip(got, corners, strict=True):
        assert abs(gx - x) < 1e-7 and abs(gy - y) < 1e-7
