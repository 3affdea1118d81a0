"""Saved searches of the case list, kept with the account: saved, replaced by name, listed
and deleted by their owner only; a bad name or filters are refused with a code."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import World


def _name() -> str:
    return f"超期·{uuid.uuid4().hex[:6]}"


def test_a_search_is_saved_replaced_by_its_name_listed_and_deleted(world: World):
    name = _name()
    first = world.post(
        "dispatcher", "/saved-searches", json={"name": name, "query": {"light": "red"}}
    )
    assert first.status_code == 201, first.text
    again = world.post(
        "dispatcher",
        "/saved-searches",
        json={"name": f"  {name} ", "query": {"light": "red", "state": ["dispatched"]}},
    )
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    mine = world.get("dispatcher", "/saved-searches").json()
    found = [s for s in mine if s["name"] == name]
    assert len(found) == 1 and found[0]["query"] == {"light": "red", "state": ["dispatched"]}

    # another user neither sees nor removes it
    assert name not in [s["name"] for s in world.get("acceptor", "/saved-searches").json()]
    theirs = world.call("acceptor", "DELETE", f"/saved-searches/{found[0]['id']}")
    assert theirs.status_code == 404 and theirs.json()["code"] == "saved_search.not_found"

    gone = world.call("dispatcher", "DELETE", f"/saved-searches/{found[0]['id']}")
    assert gone.status_code == 204
    assert name not in [s["name"] for s in world.get("dispatcher", "/saved-searches").json()]


def test_bad_names_and_filters_are_refused_and_nothing_is_kept(world: World):
    before = world.get("shift_leader", "/saved-searches").json()
    cases = [
        ({"name": "   ", "query": {}}, "saved_search.name_invalid"),
        ({"name": _name(), "query": {"light": {"nested": 1}}}, "saved_search.query_invalid"),
        ({"name": _name(), "query": {"text": "很长" * 3000}}, "saved_search.query_too_large"),
    ]
    for body, code in cases:
        r = world.post("shift_leader", "/saved-searches", json=body)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert world.get("shift_leader", "/saved-searches").json() == before
    assert world.get("citizen_1", "/saved-searches").status_code == 403  # staff only


def test_a_user_keeps_a_bounded_number_of_searches(world: World, monkeypatch: pytest.MonkeyPatch):
    from cityops.services import saved_searches

    monkeypatch.setattr(saved_searches, "MAX_PER_USER", 2)
    have = len(world.get("leader", "/saved-searches").json())
    for _ in range(max(0, 2 - have)):
        r = world.post("leader", "/saved-searches", json={"name": _name(), "query": {}})
        assert r.status_code == 201
    r = world.post("leader", "/saved-searches", json={"name": _name(), "query": {}})
    assert r.status_code == 422 and r.json()["code"] == "saved_search.too_many"
    kept = world.get("leader", "/saved-searches").json()
    again = world.post("leader", "/saved-searches", json={"name": kept[0]["name"], "query": {}})
    assert again.status_code == 201  # replacing one of them is still allowed
