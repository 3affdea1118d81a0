"""JSON and XML documents, Open311 errors, and the checks of form and query fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from cityops.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from cityops.services.open311 import encoding, intake, queries
from cityops.services.open311.intake import full_name, posted_request

NOW = datetime(2025, 10, 20, 1, 0, tzinfo=UTC)


def test_xml_escapes_markup_drops_what_xml_cannot_carry_and_parses_back():
    doc = [{"description": 'a < b & "c" > d\x00\x07 </description><evil/>', "ok": True, "n": None}]
    body = encoding.render("xml", "service_requests", doc)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(body)
    (item,) = root.findall("request")
    assert item.findtext("description") == 'a < b & "c" > d </description><evil/>'
    assert item.findtext("ok") == "true" and item.find("n") is not None
    assert item.find("n").text is None  # type: ignore[union-attr]
    assert root.find(".//evil") is None


def test_nested_lists_take_their_item_names():
    doc = {"service_code": "06010", "attributes": [{"code": "x", "values": [{"key": "k"}]}]}
    root = ET.fromstring(encoding.render("xml", "service_definition", doc))
    assert root.findtext("attributes/attribute/values/value/key") == "k"
    assert json.loads(encoding.render("json", "service_definition", doc)) == doc


def test_json_keeps_chinese_readable():
    assert "井盖".encode() in encoding.render("json", "services", [{"service_name": "井盖"}])


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ValidationError("x", "坏"), 400),
        (ConflictError("x", "冲突"), 400),
        (ForbiddenError("x", "不许"), 403),
        (NotFoundError("x", "没有"), 404),
    ],
)
def test_errors_map_to_open311_statuses(exc, status):
    assert encoding.open311_status(exc) == status
    assert encoding.error_doc(status, encoding.error_description(exc)) == [
        {"code": status, "description": f"{exc.message} [x]"}
    ]


def fields(**changes: str) -> dict[str, str]:
    base = {"service_code": "06010", "lat": "36.605", "long": "117.005", "description": "垃圾"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_a_good_form_is_read_with_its_attributes():
    posted = posted_request(
        fields(
            **{
                "attribute[condition]": "06010-02",
                "attribute[urgent][]": "yes",
                "crs": "GCJ02",
                "email": "a@b.cn",
                "media_url": "https://img.example/1.jpg",
            }
        )
    )
    assert posted.attributes == {"condition": "06010-02", "urgent": "yes"}
    assert posted.crs.value == "gcj02" and posted.lat == 36.605 and posted.lon == 117.005
    assert posted.media_url == "https://img.example/1.jpg"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"lat": ""}, "open311.location_required"),
        ({"lat": "", "long": "", "address_string": "解放路1号"}, "open311.location_required"),
        ({"lat": "north"}, "open311.location_invalid"),
        ({"long": "181"}, "open311.location_invalid"),
        ({"description": "  "}, "open311.description_required"),
        ({"description": "x" * 4001}, "open311.field_too_long"),
        ({"crs": "utm"}, "open311.crs_unknown"),
        ({"email": "not-a-mail"}, "open311.email_invalid"),
        ({"media_url": "javascript:alert(1)"}, "open311.media_url_invalid"),
        ({"media_url": "file:///etc/passwd"}, "open311.media_url_invalid"),
    ],
)
def test_bad_forms_are_refused_with_a_specific_code(changes, code):
    with pytest.raises(ValidationError) as e:
        posted_request(fields(**changes))
    assert e.value.code == code


def test_names_keep_their_order_by_script():
    assert full_name("三", "张") == "张三"
    assert full_name("Jane", "Doe") == "Jane Doe"
    assert full_name(None, "张") == "张" and full_name(None, None) is None


def test_dates_need_a_zone_and_an_unencoded_plus_is_forgiven():
    assert queries.parse_w3c("2025-10-20T08:00:00Z", "start_date") == datetime(
        2025, 10, 20, 8, tzinfo=UTC
    )
    plus = queries.parse_w3c("2025-10-20T08:00:00 08:00", "start_date")
    assert plus is not None and plus.utcoffset() == timedelta(hours=8)
    for bad in ("2025-10-20T08:00:00", "yesterday", "2025-13-01T00:00:00Z"):
        with pytest.raises(ValidationError) as e:
            queries.parse_w3c(bad, "end_date")
        assert e.value.code == "open311.date_invalid"
    assert queries.parse_w3c("", "start_date") is None


def test_the_default_window_is_ninety_days():
    assert queries.window(None, None, NOW) == (NOW - timedelta(days=90), NOW)
    start = NOW - timedelta(days=200)
    assert queries.window(start, None, NOW) == (start, start + timedelta(days=90))
    assert queries.window(None, start, NOW) == (start - timedelta(days=90), start)
    assert queries.window(start, NOW, NOW) == (start, NOW)
    with pytest.raises(ValidationError):
        queries.window(NOW, start, NOW)


def test_query_parameters_are_checked():
    q = queries.request_query({"status": "open,closed", "service_request_id": "1, 2,1"})
    assert q.statuses == {"open", "closed"} and q.ids == ("1", "2")
    with pytest.raises(ValidationError) as e:
        queries.request_query({"status": "pending"})
    assert e.value.code == "open311.status_invalid"
    with pytest.raises(ValidationError) as e:
        queries.request_query({"service_request_id": ",".join(str(i) for i in range(201))})
    assert e.value.code == "open311.too_many_values"


def test_jurisdiction_is_optional_but_must_be_ours():
    from tests.open311.conftest import open311_profile

    profile = open311_profile()
    intake.check_jurisdiction(profile, None)
    intake.check_jurisdiction(profile, "370100")
    with pytest.raises(NotFoundError) as e:
        intake.check_jurisdiction(profile, "city.gov")
    assert e.value.code == "open311.jurisdiction_unknown" and e.value.http_status == 404
