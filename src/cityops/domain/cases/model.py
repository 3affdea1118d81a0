"""The case (案卷) as a value, the actor who acts on it, and the events it is made of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityops.domain.cases.vocabulary import CaseState, Channel, EventType, Light, Role
from cityops.domain.catalog.model import AreaClass, Stage, Urgency
from cityops.domain.clock.case_clock import PausableClock

EVENT_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user id (or a system id such as ``video-ai``), the role they act in and,
    for handlers, their unit."""

    id: str
    role: Role
    unit: str | None = None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    sha256: str
    mime: str
    size: int
    kind: str  # before | after | verify | check | other
    filename: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "mime": self.mime,
            "size": self.size,
            "kind": self.kind,
            "filename": self.filename,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One append-only record of the audit trail. ``seq`` counts from 1 per case; the pair
    (case_id, seq) is unique and doubles as the optimistic lock."""

    case_id: int
    seq: int
    type: EventType
    at: datetime
    actor: str
    role: Role
    unit: str | None
    from_state: CaseState | None
    to_state: CaseState
    data: Mapping[str, Any]
    schema_version: int = EVENT_SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class StageClock:
    """The limit of the current desk or field stage (everything except handling)."""

    stage: Stage
    started_at: datetime
    deadline: datetime
    yellow_at: datetime


@dataclass(frozen=True)
class Case:
    id: int
    case_no: str
    version: int  # seq of the last event
    state: CaseState
    channel: Channel
    reported_at: datetime
    reported_by: str
    description: str
    address: str
    lon: float
    lat: float
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None
    area_class: AreaClass
    class_code: str | None  # suggested at report, official once filed
    condition_code: str | None = None
    urgency: Urgency = Urgency.NORMAL
    handling_limit: str | None = None  # e.g. "4 working_hours", copied from the condition at filing
    reporter_name: str | None = None  # masked
    reporter_phone: str | None = None  # masked
    source_ref: str | None = None  # an external id (hotline order, sensor alarm, upper platform)
    tracking_code: str | None = None  # for the public to follow their report
    verifier: str | None = None
    checker: str | None = None
    assigned_unit: str | None = None
    stage_clock: StageClock | None = None
    handling: PausableClock | None = None
    handling_deadline: datetime | None = None
    handling_yellow_at: datetime | None = None
    suspended: bool = False
    pending_extension: Mapping[str, Any] | None = None
    light: Light = Light.GREEN
    verified_found: bool | None = None
    filed_at: datetime | None = None
    first_dispatched_at: datetime | None = None
    dispatched_at: datetime | None = None
    handled_at: datetime | None = None
    handled_on_time: bool | None = None
    closed_at: datetime | None = None
    ended_at: datetime | None = None  # closed, rejected or cancelled
    outcome: str | None = None  # close outcome, reject reason or "cancelled"
    duplicate_of: int | None = None
    rework_count: int = 0
    return_count: int = 0
    dispatch_count: int = 0
    extension_count: int = 0
    suspension_count: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return not self.state.is_terminal

    def current_deadline(self) -> datetime | None:
        if self.state == CaseState.DISPATCHED:
            return self.handling_deadline
        return self.stage_clock.deadline if self.stage_clock else None

    def next_light_change(self) -> datetime | None:
        """When the sweep must look at this case again (yellow, then red)."""
        if self.state.is_terminal or self.suspended:
            return None
        if self.state == CaseState.DISPATCHED:
            if self.handling is None or self.handling.running_since is None:
                return None
            deadline = self.handling_deadline
            yellow = self.handling_yellow_at
        elif self.stage_clock is not None:
            deadline = self.stage_clock.deadline
            yellow = self.stage_clock.yellow_at
        else:
            return None
        if self.light == Light.GREEN and yellow is not None:
            return yellow
        if self.light in (Light.GREEN, Light.YELLOW):
            return deadline
        return None
