"""How a device's state follows its readings.

A device is at one level (normal, warning, alarm, offline). Each reading gives a level
(``SensorKind.level``); the device takes it at once, and counts how many readings in a row
have been at alarm level. When that count reaches the kind's ``confirm``, the alarm is
confirmed and a case is reported — once per alarm: it stays reported until the device is
normal again. A device that sends nothing for ``offline_minutes`` goes offline (and, if the
kind says so, reports a case as well).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cityops.domain.iot.kinds import Level, SensorKind, Status


class Change(StrEnum):
    RAISED = "raised"  # a warning or alarm began (or got worse)
    CONFIRMED = "confirmed"  # an alarm held long enough: report a case
    CLEARED = "cleared"  # back to normal
    OFFLINE = "offline"


@dataclass(frozen=True)
class DeviceState:
    level: Level = Level.NORMAL
    since: datetime | None = None  # when the current level began
    streak: int = 0  # readings in a row at alarm level
    reported: bool = False  # a case was reported for the current alarm
    last_seen: datetime | None = None
    last_value: float | None = None


def after_reading(
    kind: SensorKind, state: DeviceState, value: float | None, status: Status, at: datetime
) -> tuple[DeviceState, list[Change]]:
    """The state after a reading taken at ``at``, and what changed. Readings older than the
    last one seen change nothing (they arrive late over weak networks)."""
    if state.last_seen is not None and at <= state.last_seen:
        return state, []
    level = kind.level(value, status)
    changes: list[Change] = []
    streak = state.streak + 1 if level == Level.ALARM else 0
    reported = state.reported
    if level == Level.NORMAL:
        if state.level != Level.NORMAL:
            changes.append(Change.CLEARED)
        reported = False
    elif severity(level) > severity(state.level) or state.level == Level.OFFLINE:
        changes.append(Change.RAISED)
    if level == Level.ALARM and streak >= kind.confirm and not reported:
        changes.append(Change.CONFIRMED)
        reported = True
    since = state.since if level == state.level and state.since is not None else at
    return (
        DeviceState(level, since, streak, reported, at, value),
        changes,
    )


def after_silence(
    kind: SensorKind, state: DeviceState, now: datetime
) -> tuple[DeviceState, list[Change]]:
    """The state when no reading has come: offline once ``offline_minutes`` have passed
    since the last one (a device never heard from is left alone)."""
    if state.last_seen is None or state.level == Level.OFFLINE:
        return state, []
    if now - state.last_seen < timedelta(minutes=kind.offline_minutes):
        return state, []
    changes = [Change.OFFLINE]
    reported = state.reported
    if kind.report_offline and not reported:
        changes.append(Change.CONFIRMED)
        reported = True
    return replace(state, level=Level.OFFLINE, since=now, streak=0, reported=reported), changes


def severity(level: Level) -> int:
    """How bad a level is: normal < offline < warning < alarm."""
    return {Level.NORMAL: 0, Level.OFFLINE: 1, Level.WARNING: 2, Level.ALARM: 3}[level]
