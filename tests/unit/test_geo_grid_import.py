"""Checking imported unit grid features: every problem reported, with index and reason."""

from __future__ import annotations

from typing import Any

import pytest
from shapely.geometry import box, mapping

from cityops.domain.geo.coords import wgs84_to_gcj02
from cityops.domain.geo.grid_import import check_grid_features
from cityops.domain.geo.measure import LocalFrame
from cityops.domain.geo.model import CoordSystem

COMMUNITIES = {"370102001001", "370102001002"}


def feature(props: dict[str, Any] | None, geometry: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = mapping(box(117.00, 36.66, 117.01, 36.67))
EAST = mapping(box(117.01, 36.66, 117.02, 36.67))
SOUTH = mapping(box(117.00, 36.65, 117.01, 36.66))


def test_good_features_become_grids() -> None:
    grids, problems = check_grid_features(
        [
            feature({"code": "370102001001001", "name": "一号网格"}, SQUARE),
            feature({"WGBM": 370102001002001.0}, EAST),  # numeric code, as DBF files give
            feature({"grid_code": "37010200100102"}, SOUTH),  # legacy 14 digits
        ],
        COMMUNITIES,
    )
    assert problems == []
    assert [g.code for g in grids] == ["370102001001001", "370102001002001", "370102001001002"]
    assert grids[0].name == "一号网格"
    assert grids[0].geometry.geom_type == "MultiPolygon"


def test_every_problem_is_reported_with_its_feature_index() -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[117.0, 36.6], [117.1, 36.7], [117.1, 36.6], [117.0, 36.7], [117.0, 36.6]]
        ],
    }
    features: list[Any] = [
        feature({"code": "370102001001001"}, SQUARE),  # 0 fine
        feature({"code": "37010200100"}, SQUARE),  # 1 bad code
        feature({"name": "无代码"}, SQUARE),  # 2 no code
        feature({"code": "370102001009001"}, SQUARE),  # 3 unknown community
        feature({"code": "370102001001001"}, SQUARE),  # 4 duplicate of 0
        feature({"code": "370102001001002"}, bowtie),  # 5 self-intersection
        feature({"code": "370102001001003"}, {"type": "Point", "coordinates": [117, 36]}),  # 6
        feature({"code": "370102001001004"}, None),  # 7 no geometry
        feature({"code": "370102001001005"}, mapping(box(500000, 4000000, 500100, 4000100))),  # 8
        "not a feature",  # 9
        feature(None, SQUARE),  # 10 no properties
    ]
    grids, problems = check_grid_features(features, COMMUNITIES)
    found = {(p.index, p.problem) for p in problems}
    assert found == {
        (1, "geo.grid_code_invalid"),
        (2, "geo.grid_code_missing"),
        (3, "geo.community_unknown"),
        (4, "geo.grid_code_duplicate"),
        (5, "geo.geometry_invalid"),
        (6, "geo.geometry_invalid"),
        (7, "geo.geometry_invalid"),
        (8, "geo.geometry_invalid"),
        (9, "geo.feature_invalid"),
        (10, "geo.feature_invalid"),
    }
    reasons = {p.index: p.reason for p in problems}
    assert "Self-intersection" in reasons[5]
    assert "投影坐标" in reasons[8]
    assert "第 0 个" in reasons[4]
    assert all(p.to_dict()["reason"] for p in problems)
    assert [g.code for g in grids] == ["370102001001001"]


@pytest.mark.parametrize("crs", [CoordSystem.GCJ02, CoordSystem.BD09])
def test_coordinates_are_converted_to_wgs84(crs: CoordSystem) -> None:
    from cityops.domain.geo.coords import from_wgs84

    corners = [(117.0, 36.66), (117.01, 36.66), (117.01, 36.67), (117.0, 36.67)]
    shifted = [from_wgs84(x, y, crs) for x, y in corners]
    geom = {"type": "Polygon", "coordinates": [[*map(list, shifted), list(shifted[0])]]}
    grids, problems = check_grid_features(
        [feature({"code": "370102001001001"}, geom)], COMMUNITIES, crs
    )
    assert problems == []
    got = list(grids[0].geometry.geoms[0].exterior.coords)[:4]
    for (gx, gy), (x, y) in zip(got, corners, strict=True):
        assert abs(gx - x) < 1e-7 and abs(gy - y) < 1e-7
    assert wgs84_to_gcj02(117.0, 36.66) != (117.0, 36.66)


FRAME = LocalFrame(117.0, 36.66)


def metres(x0: float, y0: float, x1: float, y1: float) -> Any:
    """A box in metres east/north of 117.0 E, 36.66 N, as WGS84 lon/lat."""
    return FRAME.to_lonlat(box(x0, y0, x1, y1))


# Community 001 is 300 m × 200 m; community 002 lies east of it.
AREAS = {"370102001001": metres(0, 0, 300, 200), "370102001002": metres(300, 0, 600, 200)}


def grid(code: str, x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return feature({"code": code}, mapping(metres(x0, y0, x1, y1)))


def test_grids_must_lie_in_their_community_up_to_the_tolerance() -> None:
    features = [
        grid("370102001001001", 0, 100, 150, 200),  # inside
        grid("370102001001002", 150, 100, 300.6, 200),  # 0.6 m over the edge: slop
        grid("370102001001003", 0, -12, 150, 100),  # 12 m south of the community
        grid("370102001002001", 300, 0, 600, 200),  # the whole of its community
    ]
    grids, problems = check_grid_features(features, AREAS)
    assert [(p.index, p.code, p.problem) for p in problems] == [
        (2, "370102001001003", "geo.grid_outside_community")
    ]
    assert "370102001001" in problems[0].reason
    assert "1,800 平方米" in problems[0].reason  # 150 m × 12 m outside
    assert "10.7%" in problems[0].reason and "容差 1 米" in problems[0].reason
    assert len(grids) == 4
    _, strict = check_grid_features(features, AREAS, tolerance_m=0.0)
    assert [(p.index, p.problem) for p in strict] == [
        (1, "geo.grid_outside_community"),
        (2, "geo.grid_outside_community"),
        (3, "geo.grid_overlap"),  # grid 1's 0.6 m reach into community 002 is now an overlap
    ]
    _, codes_only = check_grid_features(features, set(AREAS))
    assert codes_only == []  # without the areas only the codes are checked


def test_grids_must_not_overlap_each_other_or_stored_grids() -> None:
    stored = [
        ("370102001001009", metres(250, 0, 300, 50)),  # stays: the file must not overlap it
        ("370102001001001", metres(0, 0, 300, 200)),  # replaced by the file: ignored
    ]
    features = [
        grid("370102001001001", 0, 100, 150, 200),
        grid("370102001001002", 149.5, 100, 300, 200),  # half a metre into 001: slop
        grid("370102001001003", 0, 0, 150, 105),  # 5 m into 001
        grid("370102001001004", 150, 0, 260, 100),  # 10 m into the stored 009
    ]
    _, problems = check_grid_features(features, AREAS, stored=stored)
    assert [(p.index, p.problem) for p in problems] == [
        (2, "geo.grid_overlap"),
        (3, "geo.grid_overlap"),
    ]
    assert "第 0 个要素（网格 370102001001001）" in problems[0].reason
    assert "750 平方米" in problems[0].reason  # 150 m × 5 m
    assert "已有网格 370102001001009" in problems[1].reason
    assert "500 平方米" in problems[1].reason  # 10 m × 50 m
    _, loose = check_grid_features(features, AREAS, stored=stored, tolerance_m=12.0)
    assert loose == []
