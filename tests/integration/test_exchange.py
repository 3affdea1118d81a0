"""Exchange with other platforms: the event log pushed to each target in order, in signed
batches, once; a target that fails is tried again later and then gets everything it missed."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cityops.errors import ConflictError, ValidationError
from cityops.services import cases as svc
from cityops.services import exchange as ex
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR
from tests.integration.helpers import StepClock, report


class Receiver:
    """A target that answers with the statuses it is given (200 once they run out)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.calls: list[tuple[str, dict[str, Any], dict[str, str]]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        status = self.statuses.pop(0) if self.statuses else 200
        self.calls.append((url, json.loads(body), headers))
        return status

    def delivered(self) -> list[tuple[int, int]]:
        return [(r["case_id"], r["seq"]) for _, doc, _ in self.calls for r in doc["records"]]


def _events(rt: Runtime, clock: StepClock, cases: int) -> list[tuple[int, int]]:
    made = []
    for _ in range(cases):
        c = report(rt).case
        clock.tick()
        svc.file_case(rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01")
        clock.tick()
        made += [(c.id, 1), (c.id, 2)]
    return made


def test_a_target_gets_the_whole_log_in_order_in_signed_batches_once(rt: Runtime, clock: StepClock):
    made = _events(rt, clock, 5)
    _target, secret = ex.create_target(
        rt, "province", "https://province.example/cityops", actor="admin"
    )
    receiver = Receiver()
    results = ex.push_all(rt, post=receiver, batch=3)
    assert receiver.delivered() == made  # every event, in the log's order
    assert [len(doc["records"]) for _, doc, _ in receiver.calls] == [3, 3, 3, 1]
    for url, doc, headers in receiver.calls:
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert url == "https://province.example/cityops" and headers["X-Cityops-Signature"] == want
        assert headers["X-Cityops-Delivery"] == f"province:{doc['first_id']}-{doc['last_id']}"
        record = doc["records"][0]
        assert set(record) == {
            "case_id",
            "seq",
            "type",
            "at",
            "actor",
            "role",
            "unit",
            "from_state",
            "to_state",
            "data",
        }
        assert record["at"].endswith("+08:00")
    assert sum(r.sent for r in results) == len(made)
    after = ex.get_target(rt, "province")
    assert after.cursor == ex.log_end(rt) and after.delivered == len(made) and after.failures == 0
    assert ex.push_all(rt, post=receiver) == [] and len(receiver.calls) == 4  # nothing twice

    _events(rt, clock, 1)  # what comes next is sent next
    ex.push_all(rt, post=receiver)
    assert receiver.delivered()[-2:] == [(made[-1][0] + 1, 1), (made[-1][0] + 1, 2)]


def test_a_failing_target_waits_then_gets_everything_it_missed(rt: Runtime, clock: StepClock):
    made = _events(rt, clock, 3)
    ex.create_target(rt, "national", "https://national.example/in", actor="admin")
    receiver = Receiver([503])
    [failed] = ex.push_once(rt, post=receiver)
    assert failed.error == "接收方答复 HTTP 503" and failed.sent == 0
    target = ex.get_target(rt, "national")
    assert target.cursor == 0 and target.failures == 1 and target.last_error == failed.error
    assert target.next_attempt_at is not None and target.next_attempt_at > rt.now()
    assert ex.push_once(rt, post=receiver) == []  # not before its time
    clock.tick(1)  # a minute later
    ex.push_all(rt, post=receiver)
    assert receiver.delivered()[len(made) :] == made  # the failed batch, then nothing else
    assert ex.get_target(rt, "national").failures == 0

    def down(url: str, body: bytes, headers: dict[str, str]) -> int:
        import httpx

        raise httpx.ConnectError("connection refused")

    _events(rt, clock, 1)
    [unreachable] = ex.push_once(rt, post=down)
    assert unreachable.error and "无法送达" in unreachable.error


def test_a_target_may_take_only_some_event_types_and_start_from_now(rt: Runtime, clock: StepClock):
    _events(rt, clock, 2)
    ex.create_target(
        rt,
        "district",
        "http://district.example/",
        actor="admin",
        event_types=["filed"],
        from_start=False,
    )
    receiver = Receiver()
    assert ex.push_all(rt, post=receiver) == [] and receiver.calls == []  # nothing new yet
    made = _events(rt, clock, 2)
    ex.push_all(rt, post=receiver)
    assert receiver.delivered() == [m for m in made if m[1] == 2]  # the filed events only
    assert ex.get_target(rt, "district").cursor == ex.log_end(rt)


def test_a_target_held_by_another_process_is_left_to_it(rt: Runtime, clock: StepClock):
    from datetime import timedelta

    from sqlalchemy import update

    from cityops.adapters.db.tables.exchange import exchange_targets

    _events(rt, clock, 1)
    ex.create_target(rt, "province", "https://p.example/", actor="admin")
    with rt.engine.begin() as conn:
        conn.execute(update(exchange_targets).values(lease_until=rt.now() + timedelta(seconds=30)))
    receiver = Receiver()
    assert ex.push_once(rt, post=receiver) == [] and receiver.calls == []
    clock.tick(1)
    assert ex.push_once(rt, post=receiver)[0].sent == 2


@pytest.mark.parametrize(
    ("name", "url", "types", "code"),
    [
        ("省平台", "https://p.example/", None, "exchange.name_invalid"),
        ("province", "ftp://p.example/", None, "exchange.url_invalid"),
        ("province", "https://p.example/", ["teleported"], "exchange.event_type_unknown"),
    ],
)
def test_bad_targets_are_refused_with_a_code(
    rt: Runtime, name: str, url: str, types: Any, code: str
):
    with pytest.raises(ValidationError) as caught:
        ex.create_target(rt, name, url, actor="admin", event_types=types)
    assert caught.value.code == code
    assert ex.list_targets(rt) == []


def test_a_name_is_taken_once(rt: Runtime):
    ex.create_target(rt, "province", "https://p.example/", actor="admin")
    with pytest.raises(ConflictError) as caught:
        ex.create_target(rt, "province", "https://q.example/", actor="admin")
    assert caught.value.code == "exchange.name_taken"


def test_a_real_receiver_over_http_checks_the_signature(rt: Runtime, clock: StepClock):
    made = _events(rt, clock, 2)
    received: list[tuple[dict[str, Any], bool]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            want = (
                "sha256="
                + hmac.new(b"a-shared-secret-of-32-characters", body, hashlib.sha256).hexdigest()
            )
            received.append((json.loads(body), self.headers["X-Cityops-Signature"] == want))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/exchange"
        ex.create_target(
            rt, "province", url, actor="admin", secret="a-shared-secret-of-32-characters"
        )
        results = ex.push_all(rt)
    finally:
        server.shutdown()
    assert [r.error for r in results] == [None]
    assert [(r["case_id"], r["seq"]) for doc, _ in received for r in doc["records"]] == made
    assert all(ok for _, ok in received)
