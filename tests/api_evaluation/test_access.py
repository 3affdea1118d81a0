"""Who may see and do what in the evaluation API, persona by persona, on both databases.

The table, restated here independently of the code that enforces it (docs/evaluation.md,
"HTTP API"):

* leaders, evaluators, administrators and the centre's desk roles see every figure;
* only evaluators and administrators set and measure targets and keep the assessment;
* the bulletin and the ledgers are for the bureau and the centre;
* a handler sees its own units as 处置单位 and the regions they govern, and the case lists of
  its units; an inspector sees himself; the public and machines see nothing;
* a refusal answers 403 with a code and is recorded.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cityops.adapters.db.tables.accounts import access_denials
from tests.api_evaluation.conftest import City

EVERY = (
    "leader",
    "evaluator",
    "admin",
    "acceptor",
    "shift_leader",
    "dispatcher",
    "acceptor_district_b",
    "handler_a",
    "handler_district_a",
    "inspector_a",
    "citizen",
    "system",
)
BUREAU_AND_CENTRE = {
    "leader",
    "evaluator",
    "admin",
    "acceptor",
    "shift_leader",
    "dispatcher",
    "acceptor_district_b",
}
WRITERS = {"evaluator", "admin"}
MACHINES_AND_PUBLIC = {"citizen", "system"}


def denials(city: City) -> int:
    with city.engine.connect() as conn:
        return len(conn.execute(select(access_denials.c.id)).all())


def expect(r: Any, status: int, code: str | None = None) -> None:
    assert r.status_code == status, r.text
    if code is not None:
        assert r.json()["code"] == code


def visible(city: City, persona: str) -> set[tuple[str, str]]:
    r = city.get(persona, "/evaluation", params={"period": "2025-10", "compare": "false"})
    expect(r, 200)
    return {(o["kind"], o["code"]) for o in r.json()["objects"]}


@pytest.mark.parametrize("persona", EVERY)
def test_the_evaluation_each_role_sees(city: City, persona: str):
    if persona in MACHINES_AND_PUBLIC:
        before = denials(city)
        r = city.get(persona, "/evaluation", params={"period": "2025-10"})
        expect(r, 403, "auth.role_forbidden")
        assert denials(city) == before + 1
        return
    seen = visible(city, persona)
    everything = visible(city, "leader")
    street_a, district_a = f"street.{city.a.street}", f"district.{city.a.district}"
    if persona in BUREAU_AND_CENTRE:
        assert seen == everything
        assert {k for k, _ in seen} >= {"city", "district", "department", "inspector"}
    elif persona == "handler_a":  # a street office: its unit and its street
        assert seen == {("department", street_a), ("street", city.a.street)}
    elif persona == "handler_district_a":  # a district bureau: itself, its streets' offices
        assert ("department", street_a) in seen and ("street", city.a.street) in seen
        assert {k for k, _ in seen} <= {"department", "district", "street", "community"}
        assert all(city.a.district in code for _, code in seen)
        assert (("department", district_a) in seen) == (("department", district_a) in everything)
    elif persona == "inspector_a":
        assert seen == {("inspector", city.logins["inspector_a"])}
    else:  # pragma: no cover
        raise AssertionError(persona)


@pytest.mark.parametrize(
    ("persona", "path", "status", "code"),
    [
        ("handler_a", "/evaluation/objects/department/street.{a_street}", 200, None),
        ("handler_a", "/evaluation/objects/department/street.{b_street}", 403, "object"),
        ("handler_a", "/evaluation/objects/district/{a_district}", 403, "object"),
        ("handler_district_a", "/evaluation/objects/department/street.{a_street}", 200, None),
        ("handler_district_a", "/evaluation/objects/district/{a_district}", 200, None),
        ("inspector_a", "/evaluation/objects/inspector/{inspector_a}", 200, None),
        ("inspector_b", "/evaluation/objects/inspector/{inspector_a}", 403, "object"),
        ("inspector_a", "/evaluation/objects/city/*", 403, "object"),
        ("dispatcher", "/evaluation/objects/inspector/{inspector_a}", 200, None),
    ],
)
def test_one_object_is_shown_only_to_those_who_see_it(
    city: City, persona: str, path: str, status: int, code: str | None
):
    url = path.format(
        a_street=city.a.street,
        b_street=city.b.street,
        a_district=city.a.district,
        inspector_a=city.logins["inspector_a"],
    )
    r = city.get(persona, url, params={"period": "2025-10"})
    expect(r, status, "evaluation.object_forbidden" if code == "object" else None)


def test_a_kind_outside_ones_sight_is_refused(city: City):
    r = city.get("handler_a", "/evaluation", params={"period": "2025-10", "kind": "inspector"})
    expect(r, 403, "evaluation.kind_forbidden")
    r = city.get("inspector_a", "/evaluation", params={"period": "2025-10", "kind": "district"})
    expect(r, 403, "evaluation.kind_forbidden")
    r = city.get("inspector_a", "/evaluation", params={"period": "2025-10", "kind": "inspector"})
    expect(r, 200)
    assert [o["code"] for o in r.json()["objects"]] == [city.logins["inspector_a"]]
    r = city.get(
        "handler_a",
        "/evaluation/measure",
        params={"indicator": "结案率", "period": "2025-10", "object": f"street:{city.b.street}"},
    )
    expect(r, 403, "evaluation.object_forbidden")


@pytest.mark.parametrize("persona", EVERY)
def test_only_evaluators_and_administrators_write(city: City, persona: str):
    target = {"indicator": "结案率", "period": "2025-09", "target": 90}
    r = city.post(persona, "/evaluation/targets", json=target)
    r2 = city.post(persona, "/evaluation/targets/measure", params={"period": "2025-09"})
    r3 = city.post(
        persona, "/evaluation/assessment/schemes/不存在/runs", json={"period": "2025-09"}
    )
    if persona in WRITERS:
        expect(r, 200)
        expect(r2, 200)
        expect(r3, 404, "assessment.scheme_unknown")
    else:
        for x in (r, r2, r3):
            expect(x, 403, "auth.role_forbidden")


@pytest.mark.parametrize("persona", EVERY)
def test_the_bulletin_and_ledgers_are_for_the_bureau_and_the_centre(city: City, persona: str):
    for path in ("/evaluation/bulletin.docx", "/evaluation/ledgers.xlsx"):
        r = city.get(persona, path, params={"period": "2025-10-21", "compare": "false"})
        if persona in BUREAU_AND_CENTRE:
            expect(r, 200)
        else:
            expect(r, 403, "auth.role_forbidden")
    r = city.get(persona, "/evaluation/cases", params={"period": "2025-10-21"})
    if persona in BUREAU_AND_CENTRE or persona.startswith("handler"):
        expect(r, 200)
    else:
        expect(r, 403, "auth.role_forbidden")


def test_targets_and_assessment_rows_follow_the_same_sight(city: City):
    street = f"street:{city.a.street}"
    for obj in (street, f"street:{city.b.street}"):
        body = {"indicator": "filed", "period": "2025-08", "target": 1, "object": obj}
        expect(city.post("evaluator", "/evaluation/targets", json=body), 200)
    r = city.get("handler_a", "/evaluation/targets", params={"period": "2025-08"})
    expect(r, 200)
    assert [t["object"] for t in r.json()] == [street]
    r = city.get("inspector_a", "/evaluation/targets", params={"period": "2025-08"})
    expect(r, 200)
    assert r.json() == []
    assert (
        len(city.get("acceptor", "/evaluation/targets", params={"period": "2025-08"}).json()) == 2
    )
    scheme = {
        "name": f"访问测试方案-{city.backend}",
        "items": [{"code": "survey", "source": "survey", "weight": 1}],
    }
    expect(city.post("admin", "/evaluation/assessment/schemes", json=scheme), 201)
    path = f"/evaluation/assessment/schemes/{scheme['name']}"
    expect(city.post("admin", path + "/runs", json={"period": "2025-08"}), 201)
    rows = city.get("handler_district_a", path + "/history").json()
    assert rows and {x["district_code"] for x in rows} == {city.a.district}
    assert len(city.get("leader", path + "/history").json()) > len(rows)
    expect(city.get("handler_a", path + "/history"), 200)
    assert city.get("handler_a", path + "/history").json() == []
    r = city.get("handler_district_a", path + "/history", params={"district": city.b.district})
    expect(r, 403, "evaluation.object_forbidden")
    expect(city.get("inspector_a", path + "/history"), 403, "auth.role_forbidden")
    expect(city.get("inspector_a", "/evaluation/assessment/schemes"), 403, "auth.role_forbidden")


def test_without_a_login_nothing(city: City):
    for path in ("/evaluation", "/evaluation/indicators", "/evaluation/targets"):
        expect(city.get(None, path, params={"period": "2025-10"}), 401, "auth.required")
