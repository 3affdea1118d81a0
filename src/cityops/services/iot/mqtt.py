"""Readings in over MQTT: devices and gateways publish to ``cityops/iot/<device>/readings``
(the topic is configurable); the server subscribes with a shared subscription (so that the
server's processes share the messages instead of each taking every one), queues what arrives
and ingests it in batches every few seconds, through the same checks as the HTTP endpoint.

A message is a JSON object ``{"at": …, "value": …, "status": …}`` (``"device"`` may be
left out: it is taken from the topic) or a list of such objects. A message that is not JSON,
or a reading that is refused, is logged with its reason and dropped; nothing else is lost
(QoS 1).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from cityops.adapters.mqtt_client import start_client, stop_client
from cityops.services.iot.ingest import IngestResult, ReadingIn, ingest_all
from cityops.services.runtime import Runtime

log = logging.getLogger("cityops.iot")

DEFAULT_TOPIC = "cityops/iot/+/readings"
SHARE_GROUP = "cityops"


def parse_message(topic: str, payload: bytes) -> list[ReadingIn]:
    """The readings of one message; raises ``ValueError`` with a reason if it cannot be read."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"消息不是JSON：{exc}") from None
    items = doc if isinstance(doc, list) else [doc]
    parts = topic.split("/")
    from_topic = parts[-2] if len(parts) >= 2 else None
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("读数须为JSON对象")
        device = item.get("device") or from_topic
        if not device:
            raise ValueError("读数缺少设备编码（device）")
        try:
            at = datetime.fromisoformat(str(item["at"]))
        except (KeyError, ValueError):
            raise ValueError(f"读数时间无效：{item.get('at')!r}") from None
        value = item.get("value")
        if value is not None and not isinstance(value, int | float):
            raise ValueError(f"读数值不是数字：{value!r}")
        out.append(
            ReadingIn(
                str(device),
                at,
                float(value) if value is not None else None,
                str(item.get("status", "ok")),
            )
        )
    return out


class MqttFeed:
    """One per server process: ``start()`` connects and subscribes; ``drain()`` (every few
    seconds, off the event loop) ingests what arrived; ``stop()`` (at shutdown) disconnects
    and ingests the rest."""

    def __init__(self, rt: Runtime, url: str, topic: str = DEFAULT_TOPIC) -> None:
        self.rt = rt
        self.url = urlparse(url)
        self.topic = topic
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue(maxsize=100_000)
        self.client: Any = None
        self.connected = threading.Event()

    def start(self) -> None:
        self.client = start_client(self.url, self._on_connect, on_message=self._on_message)

    def stop(self) -> int:
        """Disconnect, then ingest what is still queued: the broker considers those messages
        delivered, so they would be lost with the process. Returns how many readings were
        taken in."""
        if self.client is not None:
            stop_client(self.client)
            self.client = None
        taken = 0
        while (result := self.drain()) is not None:
            taken += result.accepted
        return taken

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        client.subscribe(f"$share/{SHARE_GROUP}/{self.topic}", qos=1)
        self.connected.set()
        log.info("MQTT: subscribed to %s", self.topic)

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        try:
            self.inbox.put_nowait((message.topic, message.payload))
        except queue.Full:
            log.error("MQTT: inbox full, a message from %s was dropped", message.topic)

    def drain(self, batch: int = 5000) -> IngestResult | None:
        readings: list[ReadingIn] = []
        while len(readings) < batch:
            try:
                topic, payload = self.inbox.get_nowait()
            except queue.Empty:
                break
            try:
                readings.extend(parse_message(topic, payload))
            except ValueError as exc:
                log.warning("MQTT: a message from %s was refused: %s", topic, exc)
        if not readings:
            return None
        result = ingest_all(self.rt, readings)  # a last message may pass ``batch``
        for r in result.rejected:
            log.warning("MQTT: reading of %s refused: %s", r["device"], r["message"])
        return result
