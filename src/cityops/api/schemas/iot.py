"""Request and response models of IoT monitoring (物联感知)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from cityops.api.schemas.common import Strict


class ReadingIn(Strict):
    device: str = Field(min_length=1, max_length=32, examples=["37010201037000001"])
    at: datetime = Field(
        description="When measured, with its UTC offset", examples=["2026-06-01T20:15:00+08:00"]
    )
    value: float | None = Field(default=None, description="The measured value, in the kind's unit")
    status: str = Field(
        default="ok", max_length=16, description="ok, or fault (the device reports a fault)"
    )


class ReadingsIn(Strict):
    readings: list[ReadingIn] = Field(min_length=1, max_length=5000)


class RejectedReadingOut(Strict):
    index: int
    device: str
    code: str
    message: str


class IngestOut(Strict):
    accepted: int
    late: int = Field(description="Stored, but older than the device's last reading")
    rejected: list[RejectedReadingOut]
    alarms_opened: int
    alarms_cleared: int
    cases: list[int] = Field(description="Cases reported for alarms confirmed by these readings")


class DeviceIn(Strict):
    code: str = Field(min_length=4, max_length=32, examples=["37010201037000001"])
    kind: str = Field(max_length=32, examples=["street_light"])
    name: str = Field(max_length=128, examples=["经十路1号灯杆"])
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    unit_code: str | None = Field(default=None, max_length=64, description="养护单位")


class DevicesIn(Strict):
    devices: list[DeviceIn] = Field(min_length=1, max_length=10000)


class RegisteredOut(Strict):
    registered: int


class DeviceOut(Strict):
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    grid_code: str | None
    street_code: str | None
    district_code: str | None
    unit_code: str | None
    level: str = Field(description="normal, warning, alarm, offline")
    level_since: datetime | None
    last_seen_at: datetime | None
    last_value: float | None
    last_status: str | None


class ReadingOut(Strict):
    at: datetime
    value: float | None
    status: str


class AlarmOut(Strict):
    id: int
    level: str
    started_at: datetime
    ended_at: datetime | None = None
    peak_value: float | None
    case_id: int | None
    report_error: str | None = None


class DeviceDetailOut(DeviceOut):
    readings: list[ReadingOut]
    alarms: list[AlarmOut]


class OpenAlarmOut(AlarmOut):
    device: str
    kind: str
    name: str
    lon: float
    lat: float
    district_code: str | None
    last_value: float | None


class KindOut(Strict):
    code: str
    name: str
    measure: str
    unit: str
    direction: str | None
    warn: float | None
    alarm: float | None
    fault_alarm: bool
    confirm: int
    offline_minutes: int
    condition_code: str
    report_offline: bool


class KindFiguresOut(Strict):
    kind: str
    name: str
    total: int
    normal: int
    warning: int
    alarm: int
    offline: int
    never_seen: int
    online_rate: float | None
    intact_rate: float | None = Field(description="完好率: online and without an alarm, percent")
    lighting_rate: float | None = Field(description="亮灯率 (street lights): lit, percent")
