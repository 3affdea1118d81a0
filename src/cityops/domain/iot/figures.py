"""The monitoring figures of one device kind from its devices' counts by level: the online
rate, the intact rate (完好率) and, for street lights, the lighting rate (亮灯率)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityops.domain.iot.kinds import Level, SensorKind

LIGHTING_KIND = "street_light"
# The order open alarms are listed in: the worst first (an offline device can no longer warn).
ALARM_LIST_ORDER = {Level.ALARM.value: 0, Level.OFFLINE.value: 1, Level.WARNING.value: 2}


@dataclass(frozen=True)
class LevelCounts:
    """Active devices of a kind: by current level, and those never heard from."""

    normal: int = 0
    warning: int = 0
    alarm: int = 0
    offline: int = 0
    never_seen: int = 0

    @property
    def total(self) -> int:
        return self.normal + self.warning + self.alarm + self.offline + self.never_seen

    @classmethod
    def of(cls, by_level: Mapping[str, int], never_seen: int = 0) -> LevelCounts:
        return cls(
            normal=by_level.get(Level.NORMAL.value, 0),
            warning=by_level.get(Level.WARNING.value, 0),
            alarm=by_level.get(Level.ALARM.value, 0),
            offline=by_level.get(Level.OFFLINE.value, 0),
            never_seen=never_seen,
        )


@dataclass(frozen=True)
class KindFigures:
    kind: str
    name: str
    total: int
    normal: int
    warning: int
    alarm: int
    offline: int
    never_seen: int
    online_rate: float | None  # (total − offline − never seen) / total, percent
    intact_rate: float | None  # devices working normally (no alarm, online) / total, percent
    lighting_rate: float | None  # street lights: lit (online, no fault) / total, percent


def percent(n: int, d: int) -> float | None:
    """n / d in percent to two decimals; None when there is nothing to divide by."""
    return round(100.0 * n / d, 2) if d else None


def kind_figures(kind: SensorKind, c: LevelCounts) -> KindFigures:
    """A device that never reported counts against every rate; a warning still works."""
    working = c.normal + c.warning
    return KindFigures(
        kind=kind.code,
        name=kind.name,
        total=c.total,
        normal=c.normal,
        warning=c.warning,
        alarm=c.alarm,
        offline=c.offline,
        never_seen=c.never_seen,
        online_rate=percent(c.total - c.offline - c.never_seen, c.total),
        intact_rate=percent(working, c.total),
        lighting_rate=percent(working, c.total) if kind.code == LIGHTING_KIND else None,
    )
