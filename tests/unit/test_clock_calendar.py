"""The working calendar of the demo city (济南): deadlines worked out by hand.

Demo city timetables: winter 08:30–12:00 and 13:30–17:30; summer (05-01..09-30) 08:30–12:00
and 14:00–18:00. Both are 7.5 h; one working day = 7.5 working hours (27,000 s).
All times below are Beijing time (+08:00).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from importlib import resources

import pytest

from cityops.domain.clock.calendar import WorkCalendar, calendar_for
from cityops.domain.clock.days import DaySource
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.clock.settings import (
    CalendarSettings,
    DayOverride,
    Timetable,
    calendar_settings_from_dict,
)
from cityops.errors import CalendarError

CST = timezone(timedelta(hours=8))


def demo_settings() -> CalendarSettings:
    text = resources.files("cityops").joinpath("data/cities/jinan-demo/city.toml").read_text()
    return calendar_settings_from_dict(tomllib.loads(text)["calendar"])


DEMO = calendar_for(demo_settings())
WITH_2027 = calendar_for(
    replace(
        demo_settings(),
        overrides=(
            DayOverride(date(2027, 1, 1), False, "元旦"),
            DayOverride(date(2027, 2, 20), True, "调休上班", ((time(9), time(12)),)),
        ),
    )
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


W_H, W_D = LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS
MIN, HRS, DAYS = LimitUnit.MINUTES, LimitUnit.HOURS, LimitUnit.DAYS

DEADLINES = [
    # --- National Day 2025: 1–8 Oct off; make-up working Sun 28 Sep and Sat 11 Oct ---
    # Tue 30 Sep (summer) 16:00–18:00 = 2 h; 1–8 Oct off; Thu 9 Oct (winter) 08:30 + 2 h
    ("2025-09-30T16:00", 4, W_H, "2025-10-09T10:30"),
    # Sat 27 Sep rests; Sun 28 Sep is a make-up working day (summer): 08:30 + 1 h
    ("2025-09-27T10:00", 1, W_H, "2025-09-28T09:30"),
    # Fri 10 Oct 17:00–17:30 = 0.5 h; Sat 11 Oct make-up day: 08:30 + 0.5 h
    ("2025-10-10T17:00", 1, W_H, "2025-10-11T09:00"),
    # a start on a holiday counts from Thu 9 Oct 08:30; one full day ends at 17:30
    ("2025-10-01T09:00", 1, W_D, "2025-10-09T17:30"),
    # Fri 26 Sep 10:00–18:00 = 6 h; Sun 28, Mon 29, Tue 30 Sep = 22.5 h (28.5);
    # Thu 9 Oct 7.5 h (36); Fri 10 Oct 08:30 + 1.5 h. 5 days = 37.5 h
    ("2025-09-26T10:00", 5, W_D, "2025-10-10T10:00"),
    # --- Spring Festival 2026: 15–23 Feb off; make-up Sat 14 Feb and Sat 28 Feb ---
    # Fri 13 Feb 17:00–17:30 = 0.5 h; Sat 14 Feb 08:30 + 1.5 h
    ("2026-02-13T17:00", 2, W_H, "2026-02-14T10:00"),
    # Sat 14 Feb 16:00–17:30 = 1.5 h; 15–23 Feb off; Tue 24 Feb 08:30–11:00 = 2.5 h
    ("2026-02-14T16:00", 4, W_H, "2026-02-24T11:00"),
    # Fri 13 Feb 09:00: 3 + 4 = 7 h; Sat 14: 7.5 (14.5); Tue 24: 7.5 (22); Wed 25 08:30 + 0.5
    ("2026-02-13T09:00", 3, W_D, "2026-02-25T09:00"),
    # Fri 27 Feb 17:00–17:30 = 0.5 h; Sat 28 Feb make-up day 08:30 + 0.5 h
    ("2026-02-27T17:00", 1, W_H, "2026-02-28T09:00"),
    # --- lunch break ---
    # winter lunch 12:00–13:30: counting starts at 13:30
    ("2025-11-12T12:30", 1, W_H, "2025-11-12T14:30"),
    # a start exactly at 12:00 is in the lunch break too
    ("2025-11-12T12:00", 1, W_H, "2025-11-12T14:30"),
    # summer lunch 12:00–14:00: counting starts at 14:00
    ("2025-07-16T12:30", 1, W_H, "2025-07-16T15:00"),
    # 13:45 is still lunch in summer …
    ("2025-07-16T13:45", 1, W_H, "2025-07-16T15:00"),
    # … but working time in winter
    ("2025-10-09T13:45", 1, W_H, "2025-10-09T14:45"),
    # from the lunch break: Wed 13:30–17:30 = 4 h; Thu 08:30 + 3.5 h ends exactly at 12:00
    ("2025-11-12T12:30", 1, W_D, "2025-11-13T12:00"),
    # --- Friday evening ---
    # Fri 14 Nov 19:00: nothing left that day; Mon 17 Nov 08:30–12:00 = 3.5 h, 13:30 + 0.5 h
    ("2025-11-14T19:00", 4, W_H, "2025-11-17T14:00"),
    # a whole working day from Friday evening is Monday's whole day
    ("2025-11-14T19:00", 1, W_D, "2025-11-17T17:30"),
    # natural minutes do not care about the evening
    ("2025-11-14T19:00", 30, MIN, "2025-11-14T19:30"),
    # --- a limit ending exactly at an interval end gives that end, not the next start ---
    ("2025-11-12T08:30", 3.5, W_H, "2025-11-12T12:00"),
    ("2025-11-12T10:00", 2, W_H, "2025-11-12T12:00"),
    ("2025-11-12T08:30", 7.5, W_H, "2025-11-12T17:30"),
    ("2025-11-12T08:30", 1, W_D, "2025-11-12T17:30"),
    # half a working day = 3.75 h: 08:30–12:00 = 3.5 h, then 13:30 + 0.25 h
    ("2025-11-12T08:30", 0.5, W_D, "2025-11-12T13:45"),
    # --- the summer timetable switch ---
    # Wed 30 Apr (winter) 16:30–17:30 = 1 h; 1–5 May off; Tue 6 May (summer) 08:30–12:00 =
    # 3.5 h; 14:00 + 0.5 h (the winter afternoon would have given 14:00)
    ("2025-04-30T16:30", 5, W_H, "2025-05-06T14:30"),
    # Tue 30 Sep is still summer: work until 18:00
    ("2025-09-30T16:00", 2, W_H, "2025-09-30T18:00"),
    # 17:45–18:00 = 15 min on 30 Sep; Thu 9 Oct 08:30 + 15 min
    ("2025-09-30T17:45", 0.5, W_H, "2025-10-09T08:45"),
    # --- natural units run straight through the holiday ---
    ("2025-09-30T16:00", 3, DAYS, "2025-10-03T16:00"),
    ("2025-09-30T16:00", 48, HRS, "2025-10-02T16:00"),
    ("2025-09-30T23:50", 20, MIN, "2025-10-01T00:10"),
    # --- beyond the official data (2028): weekdays work, weekends rest ---
    # Fri 29 Sep 2028 (summer) 17:30–18:00 = 0.5 h; Mon 2 Oct works (no notice): 08:30 + 0.5 h
    ("2028-09-29T17:30", 1, W_H, "2028-10-02T09:00"),
    # Thu 31 Dec 2026 17:00–17:30 = 0.5 h; Fri 1 Jan 2027 works without an override
    ("2026-12-31T17:00", 1, W_H, "2027-01-01T09:00"),
]


@pytest.mark.parametrize(("start", "value", "unit", "expected"), DEADLINES)
def test_deadline_of_the_demo_city(
    start: str, value: float, unit: LimitUnit, expected: str
) -> None:
    due = DEMO.deadline(at(start), TimeLimit(value, unit))
    assert due == at(expected)
    assert due.tzinfo is UTC


@pytest.mark.parametrize(("start", "value", "unit", "expected"), DEADLINES)
def test_elapsed_up_to_the_deadline_is_the_limit(
    start: str, value: float, unit: LimitUnit, expected: str
) -> None:
    limit = TimeLimit(value, unit)
    seconds = DEMO.elapsed(at(start), at(expected), unit.is_working)
    assert seconds == limit.seconds(DEMO.day_seconds)


OVERRIDE_DEADLINES = [
    # Thu 31 Dec 2026 17:00–17:30 = 0.5 h; 1 Jan 2027 declared a holiday by the city;
    # Sat 2 and Sun 3 Jan rest; Mon 4 Jan 08:30 + 0.5 h
    ("2026-12-31T17:00", 1, W_H, "2027-01-04T09:00"),
    # Fri 19 Feb 2027 17:00–17:30 = 0.5 h; Sat 20 Feb declared working 09:00–12:00: 09:00 + 1.5 h
    ("2027-02-19T17:00", 2, W_H, "2027-02-20T10:30"),
    # Sat 20 Feb has only 3 h: 09:00–12:00; the rest (4.5 h) on Mon 22 Feb: 08:30–12:00 = 3.5,
    # 13:30 + 1 h
    ("2027-02-20T08:00", 7.5, W_H, "2027-02-22T14:30"),
]


@pytest.mark.parametrize(("start", "value", "unit", "expected"), OVERRIDE_DEADLINES)
def test_deadline_with_the_city_overrides(
    start: str, value: float, unit: LimitUnit, expected: str
) -> None:
    assert WITH_2027.deadline(at(start), TimeLimit(value, unit)) == at(expected)


# (date, calendar, working, source, timetable, holiday, make-up) — one row per fact
DAYS_TABLE = [
    # National Day 2025
    (date(2025, 10, 1), DEMO, False, DaySource.OFFICIAL, None, "国庆节", False),
    (date(2025, 10, 8), DEMO, False, DaySource.OFFICIAL, None, "国庆节", False),  # a Wednesday
    (date(2025, 9, 28), DEMO, True, DaySource.OFFICIAL, "夏季作息", "国庆节", True),  # Sunday
    (date(2025, 10, 11), DEMO, True, DaySource.OFFICIAL, "冬季作息", "国庆节", True),  # Sat
    (date(2025, 10, 9), DEMO, True, DaySource.OFFICIAL, "冬季作息", None, False),
    (date(2025, 9, 30), DEMO, True, DaySource.OFFICIAL, "夏季作息", None, False),
    # Spring Festival 2026
    (date(2026, 2, 14), DEMO, True, DaySource.OFFICIAL, "冬季作息", "春节", True),  # Saturday
    (date(2026, 2, 15), DEMO, False, DaySource.OFFICIAL, None, "春节", False),
    (date(2026, 2, 23), DEMO, False, DaySource.OFFICIAL, None, "春节", False),  # a Monday
    (date(2026, 2, 24), DEMO, True, DaySource.OFFICIAL, "冬季作息", None, False),
    (date(2026, 2, 28), DEMO, True, DaySource.OFFICIAL, "冬季作息", "春节", True),  # Saturday
    # the summer switch
    (date(2025, 4, 30), DEMO, True, DaySource.OFFICIAL, "冬季作息", None, False),
    (date(2025, 5, 1), DEMO, False, DaySource.OFFICIAL, None, "劳动节", False),
    (date(2025, 5, 6), DEMO, True, DaySource.OFFICIAL, "夏季作息", None, False),
    # an ordinary weekend
    (date(2025, 11, 15), DEMO, False, DaySource.OFFICIAL, None, None, False),
    # beyond the official data: weekday rule (1 Oct 2027 is a Friday and works)
    (date(2027, 10, 1), DEMO, True, DaySource.WEEKDAY_RULE, "冬季作息", None, False),
    (date(2027, 10, 2), DEMO, False, DaySource.WEEKDAY_RULE, None, None, False),
    # the city's overrides beat the weekday rule
    (date(2027, 1, 1), WITH_2027, False, DaySource.OVERRIDE, None, None, False),
    (date(2027, 2, 20), WITH_2027, True, DaySource.OVERRIDE, None, None, True),
]


@pytest.mark.parametrize(
    ("day", "cal", "working", "source", "timetable", "holiday", "makeup"), DAYS_TABLE
)
def test_day_classification(
    day: date,
    cal: WorkCalendar,
    working: bool,
    source: DaySource,
    timetable: str | None,
    holiday: str | None,
    makeup: bool,
) -> None:
    plan = cal.day(day)
    assert (plan.working, plan.source, plan.timetable) == (working, source, timetable)
    assert (plan.holiday, plan.makeup) == (holiday, makeup)
    assert cal.is_working_day(day) is working
    assert bool(cal.working_intervals(day)) is working


def test_override_keeps_its_note_and_own_intervals() -> None:
    plan = WITH_2027.day(date(2027, 2, 20))
    assert plan.note == "调休上班"
    assert plan.intervals == ((time(9), time(12)),)
    assert WITH_2027.day(date(2027, 1, 1)).note == "元旦"


def test_official_coverage_is_reported() -> None:
    assert DEMO.official_years == (2004, 2026)
    assert DEMO.is_official(date(2026, 12, 31))
    assert not DEMO.is_official(date(2027, 1, 1))
    assert not DEMO.day(date(2028, 10, 2)).official_covered
    assert DEMO.day(date(2025, 10, 2)).official_covered


def test_working_intervals_are_utc_instants() -> None:
    assert DEMO.working_intervals(date(2025, 5, 6)) == (
        (datetime(2025, 5, 6, 0, 30, tzinfo=UTC), datetime(2025, 5, 6, 4, 0, tzinfo=UTC)),
        (datetime(2025, 5, 6, 6, 0, tzinfo=UTC), datetime(2025, 5, 6, 10, 0, tzinfo=UTC)),
    )
    assert DEMO.working_intervals(date(2025, 10, 3)) == ()


@pytest.mark.parametrize(
    ("instant", "working"),
    [
        ("2025-11-12T08:30:00", True),  # first second of the morning
        ("2025-11-12T08:29:59", False),
        ("2025-11-12T11:59:59", True),
        ("2025-11-12T12:00:00", False),  # intervals are half-open
        ("2025-11-12T13:29:59", False),  # winter lunch
        ("2025-11-12T13:30:00", True),
        ("2025-07-16T13:30:00", False),  # summer lunch lasts until 14:00
        ("2025-10-03T10:00:00", False),  # National Day
        ("2025-10-11T10:00:00", True),  # make-up Saturday
    ],
)
def test_is_working_time(instant: str, working: bool) -> None:
    assert DEMO.is_working_time(at(instant)) is working


def test_elapsed_working_and_natural() -> None:
    # Tue 30 Sep (summer) 08:30–12:00 + 14:00–18:00 = 7.5 h; Thu 9 Oct 08:30–12:00 = 3.5 h
    start, end = at("2025-09-30T08:00"), at("2025-10-09T12:00")
    assert DEMO.elapsed(start, end, True) == 11 * 3600
    assert DEMO.elapsed(start, end, False) == 9 * 86400 + 4 * 3600
    assert DEMO.elapsed(end, start, True) == 0
    assert DEMO.elapsed(end, start, False) == 0


def test_zero_amount_is_the_start_itself() -> None:
    lunch = at("2025-11-12T12:30")
    assert DEMO.advance(lunch, 0, True) == lunch
    assert DEMO.advance(lunch, 0, False) == lunch


def test_fractions_of_a_second_are_dropped() -> None:
    start = at("2025-11-12T09:00:00.750")
    assert DEMO.advance(start, 60, False) == at("2025-11-12T09:01:00")
    assert DEMO.advance(start, 60, True) == at("2025-11-12T09:01:00")


def test_other_offsets_in_same_result() -> None:
    utc_start = datetime(2025, 9, 30, 8, 0, tzinfo=UTC)  # = 16:00 Beijing time
    assert DEMO.advance(utc_start, 4 * 3600) == at("2025-10-09T10:30")


def test_day_seconds_comes_from_the_profile() -> None:
    assert DEMO.day_seconds == 27000


def test_calendars_are_cached_per_settings_value() -> None:
    assert calendar_for(demo_settings()) is DEMO
    assert WorkCalendar.for_settings(demo_settings()) is DEMO
    assert calendar_for(CalendarSettings()) is not DEMO


def test_tables_extend_beyond_the_default_years() -> None:
    cal = WorkCalendar(demo_settings())
    # Mon 5 Jan 2004 is the first working day of the official data; Fri 2 Jan 2004 works too
    assert cal.advance(at("2004-01-02T08:30"), 3600) == at("2004-01-02T09:30")
    # 2040: weekday rule; Fri 6 Jul 2040 (summer) 17:30–18:00, Mon 9 Jul 08:30 + 0.5 h
    assert cal.advance(at("2040-07-06T17:30"), 3600) == at("2040-07-09T09:00")
    # a long limit grows the tables forward: 2,000 working days are about eight years
    far = cal.advance(at("2030-01-02T08:30"), 2000 * 27000)
    assert cal.elapsed(at("2030-01-02T08:30"), far) == 2000 * 27000
    assert far.year in (2037, 2038)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: DEMO.advance(datetime(2025, 1, 2, 9), 60), "calendar.naive_datetime"),
        (
            lambda: DEMO.elapsed(at("2025-01-02T09:00"), datetime(2025, 1, 3)),
            "calendar.naive_datetime",
        ),
        (lambda: DEMO.advance(at("2025-01-02T09:00"), -1), "calendar.amount_negative"),
        (lambda: DEMO.advance(at("2025-01-02T09:00"), 1.5), "calendar.amount_invalid"),  # type: ignore[arg-type]
        (lambda: DEMO.advance(at("2300-01-02T09:00"), 60), "calendar.out_of_range"),
        (lambda: DEMO.advance(at("2025-01-02T09:00"), 10**12), "calendar.out_of_range"),
        (lambda: DEMO.is_working_time(at("1800-01-02T09:00")), "calendar.out_of_range"),
    ],
)
def test_bad_input_raises_a_calendar_error(call: object, code: str) -> None:
    with pytest.raises(CalendarError) as info:
        call()  # type: ignore[operator]
    assert info.value.code == code


# --- a zone with daylight saving time: intervals are computed per day as absolute instants ---

BERLIN = calendar_for(
    CalendarSettings(
        time_zone="Europe/Berlin",
        timetables=(Timetable("regular", ((time(9), time(17)),)),),
        official_holidays=False,
    )
)


def test_daylight_saving_change_moves_the_utc_intervals() -> None:
    # Clocks go forward on Sun 30 Mar 2025: 09:00 is 08:00 UTC on Friday, 07:00 UTC on Monday
    assert BERLIN.working_intervals(date(2025, 3, 28))[0][0] == datetime(2025, 3, 28, 8, tzinfo=UTC)
    assert BERLIN.working_intervals(date(2025, 3, 31))[0][0] == datetime(2025, 3, 31, 7, tzinfo=UTC)
    # Fri 16:00–17:00 local = 1 h, Mon 09:00 + 1 h local = 10:00 CEST = 08:00 UTC
    friday = datetime(2025, 3, 28, 15, tzinfo=UTC)  # 16:00 CET
    assert BERLIN.advance(friday, 7200) == datetime(2025, 3, 31, 8, tzinfo=UTC)
    # without official holidays the weekday rule decides everywhere
    assert BERLIN.day(date(2025, 10, 1)).source == DaySource.WEEKDAY_RULE
    assert BERLIN.is_working_day(date(2025, 10, 1))


def test_the_last_override_of_a_date_wins() -> None:
    settings = replace(
        demo_settings(),
        overrides=(
            DayOverride(date(2027, 3, 1), False, "first"),
            DayOverride(date(2027, 3, 1), True, "second", ((time(10), time(11)),)),
        ),
    )
    plan = WorkCalendar(settings).day(date(2027, 3, 1))
    assert (plan.working, plan.note, plan.intervals) == (True, "second", ((time(10), time(11)),))
