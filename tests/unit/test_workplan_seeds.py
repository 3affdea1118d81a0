"""The five real plans in tests/fixtures/workplans parse with every numbered task found;
specific tasks are checked against the documents by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cityops.domain.workplan.model import Comparator, Level, ParsedPlan, ParsedTask, Recurrence
from cityops.domain.workplan.parser import parse_plan_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workplans"


def plan(prefix: str) -> ParsedPlan:
    path = next(FIXTURES.glob(f"{prefix}_*.txt"))
    return parse_plan_text(path.read_text(encoding="utf-8"))


def task(p: ParsedPlan, number: int) -> ParsedTask:
    return next(t for t in p.tasks if t.number == number)


def targets(t: ParsedTask) -> list[tuple[str, str, Decimal, str]]:
    return [(g.subject, g.comparator.value, g.value, g.unit) for g in t.targets]


def deadlines(t: ParsedTask) -> list[tuple[str, date | None, Recurrence | None]]:
    return [(d.text, d.due, d.recurrence) for d in t.deadlines]


@pytest.fixture(scope="module")
def jining() -> ParsedPlan:
    return plan("000")


@pytest.fixture(scope="module")
def jinan2022() -> ParsedPlan:
    return plan("001")


@pytest.fixture(scope="module")
def shanghe() -> ParsedPlan:
    return plan("002")


@pytest.fixture(scope="module")
def jinan2023() -> ParsedPlan:
    return plan("003")


@pytest.fixture(scope="module")
def wuxi() -> ParsedPlan:
    return plan("004")


@pytest.mark.parametrize(
    ("prefix", "issuer", "year", "level", "count"),
    [
        ("000", "济宁市城市管理局", 2025, Level.ITEM, 38),
        ("001", "济南市城市管理局", 2022, Level.ITEM, 34),
        ("002", "商河县城市管理局", 2025, Level.ENUM, 4),
        ("003", "济南市城市管理局", 2023, Level.SECTION, 15),
        ("004", "无锡市城市管理局", 2025, Level.ITEM, 30),
    ],
)
def test_each_plan_yields_its_issuer_year_and_every_numbered_task(
    prefix: str, issuer: str, year: int, level: Level, count: int
) -> None:
    p = plan(prefix)
    assert (p.issuer, p.year, p.task_level) == (issuer, year, level)
    assert len(p.tasks) == count
    assert [t.number for t in p.tasks] == list(range(1, count + 1))
    assert [t.seq for t in p.tasks] == list(range(1, count + 1))
    assert not [u for u in p.unparsed if u.kind.value in ("numbering", "title", "year", "issuer")]
    assert all(t.title and t.title.endswith("。") and len(t.title) < 60 for t in p.tasks)


def test_jining_tasks_carry_lead_and_responsible_units(jining: ParsedPlan) -> None:
    assert jining.title == "济宁市城市管理局2025年工作要点"
    assert all(t.lead_units and t.responsible_units for t in jining.tasks)
    first = task(jining, 1)
    assert first.title == "加强思想建设。"
    assert [(n.label, n.heading) for n in first.outline] == [("一、", "全面加强党的建设")]
    assert first.lead_units == ("机关党委",)
    assert first.responsible_units == ("局属各单位", "机关各科室")
    assert task(jining, 24).lead_units == ("市城市管理综合执法支队",)
    assert task(jining, 28).responsible_units == (
        "市容管理科",
        "市政设施科",
        "考核督办科",
        "市城市管理综合执法支队",
        "市市政园林养护中心",
        "市环境卫生管理服务中心",
        "各县市区综合行政执法局",
    )


def test_jining_unit_clauses_with_a_missing_bracket_are_still_read(jining: ParsedPlan) -> None:
    # Task 26 lacks the opening bracket, task 27 the closing one.
    assert task(jining, 26).lead_units == ("考核督办科",)
    assert task(jining, 27).lead_units == ("考核督办科",)
    assert task(jining, 27).responsible_units == (
        "局属各单位",
        "机关各科室",
        "各县市区综合行政执法局",
    )
    assert "牵头单位" not in task(jining, 26).title  # type: ignore[operator]


def test_jining_outline_has_parts_and_sections(jining: ParsedPlan) -> None:
    t5 = task(jining, 5)
    assert t5.title == "规范潮汐摊区设置。"
    assert [(n.level, n.number, n.heading) for n in t5.outline] == [
        (Level.PART, 2, "实施“四大”提升攻坚行动"),
        (Level.SECTION, 1, "实施市容市貌提升攻坚行动"),
    ]
    assert task(jining, 13).outline[1].heading == "实施市政设施提升攻坚行动"
    assert [n.label for n in task(jining, 38).outline] == ["七、"]


def test_jining_targets_and_deadlines(jining: ParsedPlan) -> None:
    t5 = task(jining, 5)
    assert targets(t5) == [("潮汐摊区、疏导点或夜市摊点群", ">=", Decimal(100), "处")]
    assert deadlines(t5) == [("6月底前", date(2025, 6, 30), None)]
    assert t5.due(2025) == date(2025, 6, 30)
    assert targets(task(jining, 6)) == [
        ("主次干道", ">=", Decimal(13), "条"),
        ("背街小巷", ">=", Decimal(10), "条"),
    ]
    assert targets(task(jining, 16)) == [
        ("装灯率", ">=", Decimal(100), "%"),
        ("亮灯率", ">=", Decimal(99), "%"),
    ]
    t20 = task(jining, 20)
    assert ("资源化利用率", ">=", Decimal(65), "%") in targets(t20)
    assert deadlines(t20) == [("2025年底", date(2025, 12, 31), None)]
    assert ("市容环境类热线数量(环比下降)", ">=", Decimal(10), "%") in targets(task(jining, 26))
    assert deadlines(task(jining, 29)) == [
        ("年底前", date(2025, 12, 31), None),
        ("9月底前", date(2025, 9, 30), None),
    ]
    assert [d.due for d in task(jining, 30).deadlines] == [
        date(2025, 4, 30),
        date(2025, 9, 30),
        date(2025, 10, 31),
    ]
    assert deadlines(task(jining, 9)) == [("每月", None, Recurrence.MONTHLY)]
    assert task(jining, 1).deadlines == () and task(jining, 1).due(2025) == date(2025, 12, 31)


def test_jining_footer_lines_stay_out_of_the_last_task(jining: ParsedPlan) -> None:
    assert "济城发" not in task(jining, 38).text
    assert jining.unparsed == ()


def test_jinan_2022_items_under_parts_and_sections(jinan2022: ParsedPlan) -> None:
    assert jinan2022.title == "2022年城市管理工作要点"
    assert not any(t.lead_units or t.responsible_units for t in jinan2022.tasks)
    assert task(jinan2022, 1).title == "坚持政治引领。"
    t6 = task(jinan2022, 6)
    assert [n.label for n in t6.outline] == ["二、", "(一)"]
    assert t6.outline[1].heading.startswith("践行“大城管”理念")
    assert [n.label for n in task(jinan2022, 30).outline] == ["三、"]
    assert task(jinan2022, 34).title == "丰富社会动员机制。"


def test_jinan_2022_targets_and_deadlines(jinan2022: ParsedPlan) -> None:
    t18 = task(jinan2022, 18)
    assert targets(t18) == [
        ("垃圾分类房(新增)", ">=", Decimal(300), "处"),
        ("厨余垃圾分出量", ">=", Decimal(1300), "吨/日"),
        ("垃圾分类模范小区、单位、村庄", ">=", Decimal(1600), "个"),
    ]
    assert deadlines(t18) == [
        ("每月", None, Recurrence.MONTHLY),
        ("年底前", date(2022, 12, 31), None),
    ]
    assert targets(task(jinan2022, 10)) == [
        ("市容道路环境综合整治特色街区", ">=", Decimal(20), "条")
    ]
    assert targets(task(jinan2022, 23)) == [
        ("办结率", ">=", Decimal(100), "%"),
        ("群众满意度", ">=", Decimal(99), "%"),
    ]
    t21 = task(jinan2022, 21)
    assert ("公共卫生间(新建改造)", ">=", Decimal(100), "座") in targets(t21)
    assert ("上半年", date(2022, 6, 30), None) in deadlines(t21)
    assert targets(task(jinan2022, 27)) == [
        ("城肥清疏处置率", ">=", Decimal(100), "%"),
        ("满意率", ">=", Decimal(100), "%"),
    ]
    assert ("城市管理改革案例", ">=", Decimal(10), "次") in targets(task(jinan2022, 4))


def test_jinan_2023_sections_are_the_tasks(jinan2023: ParsedPlan) -> None:
    assert [t.label for t in jinan2023.tasks][:2] == ["（一）", "（二）"]
    assert jinan2023.tasks[-1].label == "（十五）"
    assert task(jinan2023, 1).title == "强化市容市貌综合整治。"
    assert [n.heading for n in task(jinan2023, 7).outline] == [
        "加强城市综合管理，提升特大型城市治理能力和水平"
    ]
    assert "附件" not in task(jinan2023, 15).text
    assert targets(task(jinan2023, 4))[:2] == [
        ("垃圾分类房(新增)", ">=", Decimal(300), "处"),
        ("垃圾分类亭(新（改）建)", ">=", Decimal(1000), "个"),
    ]
    t6 = task(jinan2023, 6)
    assert ("规范率", ">=", Decimal(50), "%") in targets(t6)
    assert deadlines(t6) == [("2023年底", date(2023, 12, 31), None)]
    assert ("城管驿站(新建改造)", ">=", Decimal(30), "座") in targets(task(jinan2023, 5))


def test_jinan_2023_shows_a_percentage_it_cannot_place(jinan2023: ParsedPlan) -> None:
    [item] = jinan2023.unparsed
    assert item.kind.value == "target" and item.task_seq == 4
    assert item.text.startswith("主城区按照60%")


def test_shanghe_summary_is_skipped_and_the_plan_items_are_the_tasks(shanghe: ParsedPlan) -> None:
    assert shanghe.title == "2024年工作总结和2025年工作计划"
    assert shanghe.summary_items == 12
    assert [t.title for t in shanghe.tasks] == [
        "抓好作风建设，切实提升精细化管理水平。",
        "建设法治城管，塑造“温暖城管”良好形象。",
        "持续抓好民生诉求，答好“满意卷”，树立“硬品牌”。",
        "着力构建大宣传格局，增强处理舆情事件的能力。",
    ]
    assert all(
        [(n.label, n.heading) for n in t.outline] == [("四、", "2025年工作计划")]
        for t in shanghe.tasks
    )
    [closing] = shanghe.unparsed
    assert closing.kind.value == "text" and closing.text.startswith("对照新时代城市管理工作新要求")


def test_wuxi_numbering_runs_across_parts(wuxi: ParsedPlan) -> None:
    t1 = task(wuxi, 1)
    assert t1.title == "高标准落实《城市家具导则》。"
    assert [n.label for n in t1.outline] == ["二、", "(一)"]
    assert t1.outline[1].heading == "实施公共空间品质提升行动"
    assert [n.heading for n in task(wuxi, 19).outline] == [
        "强化责任担当,推进五项建设激发城管新质战斗力",
        "扎实推进政治机关建设",
    ]
    assert task(wuxi, 30).title == "落实民声双向反馈。"


def test_wuxi_targets_and_deadlines(wuxi: ParsedPlan) -> None:
    t7 = task(wuxi, 7)
    assert targets(t7) == [
        ("提质增效小区", ">=", Decimal(1000), "个"),
        ("家庭厨余垃圾分出率", ">=", Decimal(22), "%"),
    ]
    assert deadlines(t7) == [("9月底前", date(2025, 9, 30), None)]
    assert targets(task(wuxi, 14)) == [("违建(拆除)", ">=", Decimal(171), "万平方米")]
    assert targets(task(wuxi, 5))[0] == ("特色街", ">=", Decimal(6), "条")
    t21 = task(wuxi, 21)
    assert deadlines(t21) == [
        ("3月底前", date(2025, 3, 31), None),
        ("每月", None, Recurrence.MONTHLY),
    ]
    assert ("双月", None, Recurrence.BIMONTHLY) in deadlines(task(wuxi, 20))
    assert ("共享泊位(新增)", ">=", Decimal(2000), "个") in targets(task(wuxi, 9))
    assert any(u.text.startswith("在已完成的151个") for u in wuxi.unparsed)
    assert all(t.comparator in Comparator for tk in wuxi.tasks for t in tk.targets)


def test_json_form_has_the_documented_fields(jining: ParsedPlan) -> None:
    data = jining.to_dict()
    assert set(data) >= {"issuer", "year", "tasks", "unparsed"}
    t5 = data["tasks"][4]
    assert set(t5) >= {
        "number",
        "outline",
        "title",
        "text",
        "lead_units",
        "responsible_units",
        "targets",
        "deadlines",
    }
    assert t5["targets"][0] == {
        "subject": "潮汐摊区、疏导点或夜市摊点群",
        "comparator": ">=",
        "value": 100,
        "unit": "处",
        "text": t5["targets"][0]["text"],
    }
    assert t5["deadlines"] == [{"text": "6月底前", "date": "2025-06-30"}]
    assert data["tasks"][8]["deadlines"] == [
        {"text": "每月", "date": None, "recurrence": "monthly"}
    ]


DOCS = Path(__file__).resolve().parents[2] / "docs" / "workplan.md"


def test_the_figures_in_the_docs_are_the_parsers() -> None:
    rows = [
        line for line in DOCS.read_text(encoding="utf-8").splitlines() if line.startswith("| 00")
    ]
    assert len(rows) == 5
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        p = plan(cells[0])
        f = p.figures()
        recurrences = sum(1 for t in p.tasks for d in t.deadlines if d.recurrence)
        assert cells[2:] == [
            p.task_level.value if p.task_level else "",
            str(f["tasks"]),
            str(f["with_lead_units"]),
            str(f["with_responsible_units"]),
            str(f["targets"]),
            f"{f['deadlines']} ({recurrences})",
            str(f["unparsed"]),
        ]
