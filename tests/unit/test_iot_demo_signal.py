"""The demo sensors' signal: a pure function of device and slot, with fault episodes long
enough to confirm an alarm, silent days, and normal readings that stay normal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cityops.domain.iot.kinds import Direction, Level, SensorKind, Status
from cityops.services.iot.demo_sensors import DEMO_KINDS, SLOT, _next_slot, signal

TZ = ZoneInfo("Asia/Shanghai")
WATER = SensorKind(
    "waterlogging", "积水监测", "积水深度", "cm", Direction.ABOVE, 10, 20, False, 2, 60, "x", False
)
PRESSURE = SensorKind(
    "pressure", "供水压力", "压力", "MPa", Direction.BELOW, 0.2, 0.1, False, 1, 30, "x", True
)
LIGHT = SensorKind(
    "street_light", "路灯", "亮灯状态", "", None, None, None, True, 2, 120, "x", False
)


def _day(kind: SensorKind, code: str, day: date) -> list[Level | None]:
    start = datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)
    out: list[Level | None] = []
    for i in range(96):
        r = signal(kind, code, start + i * SLOT, TZ)
        out.append(None if r is None else kind.level(r.value, Status(r.status)))
    return out


def test_the_same_device_and_slot_give_the_same_reading() -> None:
    at = datetime(2026, 6, 1, 8, 15, tzinfo=UTC)
    assert signal(WATER, "JN-WL-00001", at, TZ) == signal(WATER, "JN-WL-00001", at, TZ)
    r = signal(WATER, "JN-WL-00001", at, TZ)
    assert r is not None and at <= r.at < at + timedelta(minutes=10)


@pytest.mark.parametrize("kind", [WATER, PRESSURE, LIGHT])
def test_a_year_of_days_has_episodes_silences_and_normal_days(kind: SensorKind) -> None:
    demo = DEMO_KINDS.get(kind.code)
    code = f"JN-T-{kind.code}"
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(365)]
    episodes = silent = 0
    for day in days:
        levels = _day(kind, code, day)
        if all(lv is None for lv in levels):
            silent += 1
            continue
        assert None not in levels  # a device is silent all day or not at all
        alarms = [i for i, lv in enumerate(levels) if lv == Level.ALARM]
        if alarms:
            episodes += 1
            # one run of alarm readings, long enough to confirm, after a warning slot
            # (or at midnight, where the day begins)
            assert alarms == list(range(alarms[0], alarms[-1] + 1))
            assert len(alarms) >= kind.confirm
            if kind.direction is not None and alarms[0] > 0:
                assert levels[alarms[0] - 1] == Level.WARNING
        else:
            assert set(levels) == {Level.NORMAL}
    if demo is not None:
        assert 0 < episodes < 365 * demo.episode_per_day * 3
    assert episodes + silent < 365 / 4


def test_street_lights_are_lit_at_night_and_off_by_day() -> None:
    code = "JN-SL-00007"
    night = datetime(2026, 1, 5, 22, tzinfo=TZ).astimezone(UTC)
    noon = datetime(2026, 1, 5, 12, tzinfo=TZ).astimezone(UTC)
    lit = [signal(LIGHT, code, night + i * SLOT, TZ) for i in range(4)]
    off = [signal(LIGHT, code, noon + i * SLOT, TZ) for i in range(4)]
    assert {r.value for r in lit if r and r.status == "ok"} <= {1.0}
    assert {r.value for r in off if r and r.status == "ok"} <= {0.0}


def test_slots_start_on_the_quarter_hour_after_the_last_reading() -> None:
    assert _next_slot(datetime(2026, 6, 1, 8, 7, 30, tzinfo=UTC)) == datetime(
        2026, 6, 1, 8, 15, tzinfo=UTC
    )
    assert _next_slot(datetime(2026, 6, 1, 8, 15, tzinfo=UTC)) == datetime(
        2026, 6, 1, 8, 30, tzinfo=UTC
    )
