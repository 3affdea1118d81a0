"""Assigning a task's units after import: match a name by hand, fix a wrong match, expand a
group to several units, add a unit to a task whose plan names none, undo a match; each change
recorded, each bad request refused with its code and nothing changed. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.workplan import workplan_events
from cityops.domain.catalog.model import Unit, UnitKind
from cityops.domain.workplan.model import Role
from cityops.errors import CityopsError, NotFoundError, ValidationError
from cityops.services import workplan as wp
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.workplan.lookups import (
    assigned_task_ids,
    task_events,
    task_unit_rows,
    task_units,
)
from tests.integration.test_workplan_ledger import JUNE, SMALL_PLAN

UNITS = {
    u.code: u
    for u in (
        Unit("dept.enforcement", "某市城市管理综合行政执法支队", UnitKind.DEPARTMENT),
        Unit("dept.appearance", "某市市容环境卫生服务中心", UnitKind.DEPARTMENT),
        Unit("dept.roads", "某市市政工程服务中心", UnitKind.DEPARTMENT),
        Unit("district.01", "甲区城市管理局", UnitKind.DISTRICT),
        Unit("district.02", "乙区城市管理局", UnitKind.DISTRICT),
        Unit("street.0101", "甲街道办事处", UnitKind.STREET, parent_code="district.01"),
    )
}


@pytest.fixture
def tasks(engine: Engine) -> dict[int, int]:
    """Task number → id of the ledger tests' small plan, imported with no unit matched."""
    plan_id = wp.import_document(
        engine, wp.read_bytes("plan.txt", SMALL_PLAN.encode()), actor="tester", now=JUNE
    ).plan_id
    ledger = wp.load_ledger(engine, plan_id, date(2025, 6, 20))
    return {t.number: t.id for t in ledger.tasks}


def assign(engine: Engine, task_id: int, name: str, *codes: str, **kw: Any) -> wp.Assignment:
    return wp.assign_task_units(
        engine, task_id, name=name, codes=codes, actor="evaluator.1", units=UNITS, now=JUNE, **kw
    )


def rows(engine: Engine, task_id: int) -> list[tuple[str, str, str | None, str]]:
    with engine.connect() as conn:
        return [(r.role, r.name, r.unit_code, r.match) for r in task_unit_rows(conn, task_id)]


def events(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(workplan_events)).scalar_one())


def test_a_name_is_matched_by_hand_then_a_wrong_match_is_fixed(
    engine: Engine, tasks: dict[int, int]
) -> None:
    one = tasks[1]
    assert rows(engine, one)[0] == ("lead", "市容管理科", None, "none")
    first = assign(engine, one, "市容管理科", "dept.enforcement")
    assert (first.name, first.roles, first.before, first.after) == (
        "市容管理科",
        (Role.LEAD,),
        (),
        ("dept.enforcement",),
    )
    assert rows(engine, one) == [
        ("lead", "市容管理科", "dept.enforcement", "assigned"),
        ("responsible", "执法支队", None, "none"),
    ]
    assert assigned_task_ids(engine, {"dept.enforcement"}) == {one}  # its handlers see it now

    fixed = assign(engine, one, " 市容管理科 ", "dept.appearance")  # spaces do not matter
    assert (fixed.before, fixed.after, fixed.changed) == (
        ("dept.enforcement",),
        ("dept.appearance",),
        True,
    )
    assert assigned_task_ids(engine, {"dept.enforcement"}) == set()
    assert assigned_task_ids(engine, {"dept.appearance"}) == {one}
    record = [e for e in task_events(engine, one) if e.type == "units_assigned"]
    assert [(e.actor, e.data["before"], e.data["after"]) for e in record] == [
        ("evaluator.1", [], ["dept.enforcement"]),
        ("evaluator.1", ["dept.enforcement"], ["dept.appearance"]),
    ]
    assert record[0].data["name"] == "市容管理科" and record[0].data["roles"] == ["lead"]
    # the same assignment again changes and records nothing
    before = events(engine)
    assert assign(engine, one, "市容管理科", "dept.appearance").changed is False
    assert events(engine) == before


def test_a_group_name_is_expanded_to_several_units_and_each_reports_for_itself(
    engine: Engine, tasks: dict[int, int]
) -> None:
    two = tasks[2]
    result = assign(engine, two, "各区市政主管部门", kind=UnitKind.DISTRICT)
    assert result.after == ("district.01", "district.02") and result.roles == (Role.RESPONSIBLE,)
    assert rows(engine, two)[1:] == [
        ("responsible", "各区市政主管部门", "district.01", "assigned"),
        ("responsible", "各区市政主管部门", "district.02", "assigned"),
    ]
    ledger = wp.load_ledger(engine, wp.lookups.task_plan_id(engine, two), date(2025, 6, 20))
    [ledger_two] = [t for t in ledger.tasks if t.id == two]
    assert ledger_two.responsible_units == ("各区市政主管部门",)  # printed once
    assert assigned_task_ids(engine, {"district.02"}) == {two}
    # a district reports under the group's name, recorded with its own code
    wp.report_progress(
        engine, two, percent=30, text="乙区进展", actor="h", unit="district.02", now=JUNE
    )
    [report] = wp.lookups.task_reports(engine, two)
    assert (report.unit, report.unit_code, report.month) == (
        "各区市政主管部门",
        "district.02",
        "2025-06",
    )
    # codes and a kind together, each unit once
    again = assign(
        engine, two, "各区市政主管部门", "street.0101", "district.01", kind=UnitKind.DISTRICT
    )
    assert again.after == ("street.0101", "district.01", "district.02")
    # undoing the match leaves the name, unmatched, as the plan wrote it
    undone = assign(engine, two, "各区市政主管部门")
    assert undone.after == () and rows(engine, two)[1:] == [
        ("responsible", "各区市政主管部门", None, "collective")
    ]


def test_a_unit_is_added_to_a_task_whose_plan_names_none(
    engine: Engine, tasks: dict[int, int]
) -> None:
    three = tasks[3]
    with pytest.raises(ValidationError) as info:
        wp.report_progress(engine, three, percent=10, text="x", actor="c", now=JUNE)
    assert info.value.code == "workplan.report.unit_required"
    result = assign(engine, three, "市政工程服务中心", "dept.roads", role=Role.LEAD)
    assert (result.before, result.after) == ((), ("dept.roads",))
    assert task_units(engine, three)[0].code == "dept.roads"
    rid = wp.report_progress(engine, three, percent=10, text="已启动", actor="c", now=JUNE)
    assert wp.lookups.report(engine, rid).unit == "市政工程服务中心"  # the lead reports
    # a name the plan gives as lead may also be added as a responsible unit
    assign(engine, tasks[1], "市容管理科", "dept.roads", role=Role.RESPONSIBLE)
    assert rows(engine, tasks[1])[0] == ("lead", "市容管理科", None, "none")
    assert rows(engine, tasks[1])[-1] == ("responsible", "市容管理科", "dept.roads", "assigned")


@pytest.mark.parametrize(
    ("task", "name", "codes", "kw", "code"),
    [
        (1, "市容管理科", ("dept.enforcement", "dept.roads"), {}, "workplan.assign.not_a_group"),
        (1, "市容管理科", ("dept.nowhere",), {}, "workplan.assign.unit_unknown"),
        (1, "财务科", ("dept.roads",), {}, "workplan.assign.role_required"),
        (1, "财务科", (), {"role": Role.LEAD}, "workplan.assign.unit_required"),
        (1, "  ", ("dept.roads",), {}, "workplan.assign.name_required"),
        (1, "科" * 129, ("dept.roads",), {}, "workplan.assign.name_too_long"),
    ],
)
def test_bad_assignments_are_refused_and_change_nothing(
    engine: Engine,
    tasks: dict[int, int],
    task: int,
    name: str,
    codes: tuple[str, ...],
    kw: dict[str, Any],
    code: str,
) -> None:
    before, count = rows(engine, tasks[task]), events(engine)
    with pytest.raises(ValidationError) as info:
        assign(engine, tasks[task], name, *codes, **kw)
    assert info.value.code == code and info.value.message
    assert rows(engine, tasks[task]) == before and events(engine) == count


def test_an_unknown_task_is_not_found(engine: Engine, tasks: dict[int, int]) -> None:
    with pytest.raises(NotFoundError) as info:
        assign(engine, 999_999, "市容管理科", "dept.roads")
    assert info.value.code == "workplan.task_not_found"


def test_the_platform_units_default_to_the_city_profile(
    engine: Engine, tasks: dict[int, int]
) -> None:
    with pytest.raises(CityopsError) as info:  # no profile installed: no platform units
        wp.assign_task_units(engine, tasks[1], name="市容管理科", codes=["x"], actor="e")
    assert info.value.code == "profile.none_installed"
    install_profile(engine, demo_profile_path())
    result = wp.assign_task_units(
        engine, tasks[1], name="市容管理科", codes=["dept.sanitation"], actor="e", now=JUNE
    )
    assert result.after == ("dept.sanitation",)
    with pytest.raises(ValidationError) as refused:
        wp.assign_task_units(engine, tasks[1], name="市容管理科", codes=["U-SR"], actor="e")
    assert refused.value.code == "workplan.assign.unit_unknown"
    assert refused.value.details["codes"] == ["U-SR"]
