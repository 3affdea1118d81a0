"""Duplicate suggestion (重复案卷): a new report of the same class within a radius and a time
window of an open case is offered for merging instead of being filed twice."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cityops.domain.catalog.model import DuplicatePolicy

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def search_box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box that contains the circle (for an indexed pre-filter in SQL)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = dlat / max(0.01, math.cos(math.radians(lat)))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


@dataclass(frozen=True, slots=True)
class OpenCaseRef:
    case_id: int
    case_no: str
    class_code: str | None
    lon: float
    lat: float
    reported_at: datetime
    state: str


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    case_id: int
    case_no: str
    distance_m: float
    reported_at: datetime
    state: str

    def to_dict(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "case_no": self.case_no,
            "distance_m": round(self.distance_m, 1),
            "reported_at": self.reported_at.isoformat(),
            "state": self.state,
        }


def window_start(at: datetime, policy: DuplicatePolicy) -> datetime:
    return at - timedelta(hours=policy.window_hours)


def find_duplicates(
    class_code: str | None,
    lon: float,
    lat: float,
    at: datetime,
    open_cases: Iterable[OpenCaseRef],
    policy: DuplicatePolicy,
    limit: int = 5,
) -> list[DuplicateCandidate]:
    """Open cases of the same class within ``policy.radius_m`` reported in the window before
    ``at``, nearest first. Without a class there is nothing to compare: no suggestion."""
    if class_code is None:
        return []
    since = window_start(at, policy)
    found = []
    for c in open_cases:
        if c.class_code != class_code or not (since <= c.reported_at <= at):
            continue
        d = haversine_m(lon, lat, c.lon, c.lat)
        if d <= policy.radius_m:
            found.append(DuplicateCandidate(c.case_id, c.case_no, d, c.reported_at, c.state))
    found.sort(key=lambda x: (x.distance_m, x.reported_at))
    return found[:limit]
