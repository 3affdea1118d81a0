"""Work that arrives while a desk user is elsewhere in the console: the queue's menu item
counts what waits, the tab's title carries the count, and a rise is announced by a
notification that opens the queue."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Server, desk_login
from tests.browser.steps import filed_case

pytestmark = pytest.mark.browser


def test_a_case_waiting_for_dispatch_is_announced_on_another_page(
    server: Server, contexts: Any, shots: Any
) -> None:
    filed_case(server, "小区门口暴露垃圾无人清理")
    page = contexts("desk").new_page()
    desk_login(page, server, "dispatcher.1")
    waiting = server.api("dispatcher.1", "GET", "queue", params={"page_size": 1})["total"]
    assert waiting >= 1
    badge = page.locator("[data-test=badge-queue]")
    badge.wait_for()
    assert badge.inner_text() == str(waiting)
    assert page.title().startswith(f"({waiting}) ")

    page.click("[data-test=menu-search]")  # the dispatcher looks at something else
    page.wait_for_url("**/#/search")
    filed_case(server, "人行道上堆放建筑垃圾")
    page.click("[data-test=menu-map]")  # moving on counts again
    note = page.locator(".waiting-note")
    note.wait_for()
    assert "新的待办" in note.inner_text() and "我的待办新增 1 件，共" in note.inner_text()
    assert badge.inner_text() == str(waiting + 1)
    assert page.title().startswith(f"({waiting + 1}) ")
    shots(page, "waiting-work")
    note.click()
    page.wait_for_url(re.compile(r".*#/queue$"))
