"""Public reporting (随手拍) and the console's own endpoints over HTTP, on SQLite and on
PostgreSQL: anonymous reports with idempotency keys and a per-address limit, tracking by
code, public-safe wording of the outcome, photos of the report, one rating per closed case,
the console configuration and the Excel export."""

from __future__ import annotations

import io
import itertools
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityops.adapters.db.tables.public import public_intake, public_ratings
from cityops.api.app import create_app
from cityops.domain.cases.vocabulary import CloseOutcome, RejectReason
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR, DISPATCHER, INSPECTOR, JPEG, PNG, SHIFT_LEADER, STREET_HANDLER

POINT = {"lon": "117.005", "lat": "36.605", "crs": "wgs84"}


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(create_app(runtime=rt, web_dir=rt.settings.var_dir / "no-web"))


def send(client: TestClient, text: str, key: str | None = None, **extra: Any) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/public/reports",
        data={"description": text, **POINT, **extra},
        files=[("photos", ("before.jpg", JPEG, "image/jpeg"))],
        headers=headers,
    )


def case_of(rt: Runtime, client: TestClient, code: str) -> Any:
    from cityops.services.public_reports import case_by_tracking_code

    return case_by_tracking_code(rt, code)


def close_as(rt: Runtime, case_id: int, outcome: CloseOutcome = CloseOutcome.FIXED) -> None:
    svc.verify_case(rt, INSPECTOR, case_id, found=True)
    svc.file_case(rt, ACCEPTOR, case_id, class_code="06010", condition_code="06010-01")
    svc.dispatch_case(rt, DISPATCHER, case_id)
    svc.handle_case(rt, STREET_HANDLER, case_id, opinion="已清理", photos=[Upload(PNG, "a.png")])
    svc.request_check(rt, ACCEPTOR, case_id)
    closer = INSPECTOR if outcome == CloseOutcome.FIXED else SHIFT_LEADER
    svc.close_case(rt, closer, case_id, outcome=outcome, opinion="现场复核")


def test_an_anonymous_report_gets_a_tracking_code_and_a_retry_makes_no_second_case(
    rt: Runtime, client: TestClient
) -> None:
    first = send(client, "路边有暴露垃圾", key="phone-1", phone="138 1234 5678")
    assert first.status_code == 201, first.text
    body = first.json()
    assert len(body["tracking_code"]) == 10 and body["created"] is True
    assert body["status"] == "received" and body["status_label"] == "已受理，正在核实"
    again = send(client, "路边有暴露垃圾", key="phone-1", phone="138 1234 5678")
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["tracking_code"] == body["tracking_code"]
    case = case_of(rt, client, body["tracking_code"])
    assert case.channel.value == "public" and case.state.value == "verifying"
    assert case.reporter_phone == "138****5678"  # masked before it was stored
    assert case.reported_by == "public.anonymous"
    with rt.engine.connect() as conn:
        rows = conn.execute(select(public_intake)).all()
    assert len(rows) == 1 and "testclient" not in rows[0].client_hash


def test_reports_are_limited_per_client_and_hour_but_a_retry_still_answers(
    rt: Runtime, client: TestClient
) -> None:
    client.app.state.public_limits = {"reports_per_hour": 2}  # type: ignore[attr-defined]
    assert send(client, "第一处问题", key="a").status_code == 201
    assert send(client, "第二处问题", key="b").status_code == 201
    refused = send(client, "第三处问题", key="c")
    assert refused.status_code == 429
    assert refused.json()["code"] == "public.rate_limited"
    assert "每小时最多上报2次" in refused.json()["message"]
    assert send(client, "第一处问题", key="a").status_code == 200  # the replay of an accepted one


def test_bad_reports_are_refused_with_the_reason_and_nothing_is_stored(
    rt: Runtime, client: TestClient
) -> None:
    outside = client.post(
        "/api/v1/public/reports",
        data={"description": "城外", "lon": "100.0", "lat": "30.0", "crs": "wgs84"},
    )
    assert outside.status_code == 422 and outside.json()["code"] == "location.outside_city"
    phone = send(client, "电话不对", phone="12")
    assert phone.status_code == 422 and phone.json()["code"] == "public.phone_invalid"
    empty = client.post("/api/v1/public/reports", data={**POINT, "description": ""})
    assert empty.status_code == 422 and "description" in empty.json()["message"]
    with rt.engine.connect() as conn:
        assert conn.execute(select(public_intake)).all() == []


def test_tracking_shows_the_public_view_and_only_the_report_photos(
    rt: Runtime, client: TestClient
) -> None:
    code = send(client, "井盖缺失", key="t1").json()["tracking_code"]
    view = client.get(f"/api/v1/public/track/{code.lower()}")
    assert view.status_code == 200
    out = view.json()
    assert out["status_label"] == "已受理，正在核实" and out["can_rate"] is False
    assert [p["kind"] for p in out["photos"]] == ["before"]
    assert "verifier" not in out and "reporter_phone" not in out
    photo = client.get(out["photos"][0]["url"])
    assert photo.status_code == 200 and photo.content == JPEG
    case = case_of(rt, client, code)
    svc.verify_case(rt, INSPECTOR, case.id, found=True, photos=[Upload(PNG, "v.png")])
    verify_sha = next(a["sha256"] for a in svc.case_events(rt, case.id)[1].data["attachments"])
    hidden = client.get(f"/api/v1/public/track/{code}/photos/{verify_sha}")
    assert hidden.status_code == 404  # an inspector's photo is not public
    assert client.get("/api/v1/public/track/ABCDEFGHJK").json()["code"] == (
        "public.tracking_code_unknown"
    )
    assert client.get("/api/v1/public/track/abc").json()["code"] == "public.tracking_code_invalid"


def test_a_closed_report_is_rated_once_and_fixed_is_said_only_when_fixed(
    rt: Runtime, client: TestClient
) -> None:
    fixed = send(client, "暴露垃圾一处", key="r1").json()["tracking_code"]
    early = client.post(f"/api/v1/public/track/{fixed}/rating", json={"score": 4})
    assert early.status_code == 409 and early.json()["code"] == "public.not_closed"
    close_as(rt, case_of(rt, client, fixed).id)
    view = client.get(f"/api/v1/public/track/{fixed}").json()
    assert view["status"] == "closed_fixed" and view["status_label"] == "已办结（问题已解决）"
    assert view["can_rate"] is True
    assert [p["kind"] for p in view["photos"]] == ["before", "after"]
    rated = client.post(
        f"/api/v1/public/track/{fixed}/rating", json={"score": 5, "comment": " 很及时 "}
    )
    assert rated.status_code == 201
    assert rated.json()["rating"]["score"] == 5 and rated.json()["rating"]["comment"] == "很及时"
    assert rated.json()["can_rate"] is False
    twice = client.post(f"/api/v1/public/track/{fixed}/rating", json={"score": 1})
    assert twice.status_code == 409 and twice.json()["code"] == "public.already_rated"
    bad = client.post(f"/api/v1/public/track/{fixed}/rating", json={"score": 6})
    assert bad.status_code == 422
    with rt.engine.connect() as conn:
        assert [r.score for r in conn.execute(select(public_ratings))] == [5]

    gone = send(client, "暴露垃圾二处", key="r2").json()["tracking_code"]
    close_as(rt, case_of(rt, client, gone).id, CloseOutcome.NO_LONGER_PRESENT)
    other = client.get(f"/api/v1/public/track/{gone}").json()
    assert other["status"] == "closed_no_longer_present"
    assert "已解决" not in other["status_label"] and other["status_label"].startswith("已办结")

    dup = send(client, "重复的问题", key="r3").json()["tracking_code"]
    case = case_of(rt, client, dup)
    svc.reject_case(rt, ACCEPTOR, case.id, reason_code=RejectReason.OUT_OF_SCOPE, reason="非城管")
    rejected = client.get(f"/api/v1/public/track/{dup}").json()
    assert rejected["status"] == "rejected" and "不属于城市管理受理范围" in rejected["status_label"]
    assert rejected["can_rate"] is False


def test_the_console_configuration_names_the_city_map_and_working_hours(
    rt: Runtime, client: TestClient
) -> None:
    rt.settings.map_tile_url = "https://tiles.example.org/{z}/{x}/{y}.png"
    out = client.get("/api/v1/console/config").json()
    assert out["city_name"] == rt.policy.profile.city_name
    assert out["map"]["tile_url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    periods = [
        (datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in out["work_periods"]
    ]
    assert periods and all(a.tzinfo is not None and a < b for a, b in periods)
    assert all(p[1] <= q[0] for p, q in itertools.pairwise(periods))


def test_the_case_list_exports_to_excel_within_the_users_scope(
    rt: Runtime, client: TestClient
) -> None:
    from openpyxl import load_workbook

    from cityops.domain.cases.vocabulary import Role
    from cityops.services import accounts

    for i in range(3):
        send(client, f"导出测试{i}", key=f"x{i}")
    accounts.create_user(
        rt, "acceptor.x", name="受理员X", role=Role.ACCEPTOR, password="long-secret-1"
    )
    token = client.post(
        "/api/v1/auth/token", data={"username": "acceptor.x", "password": "long-secret-1"}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = client.get("/api/v1/console/cases.xlsx", params={"text": "导出测试"}, headers=auth)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("案卷编号", "状态", "预警")
    assert sorted(row[4] for row in rows[1:]) == ["导出测试0", "导出测试1", "导出测试2"]
    assert client.get("/api/v1/console/cases.xlsx").status_code == 401
    case = case_of(rt, client, send(client, "评价测试", key="x9").json()["tracking_code"])
    assert client.get(f"/api/v1/console/cases/{case.id}/rating", headers=auth).json() is None
    close_as(rt, case.id)
    client.post(f"/api/v1/public/track/{case.tracking_code}/rating", json={"score": 3})
    seen = client.get(f"/api/v1/console/cases/{case.id}/rating", headers=auth).json()
    assert seen["score"] == 3 and seen["comment"] == ""
    words = client.get("/api/v1/console/dictionary", headers=auth).json()
    assert {"value": "verifying", "label": "待核实"} in words["states"]
    assert words["filing"][0]["conditions"][0]["limit_label"]


def test_the_migration_makes_exactly_the_public_tables(engine: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from cityops.adapters.db.tables import metadata

    def ours(name: str | None, type_: str, *_: object) -> bool:
        return type_ != "table" or bool(name and name.startswith("public_"))

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": ours, "include_object": lambda o, n, t, *a: ours(n, t)}
        )
        assert compare_metadata(context, metadata) == []
