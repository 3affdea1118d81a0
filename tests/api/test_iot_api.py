"""IoT monitoring over HTTP and MQTT: an administrator registers devices, a gateway posts
readings (each checked on its own), a confirmed alarm becomes a case in the loop; staff read the
figures, the devices and the open alarms; a reading published to the MQTT broker arrives the
same way."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from tests.api.conftest import World


def _code() -> str:
    return f"3701020{uuid.uuid4().int % 10**10:010d}"


def test_a_gateway_reports_a_gas_alarm_and_it_enters_the_loop(world: World):
    code = _code()
    r = world.post(
        "admin",
        "/iot/devices",
        json={
            "devices": [
                {
                    "code": code,
                    "kind": "gas",
                    "name": "燃气监测点",
                    "lon": world.a.lon,
                    "lat": world.a.lat,
                }
            ]
        },
    )
    assert r.status_code == 201 and r.json() == {"registered": 1}
    now = datetime.now(UTC)
    sent = world.post(
        "system",
        "/iot/readings",
        json={
            "readings": [
                {"device": code, "at": (now - timedelta(minutes=2)).isoformat(), "value": 3},
                {"device": code, "at": now.isoformat(), "value": 31.5},
                {"device": "no-such-device", "at": now.isoformat(), "value": 1},
            ]
        },
    )
    assert sent.status_code == 200, sent.text
    out = sent.json()
    assert out["accepted"] == 2 and out["alarms_opened"] == 1 and len(out["cases"]) == 1
    assert [x["code"] for x in out["rejected"]] == ["iot.device_unknown"]
    case = world.get("dispatcher", f"/cases/{out['cases'][0]}").json()
    assert case["channel"] == "sensor" and case["class_code"] == "01057"
    assert "燃气浓度监测" in case["description"] and "31.5%LEL" in case["description"]
    detail = world.get("leader", f"/iot/devices/{code}").json()
    assert detail["level"] == "alarm" and [x["value"] for x in detail["readings"]] == [31.5, 3]
    assert detail["alarms"][0]["case_id"] == case["id"]
    alarms = world.get("dispatcher", "/iot/alarms").json()
    assert any(a["device"] == code and a["level"] == "alarm" for a in alarms)
    figures = {f["kind"]: f for f in world.get("leader", "/iot/figures").json()}
    gas = figures["gas"]
    assert gas["alarm"] >= 1 and gas["total"] >= gas["alarm"] and gas["intact_rate"] < 100
    assert gas["lighting_rate"] is None  # a rate of street lights only
    kinds = {k["code"]: k for k in world.get("leader", "/iot/kinds").json()}
    assert kinds["gas"]["alarm"] == 25 and kinds["gas"]["unit"] == "%LEL"


def test_bad_devices_are_refused_whole_and_only_gateways_post_readings(world: World):
    bad = world.post(
        "admin",
        "/iot/devices",
        json={
            "devices": [
                {
                    "code": _code(),
                    "kind": "rocket",
                    "name": "x",
                    "lon": world.a.lon,
                    "lat": world.a.lat,
                }
            ]
        },
    )
    assert bad.status_code == 422 and bad.json()["code"] == "iot.devices_invalid"
    assert bad.json()["details"]["problems"][0]["code"] == "iot.kind_unknown"
    reading = {"readings": [{"device": "x", "at": datetime.now(UTC).isoformat()}]}
    for persona in ("dispatcher", "inspector_a", "citizen_1"):
        assert world.post(persona, "/iot/readings", json=reading).status_code == 403
    assert world.post("dispatcher", "/iot/devices", json={"devices": []}).status_code in (403, 422)
    assert world.get("citizen_1", "/iot/figures").status_code == 403


def test_a_reading_published_over_mqtt_moves_its_device(world: World):
    import paho.mqtt.publish as publish

    from cityops.services.iot.mqtt import MqttFeed

    code = _code()
    world.post(
        "admin",
        "/iot/devices",
        json={
            "devices": [
                {
                    "code": code,
                    "kind": "waterlogging",
                    "name": "下穿通道积水点",
                    "lon": world.a.lon,
                    "lat": world.a.lat,
                }
            ]
        },
    )
    topic = f"cityops-test-{uuid.uuid4().hex[:8]}/iot/+/readings"
    feed = MqttFeed(world.rt, "mqtt://127.0.0.1:1883", topic)
    feed.start()
    try:
        assert feed.connected.wait(10), "MQTT broker (mosquitto) not reachable at 127.0.0.1:1883"
        time.sleep(0.3)  # the subscription is acknowledged after the connection
        at = datetime.now(UTC).isoformat()
        publish.single(
            topic.replace("+", code),
            json.dumps({"at": at, "value": 14}),
            qos=1,
            hostname="127.0.0.1",
            port=1883,
        )
        publish.single(
            topic.replace("+", code), b"not json", qos=1, hostname="127.0.0.1", port=1883
        )
        result = None
        for _ in range(50):
            result = feed.drain()
            if result is not None:
                break
            time.sleep(0.1)
    finally:
        feed.stop()
    assert result is not None and result.accepted == 1
    device = world.get("leader", f"/iot/devices/{code}").json()
    assert device["level"] == "warning" and device["last_value"] == 14
