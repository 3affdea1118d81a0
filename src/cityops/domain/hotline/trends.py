"""Trends against targets, e.g. "city-appearance hotline orders down 10 % on last year"
(市容环境类工单同比下降10%).

A target names a scope (a class, a major class prefix such as ``06*``, or ``*`` for every
order), the comparison (``yoy`` the same period a year before, ``pop`` the period before) and
the wanted relative change (−0.10 for "down 10 %"). The target is met when the actual change
is at or below the wanted one (for a fall) or at or above it (for a rise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cityops.errors import ValidationError


@dataclass(frozen=True)
class TrendTarget:
    scope: str  # class code, "06*" (major prefix) or "*"
    change: float  # wanted relative change, e.g. -0.10
    compare: str = "yoy"  # yoy | pop
    label: str = ""

    def __post_init__(self) -> None:
        if self.compare not in ("yoy", "pop"):
            raise ValidationError(
                "hotline.target_compare",
                "比较方式应为 yoy（同比）或 pop（环比）",
                compare=self.compare,
            )
        if not (-1.0 <= self.change <= 10.0):
            raise ValidationError(
                "hotline.target_change", "目标变化率应在 -100% 与 +1000% 之间", change=self.change
            )

    def covers(self, class_code: str | None) -> bool:
        if self.scope == "*":
            return True
        if class_code is None:
            return False
        if self.scope.endswith("*"):
            return class_code.startswith(self.scope[:-1])
        return class_code == self.scope


@dataclass(frozen=True)
class TrendResult:
    target: TrendTarget
    current: int
    previous: int
    change: float | None  # None when the previous period had no orders
    met: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.target.scope,
            "label": self.target.label,
            "compare": self.target.compare,
            "target_change": self.target.change,
            "current": self.current,
            "previous": self.previous,
            "change": None if self.change is None else round(self.change, 6),
            "met": self.met,
        }


def evaluate_trend(target: TrendTarget, current: int, previous: int) -> TrendResult:
    if previous == 0:
        return TrendResult(target, current, previous, None, None)
    change = (current - previous) / previous
    met = change <= target.change if target.change <= 0 else change >= target.change
    return TrendResult(target, current, previous, change, met)
