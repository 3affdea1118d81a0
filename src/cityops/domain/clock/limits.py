"""Time limits (时限) and their units.

A limit is a value and a unit. Natural units count every second; working units count only
the city's working time. One working day is a fixed number of working seconds set by the
city (``CalendarSettings.working_day_seconds``, by default the length of its regular working
day), so that every working limit is a number of working seconds and pauses, extensions and
remainders are plain arithmetic.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from cityops.errors import ValidationError


class LimitUnit(StrEnum):
    MINUTES = "minutes"  # 分钟 (natural)
    HOURS = "hours"  # 小时 (natural)
    DAYS = "days"  # 自然日
    WORKING_HOURS = "working_hours"  # 工作时
    WORKING_DAYS = "working_days"  # 工作日

    @property
    def is_working(self) -> bool:
        return self in (LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS)

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]


_LABELS_ZH = {
    LimitUnit.MINUTES: "分钟",
    LimitUnit.HOURS: "小时",
    LimitUnit.DAYS: "自然日",
    LimitUnit.WORKING_HOURS: "工作时",
    LimitUnit.WORKING_DAYS: "工作日",
}

_ALIASES = {
    "minute": LimitUnit.MINUTES,
    "min": LimitUnit.MINUTES,
    "分钟": LimitUnit.MINUTES,
    "hour": LimitUnit.HOURS,
    "natural_hours": LimitUnit.HOURS,
    "小时": LimitUnit.HOURS,
    "day": LimitUnit.DAYS,
    "natural_days": LimitUnit.DAYS,
    "自然日": LimitUnit.DAYS,
    "天": LimitUnit.DAYS,
    "working_hour": LimitUnit.WORKING_HOURS,
    "工作时": LimitUnit.WORKING_HOURS,
    "工作小时": LimitUnit.WORKING_HOURS,
    "working_day": LimitUnit.WORKING_DAYS,
    "工作日": LimitUnit.WORKING_DAYS,
}


def parse_unit(text: str) -> LimitUnit:
    key = text.strip().lower()
    try:
        return LimitUnit(key)
    except ValueError:
        pass
    if key in _ALIASES:
        return _ALIASES[key]
    allowed = ", ".join(u.value for u in LimitUnit)
    raise ValidationError(
        "limit.unit_unknown", f"未知的时限单位“{text}”，可用：{allowed}", unit=text, allowed=allowed
    )


_NATURAL_SECONDS = {LimitUnit.MINUTES: 60, LimitUnit.HOURS: 3600, LimitUnit.DAYS: 86400}


@dataclass(frozen=True, slots=True)
class TimeLimit:
    value: float
    unit: LimitUnit

    def __post_init__(self) -> None:
        if not (
            isinstance(self.value, int | float) and math.isfinite(self.value) and self.value > 0
        ):
            raise ValidationError(
                "limit.value_invalid",
                f"时限数值必须为正数，收到“{self.value}”",
                value=str(self.value),
            )

    def seconds(self, working_day_seconds: int) -> int:
        """The limit as seconds of its own measure (natural or working), rounded to a second."""
        if self.unit == LimitUnit.WORKING_HOURS:
            return round(self.value * 3600)
        if self.unit == LimitUnit.WORKING_DAYS:
            return round(self.value * working_day_seconds)
        return round(self.value * _NATURAL_SECONDS[self.unit])

    def scaled(self, factor: float) -> TimeLimit:
        return TimeLimit(self.value * factor, self.unit)

    def __str__(self) -> str:
        v = int(self.value) if float(self.value).is_integer() else self.value
        return f"{v} {self.unit.value}"

    def label_zh(self) -> str:
        v = int(self.value) if float(self.value).is_integer() else self.value
        return f"{v}{self.unit.label_zh}"

    @classmethod
    def parse(cls, text: str) -> TimeLimit:
        """Parse ``"4 working_hours"``, ``"4working_hours"`` or ``"4工作时"``."""
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([^\s0-9].*?)\s*", text)
        if not m:
            raise ValidationError(
                "limit.unparsable", f"无法解析时限“{text}”，例如“4 working_hours”", text=text
            )
        return cls(float(m.group(1)), parse_unit(m.group(2)))
