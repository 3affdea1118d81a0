"""Ledger rules: unit matching, months and report validation, task status, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cityops.domain.workplan.ledger import (
    LedgerPlan,
    LedgerTarget,
    LedgerTask,
    LedgerUnit,
    Supervision,
    target_met,
)
from cityops.domain.workplan.model import Comparator, Deadline, Level, OutlineNode, Recurrence
from cityops.domain.workplan.period import Period
from cityops.domain.workplan.progress import Month, validate_report
from cityops.domain.workplan.reminders import ReminderKind, reminders
from cityops.domain.workplan.status import (
    ProgressPoint,
    StatusRules,
    TaskStatus,
    expected_percent,
    task_status,
)
from cityops.domain.workplan.units import MatchHow, match_units, prefixes_for_issuer
from cityops.errors import ValidationError

KNOWN = [
    ("U-SR", "济宁市城市管理局市容管理科"),
    ("U-ZD", "济宁市城市管理综合执法支队"),
    ("U-HW", "环卫管理科"),
    ("U-BGS1", "办公室"),
    ("U-BGS2", "办 公 室"),
]


def test_units_match_by_exact_normalised_alias_and_issuer_prefix() -> None:
    names = [
        "环卫管理科",
        "环卫管理科 ",
        "执法支队",
        "市容管理科",
        "市城市管理综合执法支队",
        "机关党委",
    ]
    matches = match_units(
        names, KNOWN, aliases={"执法支队": "U-ZD"}, prefixes=prefixes_for_issuer("济宁市城市管理局")
    )
    assert [(m.name, m.code, m.how) for m in matches] == [
        ("环卫管理科", "U-HW", MatchHow.EXACT),
        ("环卫管理科 ", "U-HW", MatchHow.NORMALISED),
        ("执法支队", "U-ZD", MatchHow.ALIAS),
        ("市容管理科", "U-SR", MatchHow.PREFIX),
        ("市城市管理综合执法支队", "U-ZD", MatchHow.PREFIX),
        ("机关党委", None, MatchHow.NONE),
    ]


def test_unit_matching_never_picks_among_equals_nor_splits_groups() -> None:
    ambiguous, group = match_units(["办公 室", "各县市区综合行政执法局"], KNOWN)
    assert ambiguous.code is None and ambiguous.how is MatchHow.AMBIGUOUS
    assert ambiguous.candidates == ("U-BGS1", "U-BGS2")
    assert group.code is None and group.how is MatchHow.COLLECTIVE


def test_prefixes_of_an_issuer() -> None:
    assert prefixes_for_issuer("济宁市城市管理局") == ("济宁市城市管理局", "济宁市", "济宁")
    assert prefixes_for_issuer("商河县城市管理局")[1] == "商河县"
    assert prefixes_for_issuer(None) == ()


def test_months_parse_and_refuse_nonsense() -> None:
    assert Month.parse("2025-06") == Month.parse("2025年6月") == Month(2025, 6)
    assert str(Month(2025, 6)) == "2025-06"
    assert Month(2024, 2).last_day == date(2024, 2, 29)
    for bad in ("2025-13", "June", ""):
        with pytest.raises(ValidationError) as info:
            Month.parse(bad)
        assert info.value.code == "workplan.month.invalid"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"percent": 101}, "workplan.report.percent"),
        ({"percent": -1}, "workplan.report.percent"),
        ({"percent": True}, "workplan.report.percent"),
        ({"text": "  "}, "workplan.report.text_required"),
        ({"text": "字" * 4001}, "workplan.report.text_too_long"),
        ({"month": Month(2023, 12)}, "workplan.report.month_outside_plan"),
        ({"month": Month(2025, 8)}, "workplan.report.future_month"),
    ],
)
def test_bad_reports_are_refused_with_a_stable_code(kwargs: dict[str, object], code: str) -> None:
    args: dict[str, object] = {
        "percent": 50,
        "text": "进展顺利",
        "month": Month(2025, 6),
        "plan_year": 2025,
        "current": Month(2025, 7),
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        validate_report(**args)  # type: ignore[arg-type]
    assert info.value.code == code


def test_a_december_report_may_come_in_january() -> None:
    validate_report(
        percent=100, text="完成", month=Month(2025, 12), plan_year=2025, current=Month(2026, 1)
    )


def point(month: tuple[int, int], percent: int, day: int = 1) -> ProgressPoint:
    return ProgressPoint(Month(*month), percent, datetime(month[0], month[1], day, tzinfo=UTC))


START, DUE = date(2025, 1, 1), date(2025, 12, 31)


def test_expected_progress_grows_linearly_to_the_due_date() -> None:
    assert expected_percent(START, DUE, date(2024, 12, 1)) == 0
    assert expected_percent(START, DUE, date(2025, 7, 2)) == 50
    assert expected_percent(START, DUE, date(2026, 1, 5)) == 100


@pytest.mark.parametrize(
    ("reports", "as_of", "status"),
    [
        ([], date(2025, 2, 1), TaskStatus.ON_TRACK),  # expected 9 %, nothing reported: fine
        ([], date(2025, 6, 30), TaskStatus.AT_RISK),  # expected 50 %, 0 reported
        ([point((2025, 6), 35)], date(2025, 6, 30), TaskStatus.ON_TRACK),  # 15 points behind
        ([point((2025, 6), 25)], date(2025, 6, 30), TaskStatus.AT_RISK),  # 25 points behind
        ([point((2025, 6), 100)], date(2025, 6, 30), TaskStatus.DONE),
        ([point((2025, 12), 90)], date(2026, 1, 2), TaskStatus.OVERDUE),
        ([point((2026, 1), 100)], date(2026, 1, 10), TaskStatus.DONE),  # done late
        # A later month's report does not count for an earlier reckoning.
        ([point((2025, 5), 45), point((2025, 7), 100)], date(2025, 6, 30), TaskStatus.ON_TRACK),
        # Within a month the last report counts (a correction downwards too).
        (
            [point((2025, 6), 100, 3), point((2025, 6), 40, 20)],
            date(2025, 6, 30),
            TaskStatus.ON_TRACK,
        ),
    ],
)
def test_task_status(reports: list[ProgressPoint], as_of: date, status: TaskStatus) -> None:
    assert task_status(start=START, due=DUE, reports=reports, as_of=as_of).status is status


def test_done_late_and_a_custom_tolerance() -> None:
    late = task_status(
        start=START, due=date(2025, 6, 30), reports=[point((2025, 8), 100)], as_of=date(2025, 9, 1)
    )
    assert late.status is TaskStatus.DONE and late.late and "逾期完成" in late.reason_zh
    strict = task_status(
        start=START,
        due=DUE,
        reports=[point((2025, 6), 45)],
        as_of=date(2025, 6, 30),
        rules=StatusRules(tolerance=2),
    )
    assert strict.status is TaskStatus.AT_RISK and strict.expected == 49


def ledger_task(
    tid: int,
    *,
    due: date,
    reports: tuple[ProgressPoint, ...] = (),
    deadlines: tuple[Deadline, ...] = (),
    supervisions: tuple[Supervision, ...] = (),
    as_of: date,
) -> LedgerTask:
    return LedgerTask(
        id=tid,
        seq=tid,
        number=tid,
        label=f"{tid}.",
        outline=(OutlineNode(Level.PART, 1, "一、", "总体"),),
        title=f"任务{tid}。",
        text=f"任务{tid}。内容。（牵头单位：市容管理科；责任单位：各区）",
        units=(LedgerUnit("市容管理科", "U-SR", "lead"), LedgerUnit("各区", None, "responsible")),
        targets=(),
        deadlines=deadlines,
        due=due,
        reports=reports,
        supervisions=supervisions,
        status=task_status(start=START, due=due, reports=reports, as_of=as_of),
    )


def test_reminders_list_overdue_due_soon_unreported_and_supervised_tasks() -> None:
    as_of = date(2025, 6, 20)
    sup = Supervision(
        1, 3, "张局长", "月底前完成", datetime(2025, 6, 1, tzinfo=UTC), date(2025, 6, 10)
    )
    tasks = (
        ledger_task(1, due=date(2025, 6, 10), as_of=as_of),  # overdue
        ledger_task(
            2, due=date(2025, 6, 30), reports=(point((2025, 6), 60),), as_of=as_of
        ),  # due soon
        ledger_task(
            3,
            due=DUE,
            deadlines=(
                Deadline("7月1日前", date(2025, 7, 1)),
                Deadline("每月", None, Recurrence.MONTHLY),
            ),
            supervisions=(sup,),
            as_of=as_of,
        ),  # a milestone within 15 days, supervised past its own due date, no report
        ledger_task(4, due=DUE, reports=(point((2025, 6), 100),), as_of=as_of),  # done: quiet
    )
    plan = LedgerPlan(1, "济宁市城市管理局", 2025, "2025年工作要点", as_of, tasks)
    items = reminders(plan, as_of)
    assert [(r.kind, r.task_id) for r in items] == [
        (ReminderKind.OVERDUE, 1),
        (ReminderKind.DUE_SOON, 2),
        (ReminderKind.DUE_SOON, 3),
        (ReminderKind.NO_REPORT, 1),
        (ReminderKind.NO_REPORT, 3),
        (ReminderKind.SUPERVISED, 3),
    ]
    assert items[0].units == ("市容管理科",)
    assert items[2].due == date(2025, 7, 1)
    assert "已超期" in items[-1].message and "张局长" in items[-1].message
    assert plan.counts()[TaskStatus.DONE] == 1
    assert tasks[0].work_text == "任务1。内容。"


@pytest.mark.parametrize(
    ("comparator", "goal", "value", "met"),
    [
        (Comparator.AT_LEAST, 99, 99, True),
        (Comparator.AT_LEAST, 99, Decimal("98.9"), False),
        (Comparator.AT_MOST, 50, 51, False),
        (Comparator.MORE_THAN, 5, 5, False),
        (Comparator.LESS_THAN, 5, 4, True),
        (Comparator.ABOUT, 100, 104, True),
    ],
)
def test_targets_are_met_by_their_comparator(
    comparator: Comparator, goal: int, value: Decimal, met: bool
) -> None:
    assert target_met(comparator, Decimal(goal), Decimal(value)) is met
    target = LedgerTarget(
        1, "亮灯率", comparator, Decimal(goal), "%", "x", Decimal(value), "2025-06"
    )
    assert target.met() is met


def test_a_month_period_is_bounded_in_the_city_zone() -> None:
    lo, hi = Period.parse("2025-06").utc_bounds()
    assert lo == datetime(2025, 5, 31, 16, tzinfo=UTC) and hi == datetime(
        2025, 6, 30, 16, tzinfo=UTC
    )
    assert Period.parse("2025").end == date(2025, 12, 31)
