"""Case resources and command bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from cityops.api.schemas.common import Strict
from cityops.domain.cases.vocabulary import CloseOutcome, RejectReason
from cityops.domain.clock.limits import TimeLimit


class AttachmentRefIn(Strict):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="From POST /api/v1/attachments")
    kind: str = Field(default="after", pattern=r"^(before|after|verify|check|other)$")
    filename: str = Field(default="", max_length=255)


class AttachmentOut(BaseModel):
    sha256: str
    mime: str | None = None
    size: int | None = None
    kind: str
    filename: str = ""
    seq: int | None = None
    url: str


class Versioned(Strict):
    expected_version: int | None = Field(
        default=None,
        ge=1,
        description="The case version the client saw; if newer, 409 case.stale_version",
    )


class VerifyIn(Versioned):
    found: bool = Field(description="Whether the problem exists on site")
    opinion: str = Field(default="", max_length=4000, examples=["现场核实属实"])
    attachments: list[AttachmentRefIn] = Field(default_factory=list, max_length=9)


class RejectIn(Versioned):
    reason_code: RejectReason
    reason: str = Field(min_length=1, max_length=4000, examples=["与案卷20251020000123重复"])
    duplicate_of: int | None = Field(default=None, ge=1)


class FileIn(Versioned):
    class_code: str = Field(min_length=1, max_length=16, examples=["06010"])
    condition_code: str = Field(min_length=1, max_length=32, examples=["06010-01"])
    opinion: str = Field(default="", max_length=4000)


class DispatchIn(Versioned):
    unit: str | None = Field(
        default=None, max_length=64, description="Default: the routing suggestion"
    )
    opinion: str = Field(default="", max_length=4000)


class ReasonIn(Versioned):
    reason: str = Field(min_length=1, max_length=4000)


class LimitIn(Strict):
    value: float = Field(gt=0, le=100000, examples=[2])
    unit: str = Field(
        examples=["working_days"], description="minutes, hours, days, working_hours, working_days"
    )

    def to_limit(self) -> TimeLimit:
        from cityops.domain.clock.limits import parse_unit

        return TimeLimit(self.value, parse_unit(self.unit))


class ExtensionIn(Versioned):
    amount: LimitIn
    reason: str = Field(min_length=1, max_length=4000, examples=["需协调权属单位"])


class ExtensionDecisionIn(Versioned):
    approved: bool
    opinion: str = Field(default="", max_length=4000)
    granted: LimitIn | None = Field(default=None, description="Default: the amount requested")


class SuspendIn(Versioned):
    reason: str = Field(min_length=1, max_length=4000, examples=["冬季不具备施工条件"])
    requested_by: str | None = Field(default=None, max_length=64)
    until: datetime | None = None

    @field_validator("until")
    @classmethod
    def aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("until 须带时区，例如 2026-03-01T08:30:00+08:00")
        return v


class OpinionIn(Versioned):
    opinion: str = Field(default="", max_length=4000)


class HandleIn(Versioned):
    opinion: str = Field(min_length=1, max_length=4000, examples=["已清理完毕"])
    attachments: list[AttachmentRefIn] = Field(default_factory=list, max_length=9)


class CheckRequestIn(Versioned):
    inspector: str | None = Field(
        default=None, max_length=64, description="Default: the grid's inspector"
    )
    opinion: str = Field(default="", max_length=4000)


class ReworkIn(Versioned):
    reason: str = Field(min_length=1, max_length=4000)
    attachments: list[AttachmentRefIn] = Field(default_factory=list, max_length=9)


class CloseIn(Versioned):
    outcome: CloseOutcome = CloseOutcome.FIXED
    opinion: str = Field(default="", max_length=4000)
    attachments: list[AttachmentRefIn] = Field(default_factory=list, max_length=9)


class CaseSummaryOut(BaseModel):
    id: int
    case_no: str
    version: int
    state: str
    state_label: str
    channel: str
    class_code: str | None
    class_name: str | None = None
    urgency: str
    description: str
    address: str
    lon: float
    lat: float
    grid_code: str | None
    street_code: str | None
    district_code: str | None
    assigned_unit: str | None
    stage: str | None
    deadline: datetime | None
    deadline_working: bool | None = Field(
        description="The deadline counts working time (True) or natural time (False); "
        "null without a deadline. A countdown follows it: outside working hours a working "
        "clock stands still"
    )
    suspended: bool
    light: str
    reported_at: datetime
    closed_at: datetime | None
    rework_count: int


class EventOut(BaseModel):
    seq: int
    type: str
    type_label: str
    at: datetime
    actor: str
    role: str
    unit: str | None
    from_state: str | None
    to_state: str
    data: dict[str, Any]


class CaseOut(CaseSummaryOut):
    community_code: str | None
    condition_code: str | None
    handling_limit: str | None
    handling_deadline: datetime | None
    stage_deadline: datetime | None
    reporter_name: str | None
    reporter_phone: str | None
    source_ref: str | None
    tracking_code: str | None
    verifier: str | None
    checker: str | None
    reported_by: str
    pending_extension: dict[str, Any] | None
    outcome: str | None
    duplicate_of: int | None
    return_count: int
    extension_count: int
    suspension_count: int
    allowed_actions: list[str]
    attachments: list[AttachmentOut]
    duplicate_candidates: list[dict[str, Any]] = Field(default_factory=list)
    routing_suggestion: dict[str, Any] | None = None


class CasePublicOut(BaseModel):
    """What a citizen sees of their own report: no staff names, no internal notes."""

    case_no: str
    tracking_code: str | None
    status: str
    status_label: str
    class_name: str | None
    description: str
    address: str
    reported_at: datetime
    closed_at: datetime | None
    photos: list[AttachmentOut]
    progress: list[dict[str, Any]]


class ReportOut(BaseModel):
    case: CaseOut | CasePublicOut
    created: bool
    duplicates: list[dict[str, Any]]
