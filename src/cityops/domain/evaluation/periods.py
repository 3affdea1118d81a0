"""Evaluation periods: a day, an ISO week, a month, a quarter, a year or any range of days,
always in the city's time zone, with the period before it (环比) and a year before (同比)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from cityops.errors import ValidationError

DAYS_PER_MONTH = 365.25 / 12


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class EvalPeriod:
    kind: PeriodKind
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    time_zone: str = "Asia/Shanghai"

    # ------------------------------------------------------------------ constructors
    @classmethod
    def month(cls, year: int, month: int, time_zone: str = "Asia/Shanghai") -> EvalPeriod:
        first = date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return cls(PeriodKind.MONTH, first, nxt - timedelta(days=1), time_zone)

    @classmethod
    def quarter(cls, year: int, q: int, time_zone: str = "Asia/Shanghai") -> EvalPeriod:
        first = date(year, 3 * q - 2, 1)
        last = EvalPeriod.month(year, 3 * q, time_zone).end
        return cls(PeriodKind.QUARTER, first, last, time_zone)

    @classmethod
    def year(cls, year: int, time_zone: str = "Asia/Shanghai") -> EvalPeriod:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31), time_zone)

    @classmethod
    def parse(cls, text: str, time_zone: str = "Asia/Shanghai") -> EvalPeriod:
        """``2025-10`` (month), ``2025-Q3``, ``2025``, ``2025-W40`` (ISO week), ``2025-10-05``
        (a day) or ``2025-10-01..2025-10-15`` (a range, both days included)."""
        s = text.strip()
        try:
            if ".." in s:
                a, b = (part.strip() for part in s.split("..", 1))
                first, last = date.fromisoformat(a), date.fromisoformat(b)
                if last < first:
                    raise ValidationError(
                        "evaluation.period_reversed", "期间的结束日期早于开始日期", period=text
                    )
                return cls(PeriodKind.RANGE, first, last, time_zone)
            if re.fullmatch(r"\d{4}", s):
                return cls.year(int(s), time_zone)
            m = re.fullmatch(r"(\d{4})-[Qq]([1-4])", s)
            if m:
                return cls.quarter(int(m[1]), int(m[2]), time_zone)
            m = re.fullmatch(r"(\d{4})-[Ww](\d{1,2})", s)
            if m:
                monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
                return cls(PeriodKind.WEEK, monday, monday + timedelta(days=6), time_zone)
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
            if m:
                return cls.month(int(m[1]), int(m[2]), time_zone)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
                day = date.fromisoformat(s)
                return cls(PeriodKind.DAY, day, day, time_zone)
        except ValueError:
            pass
        raise ValidationError(
            "evaluation.period_invalid",
            f"无法识别的期间“{text}”，应为2025-10、2025-Q3、2025、2025-W40、2025-10-05或2025-10-01..2025-10-15",
            period=text,
        )

    @classmethod
    def coerce(cls, value: object, time_zone: str = "Asia/Shanghai") -> EvalPeriod:
        """An ``EvalPeriod``, a period text, or any object with ``start``/``end`` dates (such as
        the work-plan ``Period``)."""
        if isinstance(value, EvalPeriod):
            return value
        if isinstance(value, str):
            return cls.parse(value, time_zone)
        start, end = getattr(value, "start", None), getattr(value, "end", None)
        if isinstance(start, date) and isinstance(end, date):
            zone = getattr(value, "time_zone", time_zone) or time_zone
            return cls(PeriodKind.RANGE, start, end, str(zone)).normalized()
        raise ValidationError("evaluation.period_invalid", "无法识别的期间", period=str(value))

    def normalized(self) -> EvalPeriod:
        """Recognise a range that is exactly a month, quarter or year."""
        s, e = self.start, self.end
        if s.day == 1 and e == EvalPeriod.month(e.year, e.month).end and s.year == e.year:
            if s.month == e.month:
                return replace(self, kind=PeriodKind.MONTH)
            if s.month % 3 == 1 and e.month == s.month + 2:
                return replace(self, kind=PeriodKind.QUARTER)
            if s.month == 1 and e.month == 12:
                return replace(self, kind=PeriodKind.YEAR)
        if s == e:
            return replace(self, kind=PeriodKind.DAY)
        return self

    # ------------------------------------------------------------------ facts
    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        """The length in months (volume step tables are per month)."""
        if self.kind == PeriodKind.MONTH:
            return 1.0
        if self.kind == PeriodKind.QUARTER:
            return 3.0
        if self.kind == PeriodKind.YEAR:
            return 12.0
        return self.days / DAYS_PER_MONTH

    @property
    def label(self) -> str:
        s = self.start
        if self.kind == PeriodKind.MONTH:
            return f"{s.year}-{s.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.YEAR:
            return str(s.year)
        if self.kind == PeriodKind.WEEK:
            y, w, _ = s.isocalendar()
            return f"{y}-W{w:02d}"
        if self.kind == PeriodKind.DAY:
            return s.isoformat()
        return f"{s.isoformat()}..{self.end.isoformat()}"

    @property
    def label_zh(self) -> str:
        s = self.start
        if self.kind == PeriodKind.MONTH:
            return f"{s.year}年{s.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if self.kind == PeriodKind.YEAR:
            return f"{s.year}年"
        if self.kind == PeriodKind.WEEK:
            y, w, _ = s.isocalendar()
            return f"{y}年第{w}周"
        if self.kind == PeriodKind.DAY:
            return f"{s.year}年{s.month}月{s.day}日"
        e = self.end
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[first day 00:00, the day after the last 00:00) in the city's zone, in UTC."""
        zone = ZoneInfo(self.time_zone)
        lo = datetime.combine(self.start, time(0), zone).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), zone).astimezone(UTC)
        return lo, hi

    # ------------------------------------------------------------------ neighbours
    def previous(self) -> EvalPeriod:
        """The period just before (环比): the previous month, quarter, … or, for a range, the
        range of the same length that ends the day before."""
        s = self.start
        if self.kind == PeriodKind.MONTH:
            y, m = (s.year, s.month - 1) if s.month > 1 else (s.year - 1, 12)
            return EvalPeriod.month(y, m, self.time_zone)
        if self.kind == PeriodKind.QUARTER:
            q = (s.month - 1) // 3 + 1
            y, q = (s.year, q - 1) if q > 1 else (s.year - 1, 4)
            return EvalPeriod.quarter(y, q, self.time_zone)
        if self.kind == PeriodKind.YEAR:
            return EvalPeriod.year(s.year - 1, self.time_zone)
        length = timedelta(days=self.days)
        return replace(self, start=self.start - length, end=self.end - length)

    def year_ago(self) -> EvalPeriod:
        """The same period a year earlier (同比)."""
        s = self.start
        if self.kind == PeriodKind.MONTH:
            return EvalPeriod.month(s.year - 1, s.month, self.time_zone)
        if self.kind == PeriodKind.QUARTER:
            return EvalPeriod.quarter(s.year - 1, (s.month - 1) // 3 + 1, self.time_zone)
        if self.kind == PeriodKind.YEAR:
            return EvalPeriod.year(s.year - 1, self.time_zone)
        if self.kind == PeriodKind.WEEK:
            y, w, _ = s.isocalendar()
            w = min(w, date(y - 1, 12, 28).isocalendar()[1])
            monday = date.fromisocalendar(y - 1, w, 1)
            return replace(self, start=monday, end=monday + timedelta(days=6))
        return replace(self, start=_minus_year(self.start), end=_minus_year(self.end))


def _minus_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)
