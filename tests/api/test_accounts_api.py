"""Accounts over HTTP: login, lockout, logout, revocation, expiry, deactivation; the
administration of users, grids and units with Chinese validation messages; one's own profile."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.api.conftest import PASSWORD, World


def _new_login(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


def _create(world: World, **body: Any) -> Any:
    body.setdefault("password", PASSWORD)
    return world.post("admin", "/admin/users", json=body)


def _bearer(r: Any) -> dict[str, str]:
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_five_wrong_passwords_lock_the_account_until_an_administrator_unlocks_it(world: World):
    login = _new_login("acceptor")
    assert (
        _create(world, login=login, name="受理员甲", role="acceptor", unit="center").status_code
        == 201
    )
    codes = [world.login(login, "wrong-password").json()["code"] for _ in range(5)]
    assert codes == ["auth.invalid_credentials"] * 4 + ["auth.locked"]
    locked = world.login(login)  # even the right password is refused while locked
    assert locked.status_code == 401 and locked.json()["code"] == "auth.locked"
    assert "locked_until" in locked.json()["details"]
    user = world.get("admin", f"/admin/users/{login}").json()
    assert user["locked"] is True and user["failed_logins"] == 5
    assert world.post("admin", f"/admin/users/{login}/unlock").json()["locked"] is False
    assert world.login(login).status_code == 200


def test_logout_revocation_deactivation_and_expiry_end_a_login(world: World):
    login = _new_login("dispatcher")
    _create(world, login=login, name="派遣员乙", role="dispatcher", unit="center")
    first, second = _bearer(world.login(login)), _bearer(world.login(login))
    assert world.get(None, "/auth/me", headers=first).status_code == 200

    assert world.post(None, "/auth/logout", headers=first).status_code == 204
    gone = world.get(None, "/auth/me", headers=first)
    assert gone.status_code == 401 and gone.json()["code"] == "auth.token_invalid"
    assert gone.headers["www-authenticate"] == "Bearer"
    assert world.get(None, "/auth/me", headers=second).status_code == 200  # the other login

    revoked = world.post("admin", f"/admin/users/{login}/revoke-tokens").json()
    assert revoked == {"revoked": 1}
    assert world.get(None, "/auth/me", headers=second).status_code == 401

    third = _bearer(world.login(login))
    assert world.post("admin", f"/admin/users/{login}/deactivate").json()["active"] is False
    assert world.get(None, "/auth/me", headers=third).status_code == 401
    assert world.login(login).json()["code"] == "auth.invalid_credentials"
    world.post("admin", f"/admin/users/{login}/activate")
    fourth = _bearer(world.login(login))
    real_now = world.rt.now
    try:
        world.rt.now = lambda: real_now() + timedelta(minutes=world.rt.settings.token_minutes + 1)
        expired = world.get(None, "/auth/me", headers=fourth)
        assert expired.status_code == 401 and expired.json()["code"] == "auth.token_expired"
    finally:
        world.rt.now = real_now


def test_creating_users_refuses_bad_input_with_chinese_messages(world: World):
    cases = [
        ({"login": "a b", "name": "x", "role": "acceptor"}, 422, "request.invalid", "login"),
        (
            {"login": _new_login("h"), "name": "x", "role": "handler"},
            422,
            "account.unit_required",
            "单位",
        ),
        (
            {"login": _new_login("h"), "name": "x", "role": "handler", "unit": "street.nowhere"},
            422,
            "account.unit_unknown",
            "street.nowhere",
        ),
        (
            {"login": _new_login("a"), "name": "x", "role": "acceptor", "district": "999999"},
            422,
            "account.district_unknown",
            "999999",
        ),
        (
            {
                "login": _new_login("i"),
                "name": "x",
                "role": "inspector",
                "grids": ["370102001999999"],
            },
            422,
            "account.grid_unknown",
            "370102001999999",
        ),
        (
            {"login": _new_login("d"), "name": "x", "role": "dispatcher", "grids": [world.a.grid]},
            422,
            "account.grids_for_inspectors",
            "监督员",
        ),
        ({"login": "admin", "name": "x", "role": "admin"}, 409, "account.exists", "admin"),
        (
            {"login": _new_login("p"), "name": "x", "role": "no_such_role"},
            422,
            "request.invalid",
            "role",
        ),
    ]
    for body, status, code, words in cases:
        r = _create(world, **body)
        assert (r.status_code, r.json()["code"]) == (status, code), (body, r.text)
        assert words in r.json()["message"], r.json()["message"]
    short = _create(world, login=_new_login("s"), name="x", role="acceptor", password="short")
    assert short.status_code == 422
    assert short.json()["message"] == "请求内容不符合要求：password至少8个字符"


def test_an_administrator_makes_an_inspector_and_the_grids_decide_what_he_sees(world: World):
    login = _new_login("inspector")
    made = _create(world, login=login, name="新监督员", role="inspector", grids=[world.b.grid])
    assert made.status_code == 201 and made.json()["grids"] == [world.b.grid]
    headers = _bearer(world.login(login))
    case_b, case_a = world.case_in("reported", place="b"), world.case_in("reported", place="a")
    assert world.get(None, f"/cases/{case_b.id}", headers=headers).status_code == 200
    assert world.get(None, f"/cases/{case_a.id}", headers=headers).status_code == 403

    moved = world.call(
        "admin", "PUT", f"/admin/users/{login}/grids", json={"grids": [world.a.grid]}
    )
    assert moved.json()["grids"] == [world.a.grid]
    assert world.get(None, f"/cases/{case_a.id}", headers=headers).status_code == 200
    assert world.get(None, f"/cases/{case_b.id}", headers=headers).status_code == 403
    me = world.get(None, "/auth/me", headers=headers).json()
    assert me["grids"] == [world.a.grid] and me["role"] == "inspector"

    # becoming a handler needs a unit, and drops the grids
    r = world.call("admin", "PATCH", f"/admin/users/{login}", json={"role": "handler"})
    assert r.json()["code"] == "account.unit_required"
    r = world.call(
        "admin",
        "PATCH",
        f"/admin/users/{login}",
        json={"role": "handler", "unit": f"street.{world.a.street}", "name": "街道处置员"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["grids"], r.json()["unit_name"]) == (
        "handler",
        [],
        "解放路街道办事处",
    )


def test_the_last_administrator_can_be_neither_deactivated_nor_demoted(world: World):
    others = world.get("admin", "/admin/users", params={"role": "admin", "active": True}).json()
    for user in others["items"]:  # administrators other tests may have made
        if user["id"] != "admin":
            world.post("admin", f"/admin/users/{user['id']}/deactivate")
    r = world.post("admin", "/admin/users/admin/deactivate")
    assert (r.status_code, r.json()["code"]) == (409, "account.last_admin")
    r = world.call("admin", "PATCH", "/admin/users/admin", json={"role": "leader"})
    assert (r.status_code, r.json()["code"]) == (409, "account.last_admin")
    assert world.get("admin", "/auth/me").json()["role"] == "admin"


def test_users_are_listed_filtered_and_the_unit_tree_comes_from_the_profile(world: World):
    page = world.get(
        "admin", "/admin/users", params={"role": "handler", "q": world.a.street}
    ).json()
    assert page["total"] >= 1
    assert all(u["role"] == "handler" for u in page["items"])
    assert f"handler.street.{world.a.street}" in {u["id"] for u in page["items"]}
    assert world.get("admin", "/admin/users/no.such.user").json()["code"] == "account.not_found"
    tree = world.get("admin", "/admin/units").json()
    district = next(n for n in tree if n["code"] == "district.370102")
    streets = {c["code"] for c in district["children"]}
    assert f"street.{world.a.street}" in streets and len(streets) > 5
    assert all(
        c["kind"] == "street" and c["parent"] == "district.370102" for c in district["children"]
    )


def test_refused_requests_are_listed_for_the_administrator(world: World):
    world.get("citizen_2", "/admin/users")
    found = world.get(
        "admin",
        "/admin/access-denials",
        params={"user": "citizen.two", "code": "auth.role_forbidden"},
    ).json()
    assert found["total"] >= 1
    latest = found["items"][0]
    assert (latest["user_id"], latest["role"], latest["method"], latest["path"]) == (
        "citizen.two",
        "public",
        "GET",
        "/api/v1/admin/users",
    )
    naive = world.get("admin", "/admin/access-denials", params={"since": "2026-01-01T00:00:00"})
    assert naive.json()["code"] == "query.time_naive"


def test_a_user_changes_their_own_name_phone_and_password(world: World):
    login = _new_login("citizen")
    _create(world, login=login, name="市民丙", role="public")
    mine, other = _bearer(world.login(login)), _bearer(world.login(login))
    me = world.call(
        None, "PATCH", "/auth/me", headers=mine, json={"name": "市民丁", "phone": "13912345678"}
    )
    assert me.json()["name"] == "市民丁"
    assert world.get("admin", f"/admin/users/{login}").json()["phone"] == "139****5678"
    wrong = world.post(
        None,
        "/auth/me/password",
        headers=mine,
        json={"current_password": "nope", "new_password": "x" * 10},
    )
    assert wrong.json()["code"] == "account.password_wrong"
    ok = world.post(
        None,
        "/auth/me/password",
        headers=mine,
        json={"current_password": PASSWORD, "new_password": "a-new-secret"},
    )
    assert ok.json() == {"other_logins_ended": 1}
    assert world.get(None, "/auth/me", headers=mine).status_code == 200
    assert world.get(None, "/auth/me", headers=other).status_code == 401
    assert world.login(login, "a-new-secret").status_code == 200
    assert world.login(login).status_code == 401


def test_a_change_made_by_another_process_ends_a_cached_login_within_the_cache_window(
    world: World, monkeypatch: Any
):
    """The token cache spares a read per request; a revocation written by another process
    (straight into the database here) is seen once the cached entry is older than the window."""
    from sqlalchemy import update

    from cityops.adapters.db.tables.accounts import auth_tokens
    from cityops.services import accounts

    login = _new_login("dispatcher")
    _create(world, login=login, name="派遣员丙", role="dispatcher", unit="center")
    headers = _bearer(world.login(login))
    clock = [1000.0]
    monkeypatch.setattr(accounts.time, "monotonic", lambda: clock[0])
    assert world.get(None, "/auth/me", headers=headers).status_code == 200  # cached now
    with world.engine.begin() as conn:
        conn.execute(
            update(auth_tokens)
            .where(auth_tokens.c.user_id == login)
            .values(revoked_at=world.rt.now())
        )
    assert world.get(None, "/auth/me", headers=headers).status_code == 200  # within the window
    clock[0] += accounts.TOKEN_CACHE_SECONDS + 0.1
    refused = world.get(None, "/auth/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["code"] == "auth.token_invalid"


def test_a_token_read_that_races_an_account_change_is_not_cached(world: World, monkeypatch: Any):
    from cityops.services import accounts

    login = _new_login("dispatcher")
    _create(world, login=login, name="派遣员丁", role="dispatcher", unit="center")
    token = world.login(login).json()["access_token"]
    real_read = accounts._read_token
    calls = []

    def read_then_change(rt: Any, tok: str, now: Any) -> Any:
        result = real_read(rt, tok, now)  # the read sees the login still valid…
        accounts.set_active(rt, login, False)  # …and the account is deactivated meanwhile
        calls.append(tok)
        return result

    monkeypatch.setattr(accounts, "_read_token", read_then_change)
    accounts.user_for_token(world.rt, token)  # answered from the read that began first
    monkeypatch.setattr(accounts, "_read_token", real_read)
    try:
        accounts.user_for_token(world.rt, token)
        raise AssertionError("a deactivated login was served from the cache")
    except accounts.AuthError as err:
        assert err.code == "auth.token_invalid"
    assert calls == [token]
