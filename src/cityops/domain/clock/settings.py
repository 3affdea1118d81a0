"""A city's working-time settings: data, loaded from the city profile."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True, slots=True)
class Timetable:
    """Working intervals of a working day, valid from ``start`` to ``end`` (month, day), inclusive.

    A timetable without ``start``/``end`` is the regular one. Seasonal timetables (夏季作息)
    override it on the days they cover; ranges may wrap the year end (11-01 .. 02-28).
    """

    name: str
    intervals: tuple[tuple[time, time], ...]
    start: tuple[int, int] | None = None  # (month, day)
    end: tuple[int, int] | None = None

    def covers(self, d: date) -> bool:
        if self.start is None or self.end is None:
            return True
        md = (d.month, d.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end

    def working_seconds(self) -> int:
        return sum(
            (e.hour * 3600 + e.minute * 60 + e.second) - (s.hour * 3600 + s.minute * 60 + s.second)
            for s, e in self.intervals
        )


@dataclass(frozen=True, slots=True)
class DayOverride:
    """A city's own decision for one date (e.g. a local holiday, or 2027 days before the
    State Council notice is in the packaged calendar). ``intervals`` None = the timetable's."""

    day: date
    working: bool
    note: str = ""
    intervals: tuple[tuple[time, time], ...] | None = None


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    time_zone: str = "Asia/Shanghai"
    timetables: tuple[Timetable, ...] = (
        Timetable("regular", ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))),
    )
    official_holidays: bool = True  # follow chinese-calendar (State Council notices, with 调休)
    overrides: tuple[DayOverride, ...] = field(default_factory=tuple)
    working_day_seconds: int | None = None  # default: the regular timetable's day

    def regular(self) -> Timetable:
        for t in self.timetables:
            if t.start is None:
                return t
        return self.timetables[0]

    def day_seconds(self) -> int:
        return self.working_day_seconds or self.regular().working_seconds()


def _parse_hhmm(text: str) -> time:
    hh, mm = text.strip().split(":")
    return time(int(hh), int(mm))


def _parse_interval(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    s, e = _parse_hhmm(start), _parse_hhmm(end)
    if not s < e:
        raise ValueError(f"interval {text!r}: start must be before end")
    return s, e


def _parse_md(text: str) -> tuple[int, int]:
    mm, dd = text.strip().split("-")
    m, d = int(mm), int(dd)
    date(2024, m, d)  # raises on an impossible month-day (2024: leap year allows 02-29)
    return m, d


def calendar_settings_from_dict(d: dict[str, object]) -> CalendarSettings:
    """Parse the ``[calendar]`` table of a city profile (``city.toml``)::

        time_zone = "Asia/Shanghai"
        official_holidays = true
        working_day_hours = 7.5              # optional; default: the regular day's length
        [[calendar.timetables]]
        name = "冬季作息"
        intervals = ["08:30-12:00", "13:30-17:30"]
        [[calendar.timetables]]
        name = "夏季作息"
        from = "05-01"
        to = "09-30"
        intervals = ["08:30-12:00", "14:00-18:00"]
        [[calendar.overrides]]
        date = "2027-01-01"
        working = false
        note = "元旦"

    Raises ``ValueError`` with a precise message on bad input; the profile loader turns it
    into a profile problem with file and field.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tz = str(d.get("time_zone", "Asia/Shanghai"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"calendar.time_zone: unknown time zone {tz!r}") from None
    tables_raw = d.get("timetables") or []
    if not isinstance(tables_raw, list) or not tables_raw:
        raise ValueError("calendar.timetables: at least one timetable is required")
    tables: list[Timetable] = []
    for i, t in enumerate(tables_raw):
        if not isinstance(t, dict):
            raise ValueError(f"calendar.timetables[{i}]: must be a table")
        intervals = _parse_intervals(t.get("intervals"), f"calendar.timetables[{i}]")
        if not intervals:
            raise ValueError(f"calendar.timetables[{i}]: intervals are required")
        start = _parse_md(str(t["from"])) if "from" in t else None
        end = _parse_md(str(t["to"])) if "to" in t else None
        if (start is None) != (end is None):
            raise ValueError(f"calendar.timetables[{i}]: give both 'from' and 'to' or neither")
        tables.append(Timetable(str(t.get("name", f"timetable{i}")), intervals, start, end))
    if not any(t.start is None for t in tables):
        raise ValueError(
            "calendar.timetables: one timetable without from/to (the regular one) is required"
        )
    overrides_raw = d.get("overrides") or []
    if not isinstance(overrides_raw, list):
        raise ValueError("calendar.overrides: must be a list of tables")
    overrides: list[DayOverride] = []
    for i, o in enumerate(overrides_raw):
        if not isinstance(o, dict) or "date" not in o or "working" not in o:
            raise ValueError(f"calendar.overrides[{i}]: needs 'date' and 'working'")
        raw_day = o["date"]
        if isinstance(raw_day, datetime):
            raise ValueError(f"calendar.overrides[{i}].date: a date without time is required")
        day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        if not isinstance(o["working"], bool):
            raise ValueError(f"calendar.overrides[{i}].working: must be true or false")
        ivs = _parse_intervals(o.get("intervals"), f"calendar.overrides[{i}]")
        overrides.append(DayOverride(day, o["working"], str(o.get("note", "")), ivs or None))
    official = d.get("official_holidays", True)
    if not isinstance(official, bool):
        raise ValueError("calendar.official_holidays: must be true or false")
    return CalendarSettings(
        time_zone=tz,
        timetables=tuple(tables),
        official_holidays=official,
        overrides=tuple(overrides),
        working_day_seconds=_parse_day_seconds(d.get("working_day_hours")),
    )


def _parse_intervals(raw: object, where: str) -> tuple[tuple[time, time], ...]:
    """A list of ``"HH:MM-HH:MM"`` strings, in order and without overlap."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f'{where}.intervals: must be a list such as ["08:30-12:00"]')
    intervals = tuple(_parse_interval(str(x)) for x in raw)
    for (_, e1), (s2, _) in itertools.pairwise(intervals):
        if not e1 <= s2:
            raise ValueError(f"{where}: intervals overlap or are unordered")
    return intervals


def _parse_day_seconds(hours: object) -> int | None:
    if hours is None:
        return None
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 24:
        raise ValueError("calendar.working_day_hours: must be a number of hours in (0, 24]")
    return round(hours * 3600)
