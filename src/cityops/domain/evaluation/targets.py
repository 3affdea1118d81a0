"""Indicator targets (目标值): a comparison of a measured value with a target, and its
status — met, not met, or no data (the indicator had nothing to measure in the period)."""

from __future__ import annotations

from enum import StrEnum

from cityops.errors import ValidationError

EPSILON = 1e-9


class Comparator(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    ABOVE = ">"
    BELOW = "<"
    EQUAL = "="

    @property
    def label_zh(self) -> str:
        return {">=": "不低于", "<=": "不高于", ">": "高于", "<": "低于", "=": "等于"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Comparator:
        aliases = {
            "≥": ">=",
            "≤": "<=",
            "==": "=",
            "ge": ">=",
            "le": "<=",
            "gt": ">",
            "lt": "<",
            "eq": "=",
        }
        value = aliases.get(text.strip(), text.strip())
        try:
            return cls(value)
        except ValueError:
            raise ValidationError(
                "evaluation.comparator_invalid",
                f"无法识别的比较方式“{text}”，应为 >=、<=、>、< 或 =",
                comparator=text,
            ) from None


class TargetStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"

    @property
    def label_zh(self) -> str:
        return {"met": "已达标", "not_met": "未达标", "no_data": "无数据"}[self.value]


def status(measured: float | None, comparator: Comparator, target: float) -> TargetStatus:
    if measured is None:
        return TargetStatus.NO_DATA
    ok = {
        Comparator.AT_LEAST: measured >= target - EPSILON,
        Comparator.AT_MOST: measured <= target + EPSILON,
        Comparator.ABOVE: measured > target + EPSILON,
        Comparator.BELOW: measured < target - EPSILON,
        Comparator.EQUAL: abs(measured - target) <= EPSILON,
    }[comparator]
    return TargetStatus.MET if ok else TargetStatus.NOT_MET
