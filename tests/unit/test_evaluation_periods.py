"""Evaluation periods in the city's time zone, with their neighbours for 环比 and 同比."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cityops.domain.evaluation.periods import EvalPeriod, PeriodKind
from cityops.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("2025-10", PeriodKind.MONTH, date(2025, 10, 1), date(2025, 10, 31), "2025-10"),
        ("2024-2", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2025-Q3", PeriodKind.QUARTER, date(2025, 7, 1), date(2025, 9, 30), "2025-Q3"),
        ("2025", PeriodKind.YEAR, date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2025-W40", PeriodKind.WEEK, date(2025, 9, 29), date(2025, 10, 5), "2025-W40"),
        ("2025-10-05", PeriodKind.DAY, date(2025, 10, 5), date(2025, 10, 5), "2025-10-05"),
        (
            "2025-10-01..2025-10-15",
            PeriodKind.RANGE,
            date(2025, 10, 1),
            date(2025, 10, 15),
            "2025-10-01..2025-10-15",
        ),
    ],
)
def test_period_texts(text, kind, start, end, label):
    p = EvalPeriod.parse(text)
    assert (p.kind, p.start, p.end, p.label) == (kind, start, end, label)
    assert EvalPeriod.parse(p.label) == p


def test_bounds_are_midnights_in_the_city_zone():
    lo, hi = EvalPeriod.parse("2025-10").utc_bounds()
    assert lo == datetime(2025, 9, 30, 16, tzinfo=UTC)
    assert hi == datetime(2025, 10, 31, 16, tzinfo=UTC)
    lo, hi = EvalPeriod.parse("2025-10", "Asia/Urumqi").utc_bounds()
    assert lo == datetime(2025, 9, 30, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "previous", "year_ago"),
    [
        ("2025-01", "2024-12", "2024-01"),
        ("2025-Q1", "2024-Q4", "2024-Q1"),
        ("2025", "2024", "2024"),
        ("2025-10-05", "2025-10-04", "2024-10-05"),
        ("2025-10-01..2025-10-15", "2025-09-16..2025-09-30", "2024-10-01..2024-10-15"),
        ("2024-02-29", "2024-02-28", "2023-02-28"),
        ("2025-W01", "2024-W52", "2024-W01"),
    ],
)
def test_neighbours(text, previous, year_ago):
    p = EvalPeriod.parse(text)
    assert p.previous().label == previous
    assert p.year_ago().label == year_ago


def test_a_range_that_is_a_month_is_a_month():
    class WorkplanPeriod:  # the shape of the work-plan ledger's period
        start = date(2025, 6, 1)
        end = date(2025, 6, 30)
        time_zone = "Asia/Shanghai"

    p = EvalPeriod.coerce(WorkplanPeriod())
    assert p.kind == PeriodKind.MONTH and p.months == 1.0
    assert EvalPeriod.coerce("2025-Q2").months == 3.0
    assert EvalPeriod.parse("2025-10-01..2025-10-15").months == pytest.approx(15 / 30.4375)


@pytest.mark.parametrize(
    "text", ["2025-13", "25-10", "2025-Q5", "2025-10-15..2025-10-01", "October", ""]
)
def test_bad_periods_are_refused_with_a_code(text):
    with pytest.raises(ValidationError) as info:
        EvalPeriod.parse(text)
    assert info.value.code in {"evaluation.period_invalid", "evaluation.period_reversed"}


def test_chinese_labels():
    assert EvalPeriod.parse("2025-10").label_zh == "2025年10月"
    assert EvalPeriod.parse("2025-Q3").label_zh == "2025年第3季度"
