"""Containment and overlap with a tolerance in metres: slop forgiven, real errors measured."""

from __future__ import annotations

import pytest
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from cityops.domain.geo.measure import LocalFrame, area_m2, to_local_metres
from cityops.domain.geo.topology import find_overhangs, find_overlaps, square_metres

FRAME = LocalFrame(117.0, 36.66)


def metres(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    """A box given in metres east/north of 117.0 E, 36.66 N, as WGS84 lon/lat."""
    return FRAME.to_lonlat(box(x0, y0, x1, y1))


PARENT = metres(0, 0, 200, 100)


@pytest.mark.parametrize(
    ("reach_m", "reported"),
    [(0.0, False), (0.4, False), (0.95, False), (1.3, True), (10.0, True)],
)
def test_a_child_may_reach_out_of_its_parent_by_the_tolerance_only(
    reach_m: float, reported: bool
) -> None:
    child = metres(100, 20, 200 + reach_m, 80)  # 60 m tall, reaching east past the parent
    found = find_overhangs([child], [PARENT], tolerance_m=1.0)
    assert bool(found) is reported
    if reported:
        assert found[0].index == 0
        assert found[0].area_m2 == pytest.approx(60 * reach_m, rel=0.01)
        assert found[0].share == pytest.approx(reach_m / (100 + reach_m), rel=0.01)


def test_overhangs_are_reported_per_child_in_order_and_a_zero_tolerance_is_strict() -> None:
    children = [
        metres(0, 0, 100, 100),  # exactly on the parent's edges: fine
        metres(-30, 0, 10, 100),  # 30 m outside to the west
        metres(150, 50, 200.5, 100),  # half a metre: slop
        metres(300, 0, 400, 100),  # wholly outside
    ]
    found = find_overhangs(children, [PARENT] * 4, tolerance_m=1.0)
    assert [h.index for h in found] == [1, 3]
    assert found[0].area_m2 == pytest.approx(3000, rel=0.01)
    assert found[1].share == pytest.approx(1.0)
    strict = find_overhangs(children, [PARENT] * 4, tolerance_m=0.0)
    assert [h.index for h in strict] == [1, 2, 3]
    with pytest.raises(ValueError):
        find_overhangs(children, [PARENT], tolerance_m=1.0)


def test_neighbours_sharing_an_edge_or_a_corner_do_not_overlap() -> None:
    row = [metres(x, 0, x + 50, 50) for x in (0, 50, 100)] + [metres(150, 50, 200, 100)]
    assert find_overlaps(row, tolerance_m=0.0) == []


@pytest.mark.parametrize(
    ("depth_m", "reported"), [(0.3, False), (0.9, False), (1.2, True), (25.0, True)]
)
def test_a_sliver_up_to_the_tolerance_deep_is_slop(depth_m: float, reported: bool) -> None:
    west = metres(0, 0, 50 + depth_m, 80)  # reaches depth_m into its eastern neighbour
    east = metres(50, 0, 100, 80)
    found = find_overlaps([west, east], tolerance_m=1.0)
    assert bool(found) is reported
    if reported:
        (lap,) = found
        assert (lap.index, lap.other, lap.fixed) == (1, 0, False)
        assert lap.area_m2 == pytest.approx(80 * depth_m, rel=0.01)


def test_overlaps_with_fixed_areas_are_found_but_not_among_them() -> None:
    fixed = [metres(0, 0, 100, 100), metres(50, 0, 150, 100)]  # overlap each other: not ours
    new = [metres(200, 0, 300, 100), metres(90, 90, 195, 200)]
    found = find_overlaps(new, tolerance_m=1.0, fixed=fixed)
    assert [(o.index, o.other, o.fixed) for o in found] == [(1, 0, True), (1, 1, True)]
    assert [o.area_m2 for o in found] == pytest.approx([100, 600], rel=0.02)
    assert find_overlaps([], fixed=fixed) == []


def test_a_copy_inside_another_area_overlaps_it_wholly() -> None:
    outer, inner = metres(0, 0, 100, 100), metres(10, 10, 20, 20)
    (lap,) = find_overlaps([outer, inner], tolerance_m=5.0)
    assert lap.area_m2 == pytest.approx(100, rel=0.01)


def test_local_metres_agree_with_ground_areas() -> None:
    square = metres(1000, 2000, 1100, 2100)
    (projected,) = to_local_metres([square], 117.0, 36.66)
    assert projected.area == pytest.approx(10_000, rel=1e-3)
    assert area_m2(square) == pytest.approx(projected.area, rel=1e-3)


def test_areas_read_well() -> None:
    assert [square_metres(v) for v in (0.354, 12.34, 1234.5)] == ["0.35", "12.3", "1,234"]
