"""Role × unit: every loop command and every read, for every persona, answers exactly as the
access rules say — allowed, 403 with the reason's code (recorded), or 404 where the public
must not learn that a case exists.

The rules, restated here independently of the code that enforces them:

* Commands need a staff role (the public and machine reporters get ``auth.role_forbidden``).
* A staff member must see the case: centre roles see every case (a district-scoped acceptor
  only their district's), inspectors the cases in their grids, handlers the cases assigned
  to their unit or a unit under it. Otherwise ``case.out_of_scope``.
* Then the loop decides by role (``case.role_forbidden``) and, for a handler acting for the
  unit that holds the case, by unit (``case.not_your_unit``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from cityops.services.cases import Upload, store_attachment
from tests.api.conftest import CLASS, CONDITION, World
from tests.fakes import PNG

PUBLIC = ("citizen_1", "citizen_2", "system")
CENTRE = ("acceptor", "shift_leader", "dispatcher", "leader", "evaluator", "admin")
# Cases at place A; after dispatch they are held by street A.
ASSIGNED = frozenset({"dispatched", "extension_pending", "suspended", "handled", "checking"})


def sees(persona: str, state: str) -> bool:
    if persona in CENTRE or persona == "inspector_a":
        return True
    if persona in ("handler_a", "handler_district_a"):
        return state in ASSIGNED
    return False  # inspector_b, handler_b, acceptor_district_b, the public


@dataclass(frozen=True)
class Command:
    name: str
    path: str
    state: str
    allowed: frozenset[str]
    body: Callable[[World], dict[str, Any]]
    to_state: str
    unit_scoped: bool = False


def _after_photo(world: World) -> dict[str, Any]:
    att = store_attachment(world.rt, Upload(PNG, "after.png", "after"))
    return {"opinion": "已处理", "attachments": [{"sha256": att.sha256, "kind": "after"}]}


def _cmd(
    name: str,
    path: str,
    state: str,
    allowed: set[str],
    body: dict[str, Any] | Callable[[World], dict[str, Any]],
    to_state: str,
    unit_scoped: bool = False,
) -> Command:
    make = body if callable(body) else (lambda _w, b=body: dict(b))
    return Command(name, path, state, frozenset(allowed), make, to_state, unit_scoped)


COMMANDS = [
    _cmd(
        "verify",
        "verify",
        "verifying",
        {"inspector_a", "shift_leader"},
        {"found": True},
        "reported",
    ),
    _cmd(
        "reject",
        "reject",
        "reported",
        {"acceptor", "shift_leader"},
        {"reason_code": "out_of_scope", "reason": "不属于受理范围"},
        "rejected",
    ),
    _cmd(
        "file",
        "file",
        "reported",
        {"acceptor", "shift_leader"},
        {"class_code": CLASS, "condition_code": CONDITION},
        "filed",
    ),
    _cmd("dispatch", "dispatch", "filed", {"dispatcher"}, {}, "dispatched"),
    _cmd(
        "return",
        "return",
        "dispatched",
        {"handler_a", "dispatcher"},
        {"reason": "不属于本单位"},
        "filed",
        unit_scoped=True,
    ),
    _cmd(
        "extension",
        "extension",
        "dispatched",
        {"handler_a"},
        {"amount": {"value": 1, "unit": "working_days"}, "reason": "需协调"},
        "dispatched",
        unit_scoped=True,
    ),
    _cmd(
        "extension_decision",
        "extension/decision",
        "extension_pending",
        {"dispatcher", "shift_leader"},
        {"approved": True},
        "dispatched",
    ),
    _cmd(
        "suspend",
        "suspend",
        "dispatched",
        {"dispatcher", "shift_leader"},
        {"reason": "冬季停工"},
        "dispatched",
    ),
    _cmd("resume", "resume", "suspended", {"dispatcher", "shift_leader"}, {}, "dispatched"),
    _cmd(
        "handle", "handle", "dispatched", {"handler_a"}, _after_photo, "handled", unit_scoped=True
    ),
    _cmd(
        "check_request",
        "check-request",
        "handled",
        {"acceptor", "dispatcher", "shift_leader"},
        {},
        "checking",
    ),
    _cmd(
        "rework",
        "rework",
        "checking",
        {"inspector_a", "shift_leader"},
        {"reason": "仍有残留"},
        "dispatched",
    ),
    _cmd("close", "close", "checking", {"inspector_a", "shift_leader", "acceptor"}, {}, "closed"),
    _cmd("cancel", "cancel", "filed", {"shift_leader"}, {"reason": "案卷无效"}, "cancelled"),
]


def expected(persona: str, command: Command) -> tuple[int, str | None]:
    if persona in PUBLIC:
        return 403, "auth.role_forbidden"
    if not sees(persona, command.state):
        return 403, "case.out_of_scope"
    if persona in command.allowed:
        return 200, None
    if persona == "handler_district_a" and command.unit_scoped:
        return 403, "case.not_your_unit"
    return 403, "case.role_forbidden"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_each_command_is_allowed_or_refused_for_every_persona_as_the_rules_say(
    world: World, command: Command
):
    case = world.case_in(command.state)
    wrong: list[str] = []
    refused = 0
    before = world.denials()
    for persona in world.logins:
        status, code = expected(persona, command)
        if status == 200:
            continue
        r = world.post(persona, f"/cases/{case.id}/{command.path}", json=command.body(world))
        body = r.json()
        if r.status_code != status or body.get("code") != code:
            wrong.append(
                f"{persona}: {r.status_code} {body.get('code')} (expected {status} {code})"
            )
        assert set(body) == {"code", "message", "details"}
        refused += 1
    assert wrong == []
    assert world.denials() - before == refused, "every refused request is recorded"
    # nothing refused changed the case
    detail = world.get("shift_leader", f"/cases/{case.id}").json()
    assert detail["version"] == case.version

    for persona in sorted(command.allowed):
        target = case if persona == sorted(command.allowed)[0] else world.case_in(command.state)
        r = world.post(persona, f"/cases/{target.id}/{command.path}", json=command.body(world))
        assert r.status_code == 200, (persona, r.text)
        assert r.json()["state"] == command.to_state, persona
        assert r.json()["version"] == target.version + 1


def test_allowed_actions_listed_in_the_detail_match_the_matrix(world: World):
    """What the console offers each persona is exactly what the server would accept."""
    event_of = {
        "verify": "verified",
        "reject": "rejected",
        "file": "filed",
        "dispatch": "dispatched",
        "return": "returned",
        "extension": "extension_requested",
        "extension_decision": "extension_decided",
        "suspend": "suspended",
        "resume": "resumed",
        "handle": "handled",
        "check_request": "check_requested",
        "rework": "reworked",
        "close": "closed",
        "cancel": "cancelled",
    }
    wrong = []
    for state in (
        "verifying",
        "reported",
        "filed",
        "dispatched",
        "extension_pending",
        "suspended",
        "handled",
        "checking",
    ):
        case = world.case_in(state)
        for persona in world.logins:
            if persona in PUBLIC or not sees(persona, state):
                continue
            listed = set(world.get(persona, f"/cases/{case.id}").json()["allowed_actions"])
            for c in COMMANDS:
                if c.state != state:
                    continue
                ok = expected(persona, c)[0] == 200
                if ok != (event_of[c.name] in listed):
                    wrong.append(f"{state}/{persona}/{c.name}: listed={not ok}")
    assert wrong == []


READS_STAFF = (
    "inspector_a",
    "inspector_b",
    "acceptor",
    "acceptor_district_b",
    "shift_leader",
    "dispatcher",
    "handler_a",
    "handler_b",
    "handler_district_a",
    "leader",
    "evaluator",
    "admin",
)


def test_reading_a_case_answers_by_scope_and_the_public_learns_nothing_of_others(world: World):
    case = world.case_in("dispatched")
    own = world.case_in("verifying")  # reported by citizen_1
    photo = world.get("shift_leader", f"/cases/{case.id}").json()["attachments"][0]["sha256"]
    before = world.denials()
    wrong = []
    for persona in world.logins:
        visible = persona not in PUBLIC and sees(persona, "dispatched")
        checks = [
            (f"/cases/{case.id}", 200 if visible else (404 if persona in PUBLIC else 403)),
            (f"/cases/{case.id}/timeline", 200 if visible else 403),
            (f"/attachments/{photo}", 200 if visible else 404),
        ]
        for path, status in checks:
            r = world.get(persona, path)
            if r.status_code != status:
                wrong.append(f"{persona} {path}: {r.status_code} (expected {status})")
        listed = world.get(persona, "/cases", params={"text": case.case_no})
        if persona in PUBLIC:
            if listed.status_code != 403:
                wrong.append(f"{persona} list: {listed.status_code}")
        elif listed.status_code != 200 or (
            (case.id in {c["id"] for c in listed.json()["items"]}) != visible
        ):
            wrong.append(f"{persona} list: {listed.status_code} visible={visible}")
    assert wrong == []
    # 403s: out-of-scope staff (detail, timeline), the public (timeline, list)
    out_of_scope = [p for p in READS_STAFF if not sees(p, "dispatched")]
    assert world.denials() - before == 2 * len(out_of_scope) + 2 * len(PUBLIC)
    # the citizen who reported sees their own report, in the public view only
    mine = world.get("citizen_1", f"/cases/{own.id}")
    assert mine.status_code == 200
    assert set(mine.json()) == {
        "id",
        "case_no",
        "tracking_code",
        "status",
        "status_label",
        "class_name",
        "description",
        "address",
        "reported_at",
        "closed_at",
        "photos",
        "progress",
    }
    assert world.get("citizen_2", f"/cases/{own.id}").status_code == 404


ENDPOINTS: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("GET", "/queue", {}, set(READS_STAFF)),
    ("GET", "/cases/overdue", {}, set(READS_STAFF)),
    ("GET", "/cases/mine", {}, set(READS_STAFF) | set(PUBLIC)),
    (
        "GET",
        "/exports/events",
        {"case_id": 1},
        {"acceptor", "acceptor_district_b", "shift_leader", "dispatcher", "leader", "evaluator"},
    ),
    ("GET", "/admin/users", {"page_size": 1}, {"admin"}),
    ("GET", "/admin/units", {}, {"admin"}),
    ("GET", "/admin/access-denials", {"page_size": 1}, {"admin"}),
    (
        "GET",
        "/suggest/routing",
        {"class_code": CLASS, "lon": 117.0, "lat": 36.66},
        {
            "inspector_a",
            "inspector_b",
            "acceptor",
            "acceptor_district_b",
            "shift_leader",
            "dispatcher",
            "leader",
        },
    ),
    (
        "GET",
        "/suggest/duplicates",
        {"class_code": CLASS, "lon": 117.0, "lat": 36.66},
        {
            "inspector_a",
            "inspector_b",
            "acceptor",
            "acceptor_district_b",
            "shift_leader",
            "dispatcher",
            "leader",
        },
    ),
    ("GET", "/geo/grids", {"bbox": "117.0,36.66,117.005,36.665"}, set(READS_STAFF)),
    ("GET", "/geo/regions", {"level": "district"}, set(READS_STAFF)),
    ("GET", "/geo/locate", {"lon": 117.0, "lat": 36.66}, set(READS_STAFF) | set(PUBLIC)),
    ("GET", "/catalog/classes", {"major": "06"}, set(READS_STAFF) | set(PUBLIC)),
    ("GET", "/catalog/units", {}, set(READS_STAFF)),
    ("GET", "/auth/me", {}, set(READS_STAFF) | set(PUBLIC)),
]


@pytest.mark.parametrize(
    ("method", "path", "params", "allowed"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS]
)
def test_each_endpoint_answers_by_role(
    world: World, method: str, path: str, params: dict[str, Any], allowed: set[str]
):
    wrong = []
    before = world.denials()
    for persona in world.logins:
        r = world.call(persona, method, path, params=params)
        want = 200 if persona in allowed else 403
        if r.status_code != want:
            wrong.append(f"{persona}: {r.status_code} (expected {want})")
        elif want == 403 and r.json()["code"] != "auth.role_forbidden":
            wrong.append(f"{persona}: {r.json()['code']}")
    assert wrong == []
    assert world.denials() - before == len(set(world.logins) - allowed)
    anonymous = world.call(None, method, path, params=params)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "auth.required"
