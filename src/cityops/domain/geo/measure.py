"""Metres on the ground for WGS84 longitude/latitude at city scale.

Within a city (tens of kilometres) a local equirectangular frame is accurate to well under
0.1 %: lengths and areas are taken in metres per degree at the latitude in question, using
the WGS84 ellipsoid's series for the meridian and parallel arc lengths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, metres per degree of latitude) at ``lat``."""
    phi = math.radians(lat)
    per_lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    per_lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
    return per_lon, per_lat


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """x metres east and y metres north of an origin given in WGS84."""

    lon0: float
    lat0: float

    @property
    def scale(self) -> tuple[float, float]:
        return metres_per_degree(self.lat0)

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky = self.scale

        def convert(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            out = np.empty_like(xy)
            out[:, 0] = self.lon0 + xy[:, 0] / kx
            out[:, 1] = self.lat0 + xy[:, 1] / ky
            return out

        return shapely.transform(geom, convert)

    def to_xy(self, geom: BaseGeometry) -> BaseGeometry:
        kx, ky = self.scale

        def convert(ll: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            out = np.empty_like(ll)
            out[:, 0] = (ll[:, 0] - self.lon0) * kx
            out[:, 1] = (ll[:, 1] - self.lat0) * ky
            return out

        return shapely.transform(geom, convert)

    def point_lonlat(self, x: float, y: float) -> tuple[float, float]:
        kx, ky = self.scale
        return self.lon0 + x / kx, self.lat0 + y / ky

    def point_xy(self, lon: float, lat: float) -> tuple[float, float]:
        kx, ky = self.scale
        return (lon - self.lon0) * kx, (lat - self.lat0) * ky


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres of a WGS84 (lon/lat) polygon of city size."""
    if geom.is_empty:
        return 0.0
    c = geom.centroid
    kx, ky = metres_per_degree(c.y)
    return float(geom.area) * kx * ky


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Ground distance between two nearby WGS84 points, in metres."""
    kx, ky = metres_per_degree((lat1 + lat2) / 2)
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * ky)


def metres_per_degree_many(
    lats: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """:func:`metres_per_degree` for an array of latitudes."""
    phi = np.radians(lats)
    per_lat = 111132.954 - 559.822 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi)
    per_lon = 111412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi)
    return per_lon, per_lat


def to_local_metres(geoms: npt.ArrayLike, lon0: float, lat0: float) -> npt.NDArray[np.object_]:
    """WGS84 geometries (an array of them) in metres east and north of (lon0, lat0).

    Each vertex's longitude is scaled at its own latitude and latitudes at ``lat0``, so
    lengths and areas are right to well under 0.1 % across a city, and so are tolerances of a
    metre or so; the frame is for measuring and checking, not for storing."""
    _, per_lat0 = metres_per_degree(lat0)

    def convert(ll: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        per_lon, _ = metres_per_degree_many(ll[:, 1])
        out = np.empty_like(ll)
        out[:, 0] = (ll[:, 0] - lon0) * per_lon
        out[:, 1] = (ll[:, 1] - lat0) * per_lat0
        return out

    arr = np.asarray(geoms, dtype=object)
    return np.asarray(shapely.transform(arr, convert), dtype=object)
