"""The inspectors' app on a phone: a patrol report made offline waits in the outbox
(IndexedDB) and is sent once the network is back; a submission whose answer is lost on the
way is replayed with its idempotency key and still makes exactly one case."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import Server, mobile_login, photo_file

pytestmark = pytest.mark.browser


def fill_report(page: Any, description: str) -> None:
    page.click("[data-test=tab-report]")
    page.wait_for_selector("[data-test=position]")
    page.set_input_files("[data-test=photo-input]", [photo_file("patrol.png")])
    page.wait_for_selector("[data-test=m-report] .shot img")
    page.fill("[data-test=report-description]", description)
    page.fill("[data-test=report-address]", "经十路辅路")


def cases_with(server: Server, words: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = server.api("acceptor.1", "GET", "cases", params={"text": words})[
        "items"
    ]
    return items


def inspector_of_first_grid(server: Server) -> str:
    lat, lon = server.grid_point()
    located = server.api("acceptor.1", "GET", "geo/locate", params={"lon": lon, "lat": lat})
    return f"inspector.{located['community_code']}"


def test_an_offline_report_waits_in_the_outbox_and_is_sent_once(
    server: Server, contexts: Any, shots: Any
) -> None:
    ctx = contexts("phone")
    page = ctx.new_page()
    mobile_login(page, server, inspector_of_first_grid(server))
    fill_report(page, "离线测试：经十路辅路井盖缺失")
    ctx.set_offline(True)
    page.click("[data-test=report-submit]")
    page.wait_for_selector("[data-test=outbox-item]:has-text('等待发送')")  # tried, kept
    assert page.locator("[data-test=outbox-badge]").inner_text() == "1"
    shots(page, "offline-outbox")
    page.reload()  # still there after the app restarts (IndexedDB)
    page.wait_for_selector("[data-test=outbox-item]")
    assert cases_with(server, "离线测试") == []

    ctx.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-test=outbox-empty]")
    page.wait_for_selector("[data-test=sent-item]")
    shots(page, "sent")
    made = cases_with(server, "离线测试")
    assert len(made) == 1
    assert made[0]["channel"] == "inspector" and made[0]["state"] == "reported"
    detail = server.api("acceptor.1", "GET", f"cases/{made[0]['id']}")
    assert [a["kind"] for a in detail["attachments"]] == ["before"]


def test_a_lost_answer_is_replayed_without_a_second_case(
    server: Server, contexts: Any, shots: Any
) -> None:
    page = contexts("phone").new_page()
    mobile_login(page, server, inspector_of_first_grid(server))
    fill_report(page, "弱网测试：路灯不亮")
    lost = {"n": 0}

    def lose_answer(route: Any) -> None:
        if route.request.method == "POST" and lost["n"] == 0:
            lost["n"] += 1
            route.fetch()  # the server accepts the report…
            route.abort("connectionreset")  # …but the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/cases", lose_answer)
    page.click("[data-test=report-submit]")
    page.wait_for_selector("[data-test=outbox-item]")
    page.wait_for_function(
        "() => !document.querySelector('[data-test=net-status]').innerText.includes('正在发送')"
    )
    assert lost["n"] == 1
    assert len(cases_with(server, "弱网测试")) == 1  # made on the server, unknown to the phone
    shots(page, "answer-lost")

    page.click("[data-test=outbox-send]")
    page.wait_for_selector("[data-test=outbox-empty]")
    assert len(cases_with(server, "弱网测试")) == 1  # replayed, not doubled
    shots(page, "replayed")


def test_the_app_is_installable_and_opens_without_a_network(
    server: Server, contexts: Any, shots: Any
) -> None:
    manifest = httpx.get(f"{server.url}/m/manifest.webmanifest", timeout=30).json()
    assert manifest["display"] == "standalone" and manifest["scope"] == "/m/"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    ctx = contexts("phone")
    page = ctx.new_page()
    mobile_login(page, server, inspector_of_first_grid(server))
    page.wait_for_function(
        "() => navigator.serviceWorker.ready.then((r) => !!r.active)", timeout=30_000
    )
    page.reload()  # now controlled by the service worker, which keeps the shell
    page.wait_for_selector("[data-test=tab-tasks]")
    page.wait_for_timeout(500)
    ctx.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-test=tab-report]")
    assert "离线" in page.locator("[data-test=net-status]").inner_text()
    page.click("[data-test=tab-report]")
    page.wait_for_selector("[data-test=m-report]")
    shots(page, "offline-app")
