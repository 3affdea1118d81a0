"""The kinds of sensor a city monitors (``iot.toml`` of the city profile) and the level a
reading puts a device in."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    NORMAL = "normal"  # 正常
    WARNING = "warning"  # 预警
    ALARM = "alarm"  # 报警
    OFFLINE = "offline"  # 离线

    @property
    def label_zh(self) -> str:
        return {"normal": "正常", "warning": "预警", "alarm": "报警", "offline": "离线"}[self.value]


class Direction(StrEnum):
    ABOVE = "above"  # too high is bad (gas concentration, water depth, tilt, displacement)
    BELOW = "below"  # too low is bad (water pressure, battery)


class Status(StrEnum):
    """What a device says of itself besides its value."""

    OK = "ok"
    FAULT = "fault"  # the device reports a fault (a lamp out, a cover opened)


@dataclass(frozen=True)
class SensorKind:
    code: str  # street_light, manhole, waterlogging, gas, bridge …
    name: str  # 路灯
    measure: str  # what the value measures: 倾角, 积水深度 …
    unit: str  # °, cm, %LEL, mm
    direction: Direction | None  # None: only the device's own fault status counts
    warn: float | None
    alarm: float | None
    fault_alarm: bool  # a reading with status "fault" is an alarm
    confirm: int  # alarm readings in a row before a case is reported
    offline_minutes: int  # no reading for this long: offline
    condition_code: str  # the filing condition of the case an alarm reports (its class too)
    report_offline: bool  # an offline device reports a case too

    def level(self, value: float | None, status: Status = Status.OK) -> Level:
        """The level a reading puts the device in."""
        if status == Status.FAULT and self.fault_alarm:
            return Level.ALARM
        if value is None or self.direction is None or not math.isfinite(value):
            return Level.NORMAL
        past = (lambda v, t: v >= t) if self.direction == Direction.ABOVE else (lambda v, t: v <= t)
        if self.alarm is not None and past(value, self.alarm):
            return Level.ALARM
        if self.warn is not None and past(value, self.warn):
            return Level.WARNING
        return Level.NORMAL

    def worse_peak(self, value: float | None, peak: float | None) -> bool:
        """Whether ``value`` is a worse peak for an alarm than ``peak`` (higher, or lower for
        a kind where lower is worse)."""
        if value is None:
            return False
        if peak is None:
            return True
        return value < peak if self.direction == Direction.BELOW else value > peak


def sensor_kinds(iot: Mapping[str, Any]) -> dict[str, SensorKind]:
    """The kinds of a profile's validated ``iot`` document."""
    out = {}
    for code, k in (iot.get("kinds") or {}).items():
        limits = k.get("above") or k.get("below") or {}
        direction = Direction.ABOVE if "above" in k else Direction.BELOW if "below" in k else None
        out[code] = SensorKind(
            code=code,
            name=k["name"],
            measure=k.get("measure", ""),
            unit=k.get("unit", ""),
            direction=direction,
            warn=float(limits["warn"]) if "warn" in limits else None,
            alarm=float(limits["alarm"]) if "alarm" in limits else None,
            fault_alarm=bool(k.get("fault_alarm", True)),
            confirm=int(k.get("confirm", 1)),
            offline_minutes=int(k.get("offline_minutes", 60)),
            condition_code=k["condition"],
            report_offline=bool(k.get("report_offline", False)),
        )
    return out
