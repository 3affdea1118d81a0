"""A reporting period (a month or a year) in a city's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cityops.domain.workplan.progress import Month


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    label: str  # "2025-06", "2025"
    time_zone: str = "Asia/Shanghai"

    @classmethod
    def of_month(cls, month: Month, time_zone: str = "Asia/Shanghai") -> Period:
        return cls(month.first_day, month.last_day, str(month), time_zone)

    @classmethod
    def of_year(cls, year: int, time_zone: str = "Asia/Shanghai") -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), str(year), time_zone)

    @classmethod
    def parse(cls, text: str, time_zone: str = "Asia/Shanghai") -> Period:
        """ "2025-06" (a month) or "2025" (a year)."""
        stripped = text.strip()
        if stripped.isdigit() and len(stripped) == 4:
            return cls.of_year(int(stripped), time_zone)
        return cls.of_month(Month.parse(stripped), time_zone)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, day after end 00:00) in the city's zone, as aware UTC datetimes."""
        zone = ZoneInfo(self.time_zone)
        lo = datetime.combine(self.start, time(0), zone).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), zone).astimezone(UTC)
        return lo, hi
