"""Parsing the ``[calendar]`` table of a city profile."""

from __future__ import annotations

import tomllib
from datetime import date, time
from importlib import resources
from typing import Any

import pytest

from cityops.domain.clock.settings import DayOverride, calendar_settings_from_dict

REGULAR = {"name": "regular", "intervals": ["08:30-12:00", "13:30-17:30"]}


def test_demo_profile_calendar() -> None:
    text = resources.files("cityops").joinpath("data/cities/jinan-demo/city.toml").read_text()
    s = calendar_settings_from_dict(tomllib.loads(text)["calendar"])
    assert s.time_zone == "Asia/Shanghai" and s.official_holidays
    assert [t.name for t in s.timetables] == ["冬季作息", "夏季作息"]
    assert s.timetables[1].start == (5, 1) and s.timetables[1].end == (9, 30)
    assert s.timetables[1].intervals[1] == (time(14), time(18))
    assert s.day_seconds() == 27000  # working_day_hours = 7.5


def test_overrides_from_toml() -> None:
    raw = tomllib.loads(
        """
        [[timetables]]
        intervals = ["08:30-12:00", "13:30-17:30"]
        [[overrides]]
        date = 2027-01-01
        working = false
        note = "元旦"
        [[overrides]]
        date = "2027-02-20"
        working = true
        intervals = ["09:00-12:00"]
        """
    )
    s = calendar_settings_from_dict(raw)
    assert s.overrides == (
        DayOverride(date(2027, 1, 1), False, "元旦", None),
        DayOverride(date(2027, 2, 20), True, "", ((time(9), time(12)),)),
    )
    assert s.day_seconds() == 7.5 * 3600  # default: the regular timetable's day


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"timetables": []}, "at least one timetable"),
        ({"time_zone": "Mars/Olympus", "timetables": [REGULAR]}, "unknown time zone"),
        ({"timetables": [{"intervals": ["12:00-08:30"]}]}, "start must be before end"),
        ({"timetables": [{"intervals": ["13:30-17:30", "08:30-12:00"]}]}, "unordered"),
        ({"timetables": [{"intervals": "08:30-12:00"}]}, "must be a list"),
        ({"timetables": [{**REGULAR, "from": "05-01"}]}, "both 'from' and 'to'"),
        ({"timetables": [{**REGULAR, "from": "02-30", "to": "09-30"}]}, "day is out of range"),
        ({"timetables": [REGULAR], "working_day_hours": 0}, "working_day_hours"),
        ({"timetables": [REGULAR], "working_day_hours": "7.5"}, "working_day_hours"),
        ({"timetables": [REGULAR], "official_holidays": "false"}, "official_holidays"),
        ({"timetables": [REGULAR], "overrides": [{"date": "2027-01-01"}]}, "needs 'date'"),
        (
            {"timetables": [REGULAR], "overrides": [{"date": "2027-01-01", "working": "false"}]},
            "must be true or false",
        ),
        (
            {
                "timetables": [REGULAR],
                "overrides": [
                    {
                        "date": "2027-01-02",
                        "working": True,
                        "intervals": ["13:00-17:00", "09:00-14:00"],
                    }
                ],
            },
            "overlap",
        ),
        ({"timetables": [REGULAR], "overrides": {"date": "2027-01-01"}}, "must be a list"),
    ],
)
def test_bad_calendar_tables_are_refused(table: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        calendar_settings_from_dict(table)
