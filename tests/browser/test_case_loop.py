"""One case through the whole closed loop, in the UI, by the people who do each step:
a citizen reports on a phone with a photo → the grid's inspector verifies on the mobile app →
the acceptor files → the dispatcher dispatches → the unit returns it → the dispatcher
re-dispatches → the unit reports it handled → the acceptor sends a check → the inspector's
check fails (rework) → the unit handles again → check → the inspector closes it → the citizen
follows the tracking code to "fixed" and rates the result."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, desk_login, mobile_login, photo_file
from tests.browser.steps import act, el_select, open_case, wait_state

pytestmark = pytest.mark.browser

DESCRIPTION = "历山路与解放路路口东北角人行道上有一堆暴露垃圾，已经两天没人清理"


def public_report(page: Any, server: Server, shots: Any) -> str:
    page.goto(f"{server.url}/public/#/report")
    page.wait_for_selector("[data-test=position]")  # the phone's GPS position (WGS84)
    page.set_input_files("[data-test=photo-input]", [photo_file("before.png")])
    page.wait_for_selector(".shot img")
    page.fill("[data-test=p-description]", DESCRIPTION)
    page.fill("[data-test=p-address]", "历山路与解放路路口")
    page.fill("[data-test=p-phone]", "13812345678")
    shots(page, "public-report-form")
    page.click("[data-test=p-submit]")
    code = str(page.locator("[data-test=tracking-code]").inner_text()).strip()
    shots(page, "public-report-done")
    assert len(code) == 10
    return code


def inspector_answers(
    page: Any, server: Server, case_no: str, good: bool, text: str, shots: Any, name: str
) -> None:
    page.goto(f"{server.url}/m/#/tasks")
    page.click(f"[data-test=task-{case_no}]")
    page.wait_for_selector("[data-test=task-form]")
    choice = "[data-test=result-good]" if good else "[data-test=result-bad]"
    page.click(choice)
    page.wait_for_selector(f"{choice}[aria-checked=true]")
    page.fill("[data-test=task-text]", text)
    page.set_input_files("[data-test=photo-input]", [photo_file("site.png", (90, 90, 200))])
    page.wait_for_selector("[data-test=task-form] .shot img")
    shots(page, f"{name}-form")
    page.click("[data-test=task-submit]")
    page.wait_for_selector("[data-test=tasks-hint]")
    page.goto(f"{server.url}/m/#/outbox")
    try:
        page.wait_for_selector("[data-test=outbox-empty]")  # sent and confirmed by the server
    finally:
        shots(page, f"{name}-sent")


def test_one_case_through_the_whole_loop(server: Server, contexts: Any, shots: Any) -> None:
    citizen = contexts("phone").new_page()
    code = public_report(citizen, server, shots)

    found = server.api("acceptor.1", "GET", "cases", params={"text": "历山路与解放路路口东北角"})
    assert found["total"] == 1
    case_id = found["items"][0]["id"]
    case_no = found["items"][0]["case_no"]
    detail = server.api("acceptor.1", "GET", f"cases/{case_id}")
    assert detail["state"] == "verifying"
    assert detail["reporter_phone"] == "138****5678"  # stored masked
    inspector = detail["verifier"]
    assert inspector and inspector.startswith("inspector.")

    # The grid's inspector verifies on the phone: the task is listed, nearest first.
    phone = contexts("phone").new_page()
    mobile_login(phone, server, inspector)
    phone.wait_for_selector(f"[data-test=task-{case_no}]")
    shots(phone, "inspector-tasks")
    inspector_answers(phone, server, case_no, True, "现场核实属实，垃圾约两立方", shots, "verify")

    # The acceptor files it under a class and one of its filing conditions.
    dictionary = server.api("acceptor.1", "GET", "console/dictionary")
    cls = next(c for c in dictionary["filing"] if c["name"] == "暴露垃圾")
    condition = cls["conditions"][0]
    desk = contexts("desk").new_page()
    desk_login(desk, server, "acceptor.1")
    open_case(desk, server, case_id)
    wait_state(desk, "待立案")
    shots(desk, "acceptor-case")

    def file_form(page: Any) -> None:
        el_select(
            page, "[data-test=file-class]", f"{cls['code']} {cls['name']}", type_text=cls["code"]
        )
        el_select(page, "[data-test=file-condition]", condition["text"])

    act(desk, "filed", fill=file_form, text="符合立案条件")
    wait_state(desk, "待派遣")
    shots(desk, "filed")

    # The dispatcher dispatches to the suggested unit.
    dispatcher = contexts("desk").new_page()
    desk_login(dispatcher, server, "dispatcher.1")
    open_case(dispatcher, server, case_id)

    suggestion = server.api("dispatcher.1", "GET", f"cases/{case_id}")["routing_suggestion"]
    assert suggestion is not None  # the console preselects it; we pick it explicitly
    unit_name = suggestion["unit_name"]

    def dispatch_form(page: Any) -> None:
        el_select(page, "[data-test=dispatch-unit]", unit_name, type_text=unit_name[:4])

    act(dispatcher, "dispatched", fill=dispatch_form, text="请尽快清理")
    wait_state(dispatcher, "处置中")
    unit = server.api("dispatcher.1", "GET", f"cases/{case_id}")["assigned_unit"]
    shots(dispatcher, "dispatched")

    # The unit says it is not responsible: returned (a destructive step: confirmed).
    handler = contexts("desk").new_page()
    desk_login(handler, server, f"handler.{unit}")
    handler.wait_for_selector(f"[data-test=case-{case_no}]")  # in the unit's queue
    shots(handler, "handler-queue")
    open_case(handler, server, case_id)
    act(handler, "returned", text="该路段由相邻街道负责", confirm=True)
    handler.wait_for_url("**/#/queue")  # no longer the unit's case: back to its queue
    assert server.api("dispatcher.1", "GET", f"cases/{case_id}")["state"] == "filed"

    # The dispatcher re-dispatches to the same unit after checking the boundary.
    open_case(dispatcher, server, case_id)
    act(dispatcher, "dispatched", fill=dispatch_form, text="经核对属本街道辖区，请处置")
    wait_state(dispatcher, "处置中")

    # The unit fixes it and reports back with an after-photo.
    open_case(handler, server, case_id)
    act(handler, "handled", text="已清理完毕", photos=1)
    wait_state(handler, "待核查")

    # The acceptor sends the inspector to check.
    open_case(desk, server, case_id)
    act(desk, "check_requested")
    wait_state(desk, "核查中")

    # The check fails: rework.
    inspector_answers(phone, server, case_no, False, "仍有少量残留垃圾", shots, "check-fail")
    assert server.api("acceptor.1", "GET", f"cases/{case_id}")["state"] == "dispatched"

    open_case(handler, server, case_id)
    act(handler, "handled", text="残留垃圾已全部清运", photos=1)
    wait_state(handler, "待核查")
    open_case(desk, server, case_id)
    act(desk, "check_requested")
    wait_state(desk, "核查中")

    # The check passes: closed as fixed.
    inspector_answers(phone, server, case_no, True, "已清理干净", shots, "check-pass")
    open_case(desk, server, case_id)
    wait_state(desk, "已结案")
    desk.wait_for_selector("[data-test=event-closed]")
    shots(desk, "closed-timeline")

    events = [e["type"] for e in server.api("acceptor.1", "GET", f"cases/{case_id}/timeline")]
    assert events == [
        "reported",
        "verified",
        "filed",
        "dispatched",
        "returned",
        "dispatched",
        "handled",
        "check_requested",
        "reworked",
        "handled",
        "check_requested",
        "closed",
    ]
    final = server.api("acceptor.1", "GET", f"cases/{case_id}")
    assert final["rework_count"] == 1 and final["return_count"] == 1
    assert final["outcome"] == "fixed"

    # The citizen follows the tracking code to "fixed" and rates the result once.
    citizen.goto(f"{server.url}/public/#/track/{code}")
    status = citizen.locator("[data-test=track-status]")
    status.wait_for()
    assert str(status.inner_text()).strip() == "已办结（问题已解决）"
    citizen.click("[data-test=star-5]")
    citizen.fill("[data-test=rating-comment]", "处理得很及时，谢谢")
    shots(citizen, "public-rating")
    citizen.click("[data-test=rating-submit]")
    citizen.wait_for_selector("[data-test=rating-done]")
    shots(citizen, "public-rated")
    tracked = server.api("acceptor.1", "GET", "cases", params={"text": case_no})
    assert tracked["items"][0]["state"] == "closed"
    again = citizen.request.post(
        f"{server.url}/api/v1/public/track/{code}/rating", data={"score": 1}
    )
    assert again.status == 409 and again.json()["code"] == "public.already_rated"

    # The desk sees the citizen's rating on the closed case.
    open_case(desk, server, case_id)
    rating = desk.locator("[data-test=case-rating]")
    rating.wait_for()
    assert "非常满意" in rating.inner_text() and "处理得很及时" in rating.inner_text()
