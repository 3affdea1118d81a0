"""The official calendar of working days (State Council holiday notices, with 调休).

The data comes from the ``chinese-calendar`` package, which encodes each year's notice once it
is published (version 1.11 covers 2004–2026). Outside the years it covers the package raises;
here such a date falls back to the weekday rule (Monday to Friday work, Saturday and Sunday
rest) and says so through ``OfficialDay.covered``, so a city can declare its own days as
overrides until a newer package version brings the notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import chinese_calendar


@dataclass(frozen=True, slots=True)
class OfficialDay:
    working: bool
    covered: bool  # the packaged State Council calendar covers this date
    holiday: str | None = None  # Chinese festival name of a rest day or of a make-up working day
    makeup: bool = False  # a weekend day worked in lieu (调休上班)


@lru_cache(maxsize=1)
def official_years() -> tuple[int, int]:
    """First and last year the packaged official calendar covers."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def weekday_rule(d: date) -> bool:
    """Monday to Friday work, Saturday and Sunday rest."""
    return d.weekday() < 5


def is_covered(d: date) -> bool:
    first, last = official_years()
    return first <= d.year <= last


def _chinese_name(english: str | None) -> str | None:
    if english is None:
        return None
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


@lru_cache(maxsize=8192)
def official_day(d: date) -> OfficialDay:
    """The official status of ``d``; the weekday rule where the calendar does not reach."""
    if not is_covered(d):
        return OfficialDay(working=weekday_rule(d), covered=False)
    working = bool(chinese_calendar.is_workday(d))
    _, english = chinese_calendar.get_holiday_detail(d)
    name = _chinese_name(english)
    return OfficialDay(
        working=working,
        covered=True,
        holiday=name if (name and (not working or not weekday_rule(d))) else None,
        makeup=working and not weekday_rule(d),
    )
