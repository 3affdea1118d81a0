"""What a person does in the console, as small steps the tests read like a script."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import Server, photo_file


def filed_case(server: Server, description: str) -> dict[str, Any]:
    """A citizen's report, verified on site and filed through the API: a case waiting for
    the dispatcher."""
    lat, lon = server.grid_point()
    r = httpx.post(
        f"{server.url}/api/v1/public/reports",
        data={"description": description, "lon": lon, "lat": lat, "crs": "wgs84"},
        files=[("photos", ("p.png", photo_file()["buffer"], "image/png"))],
        timeout=60,
    )
    r.raise_for_status()
    case = server.api("acceptor.1", "GET", "cases", params={"text": description})["items"][0]
    detail = server.api("acceptor.1", "GET", f"cases/{case['id']}")
    server.api(detail["verifier"], "POST", f"cases/{case['id']}/verify", json={"found": True})
    words = server.api("acceptor.1", "GET", "console/dictionary")
    cls = next(c for c in words["filing"] if c["name"] == "暴露垃圾")
    cond = next(x for x in cls["conditions"] if x["working"])
    out: dict[str, Any] = server.api(
        "acceptor.1",
        "POST",
        f"cases/{case['id']}/file",
        json={"class_code": cls["code"], "condition_code": cond["code"]},
    )
    return out


def open_case(page: Any, server: Server, case_id: int) -> None:
    """Open a case page afresh (a page already showing it is reloaded: others acted since)."""
    url = f"{server.url}/#/cases/{case_id}"
    if page.url == url:
        page.reload()
    else:
        page.goto(url)
    page.wait_for_selector("[data-test=case-state]")


def el_select(page: Any, trigger: str, option: str, *, type_text: str | None = None) -> None:
    """Pick an option of an Element Plus (single) select, optionally typing to filter first,
    and wait for its list to close. A click that lands while a busy machine is still
    filtering the list picks nothing: the option is clicked again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.click(trigger)
    if type_text:
        page.keyboard.type(type_text)
    choice = page.locator(".el-select-dropdown__item:visible", has_text=option).first
    choice.click()
    open_list = page.locator(".el-select-dropdown:visible").first
    try:
        open_list.wait_for(state="hidden", timeout=3000)
    except PlaywrightTimeout:
        choice.click()
        open_list.wait_for(state="hidden", timeout=10_000)


def act(
    page: Any,
    action: str,
    *,
    text: str = "",
    fill: Any = None,
    photos: int = 0,
    confirm: bool = False,
) -> None:
    """Open the dialog of one allowed action, fill it, submit, wait for the case to reload."""
    page.click(f"[data-test=action-{action}]")
    dialog = page.locator("[data-test=action-dialog]")
    dialog.wait_for()
    if fill is not None:
        fill(page)
    if text:
        page.fill("textarea[data-test=action-text], [data-test=action-text] textarea", text)
    if photos:
        page.set_input_files(
            "[data-test=action-photos] input[type=file]",
            [photo_file(f"after-{i}.png", (40, 160, 90)) for i in range(photos)],
        )
    page.click("[data-test=action-submit]")
    if confirm:
        box = page.locator(".el-message-box")
        box.wait_for()
        box.locator(".el-button--primary").click()
    dialog.wait_for(state="hidden")
    page.wait_for_selector(".el-message--success")


def state_label(page: Any) -> str:
    return str(page.locator("[data-test=case-state]").inner_text()).strip()


def wait_state(page: Any, label: str) -> None:
    page.wait_for_function(
        "(l) => (document.querySelector('[data-test=case-state]') || {}).innerText === l", arg=label
    )
