"""What one date is in a city: a working day or not, why, and its working hours (local time).

The rule, in order:

1. A ``DayOverride`` of the city for that date decides (working or not, and optionally its
   own intervals).
2. Otherwise, with ``official_holidays`` on, the official calendar decides (holidays and
   make-up working weekends, 调休); beyond the years it covers, the weekday rule.
3. With ``official_holidays`` off, the weekday rule.

A working day's intervals come from the override if it has its own, else from the first
seasonal timetable covering the date, else from the regular timetable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from functools import lru_cache

from cityops.domain.clock.official import official_day, weekday_rule
from cityops.domain.clock.settings import CalendarSettings, DayOverride, Timetable


class DaySource(StrEnum):
    OFFICIAL = "official"  # the packaged State Council calendar
    WEEKDAY_RULE = "weekday_rule"  # Monday–Friday, outside the official data or by choice
    OVERRIDE = "override"  # the city's own declaration


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    working: bool
    source: DaySource
    intervals: tuple[tuple[time, time], ...]  # local wall-clock intervals; empty on a rest day
    timetable: str | None = None  # name of the timetable the intervals come from
    holiday: str | None = None  # festival name (rest day or make-up working day)
    makeup: bool = False  # a weekend worked in lieu (调休上班)
    official_covered: bool = True  # False: the packaged official calendar does not reach it
    note: str = ""

    def working_seconds(self) -> int:
        return sum(_seconds(e) - _seconds(s) for s, e in self.intervals)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def timetable_for(settings: CalendarSettings, d: date) -> Timetable:
    """The first seasonal timetable covering ``d``, else the regular one."""
    for table in settings.timetables:
        if table.start is not None and table.covers(d):
            return table
    return settings.regular()


@lru_cache(maxsize=64)
def _overrides_by_day(overrides: tuple[DayOverride, ...]) -> dict[date, DayOverride]:
    return {o.day: o for o in overrides}  # the last one listed wins if a date is repeated


def override_for(settings: CalendarSettings, d: date) -> DayOverride | None:
    """The city's override for ``d`` (the last one listed wins if a date is repeated)."""
    if not settings.overrides:
        return None
    return _overrides_by_day(settings.overrides).get(d)


def plan_day(settings: CalendarSettings, d: date) -> DayPlan:
    official = official_day(d)
    covered = official.covered
    if settings.official_holidays:
        working = official.working
        source = DaySource.OFFICIAL if official.covered else DaySource.WEEKDAY_RULE
        holiday, makeup = official.holiday, official.makeup
    else:
        working, source, holiday, makeup = weekday_rule(d), DaySource.WEEKDAY_RULE, None, False
    override = override_for(settings, d)
    note = ""
    own_intervals = None
    if override is not None:
        working, source, note = override.working, DaySource.OVERRIDE, override.note
        own_intervals = override.intervals
        makeup = working and not weekday_rule(d)
        holiday = holiday if working == official.working else None
    if not working:
        return DayPlan(d, False, source, (), None, holiday, False, covered, note)
    if own_intervals is not None:
        return DayPlan(d, True, source, tuple(own_intervals), None, holiday, makeup, covered, note)
    table = timetable_for(settings, d)
    return DayPlan(d, True, source, table.intervals, table.name, holiday, makeup, covered, note)
