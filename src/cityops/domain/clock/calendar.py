"""The working calendar of a city (工作日历): which days are working days, their working
hours, and the arithmetic of working time (deadlines and elapsed time).

``WorkCalendar`` implements ``WorkingTime`` (``protocol.py``). Semantics, in short (the full
text is ``docs/working-time.md``):

* working time is the union of the working intervals of the working days (``days.py``);
* natural time is plain elapsed time;
* ``advance(start, s, working)`` is the earliest instant at which ``s`` seconds of that time
  have passed since ``start``; ``elapsed(start, end, working)`` counts them in ``[start, end)``;
* the resolution is one second: fractions of a second of the inputs are dropped;
* inputs must be timezone-aware, outputs are aware datetimes in UTC.

Tables of working intervals are built lazily for a range of years and extended on demand;
calendars are cached per settings value (``calendar_for``).
"""

from __future__ import annotations

import operator
import threading
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from cityops.domain.clock.days import DayPlan, plan_day
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.clock.official import official_years
from cityops.domain.clock.settings import CalendarSettings
from cityops.domain.clock.tables import (
    WorkTables,
    from_epoch,
    local_instant,
    to_epoch,
    year_intervals,
)
from cityops.errors import CalendarError

MIN_YEAR = 1900
MAX_YEAR = 2199
DEFAULT_YEARS = (2015, 2035)  # built on first use; extended when a computation leaves them
_YEAR_SECONDS_FLOOR = 4_000_000  # fewer working seconds than any real year has (for growth)


def _out_of_range(value: object) -> CalendarError:
    return CalendarError(
        "calendar.out_of_range",
        f"时间超出工作日历支持的范围（{MIN_YEAR}–{MAX_YEAR} 年）",
        value=str(value),
        min_year=MIN_YEAR,
        max_year=MAX_YEAR,
    )


def _epoch(dt: datetime) -> int:
    if not isinstance(dt, datetime):
        raise CalendarError("calendar.not_datetime", "需要一个日期时间", value=repr(dt))
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise CalendarError(
            "calendar.naive_datetime",
            f"时间“{dt.isoformat()}”缺少时区，无法计算工作时间",
            value=dt.isoformat(),
        )
    return to_epoch(dt)


def _amount(seconds: int) -> int:
    try:
        if isinstance(seconds, bool):
            raise TypeError
        value = operator.index(seconds)
    except TypeError:
        raise CalendarError(
            "calendar.amount_invalid", f"时长必须是整数秒，收到“{seconds!r}”", value=repr(seconds)
        ) from None
    if value < 0:
        raise CalendarError(
            "calendar.amount_negative", f"时长不能为负数，收到 {value} 秒", value=value
        )
    return value


def _utc(t: int) -> datetime:
    try:
        return from_epoch(t)
    except OverflowError:
        raise _out_of_range(t) from None


class WorkCalendar:
    """A city's working calendar, built from its ``CalendarSettings``."""

    def __init__(self, settings: CalendarSettings) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.time_zone)
        self._years: dict[int, tuple[list[int], list[int]]] = {}
        self._tables: WorkTables | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: CalendarSettings) -> WorkCalendar:
        """The shared (cached) calendar of ``settings``."""
        return calendar_for(settings)

    def __repr__(self) -> str:
        return (
            f"WorkCalendar({self.settings.time_zone}, {len(self.settings.timetables)} timetables)"
        )

    @property
    def day_seconds(self) -> int:
        return self.settings.day_seconds()

    # --- days -----------------------------------------------------------------------------

    def day(self, d: date) -> DayPlan:
        """Everything about date ``d``: working or not, why, its timetable and intervals."""
        return plan_day(self.settings, d)

    def is_working_day(self, d: date) -> bool:
        return self.day(d).working

    def working_intervals(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals ``[start, end)`` of ``d`` as aware UTC datetimes."""
        return tuple(
            (from_epoch(local_instant(d, s, self.zone)), from_epoch(local_instant(d, e, self.zone)))
            for s, e in self.day(d).intervals
        )

    def is_official(self, d: date) -> bool:
        """Whether the packaged official calendar covers ``d``. Beyond it the weekday rule and
        the city's overrides decide; ``day(d).source`` says which rule applied."""
        first, last = official_years()
        return first <= d.year <= last

    @property
    def official_years(self) -> tuple[int, int]:
        return official_years()

    def is_working_time(self, dt: datetime) -> bool:
        t = _epoch(dt)
        return self.tables(t, t).is_working(t)

    def local(self, dt: datetime) -> datetime:
        """``dt`` in the city's time zone."""
        return dt.astimezone(self.zone)

    # --- arithmetic (WorkingTime) ---------------------------------------------------------

    def advance(self, start: datetime, seconds: int, working: bool = True) -> datetime:
        return _utc(self.advance_epoch(_epoch(start), _amount(seconds), working))

    def elapsed(self, start: datetime, end: datetime, working: bool = True) -> int:
        return self.elapsed_epoch(_epoch(start), _epoch(end), working)

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime:
        return self.advance(start, limit.seconds(self.day_seconds), limit.unit.is_working)

    def advance_epoch(self, start: int, seconds: int, working: bool = True) -> int:
        if not working or seconds == 0:
            return start + seconds
        self.check_reach(start + seconds)
        tables = self.tables(start, start)
        while True:
            target = tables.position(start) + seconds
            if target <= tables.total:
                return tables.instant(target)
            tables = self.grown(tables, target - tables.total)

    def elapsed_epoch(self, start: int, end: int, working: bool = True) -> int:
        if end <= start:
            return 0
        if not working:
            return end - start
        tables = self.tables(start, end)
        return tables.position(end) - tables.position(start)

    # --- tables ---------------------------------------------------------------------------

    def tables(self, lo: int, hi: int) -> WorkTables:
        """Tables covering the instants ``lo..hi`` (epoch seconds), built or extended lazily."""
        current = self._tables
        if current is not None and current.covers(lo) and current.covers(hi):
            return current
        first, last = self._year_of(lo), self._year_of(hi)
        if current is None:
            first, last = min(first, DEFAULT_YEARS[0]), max(last, DEFAULT_YEARS[1])
        else:
            first, last = min(first, current.first_year), max(last, current.last_year)
        return self._build(first, last)

    def check_reach(self, natural_end: int) -> None:
        """Refuse early a working amount that cannot end within the supported years: working
        time never runs faster than natural time, so it ends no sooner than ``natural_end``."""
        if natural_end >= self._end_of_range:
            raise _out_of_range(from_epoch(min(natural_end, self._end_of_range)).isoformat())

    @property
    def _end_of_range(self) -> int:
        return local_instant(date(MAX_YEAR + 1, 1, 1), _MIDNIGHT, self.zone)

    def grown(self, tables: WorkTables, deficit: int) -> WorkTables:
        """Tables reaching later than ``tables`` by about ``deficit`` working seconds.

        Positions depend on the first year of the tables, so callers compute them again on
        the tables returned here."""
        if tables.last_year >= MAX_YEAR:
            raise _out_of_range(f"+{deficit} working seconds after {MAX_YEAR}")
        grow = 1 + deficit // _YEAR_SECONDS_FLOOR
        return self._build(tables.first_year, min(MAX_YEAR, tables.last_year + grow))

    def _year_of(self, t: int) -> int:
        try:
            year = from_epoch(t).astimezone(self.zone).year
        except (OverflowError, ValueError):
            raise _out_of_range(t) from None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _out_of_range(t)
        return year

    def _build(self, first: int, last: int) -> WorkTables:
        with self._lock:
            current = self._tables
            if current is not None and current.first_year <= first and last <= current.last_year:
                return current
            if current is not None:
                first, last = min(first, current.first_year), max(last, current.last_year)
            starts: list[int] = []
            ends: list[int] = []
            for year in range(first, last + 1):
                if year not in self._years:
                    self._years[year] = year_intervals(self.settings, self.zone, year)
                s, e = self._years[year]
                starts.extend(s)
                ends.extend(e)
            lo = local_instant(date(first, 1, 1), _MIDNIGHT, self.zone)
            hi = local_instant(date(last + 1, 1, 1), _MIDNIGHT, self.zone)
            tables = WorkTables.assemble(first, last, lo, hi, starts, ends)
            self._tables = tables
            return tables


_MIDNIGHT = datetime.min.time()


@lru_cache(maxsize=32)
def calendar_for(settings: CalendarSettings) -> WorkCalendar:
    """One calendar per settings value (settings are frozen, hence hashable), so its tables
    are built once per process."""
    return WorkCalendar(settings)
