"""Sensor kinds, the level a reading gives, and how a device's state follows its readings and
its silence (table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityops.domain.catalog.problems import ProblemLog
from cityops.domain.catalog.profile_iot import parse_iot
from cityops.domain.iot.kinds import Direction, Level, SensorKind, Status, sensor_kinds
from cityops.domain.iot.state import Change, DeviceState, after_reading, after_silence

T = datetime(2026, 6, 1, 8, tzinfo=UTC)

WATER = SensorKind(
    "waterlogging", "积水监测", "积水深度", "cm", Direction.ABOVE, 10, 20, True, 2, 60, "x", False
)
PRESSURE = SensorKind(
    "pressure", "供水压力", "压力", "MPa", Direction.BELOW, 0.2, 0.1, False, 1, 30, "x", True
)
LIGHT = SensorKind(
    "street_light", "路灯", "亮灯状态", "", None, None, None, True, 2, 120, "x", False
)


@pytest.mark.parametrize(
    ("kind", "value", "status", "level"),
    [
        (WATER, 3, Status.OK, Level.NORMAL),
        (WATER, 10, Status.OK, Level.WARNING),
        (WATER, 19.9, Status.OK, Level.WARNING),
        (WATER, 20, Status.OK, Level.ALARM),
        (WATER, None, Status.FAULT, Level.ALARM),
        (PRESSURE, 0.35, Status.OK, Level.NORMAL),
        (PRESSURE, 0.2, Status.OK, Level.WARNING),
        (PRESSURE, 0.05, Status.OK, Level.ALARM),
        (PRESSURE, None, Status.FAULT, Level.NORMAL),  # this kind ignores fault status
        (LIGHT, None, Status.OK, Level.NORMAL),
        (LIGHT, None, Status.FAULT, Level.ALARM),
        (WATER, float("nan"), Status.OK, Level.NORMAL),
    ],
)
def test_a_reading_puts_a_device_at_a_level(kind, value, status, level):
    assert kind.level(value, status) is level


def _run(
    kind: SensorKind, values: list[tuple[float | None, Status]]
) -> tuple[DeviceState, list[list[Change]]]:
    state, seen = DeviceState(), []
    for i, (value, status) in enumerate(values):
        state, changes = after_reading(kind, state, value, status, T + timedelta(minutes=5 * i))
        seen.append(changes)
    return state, seen


def test_an_alarm_is_confirmed_after_the_readings_its_kind_asks_for_and_reported_once():
    ok = Status.OK
    state, seen = _run(
        WATER, [(5, ok), (12, ok), (25, ok), (30, ok), (31, ok), (8, ok), (26, ok), (27, ok)]
    )
    assert seen == [
        [],
        [Change.RAISED],  # 预警
        [Change.RAISED],  # 报警, first reading
        [Change.CONFIRMED],  # second alarm reading in a row: report a case
        [],  # still in alarm: reported already
        [Change.CLEARED],  # back to normal
        [Change.RAISED],
        [Change.CONFIRMED],  # a new alarm: a new case
    ]
    assert state.level is Level.ALARM and state.reported and state.streak == 2


def test_a_warning_between_alarm_readings_starts_the_count_again():
    ok = Status.OK
    _, seen = _run(WATER, [(25, ok), (15, ok), (25, ok), (25, ok)])
    assert [Change.CONFIRMED in c for c in seen] == [False, False, False, True]


def test_a_late_reading_changes_nothing():
    state, _ = _run(WATER, [(5, Status.OK), (6, Status.OK)])
    late, changes = after_reading(WATER, state, 50, Status.OK, T)
    assert late is state and changes == []


def test_silence_makes_a_device_offline_and_reports_when_its_kind_says_so():
    state, _ = _run(PRESSURE, [(0.3, Status.OK)])
    same, none = after_silence(PRESSURE, state, T + timedelta(minutes=29))
    assert same is state and none == []
    offline, changes = after_silence(PRESSURE, state, T + timedelta(minutes=31))
    assert offline.level is Level.OFFLINE and changes == [Change.OFFLINE, Change.CONFIRMED]
    again, more = after_silence(PRESSURE, offline, T + timedelta(hours=5))
    assert again is offline and more == []
    back, cleared = after_reading(PRESSURE, offline, 0.3, Status.OK, T + timedelta(hours=6))
    assert back.level is Level.NORMAL and cleared == [Change.CLEARED] and not back.reported
    quiet, only = after_silence(WATER, _run(WATER, [(1, Status.OK)])[0], T + timedelta(hours=2))
    assert quiet.level is Level.OFFLINE and only == [Change.OFFLINE]  # no case for this kind
    never, nothing = after_silence(WATER, DeviceState(), T + timedelta(days=3))
    assert never.level is Level.NORMAL and nothing == []  # never heard from: left alone


def test_the_profile_file_is_read_into_kinds_and_its_mistakes_are_reported():
    conditions = {"01037-02": object(), "10901-01": object()}
    good = {
        "kinds": {
            "street_light": {"name": "路灯", "condition": "01037-02", "confirm": 2},
            "waterlogging": {
                "name": "积水",
                "unit": "cm",
                "above": {"warn": 10, "alarm": 20},
                "condition": "10901-01",
            },
        }
    }
    log = ProblemLog()
    doc = parse_iot(log, good, conditions)  # type: ignore[arg-type]
    assert log.problems == []
    k = sensor_kinds(doc)
    assert k["waterlogging"].direction is Direction.ABOVE and k["waterlogging"].alarm == 20
    assert k["street_light"].direction is None and k["street_light"].confirm == 2
    bad = {
        "kinds": {
            "Light": {"name": "", "condition": "99999-01", "confirm": 0, "colour": "red"},
            "water": {"name": "积水", "condition": "10901-01", "above": {"warn": 30, "alarm": 20}},
        }
    }
    log = ProblemLog()
    parse_iot(log, bad, conditions)  # type: ignore[arg-type]
    codes = {(p.column, p.code) for p in log.problems}
    assert {
        ("kinds.Light", "profile.iot_code_invalid"),
        ("kinds.Light.name", "profile.value_required"),
        ("kinds.Light.condition", "profile.condition_unknown"),
        ("kinds.Light.confirm", "profile.iot_invalid"),
        ("kinds.Light.colour", "profile.key_unknown"),
        ("kinds.water.above", "profile.iot_thresholds_order"),
    } <= codes
    assert all(p.file == "iot.toml" for p in log.problems)
