"""Exchange targets over HTTP: an administrator adds a platform to push the event log to, sees
how far it has got, pauses it and removes it; nobody else may."""

from __future__ import annotations

import pytest

from tests.api.conftest import World


def test_an_administrator_adds_watches_pauses_and_removes_a_target(world: World):
    world.case_in("filed")  # some events to send
    r = world.post(
        "admin",
        "/admin/exchange/targets",
        json={"name": "province-test", "url": "http://127.0.0.1:9/unreachable"},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert len(created["secret"]) >= 32 and created["behind"] > 0 and created["event_types"] is None
    listed = world.get("admin", "/admin/exchange/targets").json()
    assert [t["name"] for t in listed if t["name"] == "province-test"] == ["province-test"]
    assert all("secret" not in t for t in listed)

    pushed = world.post("admin", "/admin/exchange/push").json()
    mine = next(p for p in pushed if p["target"] == "province-test")
    assert mine["sent"] == 0 and "无法送达" in mine["error"]  # nothing lost: it waits
    after = next(
        t
        for t in world.get("admin", "/admin/exchange/targets").json()
        if t["name"] == "province-test"
    )
    assert after["failures"] == 1 and after["behind"] == created["behind"]

    paused = world.call(
        "admin",
        "PATCH",
        "/admin/exchange/targets/province-test",
        json={"active": False, "event_types": ["closed"]},
    )
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert paused.json()["event_types"] == ["closed"]
    assert world.call("admin", "DELETE", "/admin/exchange/targets/province-test").status_code == 204
    assert world.call("admin", "DELETE", "/admin/exchange/targets/province-test").json()[
        "code"
    ] == ("exchange.target_not_found")


def test_bad_targets_are_refused_with_precise_codes(world: World):
    bad_url = world.post(
        "admin", "/admin/exchange/targets", json={"name": "x-1", "url": "ftp://x.example/in"}
    )
    assert bad_url.status_code == 422 and bad_url.json()["code"] == "exchange.url_invalid"
    bad_name = world.post(
        "admin", "/admin/exchange/targets", json={"name": "省平台", "url": "https://x.example/in"}
    )
    assert bad_name.status_code == 422 and bad_name.json()["code"] == "exchange.name_invalid"


@pytest.mark.parametrize("persona", ["dispatcher", "leader", "handler_a"])
def test_only_an_administrator_sees_or_changes_the_targets(world: World, persona: str):
    assert world.get(persona, "/admin/exchange/targets").status_code == 403
    r = world.post(
        persona, "/admin/exchange/targets", json={"name": "x-2", "url": "https://x.example/"}
    )
    assert r.status_code == 403 and r.json()["code"] == "auth.role_forbidden"
