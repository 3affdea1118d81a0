"""Supervision (督办) and reminders over HTTP: a leader flags a task and lifts it, the task and
the plan show it, and the reminders of each user follow the reports and the supervision."""

from __future__ import annotations

from typing import Any

from cityops.domain.cases.vocabulary import Role
from cityops.services import accounts
from tests.api_workplan.conftest import PASSWORD, PLANS, City


def kinds(reminders: list[dict[str, Any]], task_id: int) -> list[str]:
    return [r["kind"] for r in reminders if r["task_id"] == task_id]


def test_a_leader_supervises_a_task_and_lifts_the_supervision(city: City) -> None:
    plan = city.import_jining()
    task = city.task_numbered(plan, 17)["id"]
    r = city.post(
        "leader", f"/tasks/{task}/supervisions", json={"note": "7月底前完成", "due": "2025-07-31"}
    )
    assert r.status_code == 201, r.text
    opened = r.json()
    assert (opened["leader"], opened["note"], opened["due"]) == (
        "局领导",
        "7月底前完成",
        "2025-07-31",
    )
    assert opened["open"] is True and opened["closed_at"] is None
    assert [t["number"] for t in city.tasks(plan, supervised="true")] == [17]
    assert city.get("sanitation", f"/tasks/{task}").json()["supervised"] is True

    again = city.post("leader", f"/tasks/{task}/supervisions", json={"note": "再次督办"})
    assert (again.status_code, again.json()["code"]) == (409, "workplan.supervision.already_open")
    assert again.json()["details"]["supervision_id"] == opened["id"]
    for body, code in (
        ({"note": "  "}, "workplan.supervision.note_required"),
        ({"note": "督办\x00"}, "workplan.text.control_char"),
        ({}, "request.invalid"),
        ({"note": "x", "due": "2025-02-30"}, "request.invalid"),
        ({"note": "x", "priority": "high"}, "request.invalid"),
    ):
        r = city.post("leader", f"/tasks/{task}/supervisions", json=body)
        assert (r.status_code, r.json()["code"]) == (422, code), body
    r = city.post("leader", "/tasks/999999/supervisions", json={"note": "x"})
    assert (r.status_code, r.json()["code"]) == (404, "workplan.task_not_found")

    r = city.post("leader", f"/supervisions/{opened['id']}/lift", json={"note": "已按期完成"})
    assert r.status_code == 200, r.text
    lifted = r.json()
    assert lifted["open"] is False and lifted["closed_by"] == "局领导"
    assert lifted["close_note"] == "已按期完成"
    again = city.post("leader", f"/supervisions/{opened['id']}/lift")
    assert (again.status_code, again.json()["code"]) == (409, "workplan.supervision.closed")
    missing = city.post("leader", "/supervisions/999999/lift")
    assert (missing.status_code, missing.json()["code"]) == (404, "workplan.supervision_not_found")

    detail = city.get("evaluator", f"/tasks/{task}").json()
    assert detail["supervised"] is False
    assert [(s["id"], s["open"], s["close_note"]) for s in detail["supervisions"]] == [
        (opened["id"], False, "已按期完成")
    ]
    # the record names the leader by login id; the printed name stays the display name
    assert [(e["type"], e["actor"]) for e in detail["events"]] == [
        ("supervision_opened", "leader.1"),
        ("supervision_lifted", "leader.1"),
    ]
    assert detail["events"][0]["data"]["leader"] == "局领导"
    # a new supervision may be opened once the last one is lifted
    r = city.post("leader", f"/tasks/{task}/supervisions", json={"note": "年底前完成"})
    assert r.status_code == 201 and r.json()["id"] != opened["id"]


def test_reminders_for_each_user_follow_reports_and_supervision(city: City) -> None:
    plan = city.import_jining()
    old = city.import_plan(PLANS[1].name, PLANS[1].read_bytes())["plan"]  # Jinan 2022
    five = city.task_numbered(plan, 5)["id"]  # enforcement's, overdue since 30 June
    seventeen = city.task_numbered(plan, 17)["id"]  # sanitation's

    everything = city.get("evaluator", "/reminders", params={"scope": "all"}).json()
    assert {r["plan_id"] for r in everything} == {plan}  # plans of this year only
    assert everything[0]["kind"] == "overdue" and everything[0]["task_id"] == five
    assert "已逾期" in everything[0]["message"] and everything[0]["units"] == ["市容管理科"]
    assert sum(r["kind"] == "no_report" for r in everything) == 38
    past = city.get("admin", "/reminders", params={"scope": "all", "plan_id": old["id"]}).json()
    assert {r["plan_id"] for r in past} == {old["id"]} and len(past) >= 34

    mine = city.get("enforcement", "/reminders").json()
    ours = {t["id"] for t in city.tasks(plan, persona="enforcement")}
    assert {r["task_id"] for r in mine} == ours
    assert kinds(mine, five) == ["overdue", "no_report"]
    r = city.post(
        "enforcement", f"/tasks/{five}/reports", data={"percent": "90", "text": "已设置90处"}
    )
    assert r.status_code == 201
    assert kinds(city.get("enforcement", "/reminders").json(), five) == ["overdue"]

    early = city.get("enforcement", "/reminders", params={"as_of": "2025-06-20"}).json()
    soon = [r for r in early if r["task_id"] == five and r["kind"] == "due_soon"]
    assert [r["due"] for r in soon] == ["2025-06-30"] and "10天后" in soon[0]["message"]

    assert city.get("leader", "/reminders").json() == []
    city.post("leader", f"/tasks/{seventeen}/supervisions", json={"note": "每周报进度"})
    flagged = city.get("leader", "/reminders").json()
    assert {r["task_id"] for r in flagged} == {seventeen}
    assert "supervised" in kinds(flagged, seventeen)
    assert "supervised" in kinds(city.get("sanitation", "/reminders").json(), seventeen)

    r = city.get("sanitation", "/reminders", params={"scope": "all"})
    assert (r.status_code, r.json()["code"]) == (403, "workplan.reminders.scope_forbidden")
    r = city.get("sanitation", "/reminders", params={"plan_id": old["id"]})
    assert (r.status_code, r.json()["code"]) == (404, "workplan.plan_not_found")
    r = city.get("evaluator", "/reminders", params={"scope": "everything"})
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")
    r = city.get("evaluator", "/reminders", params={"as_of": "2025-13-01"})
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")


def test_two_leaders_with_the_same_name_each_keep_their_own_supervision(city: City) -> None:
    accounts.create_user(city.rt, "leader.2", name="局领导", role=Role.LEADER, password=PASSWORD)
    r = city.client.post("/api/v1/auth/token", data={"username": "leader.2", "password": PASSWORD})
    assert r.status_code == 200, r.text
    city.headers["leader2"] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    plan = city.import_jining()
    seventeen = city.task_numbered(plan, 17)["id"]
    eighteen = city.task_numbered(plan, 18)["id"]

    first = city.post("leader", f"/tasks/{seventeen}/supervisions", json={"note": "甲"})
    second = city.post("leader2", f"/tasks/{seventeen}/supervisions", json={"note": "乙"})
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["leader"] == second.json()["leader"] == "局领导"
    again = city.post("leader2", f"/tasks/{seventeen}/supervisions", json={"note": "丙"})
    assert again.json()["details"]["supervision_id"] == second.json()["id"]
    assert (
        city.post("leader2", f"/tasks/{eighteen}/supervisions", json={"note": "丁"}).status_code
        == 201
    )

    # each leader's reminders hold the tasks that leader supervises
    assert {r["task_id"] for r in city.get("leader", "/reminders").json()} == {seventeen}
    assert {r["task_id"] for r in city.get("leader2", "/reminders").json()} == {
        seventeen,
        eighteen,
    }
    city.post("leader2", f"/supervisions/{first.json()['id']}/lift", json={"note": "代为解除"})
    detail = city.get("evaluator", f"/tasks/{seventeen}").json()
    lifted = next(e for e in detail["events"] if e["type"] == "supervision_lifted")
    assert lifted["actor"] == "leader.2" and lifted["data"]["supervision_id"] == first.json()["id"]
    assert city.get("leader", "/reminders").json() == []
