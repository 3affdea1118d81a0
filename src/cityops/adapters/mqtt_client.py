"""One way to open and close a connection to an MQTT broker (paho, MQTT 3.1.1, a network
thread of its own), for the readings coming in and the case messages going out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import ParseResult


def start_client(
    url: ParseResult,
    on_connect: Callable[..., None],
    *,
    on_message: Callable[..., None] | None = None,
    on_disconnect: Callable[..., None] | None = None,
) -> Any:
    """A client connecting (and reconnecting) in the background to ``mqtt://[user:pw@]host:port``."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    if url.username:
        client.username_pw_set(url.username, url.password)
    client.on_connect = on_connect
    if on_message is not None:
        client.on_message = on_message
    if on_disconnect is not None:
        client.on_disconnect = on_disconnect
    client.connect_async(url.hostname or "127.0.0.1", url.port or 1883)
    client.loop_start()
    return client


def stop_client(client: Any) -> None:
    client.disconnect()
    client.loop_stop()
