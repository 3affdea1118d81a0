"""GridIndex answers exactly what ``geopandas.sjoin(points, grids, predicate="within")`` does."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPoint, MultiPolygon, Polygon, box

from cityops.domain.geo.index import GridIndex
from cityops.errors import ValidationError


def sjoin_reference(
    polys: list[Polygon | MultiPolygon], x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """sjoin(within), keeping the smallest polygon index for a point inside several."""
    grids = gpd.GeoDataFrame({"i": range(len(polys))}, geometry=polys)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y))
    joined = gpd.sjoin(points, grids, predicate="within", how="left")
    best = joined["index_right"].fillna(-1).astype(np.int64).groupby(level=0).min()
    return best.reindex(range(len(x))).to_numpy()


def voronoi_cells(n: int, seed: int) -> list[Polygon]:
    rng = np.random.default_rng(seed)
    frame = box(117.0, 36.6, 117.1, 36.7)
    sites = MultiPoint(rng.uniform([117.0, 36.6], [117.1, 36.7], (n, 2)).tolist())
    cells = shapely.get_parts(shapely.voronoi_polygons(sites, extend_to=frame))
    return [c.intersection(frame) for c in cells]


def test_interior_points_edges_vertices_and_outside() -> None:
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    index = GridIndex([("A", left), ("B", right)])
    x = np.array([0.5, 1.5, 1.0, 1.0, 0.0, 2.0, 3.0, -1.0, np.nan, 0.5])
    y = np.array([0.5, 0.5, 0.5, 1.0, 0.0, 0.3, 0.5, 0.5, 0.5, 1.0])
    found = index.locate_many(x, y)
    assert found.tolist() == [0, 1, -1, -1, -1, -1, -1, -1, -1, -1]
    assert index.locate(0.5, 0.5) == "A"
    assert index.locate(1.0, 0.5) is None  # on the shared edge: within neither


def test_holes_and_multipolygons() -> None:
    ring = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    islands = MultiPolygon([box(10, 0, 11, 1), box(12, 0, 13, 1)])
    index = GridIndex([("ring", ring), ("islands", islands)])
    assert index.locate(0.5, 0.5) == "ring"
    assert index.locate(2.0, 2.0) is None  # in the hole
    assert index.locate(1.0, 2.0) is None  # on the hole's edge
    assert index.locate(10.5, 0.5) == "islands"
    assert index.locate(12.5, 0.5) == "islands"
    assert index.locate(11.5, 0.5) is None  # between the islands


def test_overlaps_go_to_the_first_polygon_as_in_the_sjoin_comparison() -> None:
    polys = [box(1, 1, 3, 3), box(0, 0, 2, 2), box(2.5, 2.5, 5, 5)]
    index = GridIndex([(str(i), p) for i, p in enumerate(polys)])
    x = np.array([1.5, 0.5, 2.8, 4.0, 2.0, 1.0])
    y = np.array([1.5, 0.5, 2.8, 4.0, 1.5, 1.5])
    found = index.locate_many(x, y)
    assert found.tolist() == [0, 1, 0, 2, 0, 1]
    assert found.tolist() == sjoin_reference(polys, x, y).tolist()


def test_identical_to_sjoin_on_a_voronoi_tiling_with_boundary_points() -> None:
    polys = voronoi_cells(400, seed=3)
    index = GridIndex([(f"{i:015d}", p) for i, p in enumerate(polys)])
    rng = np.random.default_rng(11)
    vertices = shapely.get_coordinates(np.array(polys, dtype=object))
    x = np.concatenate([rng.uniform(116.99, 117.11, 60_000), vertices[:, 0]])
    y = np.concatenate([rng.uniform(36.59, 36.71, 60_000), vertices[:, 1]])
    found = index.locate_many(x, y)
    expected = sjoin_reference(polys, x, y)
    assert (found == expected).all()
    assert (found[60_000:] == -1).all()  # every vertex lies on some boundary
    assert (found[:60_000] >= 0).mean() > 0.6
    scalar = [index.locate_index(a, b) for a, b in zip(x[:3000], y[:3000], strict=True)]
    assert scalar == found[:3000].tolist()


@pytest.mark.parametrize("cell_size", [0.0002, 0.003, 0.05])
def test_any_cell_size_gives_the_same_answers(cell_size: float) -> None:
    polys = voronoi_cells(120, seed=5)
    rng = np.random.default_rng(2)
    x, y = rng.uniform(117.0, 117.1, 20_000), rng.uniform(36.6, 36.7, 20_000)
    default = GridIndex([(str(i), p) for i, p in enumerate(polys)]).locate_many(x, y)
    sized = GridIndex([(str(i), p) for i, p in enumerate(polys)], cell_size=cell_size)
    assert (sized.locate_many(x, y) == default).all()


def test_empty_index_finds_nothing() -> None:
    index = GridIndex([])
    assert index.locate(117.0, 36.6) is None
    assert index.locate_many([117.0, 118.0], [36.6, 36.7]).tolist() == [-1, -1]


def test_non_polygons_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        GridIndex([("370102001001001", shapely.Point(117.0, 36.6))])
    assert err.value.code == "geo.geometry_invalid"


def test_mismatched_arrays_are_refused() -> None:
    index = GridIndex([("A", box(0, 0, 1, 1))])
    with pytest.raises(ValidationError):
        index.locate_many([0.5, 0.6], [0.5])


TRIANGLES = [
    Polygon([(0, 0), (3, 0), (0, 3)]),
    Polygon([(3, 0), (3, 3), (0, 3)]),
    Polygon([(1, 1), (2, 1), (2, 2), (1, 2)]),  # overlaps both
    box(4, 0, 5, 1),
]
TRIANGLE_INDEX = GridIndex([(str(i), p) for i, p in enumerate(TRIANGLES)])


@settings(max_examples=300, deadline=None)
@given(
    x=st.one_of(st.floats(-1, 6), st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0])),
    y=st.one_of(st.floats(-1, 4), st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0])),
)
def test_each_point_gets_the_first_polygon_whose_interior_holds_it(x: float, y: float) -> None:
    inside = [i for i, p in enumerate(TRIANGLES) if shapely.contains_xy(p, x, y)]
    assert TRIANGLE_INDEX.locate_index(x, y) == (inside[0] if inside else -1)
    assert TRIANGLE_INDEX.locate_many([x], [y]).tolist() == [inside[0] if inside else -1]


def test_points_a_hair_either_side_of_a_slanted_shared_edge() -> None:
    """The orientation shortcut must agree with GEOS even for points within rounding error of
    the edge (and exactly on it)."""
    a, b = (117.0012345678, 36.6012345678), (117.0987654321, 36.6987654321)
    lower = Polygon([a, (117.1, 36.6), b])
    upper = Polygon([a, b, (117.0, 36.7)])
    index = GridIndex([("lower", lower), ("upper", upper)], cell_size=0.001)
    assert index.stats.one_segment_cells > 50
    t = np.linspace(0.001, 0.999, 4001)
    base_x = a[0] + (b[0] - a[0]) * t
    base_y = a[1] + (b[1] - a[1]) * t
    xs, ys = [base_x], [base_y]
    for k in (1, 2, 5, 50, 10_000):
        step = np.spacing(base_x) * k
        xs += [base_x + step, base_x - step]
        ys += [base_y, base_y]
    x, y = np.concatenate(xs), np.concatenate(ys)
    found = index.locate_many(x, y)
    in_lower = shapely.contains_xy(lower, x, y)
    in_upper = shapely.contains_xy(upper, x, y)
    expected = np.where(in_lower, 0, np.where(in_upper, 1, -1))
    assert (found == expected).all()
    assert (expected == -1).any() and (expected == 0).any() and (expected == 1).any()
