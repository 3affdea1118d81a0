"""The cockpit's live stream (Server-Sent Events) through a real server: uvicorn on the
loopback interface, read with a real HTTP client. Each test reads a few messages after
moving a case and then hangs up; every read has a deadline."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from tests.api_evaluation.conftest import NOW, City

DEADLINE = 20.0  # seconds a test waits for a message before it fails


@dataclass
class Message:
    event: str
    data: dict[str, Any]
    id: str | None


def messages(response: httpx.Response) -> Iterator[Message]:
    """The server's messages, as an EventSource would hand them out."""
    event, data, mid = "message", [], None
    for line in response.iter_lines():
        if not line:
            if data:
                yield Message(event, json.loads("\n".join(data)), mid)
            event, data = "message", []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            mid = value


def wait_for(stream: Iterator[Message], want: Any) -> tuple[Message, list[Message]]:
    """Read until ``want(message)``; returns it and everything read before it."""
    seen: list[Message] = []
    started = time.monotonic()
    for m in stream:
        if want(m):
            return m, seen
        seen.append(m)
        assert time.monotonic() - started < DEADLINE, [x.event for x in seen]
    raise AssertionError(f"the stream ended; read {[x.event for x in seen]}")


@pytest.fixture(scope="module")
def server(city: City) -> Iterator[str]:
    config = uvicorn.Config(
        city.client.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    started = time.monotonic()
    while not srv.started:
        assert time.monotonic() - started < 30, "uvicorn did not start"
        time.sleep(0.05)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/api/v1/cockpit/stream"
    srv.should_exit = True
    thread.join(timeout=15)


def client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(DEADLINE, connect=5.0))


def test_a_moved_case_is_pushed_to_the_screen(city: City, server: str):
    with client() as http, http.stream("GET", server, headers=city.headers["leader"]) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache"
        stream = messages(r)
        ready, _ = wait_for(stream, lambda m: m.event == "ready")
        start = int(ready.data["last_event_id"])
        assert ready.id == str(start)
        case = city.report(NOW, "a")
        city.loop(case, [("file", NOW)])
        first, _ = wait_for(stream, lambda m: m.event == "case_event")
        second, _ = wait_for(stream, lambda m: m.event == "case_event")
    assert [first.data["type"], second.data["type"]] == ["reported", "filed"]
    assert {first.data["case_id"], second.data["case_id"]} == {case.id}
    assert first.data["case_no"] == case.case_no and first.data["type_zh"] == "上报"
    assert int(first.id or 0) > start and int(second.id or 0) == int(first.id or 0) + 1
    assert first.data["id"] == int(first.id or 0)


def test_last_event_id_resumes_after_a_reconnect(city: City, server: str):
    with client() as http, http.stream("GET", server, headers=city.headers["leader"]) as r:
        ready, _ = wait_for(messages(r), lambda m: m.event == "ready")
    missed = city.report(NOW, "b")  # made while the screen was away
    headers = {**city.headers["leader"], "Last-Event-ID": ready.id or ""}
    with client() as http, http.stream("GET", server, headers=headers) as r:
        got, before = wait_for(messages(r), lambda m: m.event == "case_event")
    assert got.data["case_id"] == missed.id and got.data["type"] == "reported"
    assert [m.event for m in before] == ["ready"]


def test_heartbeats_keep_a_quiet_stream_alive(city: City, server: str):
    params = {"heartbeat": 1}
    with (
        client() as http,
        http.stream("GET", server, headers=city.headers["dispatcher"], params=params) as r,
    ):
        beat, _ = wait_for(messages(r), lambda m: m.event == "heartbeat")
    assert beat.data["last_event_id"] >= 0 and beat.data["at"].endswith("+08:00")


def test_a_browser_may_send_its_token_in_the_query(city: City, server: str):
    token = city.headers["evaluator"]["Authorization"].removeprefix("Bearer ")
    with client() as http, http.stream("GET", server, params={"access_token": token}) as r:
        assert r.status_code == 200
        ready, _ = wait_for(messages(r), lambda m: m.event == "ready")
    assert ready.data["last_event_id"] >= 0


def test_a_district_sub_centre_hears_only_its_district(city: City, server: str):
    headers = city.headers["acceptor_district_b"]
    with client() as http, http.stream("GET", server, headers=headers) as r:
        stream = messages(r)
        wait_for(stream, lambda m: m.event == "ready")
        elsewhere = city.report(NOW, "a")
        mine = city.report(NOW, "b")
        got, before = wait_for(stream, lambda m: m.event == "case_event")
    assert got.data["case_id"] == mine.id and got.data["district_code"] == city.b.district
    assert all(m.data.get("case_id") != elsewhere.id for m in before)


def test_far_behind_or_ahead_the_stream_starts_now_and_says_so(city: City, server: str):
    headers = {**city.headers["leader"], "Last-Event-ID": "999999999"}
    with client() as http, http.stream("GET", server, headers=headers) as r:
        reset, _ = wait_for(messages(r), lambda m: m.event in ("reset", "ready"))
    assert reset.event == "reset" and reset.data["reason"] == "ahead_of_log"


@pytest.mark.parametrize(
    ("persona", "headers", "status", "code"),
    [
        ("handler_a", {}, 403, "auth.role_forbidden"),
        ("inspector_a", {}, 403, "auth.role_forbidden"),
        ("citizen", {}, 403, "auth.role_forbidden"),
        (None, {}, 401, "auth.required"),
        ("leader", {"Last-Event-ID": "abc"}, 422, "cockpit.last_event_id_invalid"),
    ],
)
def test_who_may_listen(
    city: City, server: str, persona: str | None, headers: dict[str, str], status: int, code: str
):
    sent = {**(city.headers[persona] if persona else {}), **headers}
    with client() as http:
        r = http.get(server, headers=sent)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
