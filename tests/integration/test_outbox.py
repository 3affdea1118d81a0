"""The outbox after commit: a message that keeps failing stops holding the others back, and
the served app's MQTT subscriber hands case messages to the broker (mosquitto on
127.0.0.1:1883) or leaves them pending with the reason."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from sqlalchemy import select

from cityops.adapters.db.tables.cases import outbox
from cityops.adapters.mqtt_publisher import MqttPublisher
from cityops.services.outbox import OutboxRelay
from cityops.services.runtime import Runtime
from tests.integration.helpers import report


def _outbox(rt: Runtime) -> list[dict[str, Any]]:
    with rt.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(outbox).order_by(outbox.c.id))]


def test_a_message_that_keeps_failing_no_longer_holds_the_others_back(rt: Runtime):
    first, second = report(rt).case, report(rt).case
    broken = OutboxRelay(rt, max_attempts=2)
    broken.subscribe("case.", lambda topic, payload: 1 / 0)
    assert broken.relay_once(limit=1) == 0 and broken.relay_once(limit=1) == 0
    seen: list[int] = []
    relay = OutboxRelay(rt, max_attempts=2)
    relay.subscribe("case.", lambda topic, payload: seen.append(payload["case_id"]))
    assert relay.relay_once(limit=1) == 1 and seen == [second.id]  # the first is given up
    rows = _outbox(rt)
    assert rows[0]["attempts"] == 2 and rows[0]["published_at"] is None
    assert rows[0]["last_error"].startswith("ZeroDivisionError")
    assert first.id != second.id and relay.relay_once() == 0


def test_relay_all_empties_the_outbox_batch_after_batch(rt: Runtime):
    for _ in range(5):
        report(rt)
    relay = OutboxRelay(rt)
    assert relay.relay_all(limit=2) == 5
    assert all(r["published_at"] is not None for r in _outbox(rt))


def test_case_messages_reach_the_mqtt_broker(rt: Runtime):
    import paho.mqtt.client as mqtt

    prefix = f"cityops-test-{uuid.uuid4().hex[:8]}/events"
    got: list[tuple[str, dict[str, Any]]] = []
    arrived = threading.Event()
    subscribed = threading.Event()

    def on_message(client: Any, userdata: Any, message: Any) -> None:
        got.append((message.topic, json.loads(message.payload)))
        arrived.set()

    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    listener.on_connect = lambda c, *_: c.subscribe(f"{prefix}/#", qos=1)
    listener.on_subscribe = lambda *_: subscribed.set()
    listener.on_message = on_message
    listener.connect("127.0.0.1", 1883)
    listener.loop_start()
    publisher = MqttPublisher("mqtt://127.0.0.1:1883", prefix)
    publisher.start()
    try:
        assert subscribed.wait(10), "MQTT broker (mosquitto) not reachable at 127.0.0.1:1883"
        case = report(rt).case
        relay = OutboxRelay(rt)
        relay.subscribe("case.", publisher)
        assert relay.relay_all() == 1
        assert arrived.wait(10)
    finally:
        publisher.stop()
        listener.loop_stop()
        listener.disconnect()
    topic, payload = got[0]
    assert topic == f"{prefix}/case/reported"
    assert (payload["case_id"], payload["seq"], payload["type"]) == (case.id, 1, "reported")
    assert _outbox(rt)[0]["published_at"] is not None


def test_a_broker_out_of_reach_keeps_the_messages_waiting_in_order_without_failing_them(
    rt: Runtime,
):
    publisher = MqttPublisher("mqtt://127.0.0.1:1", timeout=0.3)  # nothing listens there
    publisher.start()
    try:
        report(rt)
        report(rt)
        relay = OutboxRelay(rt, max_attempts=2)
        relay.subscribe("case.", publisher)
        for _ in range(3):  # more runs than the attempts a failing message gets
            assert relay.relay_all() == 0
    finally:
        publisher.stop()
    first, second = _outbox(rt)
    assert first["published_at"] is None and second["published_at"] is None
    assert first["attempts"] == 0 and second["attempts"] == 0  # the broker's fault, not theirs
    assert first["last_error"].startswith("ConnectionError: MQTT broker 127.0.0.1:1")
    assert second["last_error"] is None  # the run stopped at the first

    seen: list[int] = []  # the broker back (here: another subscriber): both go, in order
    back = OutboxRelay(rt, max_attempts=2)
    back.subscribe("case.", lambda topic, payload: seen.append(payload["case_id"]))
    assert back.relay_all() == 2 and seen == sorted(seen)
