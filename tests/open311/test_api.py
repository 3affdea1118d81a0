"""Every Open311 endpoint in JSON and XML, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.accounts import access_denials
from cityops.adapters.db.tables.cases import case_attachments, case_events, cases
from cityops.domain.cases.vocabulary import CaseState, Channel, CloseOutcome, RejectReason, Role
from cityops.domain.catalog.model import Urgency
from cityops.services import cases as svc
from cityops.services.cases import Upload
from cityops.services.open311.keys import IssuedKey, revoke_key
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR, INSPECTOR, JPEG, PUBLIC, SHIFT_LEADER
from tests.open311.conftest import StepClock, form, walk_to_close, xml_error, xml_items

pytestmark = pytest.mark.db
V2 = "/open311/v2"


def post(client: TestClient, key: IssuedKey | None, fmt: str = "json", **fields: object):
    return client.post(f"{V2}/requests.{fmt}", data=form(key, **fields))


def case_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())


# --------------------------------------------------------------------------- services


def test_service_list_in_both_formats(client: TestClient):
    r = client.get(f"{V2}/services.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    services = {s["service_code"]: s for s in r.json()}
    assert sorted(services) == ["01001", "06010", "07001"]
    assert services["06010"]["service_name"] == "暴露垃圾"
    assert services["06010"]["metadata"] is True and services["07001"]["metadata"] is False
    x = client.get(f"{V2}/services.xml")
    assert x.status_code == 200 and x.headers["content-type"].startswith("text/xml")
    items = {i["service_code"]: i for i in xml_items(x.content, "services", "service")}
    assert sorted(items) == sorted(services)
    assert items["06010"]["metadata"] == "true" and items["07001"]["metadata"] == "false"
    assert items["06010"]["keywords"] == "垃圾,乱扔垃圾" and items["06010"]["type"] == "realtime"


def test_service_definition_in_both_formats(client: TestClient):
    doc = client.get(f"{V2}/services/06010.json").json()
    assert doc["service_code"] == "06010"
    (attr,) = doc["attributes"]
    assert attr["code"] == "condition" and attr["datatype"] == "singlevaluelist"
    assert [v["key"] for v in attr["values"]] == ["06010-01", "06010-02"]
    from xml.etree import ElementTree as ET

    root = ET.fromstring(client.get(f"{V2}/services/01001.xml").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "01001"
    assert root.findtext("attributes/attribute/code") == "urgent"
    assert [v.findtext("key") for v in root.iterfind(".//value")] == ["yes", "no"]


def test_unknown_services_formats_jurisdictions_and_methods_are_open311_errors(
    client: TestClient,
):
    r = client.get(f"{V2}/services/99999.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404
    assert "open311.service_unknown" in r.json()[0]["description"]
    x = client.get(f"{V2}/services/99999.xml")
    assert x.status_code == 404 and xml_error(x.content)[0] == 404
    wrong = client.get(f"{V2}/services.xml", params={"jurisdiction_id": "city.gov"})
    assert wrong.status_code == 404 and "jurisdiction_unknown" in xml_error(wrong.content)[1]
    assert client.get(f"{V2}/services.json", params={"jurisdiction_id": "370100"}).is_success
    csv = client.get(f"{V2}/services.csv")
    assert csv.status_code == 404 and "format_unknown" in xml_error(csv.content)[1]
    put = client.put(f"{V2}/requests.json")
    assert put.status_code == 405 and put.json()[0]["code"] == 405
    assert set(put.headers["allow"].split(", ")) == {"GET", "POST"}
    nothing = client.get(f"{V2}/nothing.xml")
    assert nothing.status_code == 404 and "resource_unknown" in xml_error(nothing.content)[1]


# --------------------------------------------------------------------------- POST


def test_a_posted_request_is_a_public_report_in_the_same_loop(
    client: TestClient, issued: IssuedKey, rt: Runtime, engine: Engine
):
    r = post(
        client,
        issued,
        first_name="三",
        last_name="张",
        phone="13812345678",
        email="zhang.san@example.com",
        device_id="dev-1",
        account_id="acct-9",
        media_url="https://img.example/1.jpg",
        jurisdiction_id="370100",
        **{"attribute[condition]": "06010-02"},
    )
    assert r.status_code == 200, r.text
    (answer,) = r.json()
    assert answer["account_id"] == "acct-9" and "现场核实" in answer["service_notice"]
    with engine.connect() as conn:
        row = conn.execute(select(cases).where(cases.c.case_no == answer["service_request_id"]))
        case_row = row.mappings().one()
        event = conn.execute(select(case_events).where(case_events.c.case_id == case_row["id"]))
        first = event.mappings().one()
    assert answer["token"] == case_row["tracking_code"]
    assert case_row["channel"] == Channel.PUBLIC.value
    assert case_row["state"] == CaseState.VERIFYING.value  # public reports are verified first
    assert case_row["reported_by"] == "open311.cityapp" and first["role"] == Role.PUBLIC.value
    assert case_row["class_code"] == "06010" and case_row["urgency"] == Urgency.NORMAL.value
    assert case_row["reporter_name"] == "张*" and case_row["reporter_phone"] == "138****5678"
    extra = case_row["extra"]["open311"]
    assert extra == {
        "client": "cityapp",
        "service_code": "06010",
        "attributes": {"condition": "06010-02"},
        "media_url": "https://img.example/1.jpg",
        "device_id": "dev-1",
        "account_id": "acct-9",
        "email": "z***@example.com",
    }
    assert "zhang.san" not in repr(dict(first))  # the full address is stored nowhere


def test_post_in_xml_with_a_photo_and_an_urgent_flag(client: TestClient, issued, engine):
    r = client.post(
        f"{V2}/requests.xml",
        data=form(issued, service_code="01001", **{"attribute[urgent]": "yes"}),
        files={"media": ("cover.jpg", JPEG, "image/jpeg")},
    )
    assert r.status_code == 200, r.text
    (answer,) = xml_items(r.content, "service_requests", "request")
    assert answer["service_request_id"] and answer["token"] and answer["account_id"] is None
    with engine.connect() as conn:
        row = conn.execute(
            select(cases.c.urgency, cases.c.id).where(
                cases.c.case_no == answer["service_request_id"]
            )
        ).one()
    assert row.urgency == Urgency.URGENT.value
    with engine.connect() as conn:
        kinds = conn.execute(
            select(case_attachments.c.kind).where(case_attachments.c.case_id == row.id)
        ).scalars()
        assert list(kinds) == ["before"]


def test_a_retry_with_the_same_idempotency_key_returns_the_same_request(
    client: TestClient, issued, engine
):
    headers = {"Idempotency-Key": "phone-42-report-1"}
    a = client.post(f"{V2}/requests.json", data=form(issued), headers=headers).json()
    b = client.post(f"{V2}/requests.json", data=form(issued), headers=headers).json()
    assert a[0]["service_request_id"] == b[0]["service_request_id"] and case_count(engine) == 1
    other = client.post(
        f"{V2}/requests.json", data=form(issued, description="另一件事"), headers=headers
    )
    assert other.status_code == 400 and "idempotency_key_reused" in other.json()[0]["description"]


def test_bad_posts_are_refused_the_open311_way_and_store_nothing(
    client: TestClient, issued: IssuedKey, rt: Runtime, engine: Engine
):
    cases_ = [
        (form(None), 403, "open311.key_missing"),
        (form(None, api_key="o311_guess"), 403, "open311.key_invalid"),
        (form(issued, jurisdiction_id="city.gov"), 404, "open311.jurisdiction_unknown"),
        (form(issued, service_code="99999"), 404, "open311.service_unknown"),
        (form(issued, service_code=""), 400, "open311.service_code_missing"),
        (form(issued, lat="north"), 400, "open311.location_invalid"),
        (form(issued, lat="", long=""), 400, "open311.location_required"),
        (form(issued, long="118.5"), 400, "location.outside_city"),
        (form(issued, description=""), 400, "open311.description_required"),
        (form(issued, **{"attribute[condition]": "x"}), 400, "open311.attribute_invalid"),
        (form(issued, **{"attribute[size]": "big"}), 400, "open311.attribute_unknown"),
    ]
    for data, status, code in cases_:
        for fmt in ("json", "xml"):
            r = client.post(f"{V2}/requests.{fmt}", data=data)
            assert r.status_code == status, (code, r.text)
            if fmt == "json":
                assert r.json() == [{"code": status, "description": r.json()[0]["description"]}]
                assert f"[{code}]" in r.json()[0]["description"]
            else:
                assert xml_error(r.content)[0] == status and code in xml_error(r.content)[1]
    bad_photo = client.post(
        f"{V2}/requests.json", data=form(issued), files={"media": ("x.gif", b"GIF89a" + b"0" * 9)}
    )
    assert bad_photo.status_code == 400 and "attachment.type_not_allowed" in bad_photo.text
    revoke_key(rt, "cityapp")
    revoked = post(client, issued)
    assert revoked.status_code == 403 and "open311.key_invalid" in revoked.text
    assert case_count(engine) == 0
    with engine.connect() as conn:
        denials = conn.execute(select(access_denials.c.code, access_denials.c.path)).all()
    assert ("open311.key_invalid", f"{V2}/requests.json") in denials
    assert all(issued.secret not in (path or "") for _, path in denials)


# --------------------------------------------------------------------------- GET requests


def report_other_channels(rt: Runtime) -> dict[str, str]:
    """An inspector's report, a hotline order and a report from the city's own app."""
    out = {}
    for name, actor, channel, text in (
        ("inspector", INSPECTOR, Channel.INSPECTOR, "解放路3号暴露垃圾，联系13900001111"),
        ("hotline", ACCEPTOR, Channel.HOTLINE, "市民来电：我家门口有垃圾"),
        ("own_app", PUBLIC, Channel.PUBLIC, "我是李四，楼下有垃圾"),
    ):
        case = svc.report_case(
            rt,
            actor,
            channel=channel,
            description=text,
            lon=117.006,
            lat=36.605,
            class_code="06010",
            reporter_name="李四" if name != "inspector" else None,
            reporter_phone="13900001111" if name != "inspector" else None,
        ).case
        out[name] = case.case_no
    return out


def test_requests_are_listed_in_both_formats_without_anyone_s_personal_data(
    client: TestClient, issued: IssuedKey, rt: Runtime, clock: StepClock
):
    mine = post(client, issued, first_name="三", last_name="张", phone="13812345678").json()
    ours = report_other_channels(rt)
    docs = client.get(f"{V2}/requests.json").json()
    by_id = {d["service_request_id"]: d for d in docs}
    assert set(by_id) == {mine[0]["service_request_id"], ours["inspector"], ours["own_app"]}
    assert by_id[ours["own_app"]]["description"] == "暴露垃圾"  # the citizen's words stay in
    assert by_id[ours["inspector"]]["description"] == "解放路3号暴露垃圾，联系139****1111"
    body = client.get(f"{V2}/requests.json").text + client.get(f"{V2}/requests.xml").text
    for private in ("张", "李四", "13812345678", "13900001111", mine[0]["token"], "inspector-1"):
        assert private not in body
    items = xml_items(client.get(f"{V2}/requests.xml").content, "service_requests", "request")
    assert {i["service_request_id"] for i in items} == set(by_id)
    one = items[0]
    assert one["status"] == "open" and one["lat"] == "36.605" and one["long"]
    assert one["requested_datetime"] and one["requested_datetime"].endswith("+08:00")


def test_request_filters(client: TestClient, issued: IssuedKey, rt: Runtime, clock: StepClock):
    first = post(client, issued).json()[0]["service_request_id"]
    clock.tick(60 * 24)
    second = post(client, issued, service_code="07001", description="小广告").json()[0]
    second_id = second["service_request_id"]
    with rt.uow(readonly=True) as uow:
        cid = uow.conn.execute(select(cases.c.id).where(cases.c.case_no == first)).scalar_one()
    svc.reject_case(rt, SHIFT_LEADER, cid, reason_code=RejectReason.OUT_OF_SCOPE, reason="非城管")

    def ids(**params: str) -> list[str]:
        r = client.get(f"{V2}/requests.json", params=params)
        assert r.status_code == 200, r.text
        return [d["service_request_id"] for d in r.json()]

    assert ids() == [second_id, first]  # newest first
    assert ids(status="closed") == [first] and ids(status="open") == [second_id]
    assert ids(status="open,closed") == [second_id, first]
    assert ids(service_code="07001") == [second_id]
    assert ids(service_request_id=f"{first},{second_id}", status="open") == [second_id, first]
    assert ids(start_date="2025-10-20T12:00:00+08:00") == [second_id]
    assert ids(end_date="2025-10-20T12:00:00+08:00") == [first]
    assert ids(start_date="2025-07-01T00:00:00Z", end_date="2025-07-02T00:00:00Z") == []
    clock.tick(60 * 24 * 120)
    assert ids() == []  # older than 90 days
    assert ids(service_request_id=first) == [first]
    for params, code in (
        ({"start_date": "2025-10-20"}, "open311.date_invalid"),
        ({"status": "pending"}, "open311.status_invalid"),
    ):
        r = client.get(f"{V2}/requests.xml", params=params)
        assert r.status_code == 400 and code in xml_error(r.content)[1]


def test_one_request_and_tokens_in_both_formats(client: TestClient, issued: IssuedKey, rt):
    answer = post(client, issued).json()[0]
    rid, token = answer["service_request_id"], answer["token"]
    (doc,) = client.get(f"{V2}/requests/{rid}.json").json()
    assert doc["service_request_id"] == rid and doc["service_code"] == "06010"
    (item,) = xml_items(
        client.get(f"{V2}/requests/{rid}.xml").content, "service_requests", "request"
    )
    assert item["status_notes"] == doc["status_notes"] and item["address"] == "解放路1号门前"
    assert client.get(f"{V2}/tokens/{token}.json").json() == [
        {"service_request_id": rid, "token": token}
    ]
    (tok,) = xml_items(
        client.get(f"{V2}/tokens/{token}.xml").content, "service_requests", "request"
    )
    assert tok == {"service_request_id": rid, "token": token}
    hotline = report_other_channels(rt)["hotline"]
    for path in (
        f"requests/{hotline}.json",
        "requests/000.json",
        "tokens/NOPE2345.json",
        "tokens/<script>.json",
    ):
        r = client.get(f"{V2}/{path}")
        assert r.status_code == 404 and r.json()[0]["code"] == 404, path


@pytest.mark.parametrize(
    ("end", "detailed", "words"),
    [
        ("fixed", "closed_fixed", "问题已解决"),
        ("not_fixable", "closed_not_fixable", "未解决"),
        ("duplicate", "rejected_duplicate", "重复"),
        ("cancelled", "cancelled", "作废"),
    ],
)
def test_closed_requests_say_why(client, issued, rt, clock, end, detailed, words):
    rid = post(client, issued).json()[0]["service_request_id"]
    with rt.uow(readonly=True) as uow:
        cid = uow.conn.execute(select(cases.c.id).where(cases.c.case_no == rid)).scalar_one()
    if end in ("fixed", "not_fixable"):
        walk_to_close(rt, clock, cid, outcome=CloseOutcome(end))
    elif end == "duplicate":
        original = svc.report_case(
            rt, INSPECTOR, channel=Channel.INSPECTOR, description="垃圾", lon=117.005, lat=36.605
        ).case
        svc.reject_case(
            rt,
            ACCEPTOR,
            cid,
            reason_code=RejectReason.DUPLICATE,
            reason="重复",
            duplicate_of=original.id,
        )
    else:
        svc.verify_case(rt, INSPECTOR, cid, found=True)
        svc.file_case(rt, ACCEPTOR, cid, class_code="06010", condition_code="06010-01")
        svc.cancel_case(rt, SHIFT_LEADER, cid, reason="误报")
    (doc,) = client.get(f"{V2}/requests/{rid}.json").json()
    assert doc["status"] == "closed" and doc["detailed_status"] == detailed
    assert words in doc["status_notes"]
    (item,) = xml_items(
        client.get(f"{V2}/requests/{rid}.xml").content, "service_requests", "request"
    )
    assert item["status"] == "closed" and item["status_notes"] == doc["status_notes"]


# --------------------------------------------------------------------------- updates, photos


def test_updates_list_the_public_steps_and_the_result_photo_is_published(
    client: TestClient, issued: IssuedKey, rt: Runtime, clock: StepClock
):
    rid = post(client, issued, media_url="https://img.example/before.jpg").json()[0][
        "service_request_id"
    ]
    with rt.uow(readonly=True) as uow:
        cid = uow.conn.execute(select(cases.c.id).where(cases.c.case_no == rid)).scalar_one()
    walk_to_close(rt, clock, cid)
    r = client.get(f"{V2}/servicerequestupdates.json", params={"service_request_id": rid})
    assert r.status_code == 200, r.text
    updates = r.json()
    assert [u["status"] for u in updates] == ["open"] * 6 + ["closed"]
    texts = [u["description"] for u in updates]
    for expected, text in zip(
        (
            "已提交",
            "已现场核实",
            "已受理立案",
            "已交办处置单位：解放路街道办事处",
            "处置单位已反馈",
            "已安排现场核查",
            "已办结（问题已解决）",
        ),
        texts,
        strict=True,
    ):
        assert text.startswith(expected)
    assert updates[0]["media_url"] == "https://img.example/before.jpg"
    photo_url = updates[4]["media_url"]
    assert photo_url.startswith(f"http://testserver{V2}/media/")
    assert len({u["update_id"] for u in updates}) == 7
    assert [u["updated_datetime"] for u in updates] == sorted(
        u["updated_datetime"] for u in updates
    )
    body = r.text + client.get(f"{V2}/servicerequestupdates.xml").text
    for private in (
        "inspector-1",
        "acceptor-1",
        "handler-1",
        "dispatcher-1",
        "13912345678",
        "联系人",
    ):
        assert private not in body
    items = xml_items(
        client.get(f"{V2}/servicerequestupdates.xml").content,
        "service_request_updates",
        "request_update",
    )
    assert [i["update_id"] for i in items] == [u["update_id"] for u in updates]
    later = client.get(
        f"{V2}/servicerequestupdates.json",
        params={"updated_after": updates[4]["updated_datetime"]},
    ).json()
    assert [u["update_id"] for u in later] == [u["update_id"] for u in updates[5:]]
    (doc,) = client.get(f"{V2}/requests/{rid}.json").json()
    assert doc["media_url"] == "https://img.example/before.jpg"  # the client's own photo first
    assert doc["updated_datetime"] == updates[-1]["updated_datetime"]
    photo = client.get(photo_url.removeprefix("http://testserver"))
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"


def test_only_result_photos_of_published_cases_are_served(client: TestClient, rt: Runtime):
    svc.report_case(
        rt,
        PUBLIC,
        channel=Channel.PUBLIC,
        description="垃圾",
        lon=117.005,
        lat=36.605,
        photos=[Upload(JPEG, "me.jpg")],
    )
    from hashlib import sha256

    citizen_photo = sha256(JPEG).hexdigest()
    assert rt.blobs.exists(citizen_photo)
    for path in (citizen_photo, "0" * 64, "not-a-hash", "..%2F..%2Fetc%2Fpasswd"):
        r = client.get(f"{V2}/media/{path}")
        assert r.status_code == 404, path
        if r.headers["content-type"].startswith("text/xml"):
            assert xml_error(r.content)[0] == 404
        else:
            assert r.json()[0]["code"] == 404


def test_update_filters_and_bad_dates(client: TestClient, issued: IssuedKey, clock: StepClock):
    first = post(client, issued).json()[0]["service_request_id"]
    clock.tick(60)
    second = post(client, issued).json()[0]["service_request_id"]

    def ids(**params: str) -> list[str]:
        r = client.get(f"{V2}/servicerequestupdates.json", params=params)
        assert r.status_code == 200, r.text
        return [u["service_request_id"] for u in r.json()]

    assert ids() == [first, second]
    assert ids(service_request_id=second) == [second]
    assert ids(start_date="2025-10-20T09:30:00+08:00") == [second]
    assert ids(end_date="2025-10-20T09:30:00+08:00") == [first]
    r = client.get(f"{V2}/servicerequestupdates.xml", params={"updated_after": "soon"})
    assert r.status_code == 400 and "open311.date_invalid" in xml_error(r.content)[1]


def test_discovery_names_the_endpoint(client: TestClient):
    doc = client.get(f"{V2}/discovery.json").json()
    (endpoint,) = doc["endpoints"]
    assert endpoint["url"] == f"http://testserver{V2}"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    from xml.etree import ElementTree as ET

    root = ET.fromstring(client.get(f"{V2}/discovery.xml").content)
    assert [f.text for f in root.iterfind("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
