"""The pausable handling clock and its warning light, against the demo city's calendar.

Demo city winter timetable: 08:30–12:00 and 13:30–17:30 (Beijing time, +08:00).
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone
from importlib import resources

import pytest

from cityops.domain.cases.vocabulary import Light
from cityops.domain.clock.calendar import calendar_for
from cityops.domain.clock.case_clock import PausableClock, light_for
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.clock.settings import calendar_settings_from_dict

CST = timezone(timedelta(hours=8))
TEXT = resources.files("cityops").joinpath("data/cities/jinan-demo/city.toml").read_text()
CAL = calendar_for(calendar_settings_from_dict(tomllib.loads(TEXT)["calendar"]))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


FOUR_WORKING_HOURS = TimeLimit(4, LimitUnit.WORKING_HOURS)


@pytest.mark.parametrize(
    ("used", "limit", "light"),
    [
        (0, 100, Light.GREEN),
        (79, 100, Light.GREEN),  # just under 80 %
        (80, 100, Light.YELLOW),  # exactly 80 %
        (100, 100, Light.YELLOW),  # exactly at the limit: not yet overdue
        (101, 100, Light.RED),  # overdue
        (0, 0, Light.RED),  # a zero limit is overdue at once
    ],
)
def test_light_for(used: int, limit: int, light: Light) -> None:
    assert light_for(used, limit) == light


def test_running_clock_deadline_yellow_and_lights() -> None:
    # Wed 12 Nov 2025 08:30 + 4 working hours: 08:30–12:00 = 3.5 h, 13:30 + 0.5 h = 14:00
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-11-12T08:30"), CAL)
    assert clock.limit_seconds == 14400 and clock.working
    assert clock.deadline(CAL) == at("2025-11-12T14:00")
    # 80 % of 4 h = 3 h 12 min: 08:30 + 3:12 = 11:42
    assert clock.yellow_at(CAL) == at("2025-11-12T11:42")
    assert clock.light(at("2025-11-12T11:41:59"), CAL) == Light.GREEN
    assert clock.light(at("2025-11-12T11:42"), CAL) == Light.YELLOW
    # the lunch break does not count: at 13:30 only 3.5 h are used
    assert clock.used_at(at("2025-11-12T13:30"), CAL) == 3.5 * 3600
    assert clock.light(at("2025-11-12T14:00"), CAL) == Light.YELLOW
    assert not clock.is_over(at("2025-11-12T14:00"), CAL)
    assert clock.light(at("2025-11-12T14:00:01"), CAL) == Light.RED
    assert clock.is_over(at("2025-11-12T14:00:01"), CAL)


def test_suspended_span_is_excluded() -> None:
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-11-12T08:30"), CAL)
    # suspended at 10:30 with 2 h used
    paused = clock.pause(at("2025-11-12T10:30"), CAL)
    assert not paused.running and paused.used_seconds == 7200
    assert paused.deadline(CAL) is None and paused.yellow_at(CAL) is None
    # while suspended the used time stays put, also over a night and in working hours
    assert paused.used_at(at("2025-11-13T11:00"), CAL) == 7200
    assert paused.light(at("2025-11-20T11:00"), CAL) == Light.GREEN
    # resumed Thu 13 Nov 08:30: 2 h left → 10:30; yellow at 3 h 12 min used → 09:42
    resumed = paused.resume(at("2025-11-13T08:30"))
    assert resumed.deadline(CAL) == at("2025-11-13T10:30")
    assert resumed.yellow_at(CAL) == at("2025-11-13T09:42")
    assert resumed.used_at(at("2025-11-13T09:30"), CAL) == 3 * 3600


def test_approved_extension_is_added() -> None:
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-11-12T08:30"), CAL)
    paused = clock.pause(at("2025-11-12T10:30"), CAL).resume(at("2025-11-13T08:30"))
    extended = paused.extend(TimeLimit(2, LimitUnit.WORKING_HOURS), CAL)
    assert extended.limit_seconds == 6 * 3600
    # 2 h used, 4 h left from Thu 08:30: 08:30–12:00 = 3.5 h, 13:30 + 0.5 h = 14:00
    assert extended.deadline(CAL) == at("2025-11-13T14:00")
    # yellow at 80 % of 6 h = 4 h 48 min used: 2 h 48 min after 08:30 = 11:18
    assert extended.yellow_at(CAL) == at("2025-11-13T11:18")
    # red under the old limit, yellow under the extended one
    assert paused.light(at("2025-11-13T11:00"), CAL) == Light.RED
    assert extended.light(at("2025-11-13T11:00"), CAL) == Light.GREEN


def test_extension_in_working_days_uses_the_city_day() -> None:
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-11-12T08:30"), CAL)
    extended = clock.extend(TimeLimit(1, LimitUnit.WORKING_DAYS), CAL)
    assert extended.limit_seconds == 14400 + 27000


def test_pause_and_resume_are_idempotent() -> None:
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-11-12T08:30"), CAL)
    assert clock.resume(at("2025-11-12T09:00")) == clock
    paused = clock.pause(at("2025-11-12T09:00"), CAL)
    assert paused.pause(at("2025-11-12T11:00"), CAL) == paused


def test_overdue_clock_has_its_deadline_at_resume() -> None:
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-11-12T08:30"), CAL)
    late = clock.pause(at("2025-11-12T16:00"), CAL)  # 3.5 h + 2.5 h = 6 h used
    assert late.used_seconds == 6 * 3600
    again = late.resume(at("2025-11-14T09:00"))
    assert again.deadline(CAL) == at("2025-11-14T09:00")
    assert again.light(at("2025-11-14T09:00"), CAL) == Light.RED


def test_natural_clock_runs_through_nights_and_holidays() -> None:
    # 2 natural days from Tue 30 Sep 2025 16:00 end on Thu 2 Oct 16:00 (a holiday)
    clock = PausableClock.start(TimeLimit(2, LimitUnit.DAYS), at("2025-09-30T16:00"), CAL)
    assert not clock.working
    assert clock.deadline(CAL) == at("2025-10-02T16:00")
    # 80 % of 48 h = 38.4 h: Wed 1 Oct 16:00 + 14 h 24 min = Thu 2 Oct 06:24
    assert clock.yellow_at(CAL) == at("2025-10-02T06:24")
    paused = clock.pause(at("2025-10-01T16:00"), CAL)  # one day used
    assert paused.resume(at("2025-10-05T08:00")).deadline(CAL) == at("2025-10-06T08:00")


def test_working_clock_started_on_a_holiday_waits_for_the_first_working_day() -> None:
    # started Fri 3 Oct 2025 (National Day): counting from Thu 9 Oct 08:30
    clock = PausableClock.start(FOUR_WORKING_HOURS, at("2025-10-03T10:00"), CAL)
    assert clock.used_at(at("2025-10-08T23:00"), CAL) == 0
    assert clock.deadline(CAL) == at("2025-10-09T14:00")
