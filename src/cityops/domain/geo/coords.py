"""WGS84 ↔ GCJ-02 ↔ BD-09 coordinate conversion, scalar and vectorized.

GCJ-02 ("Mars" coordinates, AMap / Tencent / most phones in China) is WGS84 plus a published
non-linear offset (the widely used Krasovsky-based formula below); BD-09 (Baidu) is a further
rotation and shift of GCJ-02. Outside mainland China (the usual bounding rectangle) no offset is
applied, as the providers do.

The forward transforms are closed formulas. Their inverses are not: GCJ-02 → WGS84 and
BD-09 → GCJ-02 are solved by fixed-point iteration of the forward transform until the point
maps back to within ``INVERSE_TOLERANCE_DEG`` (1e-8°, about 1 mm) of the input. Each point
iterates on its own, so converting a point alone or in a batch gives the same result.

We store WGS84 (treated as identical to CGCS2000 at city scale); intake converts with
:func:`to_wgs84` / :func:`to_wgs84_many`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from cityops.domain.geo.model import CoordSystem
from cityops.errors import ValidationError

FloatArray = npt.NDArray[np.float64]

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, as the formula uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

INVERSE_TOLERANCE_DEG = 1e-8
_MAX_ITERATIONS = 30

# The rectangle the published formula treats as "China"; outside it nothing is offset.
CHINA_MIN_LON, CHINA_MAX_LON = 72.004, 137.8347
CHINA_MIN_LAT, CHINA_MAX_LAT = 0.8293, 55.8271


def out_of_china(lon: float, lat: float) -> bool:
    return not (CHINA_MIN_LON <= lon <= CHINA_MAX_LON and CHINA_MIN_LAT <= lat <= CHINA_MAX_LAT)


def _out_of_china_many(lons: FloatArray, lats: FloatArray) -> npt.NDArray[np.bool_]:
    inside = (
        (lons >= CHINA_MIN_LON)
        & (lons <= CHINA_MAX_LON)
        & (lats >= CHINA_MIN_LAT)
        & (lats <= CHINA_MAX_LAT)
    )
    return ~inside


# --- the published offset, written once for NumPy arrays (scalars go through 0-d arrays) ---


def _offset(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(dlon, dlat) in degrees that GCJ-02 adds to a WGS84 point."""
    x = lons - 105.0
    y = lats - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    t_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    t_lat = t_lat + common
    t_lat = t_lat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    t_lat = t_lat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    t_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    t_lon = t_lon + common
    t_lon = t_lon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    t_lon = t_lon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lats / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (t_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (t_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    outside = _out_of_china_many(lons, lats)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _as_arrays(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lons, dtype=np.float64)
    y = np.asarray(lats, dtype=np.float64)
    if x.shape != y.shape:
        raise ValidationError(
            "geo.coordinate_invalid",
            "经度和纬度的个数不一致",
            lon_shape=list(x.shape),
            lat_shape=list(y.shape),
        )
    return x, y


def wgs84_to_gcj02_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _as_arrays(lons, lats)
    dlon, dlat = _offset(x, y)
    return x + dlon, y + dlat


def _refine(
    target_lon: FloatArray,
    target_lat: FloatArray,
    start_lon: FloatArray,
    start_lat: FloatArray,
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
) -> tuple[FloatArray, FloatArray]:
    """Fixed-point iteration x ← x − (forward(x) − target), **per point**: a point stops moving
    once its own step was within tolerance, so its result never depends on the other points
    converted with it (a vertex shared by two polygons converts identically in both)."""
    x_lon, x_lat = start_lon.copy(), start_lat.copy()
    active = np.ones(x_lon.shape, dtype=bool)
    for _ in range(_MAX_ITERATIONS):
        f_lon, f_lat = forward(x_lon, x_lat)
        e_lon, e_lat = f_lon - target_lon, f_lat - target_lat
        x_lon = np.where(active, x_lon - e_lon, x_lon)
        x_lat = np.where(active, x_lat - e_lat, x_lat)
        # NaN inputs compare False and so never block convergence.
        active &= np.maximum(np.abs(e_lon), np.abs(e_lat)) > INVERSE_TOLERANCE_DEG
        if not active.any():
            break
    return x_lon, x_lat


def gcj02_to_wgs84_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Iterate w ← w − (forward(w) − g) from w = g; converges in 3–5 steps inside China."""
    g_lon, g_lat = _as_arrays(lons, lats)
    return _refine(g_lon, g_lat, g_lon, g_lat, wgs84_to_gcj02_many)


def gcj02_to_bd09_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _as_arrays(lons, lats)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_closed(x_bd: FloatArray, y_bd: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The published approximate inverse (error up to ~1e-6°)."""
    x = x_bd - 0.0065
    y = y_bd - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Start from the published inverse, then refine against the forward transform."""
    b_lon, b_lat = _as_arrays(lons, lats)
    return _refine(b_lon, b_lat, *_bd09_to_gcj02_closed(b_lon, b_lat), gcj02_to_bd09_many)


def wgs84_to_bd09_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    return gcj02_to_bd09_many(*wgs84_to_gcj02_many(lons, lats))


def bd09_to_wgs84_many(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    return gcj02_to_wgs84_many(*bd09_to_gcj02_many(lons, lats))


def to_wgs84_many(
    lons: npt.ArrayLike, lats: npt.ArrayLike, crs: CoordSystem = CoordSystem.WGS84
) -> tuple[FloatArray, FloatArray]:
    """Convert points given in ``crs`` to WGS84."""
    crs = CoordSystem(crs)
    if crs is CoordSystem.GCJ02:
        return gcj02_to_wgs84_many(lons, lats)
    if crs is CoordSystem.BD09:
        return bd09_to_wgs84_many(lons, lats)
    return _as_arrays(lons, lats)


def from_wgs84_many(
    lons: npt.ArrayLike, lats: npt.ArrayLike, crs: CoordSystem
) -> tuple[FloatArray, FloatArray]:
    """Convert WGS84 points to ``crs`` (for exports to Chinese web maps)."""
    crs = CoordSystem(crs)
    if crs is CoordSystem.GCJ02:
        return wgs84_to_gcj02_many(lons, lats)
    if crs is CoordSystem.BD09:
        return wgs84_to_bd09_many(lons, lats)
    return _as_arrays(lons, lats)


# --- scalar API ---


def _scalar(pair: tuple[FloatArray, FloatArray]) -> tuple[float, float]:
    return float(pair[0]), float(pair[1])


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    return _scalar(wgs84_to_gcj02_many(lon, lat))


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return _scalar(gcj02_to_wgs84_many(lon, lat))


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return _scalar(gcj02_to_bd09_many(lon, lat))


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    return _scalar(bd09_to_gcj02_many(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return _scalar(wgs84_to_bd09_many(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return _scalar(bd09_to_wgs84_many(lon, lat))


def check_lon_lat(lon: float, lat: float) -> None:
    """Refuse coordinates that are not numbers on the globe."""
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise ValidationError(
            "geo.coordinate_invalid",
            "坐标无效：经度须在 ±180°、纬度须在 ±90° 之内",
            lon=lon,
            lat=lat,
        )


def to_wgs84(lon: float, lat: float, crs: CoordSystem = CoordSystem.WGS84) -> tuple[float, float]:
    """Check a point given in ``crs`` and convert it to WGS84."""
    check_lon_lat(lon, lat)
    return _scalar(to_wgs84_many(lon, lat, crs))


def from_wgs84(lon: float, lat: float, crs: CoordSystem) -> tuple[float, float]:
    check_lon_lat(lon, lat)
    return _scalar(from_wgs84_many(lon, lat, crs))


def parse_coord_system(value: str) -> CoordSystem:
    """Accept 'wgs84', 'GCJ-02', 'bd09ll', 'cgcs2000' …; refuse anything else clearly."""
    key = value.strip().lower().replace("-", "").replace("_", "")
    aliases = {
        "wgs84": CoordSystem.WGS84,
        "epsg4326": CoordSystem.WGS84,
        "cgcs2000": CoordSystem.WGS84,
        "gps": CoordSystem.WGS84,
        "gcj02": CoordSystem.GCJ02,
        "gcj": CoordSystem.GCJ02,
        "amap": CoordSystem.GCJ02,
        "bd09": CoordSystem.BD09,
        "bd09ll": CoordSystem.BD09,
        "baidu": CoordSystem.BD09,
    }
    if key not in aliases:
        raise ValidationError(
            "geo.crs_unknown",
            f"不支持的坐标系“{value}”，可选 wgs84、gcj02、bd09",
            crs=value,
            allowed=[c.value for c in CoordSystem],
        )
    return aliases[key]
