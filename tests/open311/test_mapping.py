"""The pure mapping: statuses and their notes, timeline steps, services and attributes,
published text and the fields of a request document."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from cityops.api.presenters import public_status
from cityops.domain.cases.model import Case
from cityops.domain.cases.vocabulary import (
    CaseState,
    Channel,
    CloseOutcome,
    EventType,
    RejectReason,
)
from cityops.domain.catalog.model import AreaClass
from cityops.errors import NotFoundError, ValidationError
from cityops.services.open311 import catalog
from cityops.services.open311.documents import mask_email, request_doc, scrub
from cityops.services.open311.status import limit_notice, request_status, update_note
from tests.open311.conftest import open311_profile

AT = datetime(2025, 10, 20, 1, 0, tzinfo=UTC)


def a_case(**changes: object) -> Case:
    case = Case(
        id=7,
        case_no="202510200000007",
        version=1,
        state=CaseState.VERIFYING,
        channel=Channel.PUBLIC,
        reported_at=AT,
        reported_by="open311.cityapp",
        description="垃圾，电话13812345678",
        address="解放路1号",
        lon=117.005,
        lat=36.605,
        grid_code="370102001001005",
        community_code="370102001001",
        street_code="370102001",
        district_code="370102",
        area_class=AreaClass.URBAN,
        class_code="06010",
        reporter_name="张*",
        reporter_phone="138****5678",
        tracking_code="ABCDEFGH23",
        extra={"open311": {"client": "cityapp", "media_url": "https://img.example/1.jpg"}},
    )
    return replace(case, **changes)  # type: ignore[arg-type]


TERMINAL_CASES = [
    *[(CaseState.CLOSED, o.value, f"closed_{o.value}") for o in CloseOutcome],
    *[(CaseState.REJECTED, r.value, f"rejected_{r.value}") for r in RejectReason],
    (CaseState.CANCELLED, "cancelled", "cancelled"),
]


@pytest.mark.parametrize(("state", "outcome", "detailed"), TERMINAL_CASES)
def test_every_end_is_closed_and_the_notes_say_which_end(state, outcome, detailed):
    st = request_status(a_case(state=state, outcome=outcome))
    assert st.status == "closed" and st.detailed == detailed
    # The Chinese wording is the one citizens see in cityops' own public view.
    assert st.notes.split(" / ")[0] == public_status(a_case(state=state, outcome=outcome))[1]


def test_fixed_not_fixable_and_duplicate_read_differently():
    fixed = request_status(a_case(state=CaseState.CLOSED, outcome="fixed")).notes
    unfixed = request_status(a_case(state=CaseState.CLOSED, outcome="not_fixable")).notes
    dup = request_status(a_case(state=CaseState.REJECTED, outcome="duplicate")).notes
    assert "fixed" in fixed and "without a fix" in unfixed and "duplicate" in dup
    assert len({fixed, unfixed, dup}) == 3


@pytest.mark.parametrize(
    ("state", "detailed"),
    [
        (CaseState.REPORTED, "received"),
        (CaseState.VERIFYING, "received"),
        (CaseState.FILED, "in_progress"),
        (CaseState.DISPATCHED, "in_progress"),
        (CaseState.HANDLED, "in_progress"),
        (CaseState.CHECKING, "in_progress"),
    ],
)
def test_open_states_are_open(state, detailed):
    st = request_status(a_case(state=state))
    assert (st.status, st.detailed) == ("open", detailed)
    assert st.notes.split(" / ")[0] == public_status(a_case(state=state))[1]


def test_internal_steps_are_not_published_and_public_ones_carry_no_opinion():
    assert update_note(EventType.RETURNED, {"reason": "不归我们管"}) is None
    assert update_note(EventType.EXTENSION_REQUESTED, {"reason": "材料未到"}) is None
    assert update_note(EventType.EXTENSION_DECIDED, {"approved": False}) is None
    assert "extended" in (update_note(EventType.EXTENSION_DECIDED, {"approved": True}) or "")
    handled = update_note(EventType.HANDLED, {"opinion": "王师傅已清理 13912345678"}) or ""
    assert "王师傅" not in handled and "139" not in handled
    dispatched = update_note(EventType.DISPATCHED, {"unit": "street.1"}, "解放路街道办事处")
    assert dispatched and "解放路街道办事处" in dispatched
    filed = update_note(EventType.FILED, {"handling_limit": "4 working_hours"}) or ""
    assert "4工作时" in filed and "4 working hours" in filed
    closed = update_note(EventType.CLOSED, {"outcome": "no_longer_present"}) or ""
    assert "no longer there" in closed
    rejected = update_note(EventType.REJECTED, {"reason_code": "duplicate"}) or ""
    assert "duplicate" in rejected
    assert "Not found" in (update_note(EventType.VERIFIED, {"found": False}) or "")


def test_limit_notice_reads_the_stored_limit_and_ignores_garbage():
    assert limit_notice("1.5 working_days") == "处置时限：1.5工作日 / time limit: 1.5 working days"
    assert limit_notice("soon") is None and limit_notice(None) is None


def test_scrub_hides_phones_mails_and_id_numbers_but_keeps_the_rest():
    text = (
        "解放路1号垃圾，电话138-1234-5678 或 0531-88881234，"
        "邮箱 li.si@example.cn，身份证370102199001011234"
    )
    out = scrub(text)
    for secret in ("1234-5678", "88881234", "li.si@", "199001011234"):
        assert secret not in out
    assert out.startswith("解放路1号垃圾，电话138****5678")
    assert "l***@example.cn" in out
    assert scrub("case 202510200000007 at 117.005") == "case 202510200000007 at 117.005"
    assert mask_email("zhang@example.com") == "z***@example.com" and mask_email("nope") is None


def test_services_are_the_classes_with_filing_conditions_and_attributes_stay_honest():
    profile = open311_profile()
    services = {s.code: s for s in catalog.offered_services(profile)}
    assert sorted(services) == ["01001", "06010", "07001"]
    garbage = services["06010"].to_doc()
    assert garbage["metadata"] is True and garbage["keywords"] == "垃圾,乱扔垃圾"
    assert garbage["type"] == "realtime" and garbage["group"] == "test"
    assert "垃圾桶满溢" in garbage["description"]
    attrs = {a["code"]: a for a in services["06010"].definition_doc()["attributes"]}
    assert list(attrs) == ["condition"]  # two wordings, none urgent
    assert [v["key"] for v in attrs["condition"]["values"]] == ["06010-01", "06010-02"]
    cover = {a["code"] for a in services["01001"].definition_doc()["attributes"]}
    assert cover == {"urgent"}  # one wording, and it is urgent
    assert services["07001"].to_doc()["metadata"] is False
    profile_without = replace(profile, conditions={})
    assert catalog.offered_services(profile_without) == []
    with pytest.raises(NotFoundError):
        catalog.find_service(profile, "99999")
    with pytest.raises(ValidationError):
        catalog.find_service(profile, None)


def test_attributes_are_checked_against_the_definition():
    services = {s.code: s for s in catalog.offered_services(open311_profile())}
    garbage, cover = services["06010"], services["01001"]
    assert catalog.read_attributes(garbage, {}) == catalog.ChosenAttributes()
    chosen = catalog.read_attributes(garbage, {"condition": "06010-02"})
    assert chosen.condition == "06010-02" and not chosen.urgent
    assert catalog.read_attributes(cover, {"urgent": "yes"}).urgent
    assert not catalog.read_attributes(cover, {"urgent": "no"}).urgent
    for raw, code in (
        ({"condition": "01001-01"}, "open311.attribute_invalid"),
        ({"colour": "red"}, "open311.attribute_unknown"),
        ({"urgent": "yes"}, "open311.attribute_unknown"),
    ):
        with pytest.raises(ValidationError) as e:
            catalog.read_attributes(garbage, raw)
        assert e.value.code == code


def test_a_request_document_is_public_and_complete():
    profile = open311_profile()
    case = a_case(
        state=CaseState.DISPATCHED,
        assigned_unit="street.370102001",
        handling_limit="4 working_hours",
        handling_deadline=datetime(2025, 10, 20, 5, 0, tzinfo=UTC),
    )
    doc = request_doc(case, profile, updated_at=None, photo_url=lambda s: "u/" + s)
    assert doc["service_request_id"] == "202510200000007"
    assert doc["status"] == "open" and doc["agency_responsible"] == "解放路街道办事处"
    assert doc["requested_datetime"] == "2025-10-20T09:00:00+08:00"
    assert doc["expected_datetime"] == "2025-10-20T13:00:00+08:00"
    assert doc["lat"] == 36.605 and doc["long"] == 117.005
    assert doc["media_url"] == "https://img.example/1.jpg"
    assert doc["description"] == "垃圾，电话138****5678"
    assert "4工作时" in doc["service_notice"]
    text = repr(doc)
    for private in ("张", "ABCDEFGH23", "13812345678", "open311.cityapp"):
        assert private not in text


def test_the_city_app_s_citizen_text_is_not_published_but_the_staff_s_is():
    profile = open311_profile()
    own_app = a_case(extra={}, description="我家楼下有垃圾，我叫李四")
    doc = request_doc(own_app, profile, updated_at=None, photo_url=lambda s: "u/" + s)
    assert doc["description"] == "暴露垃圾" and doc["media_url"] is None
    inspector = a_case(extra={}, channel=Channel.INSPECTOR, description="解放路1号暴露垃圾")
    doc = request_doc(
        inspector, profile, updated_at=AT, photo_url=lambda s: "u/" + s, after_photo="ab" * 32
    )
    assert doc["description"] == "解放路1号暴露垃圾" and doc["media_url"] == "u/" + "ab" * 32
    before_dispatch = request_doc(a_case(), profile, updated_at=None, photo_url=str)
    assert before_dispatch["agency_responsible"] == "监督指挥中心"
