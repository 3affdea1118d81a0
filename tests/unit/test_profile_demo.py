"""The shipped 济南市 demo profile: real districts and streets, limits after DOMAIN.md §3,
weights that make the common classes common, routing that reaches a unit everywhere."""

from __future__ import annotations

import csv
import json
from datetime import time
from pathlib import Path

import pytest

from cityops.domain.catalog.model import (
    AreaClass,
    CityProfile,
    ClassKind,
    Stage,
    UnitKind,
    Urgency,
)
from cityops.domain.catalog.profile_document import profile_from_document, profile_to_document
from cityops.domain.catalog.profile_loader import load_profile
from cityops.domain.catalog.routing import suggest_unit
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.geo.model import Location

SRC = Path(__file__).resolve().parents[2] / "src" / "cityops" / "data"
DEMO = SRC / "cities" / "jinan-demo"
DISTRICTS = {
    "370102": ("历下区", AreaClass.URBAN),
    "370103": ("市中区", AreaClass.URBAN),
    "370104": ("槐荫区", AreaClass.URBAN),
    "370105": ("天桥区", AreaClass.URBAN),
    "370112": ("历城区", AreaClass.URBAN),
    "370126": ("商河县", AreaClass.RURAL),
}


@pytest.fixture(scope="module")
def demo() -> CityProfile:
    return load_profile(DEMO)


@pytest.fixture(scope="module")
def streets() -> list[dict[str, str]]:
    with (SRC / "admin_codes" / "jinan_level4.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["deep"] == "3" and r["pid"] in DISTRICTS]


def test_identity_and_districts(demo: CityProfile) -> None:
    assert (demo.city_code, demo.city_name) == ("370100", "济南市")
    assert {c: (r.name, r.area_class) for c, r in demo.regions.items()} == DISTRICTS
    assert demo.verification_channels == ("public", "hotline", "media")
    assert not demo.legacy_catalog


def test_the_calendar_section_is_the_one_the_city_wrote(demo: CityProfile) -> None:
    cal = demo.calendar
    assert cal.time_zone == "Asia/Shanghai" and cal.official_holidays
    assert cal.day_seconds() == 27000  # working_day_hours = 7.5
    assert [t.name for t in cal.timetables] == ["冬季作息", "夏季作息"]
    assert cal.timetables[1].start == (5, 1) and cal.timetables[1].intervals[1] == (
        time(14),
        time(18),
    )


def test_the_whole_national_catalog_and_the_local_classes_are_present(demo: CityProfile) -> None:
    national = [c for c in demo.classes.values() if c.standard == "GB/T 47678.5-2026"]
    assert len(national) == 250
    assert len([c for c in demo.components.values() if c.standard == "GB/T 47678.5-2026"]) == 153
    local = {
        c.code for c in [*demo.classes.values(), *demo.components.values()] if c.standard == "local"
    }
    assert local == {"90001", "90002", "90003", "06901", "09901", "10901"}
    assert demo.catalog_class("90003", ClassKind.COMPONENT) is not None


def test_street_offices_are_the_real_streets_and_towns(
    demo: CityProfile, streets: list[dict[str, str]]
) -> None:
    offices = {u.region_code: u for u in demo.units.values() if u.kind == UnitKind.STREET}
    assert len(streets) == 95 and set(offices) == {s["id"] for s in streets}
    for s in streets:
        unit = offices[s["id"]]
        suffix = "办事处" if s["ext_name"].endswith("街道") else "人民政府"
        assert unit.code == f"street.{s['id']}"
        assert unit.name == s["ext_name"] + suffix
        assert unit.parent_code == f"district.{s['pid']}"
    assert offices["370126101"].name == "殷巷镇人民政府"
    assert offices["370102001"].name == "解放路街道办事处"


def test_unit_code_conventions(demo: CityProfile) -> None:
    assert demo.units["center"].kind == UnitKind.CENTER
    assert demo.units["district.370102"].name == "历下区城市管理局"
    for u in demo.units.values():
        prefix = u.code.split(".")[0]
        assert prefix in {"center", "dept", "district", "street", "company"}, u
        expected_kind = {
            "center": UnitKind.CENTER,
            "dept": UnitKind.DEPARTMENT,
            "district": UnitKind.DISTRICT,
            "street": UnitKind.STREET,
            "company": UnitKind.COMPANY,
        }[prefix]
        assert u.kind == expected_kind, u
        if u.kind in (UnitKind.DISTRICT, UnitKind.STREET):
            assert u.code == f"{prefix}.{u.region_code}"
    companies = {u.code for u in demo.units.values() if u.kind == UnitKind.COMPANY}
    assert {
        "company.water",
        "company.gas",
        "company.power",
        "company.telecom",
        "company.heating",
    } == companies


def test_at_least_60_classes_have_filing_conditions(demo: CityProfile) -> None:
    classes = {c.class_code for c in demo.conditions.values()}
    assert len(classes) >= 60
    assert all(c.weight > 0 for c in demo.conditions.values())


def test_the_common_classes_carry_the_most_weight(demo: CityProfile) -> None:
    ranked = sorted(demo.class_weights, key=lambda c: demo.class_weights[c], reverse=True)
    common = {"06010", "07001", "09009", "09005", "06012", "09006", "06036", "06011"}
    assert common <= set(ranked[:10])
    assert ranked[0] == "06010"  # 暴露垃圾
    total = sum(demo.class_weights.values())
    assert sum(demo.class_weights[c] for c in common) / total > 0.5


def _limits(demo: CityProfile, class_code: str) -> set[tuple[str, Urgency]]:
    return {(str(c.limit), c.urgency) for c in demo.conditions_for(class_code)}


def test_handling_limits_follow_the_domain_examples(demo: CityProfile) -> None:
    assert _limits(demo, "06010") == {("4 working_hours", Urgency.NORMAL)}  # 暴露垃圾
    assert ("4 working_hours", Urgency.NORMAL) in _limits(demo, "06001")  # 私搭乱建 stop work
    assert ("20 working_days", Urgency.NORMAL) in _limits(demo, "06001")  # demolition
    lights = {c.text: str(c.limit) for c in demo.conditions_for("01037")}
    assert lights["同一路段连续3盏及以上路灯不亮"] == "1 working_days"
    for manhole in ("01001", "01002", "01003", "01005", "01007", "01011"):
        assert ("2 hours", Urgency.URGENT) in _limits(demo, manhole), manhole


@pytest.mark.parametrize(
    ("stage", "urgency", "area", "expected"),
    [
        (Stage.VERIFY, Urgency.NORMAL, AreaClass.URBAN, TimeLimit(1, LimitUnit.WORKING_HOURS)),
        (Stage.VERIFY, Urgency.NORMAL, AreaClass.RURAL, TimeLimit(2, LimitUnit.WORKING_HOURS)),
        # urgency beats the area: the urgent row (30 natural minutes), not the area's hours
        (Stage.VERIFY, Urgency.URGENT, AreaClass.URBAN, TimeLimit(30, LimitUnit.MINUTES)),
        (Stage.VERIFY, Urgency.URGENT, AreaClass.RURAL, TimeLimit(30, LimitUnit.MINUTES)),
        (Stage.FILE, Urgency.URGENT, AreaClass.URBAN, TimeLimit(10, LimitUnit.MINUTES)),
        (Stage.FILE, Urgency.NORMAL, AreaClass.RURAL, TimeLimit(0.5, LimitUnit.WORKING_HOURS)),
        (Stage.DISPATCH, Urgency.URGENT, AreaClass.RURAL, TimeLimit(10, LimitUnit.MINUTES)),
        (Stage.DISPATCH, Urgency.NORMAL, AreaClass.URBAN, TimeLimit(0.5, LimitUnit.WORKING_HOURS)),
        (
            Stage.CHECK_DISPATCH,
            Urgency.URGENT,
            AreaClass.URBAN,
            TimeLimit(0.5, LimitUnit.WORKING_HOURS),
        ),
        (Stage.CHECK, Urgency.NORMAL, AreaClass.URBAN, TimeLimit(1, LimitUnit.WORKING_HOURS)),
        (Stage.CHECK, Urgency.NORMAL, AreaClass.RURAL, TimeLimit(2, LimitUnit.WORKING_HOURS)),
    ],
)
def test_stage_limits(
    demo: CityProfile, stage: Stage, urgency: Urgency, area: AreaClass, expected: TimeLimit
) -> None:
    assert demo.stage_limit(stage, urgency, area) == expected


def test_every_filed_class_reaches_a_unit_in_every_street(
    demo: CityProfile, streets: list[dict[str, str]]
) -> None:
    classes = sorted({c.class_code for c in demo.conditions.values()})
    for s in streets:
        where = Location(117.0, 36.6, street_code=s["id"], district_code=s["pid"])
        for code in classes:
            suggestion = suggest_unit(demo, code, where)
            assert suggestion is not None and suggestion.unit_code in demo.units, (code, s["id"])


@pytest.mark.parametrize(
    ("class_code", "street", "unit"),
    [
        ("06010", "370102001", "street.370102001"),  # 暴露垃圾: the street office
        ("06010", "370102005", "dept.sanitation"),  # 大明湖 override
        ("09005", "370102004", "dept.enforcement"),  # 泉城路 override
        ("09009", "370103002", "dept.traffic_police"),
        ("01011", "370126101", "company.gas"),  # gas stays with the company in the county
        ("01037", "370126101", "district.370126"),  # county lighting
        ("01037", "370104001", "dept.lighting"),
        ("08001", "370112001", "district.370112"),
    ],
)
def test_routing_examples(demo: CityProfile, class_code: str, street: str, unit: str) -> None:
    suggestion = suggest_unit(
        demo, class_code, Location(117.0, 36.6, street_code=street, district_code=street[:6])
    )
    assert suggestion is not None and suggestion.unit_code == unit


def test_evaluation_weights_are_those_of_the_domain(demo: CityProfile) -> None:
    w = demo.evaluation["weights"]
    assert w["inspector"] == {
        "valid_report_rate": 40,
        "missed_report_rate": 20,
        "on_time_verify_rate": 20,
        "on_time_check_rate": 20,
    }
    assert list(w["region"].values()) == [10, 20, 30, 40]
    assert list(w["department"].values()) == [10, 30, 30, 30]
    assert demo.evaluation["grades"] == {"A": 90, "B": 75, "C": 60, "D": 40, "E": 0}


def test_the_profile_survives_a_json_round_trip(demo: CityProfile) -> None:
    document = json.loads(json.dumps(profile_to_document(demo), ensure_ascii=False))
    assert profile_from_document(document) == demo


def test_an_unknown_document_format_is_refused(demo: CityProfile) -> None:
    document = {**profile_to_document(demo), "format": 99}
    with pytest.raises(ValueError, match="format"):
        profile_from_document(document)
