"""The sensors page (物联感知): devices registered and readings sent through the API show up as
figures, on the map and as an open alarm linked to the case it reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import Server, desk_login

pytestmark = pytest.mark.browser


def test_a_confirmed_alarm_is_shown_with_its_case(
    server: Server, contexts: Any, shots: Any
) -> None:
    lat, lon = server.grid_point()
    server.api(
        "admin",
        "POST",
        "iot/devices",
        json={
            "devices": [
                {
                    "code": "T-MH-0001",
                    "kind": "manhole",
                    "name": "测试井盖",
                    "lon": lon,
                    "lat": lat,
                },
                {
                    "code": "T-SL-0001",
                    "kind": "street_light",
                    "name": "测试路灯",
                    "lon": lon,
                    "lat": lat,
                },
            ]
        },
    )
    now = datetime.now(UTC).replace(microsecond=0)
    sent = server.api(
        "admin",
        "POST",
        "iot/readings",
        json={
            "readings": [
                {"device": "T-SL-0001", "at": (now - timedelta(minutes=5)).isoformat(), "value": 1},
                {"device": "T-MH-0001", "at": (now - timedelta(minutes=4)).isoformat(), "value": 2},
                {"device": "T-MH-0001", "at": now.isoformat(), "value": 32.5},
            ]
        },
    )
    assert sent["accepted"] == 3 and len(sent["cases"]) == 1
    case_id = sent["cases"][0]

    page = contexts("desk").new_page()
    desk_login(page, server, "dispatcher.1")
    page.click("[data-test=menu-iot]")
    kpi = page.locator("[data-test=iot-kpi-manhole]")
    kpi.wait_for()
    assert "智能井盖" in kpi.inner_text() and "报警 1" in kpi.inner_text()
    assert "亮灯率 100.0%" in page.locator("[data-test=iot-kpi-street_light]").inner_text()
    alarms = page.locator("[data-test=iot-alarms]")
    alarms.get_by_text("测试井盖").wait_for()
    link = alarms.locator(f"a[href='#/cases/{case_id}']")
    assert link.count() == 1
    assert page.locator("[data-test=iot-map-count]").inner_text().startswith("2台")
    assert page.locator("[data-test=iot-map] canvas").count() == 1  # the devices' layer
    alarms.get_by_text("测试井盖").click()
    drawer = page.locator("[data-test=iot-readings-chart] canvas")
    drawer.wait_for()
    shots(page, "iot-device")
    page.keyboard.press("Escape")
    link.click()
    page.wait_for_url(f"**/#/cases/{case_id}")
    page.locator("[data-test=case-title]").wait_for()
    assert "测试井盖" in page.locator("[data-test=case-description]").inner_text()
    shots(page, "iot-case")
