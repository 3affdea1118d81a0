"""The whole closed loop through HTTP with real logins: each step by the role that owns it,
each in the right queue, and what the citizen sees along the way."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import CLASS, CONDITION, World
from tests.fakes import JPEG, PNG


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _queue_ids(world: World, persona: str) -> set[int]:
    page = _ok(world.get(persona, "/queue", params={"page_size": 200}))
    return {item["id"] for item in page["items"]}


def _upload(world: World, persona: str, content: bytes, name: str, kind: str) -> str:
    r = world.post(
        persona,
        "/attachments",
        files={"file": (name, content, "application/octet-stream")},
        data={"kind": kind},
    )
    return str(_ok(r, 201)["sha256"])


def test_an_inspector_report_goes_round_the_loop_with_extension_and_rework(world: World):
    a = world.a
    report = _ok(
        world.post(
            "inspector_a",
            "/cases",
            data={
                "description": "解放路路边有暴露垃圾",
                "lon": str(a.lon),
                "lat": str(a.lat),
                "class_code": CLASS,
                "address": "解放路1号",
            },
            files=[("photos", ("before.jpg", JPEG, "image/jpeg"))],
            headers={"Idempotency-Key": f"loop-{world.backend}-1"},
        ),
        201,
    )
    case = report["case"]
    cid = case["id"]
    assert case["state"] == "reported" and case["grid_code"] == a.grid
    assert [x["kind"] for x in case["attachments"]] == ["before"]
    assert cid in _queue_ids(world, "acceptor")

    case = _ok(
        world.post(
            "acceptor",
            f"/cases/{cid}/file",
            json={"class_code": CLASS, "condition_code": CONDITION},
        )
    )
    assert (
        case["state"] == "filed"
        and "dispatched" in _ok(world.get("dispatcher", f"/cases/{cid}"))["allowed_actions"]
    )
    detail = _ok(world.get("dispatcher", f"/cases/{cid}"))
    assert detail["routing_suggestion"]["unit"] == f"street.{a.street}"
    assert cid in _queue_ids(world, "dispatcher")

    case = _ok(world.post("dispatcher", f"/cases/{cid}/dispatch", json={"opinion": "请尽快处置"}))
    assert case["state"] == "dispatched" and case["assigned_unit"] == f"street.{a.street}"
    assert cid in _queue_ids(world, "handler_a") and cid not in _queue_ids(world, "handler_b")

    case = _ok(
        world.post(
            "handler_a",
            f"/cases/{cid}/extension",
            json={"amount": {"value": 1, "unit": "working_days"}, "reason": "需协调权属单位"},
        )
    )
    assert case["pending_extension"] is not None
    assert cid in _queue_ids(world, "dispatcher")  # an extension to decide
    case = _ok(
        world.post(
            "dispatcher",
            f"/cases/{cid}/extension/decision",
            json={"approved": True, "opinion": "同意", "expected_version": case["version"]},
        )
    )
    assert case["pending_extension"] is None and case["extension_count"] == 1
    assert cid not in _queue_ids(world, "dispatcher")  # decided: the handler's again

    after = _upload(world, "handler_a", PNG, "after.png", "after")
    case = _ok(
        world.post(
            "handler_a",
            f"/cases/{cid}/handle",
            json={"opinion": "已清理", "attachments": [{"sha256": after, "kind": "after"}]},
        )
    )
    assert case["state"] == "handled"
    case = _ok(world.post("acceptor", f"/cases/{cid}/check-request", json={}))
    assert case["state"] == "checking" and case["checker"] == world.logins["inspector_a"]
    assert cid in _queue_ids(world, "inspector_a")

    case = _ok(world.post("inspector_a", f"/cases/{cid}/rework", json={"reason": "仍有残留"}))
    assert case["state"] == "dispatched" and case["rework_count"] == 1
    case = _ok(
        world.post(
            "handler_a",
            f"/cases/{cid}/handle",
            json={"opinion": "已彻底清理", "attachments": [{"sha256": after, "kind": "after"}]},
        )
    )
    _ok(world.post("acceptor", f"/cases/{cid}/check-request", json={}))
    case = _ok(world.post("inspector_a", f"/cases/{cid}/close", json={"outcome": "fixed"}))
    assert case["state"] == "closed" and case["allowed_actions"] == []

    timeline = _ok(world.get("leader", f"/cases/{cid}/timeline"))
    assert [e["type"] for e in timeline] == [
        "reported",
        "filed",
        "dispatched",
        "extension_requested",
        "extension_decided",
        "handled",
        "check_requested",
        "reworked",
        "handled",
        "check_requested",
        "closed",
    ]
    assert [e["seq"] for e in timeline] == list(range(1, 12))


def test_a_citizen_report_is_verified_filed_returned_redispatched_and_the_citizen_follows_it(
    world: World,
):
    a = world.a
    before = _upload(world, "citizen_1", JPEG, "现场.jpg", "before")
    report = _ok(
        world.post(
            "citizen_1",
            "/cases",
            data={
                "description": "小区门口垃圾堆积",
                "lon": str(a.lon),
                "lat": str(a.lat),
                "attachment": before,
                "reporter_name": "李四",
                "reporter_phone": "13900001111",
            },
        ),
        201,
    )
    public = report["case"]
    cid = public["id"]
    assert public["status"] == "received" and "verifier" not in public
    assert {p["sha256"] for p in public["photos"]} == {before}
    assert cid in _queue_ids(world, "inspector_a")

    _ok(world.post("inspector_a", f"/cases/{cid}/verify", json={"found": True, "opinion": "属实"}))
    _ok(
        world.post(
            "shift_leader",
            f"/cases/{cid}/file",
            json={"class_code": CLASS, "condition_code": CONDITION},
        )
    )
    _ok(
        world.post(
            "dispatcher", f"/cases/{cid}/dispatch", json={"unit": f"street.{world.b.street}"}
        )
    )
    # the wrong street sends it back; the dispatcher sends it to the right one
    case = _ok(world.post("handler_b", f"/cases/{cid}/return", json={"reason": "不属于本街道"}))
    assert case["state"] == "filed"
    _ok(world.post("dispatcher", f"/cases/{cid}/dispatch", json={}))
    _ok(world.post("dispatcher", f"/cases/{cid}/suspend", json={"reason": "需等待天气好转"}))
    assert _ok(world.get("handler_a", f"/cases/{cid}"))["suspended"] is True
    assert cid in _queue_ids(world, "dispatcher")  # suspended: to resume
    _ok(world.post("shift_leader", f"/cases/{cid}/resume", json={"opinion": "恢复处置"}))
    after = _upload(world, "handler_a", PNG, "after.png", "after")
    _ok(
        world.post(
            "handler_a",
            f"/cases/{cid}/handle",
            json={"opinion": "已清运", "attachments": [{"sha256": after}]},
        )
    )
    _ok(world.post("dispatcher", f"/cases/{cid}/check-request", json={}))
    _ok(world.post("inspector_a", f"/cases/{cid}/close", json={}))

    mine = _ok(world.get("citizen_1", "/cases/mine"))
    seen = next(c for c in mine if c["id"] == cid)
    assert seen["status"] == "closed_fixed"
    steps = [p["step"] for p in seen["progress"]]
    assert steps[0] == "reported" and steps[-1] == "closed" and "dispatched" in steps
    # the citizen sees the before and after photos, and may download them
    assert {p["sha256"] for p in seen["photos"]} == {before, after}
    assert world.get("citizen_1", f"/attachments/{after}").content == PNG
    # the other citizen sees nothing of it
    assert world.get("citizen_2", f"/cases/{cid}").status_code == 404
    assert cid not in {c["id"] for c in _ok(world.get("citizen_2", "/cases/mine"))}


def test_a_filed_case_is_cancelled_by_the_shift_leader_and_a_duplicate_report_is_rejected(
    world: World,
):
    first = world.case_in("filed")
    case = _ok(world.post("shift_leader", f"/cases/{first.id}/cancel", json={"reason": "重复立案"}))
    assert case["state"] == "cancelled"
    original = world.case_in("dispatched", place="c")
    dup = _ok(
        world.post(
            "inspector_a",
            "/cases",
            data={
                "description": "同一处暴露垃圾",
                "lon": str(world.c.lon),
                "lat": str(world.c.lat),
                "class_code": CLASS,
            },
        ),
        201,
    )
    assert original.id in {d["case_id"] for d in dup["duplicates"]}
    case = _ok(
        world.post(
            "acceptor",
            f"/cases/{dup['case']['id']}/reject",
            json={"reason_code": "duplicate", "reason": "重复上报", "duplicate_of": original.id},
        )
    )
    assert case["state"] == "rejected" and case["duplicate_of"] == original.id


def test_every_case_says_whether_its_deadline_counts_working_time(world: World):
    """The countdowns follow the clock that set the deadline. In the demo city a normal case's
    stages (verify 1, file and dispatch 0.5 working hours) and its handling (4 working hours)
    count working time; an urgent report must be filed within 10 natural minutes."""
    shown: dict[int, bool] = {}
    for state in ("verifying", "reported", "filed", "dispatched"):
        case = world.case_in(state)
        shown[case.id] = True
    urgent = _ok(
        world.post(
            "inspector_a",
            "/cases",
            data={
                "description": "井盖缺失，行人有坠落危险",
                "lon": str(world.a.lon),
                "lat": str(world.a.lat),
                "class_code": CLASS,
                "urgency": "urgent",
            },
            files=[("photos", ("before.jpg", JPEG, "image/jpeg"))],
        ),
        201,
    )["case"]
    shown[urgent["id"]] = False
    for case_id, working in shown.items():
        detail = _ok(world.get("admin", f"/cases/{case_id}"))
        assert detail["deadline"] is not None and detail["deadline_working"] is working, detail
        listed = _ok(world.get("admin", "/cases", params={"text": detail["description"]}))
        row = next(r for r in listed["items"] if r["id"] == case_id)
        assert row["deadline_working"] is working and row["deadline"] == detail["deadline"]
