"""WGS84 ↔ GCJ-02 ↔ BD-09: published reference values, round trips, China's edge."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.domain.geo import coords
from cityops.domain.geo.measure import distance_m
from cityops.domain.geo.model import CoordSystem
from cityops.errors import ValidationError

# Reference values printed by the widely used `coordtransform` package (github.com/wandergis/
# coordtransform, test/app.js) for the point (116.404, 39.915) in Beijing.
PEKING = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
# These two come from the package's one-step approximate inverses; ours iterate to the exact
# inverse, so they must be close to, not equal to, the published numbers.
REF_BD09_TO_GCJ02_APPROX = (116.39762729119315, 39.90865673957631)
REF_GCJ02_TO_WGS84_APPROX = (116.39775550083061, 39.91359571849836)


def test_wgs84_to_gcj02_matches_the_published_value() -> None:
    lon, lat = coords.wgs84_to_gcj02(*PEKING)
    assert lon == pytest.approx(REF_WGS84_TO_GCJ02[0], abs=1e-12)
    assert lat == pytest.approx(REF_WGS84_TO_GCJ02[1], abs=1e-12)


def test_gcj02_to_bd09_matches_the_published_value() -> None:
    lon, lat = coords.gcj02_to_bd09(*PEKING)
    assert lon == pytest.approx(REF_GCJ02_TO_BD09[0], abs=1e-12)
    assert lat == pytest.approx(REF_GCJ02_TO_BD09[1], abs=1e-12)


def test_inverses_are_near_the_published_approximations_and_exact_on_the_way_back() -> None:
    g_lon, g_lat = coords.bd09_to_gcj02(*PEKING)
    assert abs(g_lon - REF_BD09_TO_GCJ02_APPROX[0]) < 1e-6
    assert abs(g_lat - REF_BD09_TO_GCJ02_APPROX[1]) < 1e-6
    back = coords.gcj02_to_bd09(g_lon, g_lat)
    assert max(abs(back[0] - PEKING[0]), abs(back[1] - PEKING[1])) < 1e-7

    w_lon, w_lat = coords.gcj02_to_wgs84(*PEKING)
    assert abs(w_lon - REF_GCJ02_TO_WGS84_APPROX[0]) < 2e-5
    assert abs(w_lat - REF_GCJ02_TO_WGS84_APPROX[1]) < 2e-5
    back = coords.wgs84_to_gcj02(w_lon, w_lat)
    assert max(abs(back[0] - PEKING[0]), abs(back[1] - PEKING[1])) < 1e-7


def test_offset_in_jinan_is_a_few_hundred_metres() -> None:
    lon, lat = 117.0, 36.66
    g = coords.wgs84_to_gcj02(lon, lat)
    b = coords.wgs84_to_bd09(lon, lat)
    assert 100 < distance_m(lon, lat, *g) < 700
    assert 500 < distance_m(lon, lat, *b) < 1500


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.35, 48.85), (-74.0, 40.7), (139.8, 35.7), (100.5, 0.5), (151.2, -33.9)],
)
def test_no_gcj_offset_outside_china(lon: float, lat: float) -> None:
    assert coords.out_of_china(lon, lat)
    assert coords.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert coords.gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_vectorized_round_trips_over_china_are_below_a_centimetre() -> None:
    rng = np.random.default_rng(7)
    lons = rng.uniform(73.0, 135.0, 20_000)
    lats = rng.uniform(18.0, 53.0, 20_000)
    for to, back in (
        (coords.wgs84_to_gcj02_many, coords.gcj02_to_wgs84_many),
        (coords.wgs84_to_bd09_many, coords.bd09_to_wgs84_many),
        (coords.gcj02_to_bd09_many, coords.bd09_to_gcj02_many),
    ):
        x, y = back(*to(lons, lats))
        assert np.abs(x - lons).max() < 1e-7
        assert np.abs(y - lats).max() < 1e-7


def test_vectorized_and_scalar_agree() -> None:
    lons = np.array([116.404, 117.0, 117.157, 2.35])
    lats = np.array([39.915, 36.66, 37.305, 48.85])
    x, y = coords.gcj02_to_wgs84_many(lons, lats)
    for i in range(len(lons)):
        # A batch iterates until its slowest point converges, so the last bits may differ.
        assert (x[i], y[i]) == pytest.approx(coords.gcj02_to_wgs84(lons[i], lats[i]), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=73.0, max_value=135.0),
    lat=st.floats(min_value=18.0, max_value=53.0),
    crs=st.sampled_from([CoordSystem.GCJ02, CoordSystem.BD09]),
)
def test_to_wgs84_inverts_from_wgs84(lon: float, lat: float, crs: CoordSystem) -> None:
    back = coords.to_wgs84(*coords.from_wgs84(lon, lat, crs), crs)
    assert math.isclose(back[0], lon, abs_tol=1e-7)
    assert math.isclose(back[1], lat, abs_tol=1e-7)


def test_wgs84_passes_through_unchanged() -> None:
    assert coords.to_wgs84(117.1, 36.7, CoordSystem.WGS84) == (117.1, 36.7)


@pytest.mark.parametrize(
    ("lon", "lat"), [(181.0, 36.0), (117.0, -91.0), (math.nan, 36.0), (117.0, math.inf)]
)
def test_coordinates_off_the_globe_are_refused(lon: float, lat: float) -> None:
    with pytest.raises(ValidationError) as err:
        coords.to_wgs84(lon, lat, CoordSystem.GCJ02)
    assert err.value.code == "geo.coordinate_invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wgs84", CoordSystem.WGS84),
        ("CGCS2000", CoordSystem.WGS84),
        ("GCJ-02", CoordSystem.GCJ02),
        ("gcj02", CoordSystem.GCJ02),
        ("bd09ll", CoordSystem.BD09),
        ("BD-09", CoordSystem.BD09),
    ],
)
def test_coordinate_system_names(text: str, expected: CoordSystem) -> None:
    assert coords.parse_coord_system(text) is expected


def test_unknown_coordinate_system_is_refused_with_the_choices() -> None:
    with pytest.raises(ValidationError) as err:
        coords.parse_coord_system("mercator")
    assert err.value.code == "geo.crs_unknown"
    assert err.value.details["allowed"] == ["wgs84", "gcj02", "bd09"]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.floats(74.0, 135.0), st.floats(18.0, 53.0)), min_size=2, max_size=40),
    st.sampled_from([CoordSystem.GCJ02, CoordSystem.BD09]),
)
def test_a_point_converts_the_same_alone_and_in_any_batch(
    points: list[tuple[float, float]], crs: CoordSystem
) -> None:
    # Shared vertices of neighbouring polygons are converted in different batches; they must
    # stay identical, or imported neighbours would no longer share their edge exactly.
    lons = np.array([p[0] for p in points])
    lats = np.array([p[1] for p in points])
    batch_lon, batch_lat = coords.to_wgs84_many(lons, lats, crs)
    for i, (lon, lat) in enumerate(points):
        alone_lon, alone_lat = coords.to_wgs84_many([lon], [lat], crs)
        assert (alone_lon[0], alone_lat[0]) == (batch_lon[i], batch_lat[i])
