"""Request and response models of the city profile's administration."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from cityops.api.schemas.common import Strict
from cityops.domain.catalog.profile_edit import EditKind


class ProfileVersionOut(Strict):
    id: int
    city_code: str = Field(examples=["370100"])
    city_name: str = Field(examples=["济南市"])
    version: str = Field(examples=["2026.1"], description="The version named in city.toml")
    content_hash: str = Field(description="SHA-256 of the files: send it back as expected_hash")
    loaded_at: datetime
    active: bool
    source: str = Field(examples=["控制台 admin：修改立案条件“06010-01”"])


class ProfileTableOut(Strict):
    name: str = Field(examples=["conditions"])
    label: str = Field(examples=["立案条件"])
    file: str = Field(examples=["conditions.csv"])
    key: list[str] = Field(examples=[["code"]], description="Columns that identify a row")
    columns: list[str]
    choices: dict[str, list[str]] = Field(
        default_factory=dict, description="The values a column accepts, where they are few"
    )
    rows: list[dict[str, str]]
    version: ProfileVersionOut


class ProfileEditIn(Strict):
    """One row added, replaced or removed."""

    kind: EditKind = Field(examples=["update"])
    key: str = Field(
        min_length=1,
        max_length=200,
        examples=["06010-01"],
        description="The row's key: its code, or class_pattern|area_code for a routing rule",
    )
    values: dict[str, str] | None = Field(
        default=None,
        description="The whole row (add, update); column → text",
        examples=[
            {
                "code": "06010-01",
                "class_code": "06010",
                "text": "暴露垃圾面积超过0.5平方米",
                "limit_value": "4",
                "limit_unit": "working_hours",
                "urgency": "normal",
                "closure_condition": "垃圾清理干净，无残留",
                "default_unit": "",
                "weight": "10",
            }
        ],
    )
    expected_hash: str | None = Field(
        default=None,
        max_length=64,
        description="content_hash of the version the change was made against (409 "
        "profile.changed if another is active now)",
    )
