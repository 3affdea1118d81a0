"""The hotline over HTTP with real logins: an order taken, classified, dispatched, signed,
handled, replied, revisited, reopened and closed by the roles that own each step; the
figures of the hotline page; petitions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from cityops.api.app import create_app
from cityops.domain.cases.vocabulary import Role
from cityops.services import accounts
from cityops.services.runtime import Runtime
from tests.integration.helpers import StepClock

PASSWORD = "hotline-test-1"
PEOPLE = {
    "desk": (Role.ACCEPTOR, None),
    "lead": (Role.SHIFT_LEADER, None),
    "dispatcher": (Role.DISPATCHER, None),
    "street1": (Role.HANDLER, "street.370102001"),
    "street2": (Role.HANDLER, "street.370102002"),
    "leader": (Role.LEADER, None),
    "inspector": (Role.INSPECTOR, None),
}


class Api:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def call(self, who: str, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.client.request(
            method,
            "/api/v1" + path,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            **kw,
        )
        assert r.status_code == status, (method, path, r.status_code, r.text)
        return r.json()

    def post(self, who: str, path: str, status: int = 200, **kw: Any) -> Any:
        return self.call(who, "POST", path, status, **kw)

    def get(self, who: str, path: str, status: int = 200, **kw: Any) -> Any:
        return self.call(who, "GET", path, status, **kw)


@pytest.fixture
def api(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    for login, (role, unit) in PEOPLE.items():
        accounts.create_user(rt, login, name=login, role=role, password=PASSWORD, unit=unit)
    with TestClient(create_app(rt)) as client:
        tokens = {}
        for login in PEOPLE:
            r = client.post("/api/v1/auth/token", data={"username": login, "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens[login] = r.json()["access_token"]
        yield Api(client, tokens)


def test_an_order_goes_round_the_hotline_over_http(api: Api, clock: StepClock):
    taken = api.post(
        "desk",
        "/hotline/orders",
        201,
        json={
            "content": "泉城公寓门口垃圾堆了好几天没人清运",
            "address": "历下区和平路泉城公寓",
            "caller_name": "王五",
            "caller_phone": "13812345678",
            "kind": "complaint",
        },
    )
    order = taken["order"]
    oid = order["id"]
    assert order["state"] == "received" and order["placement"]["level"] == "place"
    assert order["caller_phone"] == "138****5678"
    api.post("inspector", "/hotline/orders", 403, json={"content": "x"})
    assert oid in [o["id"] for o in api.get("desk", "/hotline/queue")["items"]]
    api.post("dispatcher", f"/hotline/orders/{oid}/classify", json={"class_code": "06010"})
    order = api.post("dispatcher", f"/hotline/orders/{oid}/dispatch", json={})
    assert order["unit"] == "street.370102001" and order["unit_name"] == "解放路街道办事处"
    assert oid in [o["id"] for o in api.get("street1", "/hotline/queue")["items"]]
    assert api.get("street1", f"/hotline/orders/{oid}")["caller_phone"] == "138****5678"
    api.get("street2", f"/hotline/orders/{oid}", 404)
    api.post("street2", f"/hotline/orders/{oid}/sign", 404)
    clock.tick(30)
    api.post("street1", f"/hotline/orders/{oid}/sign", json={})
    api.post("street1", f"/hotline/orders/{oid}/progress", json={"note": "已安排清运"})
    api.post("street1", f"/hotline/orders/{oid}/reply", json={"text": "已清运", "resolved": True})
    api.post(
        "desk",
        f"/hotline/orders/{oid}/revisit",
        json={"satisfaction": "unsatisfied", "note": "还有垃圾"},
    )
    order = api.post(
        "desk",
        f"/hotline/orders/{oid}/reopen",
        json={"reason_code": "unsatisfied", "reason": "回访不满意"},
    )
    assert order["state"] == "dispatched" and order["reopen_count"] == 1
    api.post("street1", f"/hotline/orders/{oid}/sign", json={})
    api.post(
        "street1", f"/hotline/orders/{oid}/reply", json={"text": "已彻底清理", "resolved": True}
    )
    api.post("desk", f"/hotline/orders/{oid}/revisit", json={"satisfaction": "satisfied"})
    order = api.post("desk", f"/hotline/orders/{oid}/close", json={})
    assert order["state"] == "closed" and order["closed_resolved"] is True
    stale = api.post("desk", f"/hotline/orders/{oid}/close", 409, json={"expected_version": 1})
    assert stale["code"] == "hotline.stale_version"
    timeline = api.get("desk", f"/hotline/orders/{oid}/timeline")
    assert [e["type"] for e in timeline][:3] == ["received", "classified", "dispatched"]
    contact = api.post("desk", f"/hotline/orders/{oid}/contact", json={"purpose": "回访"})
    assert contact["phone"] == "13812345678"
    assert (
        api.post("street1", f"/hotline/orders/{oid}/contact", 403, json={"purpose": "x"})["code"]
        == "hotline.contact_forbidden"
    )

    rates = api.get("leader", "/hotline/stats/rates", params={"period": "2025-10"})
    (city,) = rates["rows"]
    assert city["received"] == 1 and city["closure"]["value"] == 1.0
    assert city["satisfaction"] == {"numerator": 1, "denominator": 2, "value": 0.5}
    by_unit = api.get("leader", "/hotline/stats/rates", params={"period": "2025-10", "by": "unit"})
    assert [r["key"] for r in by_unit["rows"]] == ["street.370102001"]
    api.get("street1", "/hotline/stats/rates", 403, params={"period": "2025-10"})
    bad = api.get("leader", "/hotline/stats/rates", 422, params={"period": "October"})
    assert bad["code"] == "evaluation.period_invalid"
    spots = api.get("leader", "/hotline/stats/hotspots", params={"period": "2025-10"})
    assert spots["orders"] == 1 and spots["top_matters"][0]["key"] == "06010"
    geo = api.get("leader", "/hotline/map", params={"period": "2025-10"})
    assert geo["features"][0]["properties"]["order_no"] == order["order_no"]
    assert "13812345678" not in str(geo) and "138****" not in str(geo)
    section = api.get("leader", "/hotline/stats/bulletin", params={"period": "2025-10"})
    assert section["tables"][0]["header"][0] == "指标" and "受理" in section["paragraphs"][0]
    assert (
        api.get("leader", "/hotline/stats/negative-list", params={"period": "2025-10"})["entries"]
        == []
    )
    assert (
        api.get("leader", "/hotline/stats/reexamination", params={"period": "2025-10"})["items"]
        == []
    )


def test_locating_suggesting_and_case_handover_over_http(api: Api):
    placed = api.post("desk", "/hotline/locate", json={"text": "经十路与历山路路口"})
    assert placed["level"] == "crossing" and placed["grid_code"] == "370102002001005"
    assert (
        api.post("desk", "/hotline/suggest", json={"content": "经十路垃圾"})["suggestion"] is None
    )
    oid = api.post(
        "desk",
        "/hotline/orders",
        201,
        json={"content": "经十路与历山路路口垃圾成堆", "class_code": "06010"},
    )["order"]["id"]
    opened = api.post("desk", f"/hotline/orders/{oid}/case", 201, json={})
    assert opened["order"]["state"] == "in_case" and opened["case_id"] > 0
    detail = api.get("desk", f"/hotline/orders/{oid}")
    assert detail["case"]["state"] == "verifying"
    assert (
        api.post("desk", f"/hotline/orders/{oid}/case-outcome", 409)["code"] == "hotline.case_open"
    )


def test_petitions_over_http(api: Api):
    p = api.post(
        "desk",
        "/petitions",
        201,
        json={
            "channel": "visit",
            "category": "市容环境",
            "subject": "夜市扰民",
            "content": "夜市油烟噪音扰民多年",
            "petitioner_phone": "13900001111",
        },
    )
    assert p["state"] == "registered" and p["long_standing"] == []
    p = api.post("desk", f"/petitions/{p['id']}/accept", json={"first_unit": "street.370102001"})
    api.get("street2", f"/petitions/{p['id']}", 404)
    p = api.post(
        "street1", f"/petitions/{p['id']}/answer", json={"text": "已整治", "resolved": True}
    )
    assert p["state"] == "answered"
    assert [x["id"] for x in api.get("street1", "/petitions")] == [p["id"]]
    api.get("inspector", "/petitions", 403)
