"""Targets, deadlines and unit clauses read from single sentences (table-driven)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cityops.domain.workplan.deadlines import extract_deadlines
from cityops.domain.workplan.model import Recurrence
from cityops.domain.workplan.targets import extract_targets, mask_titles
from cityops.domain.workplan.units import find_unit_clause


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("完成不少于13条主次干道的创建。", [("主次干道", ">=", 13, "条")]),
        ("确保亮灯率99%以上。", [("亮灯率", ">=", 99, "%")]),
        ("2025年底资源化利用率达到65%。", [("资源化利用率", ">=", 65, "%")]),
        ("新增300处垃圾分类房。", [("垃圾分类房(新增)", ">=", 300, "处")]),
        ("噪声投诉控制在50件以内。", [("噪声投诉", "<=", 50, "件")]),
        (
            "新建改造公共卫生间80座,城管驿站30座。",
            [("公共卫生间(新建改造)", ">=", 80, "座"), ("城管驿站(新建改造)", ">=", 30, "座")],
        ),
        ("厨余垃圾分出量力争提升至每日1300吨。", [("厨余垃圾分出量", ">=", 1300, "吨/日")]),
        (
            "道路机械化清扫率、洒水冲刷率均达到100%。",
            [("道路机械化清扫率", ">=", 100, "%"), ("洒水冲刷率", ">=", 100, "%")],
        ),
        ("超过5个街道完成试点。", [("街道", ">", 5, "个")]),
        ("覆盖率达99.5%。", [("覆盖率", ">=", Decimal("99.5"), "%")]),
    ],
)
def test_targets_are_read_with_subject_comparator_value_and_unit(
    text: str, expected: list[tuple[str, str, int | Decimal, str]]
) -> None:
    found, leftovers = extract_targets(text)
    assert [(t.subject, t.comparator.value, t.value, t.unit) for t in found] == [
        (s, c, Decimal(v), u) for s, c, v, u in expected
    ]
    assert leftovers == []


@pytest.mark.parametrize(
    "text",
    [
        "落实“721工作法”和12345热线工作。",  # numbers without a measure unit
        "出台《规划（2021-2035年）》。",  # inside a title
        "每晚6点后开放,免费停放1小时。",  # clock times and durations
        "用3个月完成整治。",  # 个月 is a duration
        "在全国排名第5位。",  # an ordinal
    ],
)
def test_numbers_that_are_not_targets_give_nothing(text: str) -> None:
    assert extract_targets(text) == ([], [])


@pytest.mark.parametrize(
    "text",
    ["主城区按照60%开展创建。", "在已完成的151个单元中选取试点。"],
)
def test_unclear_quantities_are_left_over_with_their_words_not_guessed(text: str) -> None:
    found, leftovers = extract_targets(text)
    assert found == []
    assert [c.text for c in leftovers] == [text.rstrip("。")]


def test_titles_are_masked_with_the_same_length() -> None:
    text = "印发《规划（2021-2035年）》并实施"
    masked = mask_titles(text)
    assert len(masked) == len(text) and "2021" not in masked and masked.endswith("》并实施")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底前完成。", [("6月底前", date(2025, 6, 30), None)]),
        ("9月底前出台规范。", [("9月底前", date(2025, 9, 30), None)]),
        ("年底前建成。", [("年底前", date(2025, 12, 31), None)]),
        ("年内完成。", [("年内", date(2025, 12, 31), None)]),
        ("3月15日前上报。", [("3月15日前", date(2025, 3, 15), None)]),
        ("上半年建成运行。", [("上半年", date(2025, 6, 30), None)]),
        ("三季度末完成验收。", [("三季度末", date(2025, 9, 30), None)]),
        ("2026年6月底前完成。", [("2026年6月底前", date(2026, 6, 30), None)]),
        ("10月上旬举办。", [("10月上旬", date(2025, 10, 10), None)]),
        ("每月开展整治。", [("每月", None, Recurrence.MONTHLY)]),
        ("每季度通报。", [("每季度", None, Recurrence.QUARTERLY)]),
        ("双月召开例会。", [("双月", None, Recurrence.BIMONTHLY)]),
        ("每年度至少研究2次。", [("每年度", None, Recurrence.YEARLY)]),
        ("用3个月整治,12345热线办结。", []),
    ],
)
def test_deadlines_become_dates_in_the_plan_year_or_recurrences(
    text: str, expected: list[tuple[str, date | None, Recurrence | None]]
) -> None:
    found, unplaced = extract_deadlines(text, 2025)
    assert [(d.text, d.due, d.recurrence) for d in found] == expected
    assert unplaced == []


def test_a_date_without_a_plan_year_is_not_placed() -> None:
    found, unplaced = extract_deadlines("6月底前完成，2026年底前验收。", None)
    assert [(d.text, d.due) for d in found] == [("2026年底前", date(2026, 12, 31))]
    assert unplaced == ["6月底前"]


def test_an_impossible_date_is_not_placed() -> None:
    assert extract_deadlines("2月30日前完成。", 2025) == ([], ["2月30日前"])


@pytest.mark.parametrize(
    ("text", "lead", "responsible"),
    [
        (
            "做好工作。（牵头单位：市容环卫科；责任单位：各县市区城管局）",
            ("市容环卫科",),
            ("各县市区城管局",),
        ),
        (
            "做好工作。(牵头单位:机关党委,责任单位:局属各单位、机关各科室)",
            ("机关党委",),
            ("局属各单位", "机关各科室"),
        ),
        ("做好工作。责任单位：市城管局、市公安局", (), ("市城管局", "市公安局")),
        (
            "做好工作。（牵头部门：法规处、执法支队；配合单位：各区）",
            ("法规处", "执法支队"),
            ("各区",),
        ),
        ("做好工作。牵头单位:考核督办科,责任单位:局属各单位)", ("考核督办科",), ("局属各单位",)),
    ],
)
def test_unit_clauses(text: str, lead: tuple[str, ...], responsible: tuple[str, ...]) -> None:
    clause = find_unit_clause(text)
    assert clause is not None
    assert (clause.lead, clause.responsible) == (lead, responsible)
    assert text[: clause.start] == "做好工作。"
    assert clause.end == len(text)


def test_a_unit_label_without_names_is_reported() -> None:
    clause = find_unit_clause("做好工作。（牵头单位：；责任单位：各区）")
    assert clause is not None and clause.lead == () and clause.empty_labels == ("牵头单位：",)


def test_text_without_unit_labels_has_no_clause() -> None:
    assert find_unit_clause("由市容管理科牵头，各区配合。") is None


@pytest.mark.parametrize(
    "title",
    [
        "济南市城市管理局2026年工作要点",
        "济南市城市管理局2026年工作要点（征求意见稿）",
        "济南市城市管理局2026年工作要点(试行)",
    ],
)
def test_a_title_with_a_remark_in_brackets_still_gives_issuer_and_year(title: str) -> None:
    from cityops.domain.workplan.header import find_issuer, find_title, find_year

    preamble = ["各区县城市管理局：", title]
    assert find_title(preamble) == title
    assert find_issuer(preamble, title) == "济南市城市管理局"
    assert find_year(title, preamble) == 2026
