"""Every role logs in to the desk console and lands on its own start page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, desk_login

pytestmark = pytest.mark.browser

# login → (start page marker, a menu entry it must see, one it must not see)
ROLES = {
    "acceptor.1": ("[data-test=case-table]", "queue", "admin-users"),
    "shift_leader.1": ("[data-test=case-table]", "overview", "admin-users"),
    "dispatcher.1": ("[data-test=case-table]", "map", "admin-denials"),
    "leader.1": ("[data-test=kpi-open]", "overview", "admin-users"),
    "evaluator.1": ("[data-test=kpi-open]", "search", "queue"),
    "admin": ("[data-test=user-table]", "admin-users", "queue"),
    "handler.dept.sanitation": ("[data-test=case-table]", "queue", "overview"),
}


def test_every_role_logs_in_and_sees_its_start_page(
    server: Server, contexts: Any, shots: Any
) -> None:
    inspector = server.api("admin", "GET", "admin/users", params={"role": "inspector"})["items"][0]
    roles = {**ROLES, inspector["id"]: ("[data-test=case-table]", "queue", "overview")}
    for login, (marker, present, absent) in roles.items():
        page = contexts("desk").new_page()
        desk_login(page, server, login)
        page.wait_for_selector(marker)
        assert page.locator(f"[data-test=menu-{present}]").count() == 1, login
        assert page.locator(f"[data-test=menu-{absent}]").count() == 0, login
        me = server.api(login, "GET", "auth/me")
        assert me["name"] in page.locator("[data-test=current-user]").inner_text()
        shots(page, login.replace(".", "-"))
        page.context.close()


def test_a_wrong_password_is_refused_with_the_api_message(server: Server, contexts: Any) -> None:
    page = contexts("desk").new_page()
    page.goto(f"{server.url}/#/login")
    page.fill("#login-user", "acceptor.1")
    page.fill("#login-pass", "not-the-password")
    page.click("[data-test=login-submit]")
    error = page.locator("[data-test=login-error]")
    error.wait_for()
    r = page.request.post(
        f"{server.url}/api/v1/auth/token",
        form={"username": "acceptor.1", "password": "not-the-password"},
    )
    assert r.status == 401
    assert r.json()["message"] in error.inner_text()


def test_the_administrator_creates_an_inspector_with_chinese_validation(
    server: Server, contexts: Any, shots: Any
) -> None:
    page = contexts("desk").new_page()
    desk_login(page, server, "admin")
    page.click("[data-test=user-create]")
    page.fill("input[data-test=user-login], [data-test=user-login] input", "x")
    page.click("[data-test=user-save]")
    page.wait_for_selector("text=账号为3至64位字母、数字或 _ . -")
    page.wait_for_selector("text=请填写姓名或名称")
    page.wait_for_selector("text=请填写密码")
    shots(page, "create-refused")
    page.fill("input[data-test=user-login], [data-test=user-login] input", "acceptor.1")
    page.fill("input[data-test=user-name], [data-test=user-name] input", "重名账号")
    page.fill("input[data-test=user-password], [data-test=user-password] input", "long-enough-1")
    page.click("[data-test=user-save]")
    error = page.locator("[data-test=user-error]")
    error.wait_for()
    assert "acceptor.1" in error.inner_text()  # the API's own message: the login is taken
    page.fill("input[data-test=user-login], [data-test=user-login] input", "inspector.zhang")
    page.fill("input[data-test=user-name], [data-test=user-name] input", "张监督员")
    page.click("[data-test=user-save]")
    page.wait_for_selector("text=已保存")
    made = server.api("admin", "GET", "admin/users", params={"q": "inspector.zhang"})["items"]
    assert [(u["id"], u["name"], u["role"]) for u in made] == [
        ("inspector.zhang", "张监督员", "inspector")
    ]


def test_the_administrator_changes_a_time_limit_and_a_refused_value_is_explained(
    server: Server, contexts: Any, shots: Any
) -> None:
    page = contexts("desk").new_page()
    desk_login(page, server, "admin")
    page.goto(f"{server.url}/#/admin/profile?q=06010-01")
    page.locator("[data-test='pf-edit-06010-01']").click()
    limit = page.locator(
        "input[data-test=pf-field-limit_value], [data-test=pf-field-limit_value] input"
    )
    limit.fill("-2")
    page.click("[data-test=pf-save]")
    problems = page.locator("[data-test=pf-problems]")
    problems.wait_for()
    assert (
        "conditions.csv" in problems.inner_text() and "时限数值必须大于0" in problems.inner_text()
    )
    shots(page, "profile-refused")
    limit.fill("3")
    page.click("[data-test=pf-save]")
    page.wait_for_selector("text=已保存，新版本")
    shots(page, "profile-saved")
    conditions = server.api("admin", "GET", "admin/profile/tables/conditions")
    row = next(r for r in conditions["rows"] if r["code"] == "06010-01")
    assert (row["limit_value"], row["limit_unit"]) == ("3", "working_hours")
    versions = server.api("admin", "GET", "admin/profile/versions")
    assert versions[0]["active"] and "修改立案条件“06010-01”" in versions[0]["source"]
    # the dispatcher's console shows the new limit at once
    shown = server.api("dispatcher.1", "GET", "catalog/classes/06010")
    assert any(c["code"] == "06010-01" and c["limit"]["value"] == 3 for c in shown["conditions"])
