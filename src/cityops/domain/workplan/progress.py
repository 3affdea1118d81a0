"""Monthly progress reports (月报): the month value and the rules a report must satisfy."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from cityops.errors import ValidationError

MAX_REPORT_TEXT = 4000


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValidationError(
                "workplan.month.invalid", f"月份不存在：{self.year}-{self.month}", month=self.month
            )

    @classmethod
    def parse(cls, text: str) -> Month:
        """ "2025-06" (also "2025-6", "2025年6月")."""
        m = re.fullmatch(r"\s*(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*月?\s*", text or "")
        if not m:
            raise ValidationError(
                "workplan.month.invalid", f"月份应写成“2025-06”的形式，收到“{text}”", value=text
            )
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年{self.month}月"


def validate_report(
    *, percent: int, text: str, month: Month, plan_year: int, current: Month
) -> None:
    """A report gives a whole percentage 0–100 and words, for a month of the plan's year or
    the next (late December reports), and not for a month still to come."""
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationError(
            "workplan.report.percent",
            f"完成进度应为0到100之间的整数，收到“{percent}”",
            percent=percent,
        )
    if not text or not text.strip():
        raise ValidationError("workplan.report.text_required", "请填写本月工作进展")
    if len(text) > MAX_REPORT_TEXT:
        raise ValidationError(
            "workplan.report.text_too_long",
            f"工作进展不超过{MAX_REPORT_TEXT}字，收到{len(text)}字",
            length=len(text),
        )
    if month.year not in (plan_year, plan_year + 1):
        raise ValidationError(
            "workplan.report.month_outside_plan",
            f"{month.label_zh}不在{plan_year}年计划的报送期内",
            month=str(month),
            plan_year=plan_year,
        )
    if month > current:
        raise ValidationError(
            "workplan.report.future_month",
            f"不能报送尚未到来的{month.label_zh}的进展",
            month=str(month),
            current=str(current),
        )
