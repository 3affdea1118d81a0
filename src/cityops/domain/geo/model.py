"""Geographic values shared by every area: coordinate systems and a located point."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# How far (metres) an imported area may reach outside its parent or into a neighbour, for
# digitising slop; see cityops.domain.geo.topology.
DEFAULT_TOLERANCE_M = 1.0


class CoordSystem(StrEnum):
    WGS84 = "wgs84"  # GPS, CGCS2000 (treated as identical at city scale); what we store
    GCJ02 = "gcj02"  # 国测局 "Mars" coordinates: AMap, Tencent, most phones in China
    BD09 = "bd09"  # Baidu


class RegionLevel(StrEnum):
    CITY = "city"
    DISTRICT = "district"  # 区县
    STREET = "street"  # 街道 / 乡镇
    COMMUNITY = "community"  # 社区 / 村


@dataclass(frozen=True, slots=True)
class Location:
    """A point in WGS84 with the unit grid and administrative areas it falls in.

    The 15-character unit grid code is the 12-digit community code plus a 3-digit sequence, so
    the community (12), street (9) and district (6) codes follow from it."""

    lon: float
    lat: float
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    district_code: str | None = None

    @classmethod
    def from_grid(cls, lon: float, lat: float, grid_code: str | None) -> Location:
        if not grid_code:
            return cls(lon, lat)
        return cls(lon, lat, grid_code, grid_code[:12], grid_code[:9], grid_code[:6])

    def area_codes(self) -> list[str]:
        """Most specific first: grid, community, street, district."""
        return [
            c
            for c in (self.grid_code, self.community_code, self.street_code, self.district_code)
            if c
        ]
