"""Geography: point → grid lookup (the map layers answer GeoJSON directly)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PlaceNames(BaseModel):
    grid: str | None = Field(default=None, examples=["解放路街道祥湾社区第2网格"])
    community: str | None = Field(default=None, examples=["祥湾社区"])
    street: str | None = Field(default=None, examples=["解放路街道"])
    district: str | None = Field(default=None, examples=["历下区"])


class LocateOut(BaseModel):
    inside: bool = Field(description="Whether the point lies in one of the city's unit grids")
    crs: str = Field(description="The coordinate system the point was given in", examples=["gcj02"])
    lon: float = Field(description="WGS84 longitude", examples=[117.0076737])
    lat: float = Field(description="WGS84 latitude", examples=[36.6601056])
    grid_code: str | None = Field(default=None, examples=["370102001004002"])
    community_code: str | None = Field(default=None, examples=["370102001004"])
    street_code: str | None = Field(default=None, examples=["370102001"])
    district_code: str | None = Field(default=None, examples=["370102"])
    names: PlaceNames = Field(default_factory=PlaceNames)


GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A GeoJSON FeatureCollection (RFC 7946 in WGS84; other coordinate "
        "systems are named in the `cityops:crs` member). A `cityops:truncated` member is true "
        "when more features matched than were sent.",
        "content": {
            "application/geo+json": {
                "example": {
                    "type": "FeatureCollection",
                    "name": "grids",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"code": "370102001004002", "name": "第2网格"},
                            "geometry": {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [117.0, 36.66],
                                        [117.01, 36.66],
                                        [117.01, 36.67],
                                        [117.0, 36.66],
                                    ]
                                ],
                            },
                        }
                    ],
                }
            }
        },
    }
}
