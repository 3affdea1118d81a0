"""The access table of docs/workplan.md ("API and access"), request by request: every
endpoint for every role, with real logins. A handler's view is its unit's tasks; another
unit's task is "not found"; roles without access are refused (403) and recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from cityops.adapters.db.tables.accounts import access_denials
from cityops.reports import workplan_bulletin
from tests.api_workplan.conftest import STREET_PLAN, City

BUREAU = ("leader", "evaluator", "admin")
HANDLERS = ("sanitation", "enforcement")  # sanitation leads task 17; enforcement does not
OUTSIDERS = ("acceptor", "shift_leader", "dispatcher", "inspector", "citizen", "system")
EVERYONE = (*BUREAU, *HANDLERS, *OUTSIDERS)
# Refusals that come from the scope asked for, not from the role.
SCOPE_REFUSALS = {("all reminders", h): "workplan.reminders.scope_forbidden" for h in HANDLERS}


def expect(**by_persona: int) -> dict[str, int]:
    """Expected status per persona: the given ones, 403 for the rest."""
    return {p: by_persona.get(p, 403) for p in EVERYONE}


def report_form(persona: str) -> dict[str, Any]:
    return {"data": {"percent": "40", "text": f"{persona}报送：已完成方案制定"}}


def plan_upload(persona: str) -> dict[str, Any]:
    # each persona imports a different file (the same file twice is refused)
    return {"files": {"file": (f"{persona}.txt", STREET_PLAN + f"\n（{persona}）".encode())}}


Row = tuple[str, str, str, Callable[[str], dict[str, Any]], dict[str, int]]


def rows(ids: dict[str, Any]) -> list[Row]:
    none: Callable[[str], dict[str, Any]] = lambda _p: {}  # noqa: E731
    reader = expect(**dict.fromkeys((*BUREAU, *HANDLERS), 200))
    own = expect(**dict.fromkeys(BUREAU, 200), sanitation=200, enforcement=404)
    bureau = expect(**dict.fromkeys(BUREAU, 200))
    plan, task, target = ids["plan"], ids["task"], ids["target"]
    return [
        ("list plans", "GET", "", none, reader),
        ("one plan", "GET", f"/{plan}", none, reader),
        ("one task", "GET", f"/tasks/{task}", none, own),
        (
            "report progress",
            "POST",
            f"/tasks/{task}/reports",
            report_form,
            expect(evaluator=201, admin=201, sanitation=201, enforcement=404),
        ),
        ("evidence file", "GET", ids["evidence"], none, own),
        (
            "supervise",
            "POST",
            f"/tasks/{task}/supervisions",
            lambda _p: {"json": {"note": "请加快进度"}},
            expect(leader=201),
        ),
        ("lift", "POST", f"/supervisions/{ids['supervision']}/lift", none, expect(leader=200)),
        (
            "assign units",
            "PUT",
            f"/tasks/{task}/units",
            lambda _p: {"json": {"name": "环卫管理科", "codes": ["dept.sanitation"]}},
            bureau,
        ),
        ("my reminders", "GET", "/reminders", none, reader),
        (
            "all reminders",
            "GET",
            "/reminders?scope=all",
            none,
            expect(**dict.fromkeys(BUREAU, 200)),
        ),
        ("figures", "GET", "/figures", none, bureau),
        (
            "link target",
            "PUT",
            f"/targets/{target}/figure",
            lambda _p: {"json": {"figure": "cases.filed"}},
            bureau,
        ),
        (
            "measure",
            "POST",
            f"/{plan}/measurements",
            lambda _p: {"json": {"period": "2025-06"}},
            bureau,
        ),
        ("responsibility list", "GET", f"/{plan}/ledger.xlsx", none, reader),
        ("bulletin", "GET", f"/{plan}/bulletin.docx?month=2025-06", none, bureau),
        ("preview", "POST", "/preview", plan_upload, bureau),
        ("import", "POST", "", plan_upload, expect(**dict.fromkeys(BUREAU, 201))),
    ]


def prepare(city: City) -> dict[str, Any]:
    plan = city.import_jining()
    task = city.task_numbered(plan, 17)["id"]  # 环卫管理科 → dept.sanitation
    target = city.task_numbered(plan, 16)["targets"][0]["id"]  # 亮灯率
    r = city.post(
        "sanitation",
        f"/tasks/{task}/reports",
        data={"percent": "20", "text": "已启动"},
        files={"files": ("照片.jpg", b"\xff\xd8\xff evidence")},
    )
    assert r.status_code == 201, r.text
    evidence = r.json()["files"][0]["url"].removeprefix("/api/v1/workplans")
    other = city.task_numbered(plan, 18)["id"]
    r = city.post("leader", f"/tasks/{other}/supervisions", json={"note": "按月通报进展"})
    assert r.status_code == 201, r.text
    return {
        "plan": plan,
        "task": task,
        "target": target,
        "evidence": evidence,
        "supervision": r.json()["id"],
    }


def test_every_endpoint_answers_each_role_as_the_table_says(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Access only: the documents' contents are checked in test_downloads_and_figures.
    monkeypatch.setattr(workplan_bulletin, "write_bulletin_docx", lambda _p, _m, out: None)
    ids = prepare(city)
    wrong = []
    for label, method, path, kwargs, expected in rows(ids):
        for persona in EVERYONE:
            r = city.call(persona, method, path, **kwargs(persona))
            if r.status_code != expected[persona]:
                wrong.append((label, persona, expected[persona], r.status_code, r.text[:120]))
            elif r.status_code == 403:
                code = SCOPE_REFUSALS.get((label, persona), "auth.role_forbidden")
                assert r.json()["code"] == code, (label, persona, r.text)
            elif r.status_code == 404:
                assert r.json()["code"] == "workplan.task_not_found", (label, persona, r.text)
        anonymous = city.call(None, method, path, **kwargs("anonymous"))
        if (anonymous.status_code, anonymous.json()["code"]) != (401, "auth.required"):
            wrong.append((label, "anonymous", 401, anonymous.status_code, anonymous.text[:120]))
    assert wrong == []


def test_refusals_are_recorded(city: City) -> None:
    def denials() -> int:
        with city.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(access_denials)).scalar_one())

    before = denials()
    assert city.get("acceptor", "").status_code == 403
    assert city.get("sanitation", "/figures").status_code == 403
    assert denials() == before + 2


def test_a_handler_sees_only_the_tasks_of_its_unit(city: City) -> None:
    plan = city.import_jining()
    everything = city.tasks(plan)
    ours = city.tasks(plan, persona="sanitation")
    expected = [
        t["number"] for t in everything if any(u["code"] == "dept.sanitation" for u in t["units"])
    ]
    assert [t["number"] for t in ours] == expected == [17, 18, 19, 20, 21, 28]
    listed = city.get("sanitation", "").json()
    assert [(p["id"], p["assigned_tasks"]) for p in listed] == [(plan, 6)]
    assert city.get("evaluator", "").json()[0]["assigned_tasks"] is None
    detail = city.get("sanitation", f"/{plan}").json()
    assert sum(c["tasks"] for c in detail["counts"]) == 6
    assert detail["unparsed_items"] == []
    # a street office named nowhere in the plan sees no plan at all
    assert city.get("street", "").json() == []
    r = city.get("street", f"/{plan}")
    assert (r.status_code, r.json()["code"]) == (404, "workplan.plan_not_found")
    assert city.get("street", "/reminders").json() == []


def test_a_district_handler_sees_the_tasks_of_the_streets_under_it(city: City) -> None:
    plan = city.import_streets()
    assert [t["units"][0]["code"] for t in city.tasks(plan)] == [
        "street.370102001",
        "district.370102",
    ]
    assert [t["number"] for t in city.tasks(plan, persona="district")] == [1, 2]
    assert [t["number"] for t in city.tasks(plan, persona="street")] == [1]
    second = city.tasks(plan)[1]["id"]
    r = city.get("street", f"/tasks/{second}")
    assert (r.status_code, r.json()["code"]) == (404, "workplan.task_not_found")
    r = city.get("sanitation", f"/{plan}")
    assert (r.status_code, r.json()["code"]) == (404, "workplan.plan_not_found")
