"""The city profile administered over HTTP: an administrator changes a filing condition, a
unit and a local class in the console; each change is validated like a profile loaded from
files, becomes a new active version that the running service uses at once, can be rolled
back, and can be downloaded as files. Nothing else may touch it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from cityops.services import profile as profiles
from cityops.services.runtime import bootstrap
from tests.api.conftest import CLASS, CONDITION, World


@pytest.fixture
def restored(world: World) -> Iterator[World]:
    """Whatever a test changes, the profile it started with is active again afterwards."""
    before = profiles.active_version(world.rt.engine)
    assert before is not None
    yield world
    r = world.post("admin", f"/admin/profile/versions/{before.id}/activate")
    assert r.status_code == 200, r.text
    assert profiles.active_hash(world.rt.engine) == before.content_hash


def _table(world: World, name: str) -> dict[str, Any]:
    r = world.get("admin", f"/admin/profile/tables/{name}")
    assert r.status_code == 200, r.text
    return r.json()


def _edit(world: World, name: str, **body: Any) -> Any:
    return world.post("admin", f"/admin/profile/tables/{name}/edits", json=body)


def test_a_changed_time_limit_is_a_new_version_the_service_uses_at_once(restored: World):
    world = restored
    table = _table(world, "conditions")
    assert table["label"] == "立案条件" and table["key"] == ["code"]
    row = next(r for r in table["rows"] if r["code"] == CONDITION)
    hash_before = table["version"]["content_hash"]
    changed = dict(row, limit_value="2", limit_unit="working_hours")
    r = _edit(
        world, "conditions", kind="update", key=CONDITION, values=changed, expected_hash=hash_before
    )
    assert r.status_code == 201, r.text
    version = r.json()
    assert version["active"] and version["content_hash"] != hash_before
    assert version["source"] == f"控制台 admin：修改立案条件“{CONDITION}”"

    # the catalog and the loop read the new limit without a restart
    shown = world.get("dispatcher", f"/catalog/classes/{CLASS}").json()
    condition = next(c for c in shown["conditions"] if c["code"] == CONDITION)
    assert condition["limit"]["value"] == 2 and condition["limit"]["unit"] == "working_hours"
    case = world.case_in("dispatched")
    assert case.handling is not None and case.handling.limit_seconds == 2 * 3600

    # a change made against the old version is refused: nobody overwrites another
    stale = _edit(
        world, "conditions", kind="update", key=CONDITION, values=row, expected_hash=hash_before
    )
    assert stale.status_code == 409 and stale.json()["code"] == "profile.changed"

    # the version's files can be downloaded, with the change in them
    z = world.get("admin", f"/admin/profile/versions/{version['id']}/files.zip")
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    files = zipfile.ZipFile(io.BytesIO(z.content))
    assert "city.toml" in files.namelist()
    line = next(
        x for x in files.read("conditions.csv").decode().splitlines() if x.startswith(CONDITION)
    )
    assert ",2,working_hours," in line
    versions = world.get("admin", "/admin/profile/versions").json()
    assert [v["active"] for v in versions].count(True) == 1 and versions[0]["id"] == version["id"]


def test_another_process_takes_up_a_new_version_at_its_recheck(restored: World):
    world = restored
    other = bootstrap(world.rt.settings, engine=world.rt.engine)  # another worker process
    assert other.recheck_policy() is False  # nothing loaded yet: nothing to recheck
    before = other.policy
    assert other.recheck_policy() is False  # still the active version
    table = _table(world, "conditions")
    row = next(r for r in table["rows"] if r["code"] == CONDITION)
    changed = dict(row, limit_value="3", limit_unit="working_hours")
    r = _edit(world, "conditions", kind="update", key=CONDITION, values=changed)
    assert r.status_code == 201, r.text
    assert other.policy is before  # reading the policy never goes to the database
    assert other.recheck_policy() is True
    assert other.policy.profile.content_hash == r.json()["content_hash"]
    assert other.policy.profile.conditions[CONDITION].limit.value == 3
    assert other.recheck_policy() is False


def test_an_invalid_change_lists_every_problem_in_chinese_and_changes_nothing(restored: World):
    world = restored
    table = _table(world, "conditions")
    row = next(r for r in table["rows"] if r["code"] == CONDITION)
    bad = dict(row, limit_value="-1", limit_unit="fortnights", default_unit="dept.nowhere")
    r = _edit(world, "conditions", kind="update", key=CONDITION, values=bad)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "profile.edit.invalid" and "修改未通过校验" in body["message"]
    columns = {(p["file"], p["column"]) for p in body["details"]["problems"]}
    assert {
        ("conditions.csv", "limit_value"),
        ("conditions.csv", "limit_unit"),
        ("conditions.csv", "default_unit"),
    } <= columns
    assert (
        _table(world, "conditions")["version"]["content_hash"] == table["version"]["content_hash"]
    )


def test_units_and_local_classes_are_added_and_a_unit_in_use_is_not_removed(restored: World):
    world = restored
    # the values a column accepts come from the profile's rules, every unit kind among them
    assert _table(world, "units")["choices"]["kind"] == [
        "center", "department", "district", "street", "community", "company"
    ]  # fmt: skip
    assert _table(world, "classes")["choices"] == {"kind": ["component", "matter"]}
    assert _table(world, "conditions")["choices"]["urgency"] == ["normal", "urgent"]
    r = _edit(
        world,
        "units",
        kind="add",
        key="dept.parking",
        values={"code": "dept.parking", "name": "济南市停车管理中心", "kind": "department"},
    )
    assert r.status_code == 201, r.text
    assert "dept.parking" in world.rt.policy.profile.units
    assert "dept.parking" in str(world.get("dispatcher", "/catalog/units").json())
    in_use = world.logins["handler_a"]
    unit = world.get("admin", f"/admin/users/{in_use}").json()["unit"]
    refused = _edit(world, "units", kind="delete", key=unit)
    assert refused.status_code == 409 and refused.json()["code"] == "profile.edit.unit_in_use"
    assert in_use in refused.json()["message"]

    local = {
        "code": "90009",
        "kind": "matter",
        "major_code": "90",
        "major_name": "泉水保护",
        "name": "泉池护栏异常",
        "aliases": "护栏松动",
    }
    r = _edit(world, "classes", kind="add", key="90009", values=local)
    assert r.status_code == 201, r.text
    assert world.rt.policy.profile.classes["90009"].name == "泉池护栏异常"
    # a code the national catalog already has is refused by the profile's rules
    national = dict(local, code="06010", major_code="06", major_name="市容环境类")
    r = _edit(world, "classes", kind="add", key="06010", values=national)
    assert r.status_code == 422
    assert any(p["column"] == "code" for p in r.json()["details"]["problems"])


@pytest.mark.parametrize("persona", ["dispatcher", "leader", "handler_a", "citizen_1"])
def test_only_an_administrator_reads_or_changes_the_profile(world: World, persona: str):
    before = world.denials()
    assert world.get(persona, "/admin/profile/tables/conditions").status_code == 403
    r = world.post(
        persona, "/admin/profile/tables/conditions/edits", json={"kind": "delete", "key": CONDITION}
    )
    assert r.status_code == 403 and r.json()["code"] == "auth.role_forbidden"
    assert world.denials() >= before + 2
