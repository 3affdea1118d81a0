"""Routing and duplicate suggestions for a (class, point[, time])."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from cityops.api.schemas.catalog import RoutingRuleOut
from cityops.api.schemas.geo import LocateOut


class RoutingOut(BaseModel):
    location: LocateOut
    unit: str | None = Field(description="None when no rule applies", examples=["street.370102001"])
    unit_name: str | None = Field(default=None, examples=["解放路街道办事处"])
    source: str | None = Field(
        default=None, description="rule or condition_default", examples=["rule"]
    )
    explanation: str = Field(examples=["按派遣规则：全市、类别06*（市容环境类默认由所在街道处置）"])
    rule: RoutingRuleOut | None = None


class DuplicateOut(BaseModel):
    case_id: int = Field(examples=[812])
    case_no: str = Field(examples=["202611200000812"])
    distance_m: float = Field(examples=[12.5])
    reported_at: datetime
    state: str = Field(examples=["dispatched"])


class DuplicatesOut(BaseModel):
    location: LocateOut
    radius_m: float = Field(examples=[50])
    window_hours: float = Field(examples=[72])
    candidates: list[DuplicateOut]
