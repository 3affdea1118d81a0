"""Assigning a task's units over HTTP (PUT /workplans/tasks/{id}/units): the bureau matches a
name import left unmatched, expands a group to the districts, fixes a wrong match; the units'
handlers then see and report on the task (and stop seeing it when the match moves); every
change is in the task's record under the login id; bad requests answer their codes."""

from __future__ import annotations

from typing import Any

from tests.api_workplan.conftest import City


def assign(city: City, persona: str, task_id: int, **body: Any) -> Any:
    return city.put(persona, f"/tasks/{task_id}/units", json=body)


def test_a_name_left_unmatched_is_assigned_and_its_unit_takes_the_task(city: City) -> None:
    plan = city.import_jining()
    nine = city.task_numbered(plan, 9)["id"]  # lead 人事科: no platform unit at import
    assert city.get("sanitation", f"/tasks/{nine}").status_code == 404

    r = assign(city, "evaluator", nine, name="人事科", codes=["dept.sanitation"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["roles"], body["before"], body["after"], body["changed"]) == (
        "人事科",
        ["lead"],
        [],
        ["dept.sanitation"],
        True,
    )
    assert {
        "name": "人事科",
        "code": "dept.sanitation",
        "role": "lead",
        "role_label": "牵头单位",
    } in (body["task"]["units"])
    assert city.get("sanitation", f"/tasks/{nine}").status_code == 200
    r = city.post("sanitation", f"/tasks/{nine}/reports", data={"percent": "20", "text": "启动"})
    assert r.status_code == 201, r.text
    assert (r.json()["unit"], r.json()["unit_code"]) == ("人事科", "dept.sanitation")
    events = city.get("evaluator", f"/tasks/{nine}").json()["events"]
    assert [(e["type"], e["actor"]) for e in events] == [
        ("units_assigned", "evaluator.1"),
        ("progress_reported", "handler.dept.sanitation"),
    ]
    assert events[0]["data"]["after"] == ["dept.sanitation"]
    again = assign(city, "leader", nine, name="人事科", codes=["dept.sanitation"])
    assert again.status_code == 200 and again.json()["changed"] is False


def test_a_group_goes_to_every_district_and_a_wrong_match_is_fixed(city: City) -> None:
    plan = city.import_jining()
    five = city.task_numbered(plan, 5)["id"]  # responsible: 各区综合行政执法局 (a group)
    thirteen = city.task_numbered(plan, 13)["id"]  # 各区市政主管部门 → 历下区 by the CSV alias
    assert city.get("district", f"/tasks/{five}").status_code == 404

    r = assign(city, "admin", five, name="各区综合行政执法局", kind="district")
    assert r.status_code == 200, r.text
    assert len(r.json()["after"]) == 6 and "district.370102" in r.json()["after"]
    units = [u for u in r.json()["task"]["units"] if u["name"] == "各区综合行政执法局"]
    assert len(units) == 6 and {u["role"] for u in units} == {"responsible"}
    assert city.get("district", f"/tasks/{five}").status_code == 200
    r = city.post(
        "district", f"/tasks/{five}/reports", data={"percent": "40", "text": "历下区已设置8处"}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["unit"], r.json()["unit_code"]) == ("各区综合行政执法局", "district.370102")

    assert city.get("district", f"/tasks/{thirteen}").status_code == 200
    r = assign(city, "leader", thirteen, name="各区市政主管部门", codes=["district.370103"])
    assert (r.json()["before"], r.json()["after"]) == (["district.370102"], ["district.370103"])
    assert city.get("district", f"/tasks/{thirteen}").status_code == 404


def test_bad_assignments_answer_their_codes(city: City) -> None:
    plan = city.import_jining()
    nine = city.task_numbered(plan, 9)["id"]
    for persona, body, status, code in (
        (
            "sanitation",
            {"name": "人事科", "codes": ["dept.sanitation"]},
            403,
            "auth.role_forbidden",
        ),
        ("acceptor", {"name": "人事科", "codes": ["dept.sanitation"]}, 403, "auth.role_forbidden"),
        (
            "evaluator",
            {"name": "人事科", "codes": ["dept.sanitation", "dept.roads"]},
            422,
            "workplan.assign.not_a_group",
        ),
        (
            "evaluator",
            {"name": "人事科", "codes": ["dept.nowhere"]},
            422,
            "workplan.assign.unit_unknown",
        ),
        (
            "evaluator",
            {"name": "财务科", "codes": ["dept.roads"]},
            422,
            "workplan.assign.role_required",
        ),
        ("evaluator", {"name": "人事\x00科", "codes": []}, 422, "workplan.text.control_char"),
        ("evaluator", {"name": "  ", "codes": []}, 422, "request.invalid"),
        ("evaluator", {"name": "人事科", "kind": "planet"}, 422, "request.invalid"),
        ("evaluator", {"name": "人事科", "role": "boss"}, 422, "request.invalid"),
        ("evaluator", {"name": "人事科", "unit": "x"}, 422, "request.invalid"),
    ):
        r = assign(city, persona, nine, **body)
        assert (r.status_code, r.json()["code"]) == (status, code), body
    r = assign(city, "evaluator", 999_999, name="人事科", codes=["dept.roads"])
    assert (r.status_code, r.json()["code"]) == (404, "workplan.task_not_found")
    assert city.get("evaluator", f"/tasks/{nine}").json()["events"] == []
