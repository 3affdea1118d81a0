"""Safe intake over HTTP: idempotency keys, declared coordinate systems, precise validation,
and uploads refused before anything is stored."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import func, select

from cityops.adapters.db.tables.cases import attachments, cases
from cityops.domain.geo.coords import from_wgs84
from cityops.domain.geo.model import CoordSystem
from tests.api.conftest import World
from tests.fakes import JPEG


def _form(world: World, description: str, **extra: str) -> dict[str, str]:
    return {"description": description, "lon": str(world.a.lon), "lat": str(world.a.lat), **extra}


def _count_cases(world: World, description: str) -> int:
    with world.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(cases).where(cases.c.description == description)
            ).scalar_one()
        )


def _blobs(world: World) -> int:
    with world.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(attachments)).scalar_one())


def test_a_retry_with_the_same_idempotency_key_returns_the_first_case(world: World):
    key, text = uuid.uuid4().hex, f"弱网重试 {uuid.uuid4().hex[:6]}"
    photo = ("p.jpg", JPEG + key.encode(), "image/jpeg")
    first = world.post(
        "inspector_a",
        "/cases",
        data=_form(world, text),
        files=[("photos", photo)],
        headers={"Idempotency-Key": key},
    )
    again = world.post(
        "inspector_a",
        "/cases",
        data=_form(world, text),
        files=[("photos", photo)],
        headers={"Idempotency-Key": key},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["case"]["id"] == again.json()["case"]["id"]
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert _count_cases(world, text) == 1
    changed = world.post(
        "inspector_a",
        "/cases",
        data=_form(world, text + "（改）"),
        headers={"Idempotency-Key": key},
    )
    assert (changed.status_code, changed.json()["code"]) == (409, "intake.idempotency_key_reused")


def test_concurrent_retries_with_one_key_create_one_case(world: World):
    key, text = uuid.uuid4().hex, f"并发重试 {uuid.uuid4().hex[:6]}"
    answers: list[Any] = []

    def send() -> None:
        answers.append(
            world.post(
                "inspector_a", "/cases", data=_form(world, text), headers={"Idempotency-Key": key}
            )
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["case"]["id"] for a in answers}) == 1
    assert _count_cases(world, text) == 1


def test_coordinates_in_gcj02_and_bd09_are_stored_in_wgs84(world: World):
    for crs in (CoordSystem.GCJ02, CoordSystem.BD09):
        lon, lat = from_wgs84(world.a.lon, world.a.lat, crs)
        r = world.post(
            "inspector_a",
            "/cases",
            data={
                "description": f"{crs.value}坐标上报",
                "lon": str(lon),
                "lat": str(lat),
                "crs": crs.value,
            },
        )
        assert r.status_code == 201, r.text
        case = r.json()["case"]
        assert abs(case["lon"] - world.a.lon) < 1e-5 and abs(case["lat"] - world.a.lat) < 1e-5
        assert case["grid_code"] == world.a.grid


def test_bad_reports_get_precise_answers_and_nothing_is_stored(world: World):
    text = f"不应存储 {uuid.uuid4().hex[:6]}"
    outside = world.post(
        "inspector_a", "/cases", data={"description": text, "lon": "100.0", "lat": "30.0"}
    )
    assert (outside.status_code, outside.json()["code"]) == (422, "location.outside_city")
    bad = world.post("inspector_a", "/cases", data={"description": "", "lon": "117", "lat": "95"})
    assert bad.status_code == 422
    fields = {e["field"]: e["problem"] for e in bad.json()["details"]["errors"]}
    assert fields == {"description": "必须填写", "lat": "不能大于90"}
    wrong_crs = world.post("inspector_a", "/cases", data=_form(world, text, crs="mars"))
    assert wrong_crs.json()["details"]["errors"][0]["field"] == "crs"
    channel = world.post("inspector_a", "/cases", data=_form(world, text, channel="hotline"))
    assert (channel.status_code, channel.json()["code"]) == (403, "case.channel_forbidden")
    assert _count_cases(world, text) == 0


def test_oversize_and_wrong_type_uploads_are_refused_before_they_are_stored(world: World):
    text = f"附件被拒 {uuid.uuid4().hex[:6]}"
    limit = world.rt.policy.profile.attachments.max_bytes
    before = _blobs(world)
    big = JPEG + b"\0" * limit
    r = world.post(
        "inspector_a",
        "/cases",
        data=_form(world, text),
        files=[("photos", ("big.jpg", big, "image/jpeg"))],
    )
    assert (r.status_code, r.json()["code"]) == (413, "attachment.too_large")
    assert r.json()["details"]["max_bytes"] == limit
    r = world.post(
        "inspector_a",
        "/cases",
        data=_form(world, text),
        files=[
            ("photos", ("ok.jpg", JPEG + b"fine", "image/jpeg")),
            ("photos", ("evil.jpg", b"#!/bin/sh\necho not a photo\n", "image/jpeg")),
        ],
    )
    assert r.status_code == 422 and r.json()["code"].startswith("attachment.")
    many = [("photos", (f"{i}.jpg", JPEG + bytes([i]), "image/jpeg")) for i in range(10)]
    r = world.post("inspector_a", "/cases", data=_form(world, text), files=many)
    assert (r.status_code, r.json()["code"]) == (422, "attachment.too_many")
    r = world.post(
        "inspector_a", "/attachments", files={"file": ("x.pdf", b"%PDF-1.4 x", "application/pdf")}
    )
    assert r.status_code == 422 and r.json()["code"].startswith("attachment.")
    assert _blobs(world) == before
    assert _count_cases(world, text) == 0
    assert not any(
        p for p in world.rt.blobs.root.rglob("*") if p.is_file() and p.stat().st_size > limit
    )


def _off_the_event_loop(module: Any, name: str, monkeypatch: Any) -> list[bool]:
    """Wrap ``module.name`` so that each call records whether it ran outside the event loop."""
    import asyncio

    real = getattr(module, name)
    seen: list[bool] = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            seen.append(False)
        except RuntimeError:
            seen.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return seen


def test_reports_and_uploads_wait_for_the_database_outside_the_event_loop(
    world: World, monkeypatch: Any
):
    """An upload endpoint reads its files asynchronously, then runs its transaction in the
    thread pool: a slow database never stalls the other requests of the worker."""
    from cityops.api.routes import attachments as attachment_routes
    from cityops.services import cases as case_services
    from cityops.services import public_reports

    report = _off_the_event_loop(case_services, "report_case", monkeypatch)
    public = _off_the_event_loop(public_reports, "report_anonymously", monkeypatch)
    stored = _off_the_event_loop(attachment_routes, "store_attachment", monkeypatch)

    staff = world.post("inspector_a", "/cases", data=_form(world, f"线程池 {uuid.uuid4().hex}"))
    citizen = world.post(None, "/public/reports", data=_form(world, f"市民 {uuid.uuid4().hex}"))
    photo = world.post(
        "inspector_a",
        "/attachments",
        files={"file": ("a.jpg", JPEG + uuid.uuid4().bytes, "image/jpeg")},
    )
    assert (staff.status_code, citizen.status_code, photo.status_code) == (201, 201, 201)
    assert (report, public, stored) == ([True], [True], [True])


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(world: World):
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from cityops.api.app import MAX_REQUEST_BYTES, BodyLimit

    assert any(m.cls is BodyLimit for m in world.client.app.user_middleware)  # type: ignore[attr-defined]
    read: list[bytes] = []

    async def echo(request: Any) -> PlainTextResponse:
        read.append(await request.body())
        return PlainTextResponse("ok")

    app = BodyLimit(Starlette(routes=[Route("/", echo, methods=["POST"])]), max_bytes=10)
    client = TestClient(app)
    assert client.post("/", content=b"0123456789").status_code == 200
    refused = client.post("/", content=b"0123456789A")
    assert refused.status_code == 413
    assert refused.json()["code"] == "request.too_large"
    assert read == [b"0123456789"]
    assert MAX_REQUEST_BYTES >= 50 * 1024 * 1024
