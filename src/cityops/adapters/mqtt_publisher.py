"""Case messages out to an MQTT broker: the outbox relay's subscriber for systems that follow
the city's cases by message (a big screen's vendor, a district's own platform, a 12345
system). Topic ``<prefix>/<message topic with "/" for ".">``, e.g.
``cityops/events/case/dispatched``; the payload is the outbox message as JSON (UTF-8), QoS 1.
A publish returns only when the broker has acknowledged it. Otherwise it raises
``ConnectionError`` or ``TimeoutError``: the relay keeps the message, and the ones after it, for
its next run."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import urlparse

from cityops.adapters.mqtt_client import start_client, stop_client

DEFAULT_PREFIX = "cityops/events"


class MqttPublisher:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, timeout: float = 5.0) -> None:
        self.url = urlparse(url)
        self.prefix = prefix.rstrip("/")
        self.timeout = timeout
        self.client: Any = None
        self.connected = threading.Event()
        self.ever_connected = False

    def start(self) -> None:
        self.client = start_client(
            self.url,
            lambda *_args: self.connected.set(),
            on_disconnect=lambda *_args: self.connected.clear(),
        )

    def stop(self) -> None:
        if self.client is not None:
            stop_client(self.client)
            self.client = None

    def topic_for(self, topic: str) -> str:
        return f"{self.prefix}/{topic.replace('.', '/')}"

    def __call__(self, topic: str, payload: dict[str, Any]) -> None:
        # a moment for the first connection; after that, a broker away is said at once
        wait = self.timeout if not self.ever_connected else 0.0
        if self.client is None or not self.connected.wait(wait):
            raise ConnectionError(f"MQTT broker {self.url.hostname}:{self.url.port} not connected")
        self.ever_connected = True
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        info = self.client.publish(self.topic_for(topic), body, qos=1)
        try:
            info.wait_for_publish(self.timeout)
        except (RuntimeError, ValueError) as exc:  # lost the connection, or the queue is full
            raise ConnectionError(f"MQTT publish failed: {exc}") from exc
        if not info.is_published():
            raise TimeoutError(f"MQTT broker did not acknowledge within {self.timeout} s")
