"""The less frequent desk actions in the UI: a unit asks for more time and the dispatcher
grants it; the dispatcher suspends the case (the clock stops) and resumes it; a wrong input
is answered with the API's own message; search finds the case and exports the list."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import Server, desk_login, photo_file
from tests.browser.steps import act, el_select, filed_case, open_case

pytestmark = pytest.mark.browser


def dispatched_case(server: Server) -> dict[str, Any]:
    """A case reported, verified, filed and dispatched through the API (the set-up)."""
    case = filed_case(server, "桥下绿化带内堆放建筑垃圾")
    out: dict[str, Any] = server.api(
        "dispatcher.1", "POST", f"cases/{case['id']}/dispatch", json={}
    )
    return out


def test_extension_suspension_and_a_refused_input(
    server: Server, contexts: Any, shots: Any
) -> None:
    case = dispatched_case(server)
    handler = contexts("desk").new_page()
    desk_login(handler, server, f"handler.{case['assigned_unit']}")
    open_case(handler, server, case["id"])

    def two_working_days(page: Any) -> None:
        page.locator("[data-test=action-dialog] .el-input-number input").fill("2")
        el_select(
            page,
            "[data-test=action-dialog] .el-form-item:has-text('延期时长') .el-select",
            "工作日",
        )

    act(handler, "extension_requested", fill=two_working_days, text="需协调绿化管理单位")
    handler.wait_for_selector("text=延期待批")
    assert handler.locator("[data-test=action-handled]").count() == 0  # not before the decision
    shots(handler, "extension-requested")

    dispatcher = contexts("desk").new_page()
    desk_login(dispatcher, server, "dispatcher.1")
    dispatcher.wait_for_selector(f"[data-test=case-{case['case_no']}]")  # in the queue
    open_case(dispatcher, server, case["id"])
    before = server.api("dispatcher.1", "GET", f"cases/{case['id']}")["handling_deadline"]
    act(dispatcher, "extension_decided", text="同意延期")
    after = server.api("dispatcher.1", "GET", f"cases/{case['id']}")
    assert after["extension_count"] == 1 and after["handling_deadline"] > before

    # A suspension needs its reason: the form says so before anything is sent.
    dispatcher.click("[data-test=action-suspended]")
    dispatcher.click("[data-test=action-submit]")
    dispatcher.wait_for_selector("text=请填写挂账理由")
    dispatcher.fill("textarea[data-test=action-text]", "冬季不具备绿化补植条件")
    dispatcher.click("[data-test=action-submit]")
    dispatcher.wait_for_selector("[data-test=action-dialog]", state="hidden")
    dispatcher.wait_for_selector("text=计时暂停")
    shots(dispatcher, "suspended")
    assert server.api("dispatcher.1", "GET", f"cases/{case['id']}")["suspended"] is True
    act(dispatcher, "resumed")
    assert server.api("dispatcher.1", "GET", f"cases/{case['id']}")["suspended"] is False

    # The API's message reaches the user: the dispatcher acts while the handler fills the form.
    open_case(handler, server, case["id"])
    handler.click("[data-test=action-handled]")
    handler.fill("textarea[data-test=action-text]", "已清运")
    handler.set_input_files(
        "[data-test=action-photos] input[type=file]", [photo_file("after.png", (30, 150, 80))]
    )
    server.api("dispatcher.1", "POST", f"cases/{case['id']}/suspend", json={"reason": "暂缓"})
    handler.click("[data-test=action-submit]")
    error = handler.locator("[data-test=action-error]")
    error.wait_for()
    assert "案卷已被他人更新" in error.inner_text()
    shots(handler, "stale-refused")


def test_search_filters_saves_and_exports(server: Server, contexts: Any, shots: Any) -> None:
    case = dispatched_case(server)
    page = contexts("desk", accept_downloads=True).new_page()
    desk_login(page, server, "acceptor.1")
    page.click("[data-test=menu-search]")
    page.fill("[data-test=search-text] input, input[data-test=search-text]", "桥下绿化带")
    page.click("[data-test=search-submit]")
    page.wait_for_selector(f"[data-test=case-{case['case_no']}]")
    assert "共 1 条" in page.locator("[data-test=search-total]").inner_text()
    page.click("[data-test=save-search]")
    page.locator(".el-message-box input").fill("桥下垃圾")
    page.locator(".el-message-box .el-button--primary").click()
    page.wait_for_selector("text=查询条件已保存")
    kept = server.api("acceptor.1", "GET", "saved-searches")  # with the account
    assert [(s["name"], s["query"]["text"]) for s in kept] == [("桥下垃圾", "桥下绿化带")]
    with page.expect_download() as download:
        page.click("[data-test=export]")
    assert download.value.suggested_filename.endswith(".xlsx")
    content = Path(download.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[1][0] == case["case_no"] and len(rows) == 2
    page.reload()
    page.wait_for_selector("[data-test=case-table]")
    page.click("[data-test=saved-select]")
    page.locator(".el-select-dropdown__item:visible", has_text="桥下垃圾").click()
    page.wait_for_selector(f"[data-test=case-{case['case_no']}]")
    shots(page, "saved-search")

    # another browser (another desk, the next morning) finds it too
    elsewhere = contexts("desk").new_page()
    desk_login(elsewhere, server, "acceptor.1")
    elsewhere.click("[data-test=menu-search]")
    elsewhere.click("[data-test=saved-select]")
    elsewhere.locator(".el-select-dropdown__item:visible", has_text="桥下垃圾").click()
    elsewhere.wait_for_selector(f"[data-test=case-{case['case_no']}]")


def test_searches_an_earlier_version_kept_in_the_browser_move_to_the_account(
    server: Server, contexts: Any
) -> None:
    page = contexts("desk").new_page()
    desk_login(page, server, "acceptor.1")
    page.evaluate(
        """localStorage.setItem('cityops.saved.acceptor.1', JSON.stringify(
            [{id: 'local-1', name: '路灯不亮', query: {text: '路灯'}}]))"""
    )
    page.click("[data-test=menu-search]")
    page.click("[data-test=saved-select]")
    page.locator(".el-select-dropdown__item:visible", has_text="路灯不亮").wait_for()
    kept = server.api("acceptor.1", "GET", "saved-searches")
    assert [(s["name"], s["query"]) for s in kept] == [("路灯不亮", {"text": "路灯"})]
    assert page.evaluate("localStorage.getItem('cityops.saved.acceptor.1')") is None
