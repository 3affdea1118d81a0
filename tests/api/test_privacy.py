"""Reporters' personal data: masked on storage, shown (masked) only to the roles that talk to
reporters, hidden from everyone else; the public sees public-safe fields only."""

from __future__ import annotations

import json

from cityops.domain.cases.vocabulary import Channel
from cityops.services import cases as svc
from cityops.services.cases import Upload
from tests.api.conftest import CLASS, CONDITION, World
from tests.fakes import JPEG

CONTACT = {"acceptor", "shift_leader", "leader"}


def _public_case_at_street_a(world: World) -> int:
    """A citizen's report, verified, filed and dispatched to street A."""
    case = world.case_in("verifying")
    svc.verify_case(
        world.rt,
        world.actor("inspector_a"),
        case.id,
        found=True,
        photos=[Upload(JPEG + b"verify" + bytes(str(case.id), "ascii"), "核实.jpg")],
    )
    svc.file_case(
        world.rt, world.actor("acceptor"), case.id, class_code=CLASS, condition_code=CONDITION
    )
    svc.dispatch_case(world.rt, world.actor("dispatcher"), case.id)
    return case.id


def test_each_role_sees_the_reporter_as_the_rules_say(world: World):
    cid = _public_case_at_street_a(world)
    for persona in (
        "inspector_a",
        "acceptor",
        "shift_leader",
        "dispatcher",
        "handler_a",
        "leader",
        "evaluator",
        "admin",
    ):
        detail = world.get(persona, f"/cases/{cid}").json()
        timeline = world.get(persona, f"/cases/{cid}/timeline").json()
        reported = timeline[0]
        if persona in CONTACT:
            assert (detail["reporter_name"], detail["reporter_phone"]) == ("张**", "138****5678"), (
                persona
            )
            assert detail["tracking_code"] and detail["reported_by"] == "citizen.demo"
            assert reported["actor"] == "citizen.demo"
            assert reported["data"]["reporter_phone"] == "138****5678"
        else:
            assert detail["reporter_name"] is None and detail["reporter_phone"] is None, persona
            assert detail["tracking_code"] is None
            assert detail["reported_by"] == Channel.PUBLIC.label_zh, persona
            assert reported["actor"] == "市民", persona
            assert not {"reporter_name", "reporter_phone", "tracking_code"} & set(reported["data"])
        # the unmasked phone is stored nowhere
        assert "13812345678" not in json.dumps([detail, timeline], ensure_ascii=False)


def test_the_citizen_sees_public_safe_fields_of_their_report_and_not_the_staff_photos(world: World):
    cid = _public_case_at_street_a(world)
    seen = world.get("citizen_1", f"/cases/{cid}")
    assert seen.status_code == 200
    body = seen.json()
    text = json.dumps(body, ensure_ascii=False)
    for staff in (
        world.logins["inspector_a"],
        "acceptor.1",
        "dispatcher.1",
        f"street.{world.a.street}",
    ):
        assert staff not in text, staff
    assert body["status"] == "in_progress"
    assert [p["kind"] for p in body["photos"]] == ["before"]
    staff_photos = world.get("shift_leader", f"/cases/{cid}").json()["attachments"]
    verify_photo = next(a["sha256"] for a in staff_photos if a["kind"] == "verify")
    assert world.get("shift_leader", f"/attachments/{verify_photo}").status_code == 200
    assert world.get("citizen_1", f"/attachments/{verify_photo}").status_code == 404
    # the public list, the timeline and the queue are not for the public
    for path in ("/cases", f"/cases/{cid}/timeline", "/queue"):
        assert world.get("citizen_1", path).status_code == 403


def test_a_citizen_report_near_an_open_case_does_not_reveal_that_case(world: World):
    original = world.case_in("dispatched", place="c")
    r = world.post(
        "citizen_2",
        "/cases",
        data={
            "description": "这里也有垃圾",
            "lon": str(world.c.lon),
            "lat": str(world.c.lat),
            "class_code": CLASS,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["duplicates"] == []
    staff = world.post(
        "acceptor",
        "/cases",
        data={
            "description": "热线反映有垃圾",
            "lon": str(world.c.lon),
            "lat": str(world.c.lat),
            "class_code": CLASS,
            "channel": "hotline",
        },
    )
    assert original.id in {d["case_id"] for d in staff.json()["duplicates"]}
