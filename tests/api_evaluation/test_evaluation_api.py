"""The evaluation API on both databases: the figures of every period form equal the
evaluation service's, object by object; indicators and their values; targets set, listed and
measured; the district assessment from scheme to history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from cityops.domain.evaluation.definitions import ObjectKind
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.services.evaluation import assessment as assess
from cityops.services.evaluation.evaluate import evaluate
from cityops.services.evaluation.indicators import indicators, measure
from tests.api_evaluation.conftest import City


def r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def get_ok(city: City, path: str, persona: str = "leader", **params: Any) -> Any:
    r = city.get(persona, path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_month_is_the_evaluation_service_object_by_object(city: City):
    body = get_ok(city, "/evaluation", period="2025-10")
    ev = evaluate(city.engine, "2025-10")
    want = {(o.kind.value, o.code): o for objs in ev.objects.values() for o in objs}
    got = {(o["kind"], o["code"]): o for o in body["objects"]}
    assert set(got) == set(want) and body["total"] == len(want)
    for key, o in want.items():
        g = got[key]
        assert {k: v for k, v in g["counts"].items() if v} == o.counts, key
        assert g["rates"] == {k: r2(v) for k, v in o.rates.items()}, key
        assert (g["score"], g["grade"], g["rank"], g["name"]) == (o.score, o.grade, o.rank, o.name)
        assert o.mom is not None and g["mom"]["period"] == "2025-09"
        assert g["mom"]["score"] == o.mom.score
        assert g["mom"]["rate_deltas"] == {k: o.mom.rate_delta(k, v) for k, v in o.rates.items()}
        assert g["yoy"]["period"] == "2024-10"
    kinds = [o["kind"] for o in body["objects"]]
    assert kinds.index("city") < kinds.index("district") < kinds.index("department")
    districts = [o for o in body["objects"] if o["kind"] == "district"]
    assert [d["rank"] for d in districts] == sorted(d["rank"] for d in districts)
    assert districts[0]["ranked"] == len(districts) == 2
    assert body["previous_period"] == "2025-09" and body["rate_labels"]["closure_rate"] == "结案率"


@pytest.mark.parametrize(
    "period", ["2025-10", "2025-Q4", "2025", "2025-W43", "2025-10-21", "2025-10-01..2025-10-21"]
)
def test_every_period_form_of_the_command_line(city: City, period: str):
    body = get_ok(city, "/evaluation", period=period, kind="city", compare="false")
    p = EvalPeriod.parse(period, "Asia/Shanghai")
    assert (body["period"], body["start"], body["end"]) == (
        p.label,
        p.start.isoformat(),
        p.end.isoformat(),
    )
    (got,) = body["objects"]
    want = evaluate(city.engine, period, compare=False).city
    assert want is not None
    assert {k: v for k, v in got["counts"].items() if v} == want.counts
    assert got["mom"] is None and got["yoy"] is None


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ("2025-13", "evaluation.period_invalid"),
        ("next month", "evaluation.period_invalid"),
        ("2025-10-21..2025-10-01", "evaluation.period_reversed"),
        ("1999", "evaluation.period_out_of_range"),
        ("0001-01-01..0001-01-02", "evaluation.period_out_of_range"),
    ],
)
def test_a_bad_period_is_refused_with_its_code(city: City, period: str, code: str):
    r = city.get("leader", "/evaluation", params={"period": period})
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert r.json()["message"]


def test_one_kind_one_object_and_the_first_n(city: City):
    body = get_ok(city, "/evaluation", period="2025-10", kind="department", limit=1)
    assert [o["kind"] for o in body["objects"]] == ["department"] and body["total"] >= 2
    one = get_ok(city, f"/evaluation/objects/district/{city.a.district}", period="2025-10")
    ev = evaluate(city.engine, "2025-10")
    want = ev.get(ObjectKind.DISTRICT, city.a.district)
    assert want is not None and one["object"]["score"] == want.score
    assert one["period_zh"] == "2025年10月" and one["object"]["ranked"] == 2
    city_one = get_ok(city, "/evaluation/objects/city/*", period="2025-10")
    assert city_one["object"]["name"] == "济南市"
    r = city.get("leader", "/evaluation/objects/grid/370199999999999", params={"period": "2025-10"})
    assert r.status_code == 404 and r.json()["code"] == "evaluation.object_no_data"
    r = city.get("leader", "/evaluation/objects/planet/earth", params={"period": "2025-10"})
    assert r.status_code == 422 and r.json()["code"] == "evaluation.object_kind_unknown"


def test_indicators_and_one_value(city: City):
    listed = get_ok(city, "/evaluation/indicators")
    assert [i["name"] for i in listed] == [i.name for i in indicators()]
    hotline = next(i for i in listed if i["name"] == "hotline.closure_rate")
    assert hotline["channels"] == ["hotline"] and hotline["unit"] == "%"
    for obj in (None, f"district:{city.a.district}"):
        params = {"indicator": "结案率", "period": "2025-10"}
        if obj:
            params["object"] = obj
        got = get_ok(city, "/evaluation/measure", **params)
        assert got["indicator"] == "closure_rate" and got["label_zh"] == "结案率"
        assert got["value"] == pytest.approx(measure(city.engine, "closure_rate", "2025-10", obj))
        assert got["object"] == (obj or "city:*")
    r = city.get("leader", "/evaluation/measure", params={"indicator": "亮灯率", "period": "2025"})
    assert r.status_code == 404 and r.json()["code"] == "evaluation.indicator_unknown"
    r = city.get(
        "leader",
        "/evaluation/measure",
        params={"indicator": "filed", "period": "2025", "object": "moon"},
    )
    assert r.status_code == 422 and r.json()["code"] == "evaluation.object_invalid"


def test_targets_are_set_listed_and_measured(city: City):
    district = f"district:{city.a.district}"
    value = measure(city.engine, "closure_rate", "2025-10", district)
    assert value is not None
    body = {"indicator": "结案率", "period": "2025-10", "target": value - 1, "object": district}
    r = city.post("evaluator", "/evaluation/targets", json=body)
    assert r.status_code == 200, r.text
    t = r.json()
    assert (t["indicator"], t["object"], t["comparator"], t["status"]) == (
        "closure_rate",
        district,
        ">=",
        None,
    )
    hard = {"indicator": "filed", "period": "2025-10", "target": 10_000, "comparator": ">="}
    assert city.post("admin", "/evaluation/targets", json=hard).status_code == 200
    listed = get_ok(city, "/evaluation/targets", period="2025-10")
    assert {x["id"] for x in listed} >= {t["id"]}
    r = city.post("evaluator", "/evaluation/targets/measure", params={"period": "2025-10"})
    assert r.status_code == 200, r.text
    measured = {(x["indicator"], x["object"]): x for x in r.json()}
    mine = measured[("closure_rate", district)]
    assert mine["measured"] == pytest.approx(value) and mine["status"] == "met"
    assert mine["status_zh"] == "已达标"
    assert measured[("filed", "city:*")]["status"] == "not_met"
    for bad, code in (
        ({**body, "comparator": "≈"}, "request.invalid"),
        ({**body, "target": 120}, "evaluation.target_out_of_range"),
        ({**body, "indicator": "亮灯率"}, "evaluation.indicator_unknown"),
        ({**body, "extra": 1}, "request.invalid"),
    ):
        r = city.post("evaluator", "/evaluation/targets", json=bad)
        assert r.status_code in (404, 422) and r.json()["code"] == code, (bad, r.text)


def test_the_district_assessment_from_scheme_to_history(city: City):
    name = f"城市管理综合考评{uuid.uuid4().hex[:6]}"
    scheme = {
        "name": name,
        "items": [
            {
                "code": "closure",
                "name": "结案率",
                "source": "platform",
                "indicator": "closure_rate",
                "weight": 60,
            },
            {"code": "survey", "name": "群众满意度", "source": "survey", "weight": 40},
        ],
        "groups": {city.a.district: "城区", city.b.district: "城区"},
    }
    r = city.post("evaluator", "/evaluation/assessment/schemes", json=scheme)
    assert r.status_code == 201, r.text
    assert [i["code"] for i in r.json()["items"]] == ["closure", "survey"]
    assert r.json()["items"][1]["source_zh"] == "第三方测评"
    again = city.post("evaluator", "/evaluation/assessment/schemes", json=scheme)
    assert again.status_code == 422 and again.json()["code"] == "assessment.scheme_exists"
    listed = get_ok(city, "/evaluation/assessment/schemes")
    found = next(x for x in listed if x["name"] == name)
    assert (found["items"], found["created_by"]) == (2, "evaluator.1")
    path = f"/evaluation/assessment/schemes/{name}"
    assert get_ok(city, path, persona="acceptor")["groups"][city.a.district] == "城区"
    entries = {"period": "2025-10", "item": "survey", "values": {city.a.district: 90}}
    r = city.post("evaluator", path + "/entries", json=entries)
    assert r.status_code == 200 and r.json()["entered"] == 1, r.text
    r = city.post("evaluator", path + "/entries", json={**entries, "item": "closure"})
    assert r.status_code == 422 and r.json()["code"] == "assessment.item_is_platform"
    r = city.post("evaluator", path + "/entries", json={**entries, "values": {"370102": 101}})
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    r = city.post("evaluator", path + "/runs", json={"period": "2025-10"})
    assert r.status_code == 201, r.text
    results = {x["district_code"]: x for x in r.json()["results"]}
    rate = measure(city.engine, "closure_rate", "2025-10", f"district:{city.a.district}")
    assert rate is not None
    a = results[city.a.district]
    assert a["score"] == pytest.approx(round((60 * rate + 40 * 90) / 100, 2), abs=0.01)
    assert a["district_name"] == "历下区" and a["missing"] == []
    b = results[city.b.district]
    assert b["missing"] == ["survey"] and b["items"]["survey"]["score"] == 0
    assert a["rank_in_group"] < b["rank_in_group"] or a["score"] <= b["score"]
    history = get_ok(city, path + "/history")
    want = assess.history(city.engine, name)
    assert [(h["period"], h["district_code"], h["score"], h["version"]) for h in history] == [
        (w["period"], w["district_code"], w["score"], w["version"]) for w in want
    ]
    r = city.get("leader", "/evaluation/assessment/schemes/没有这个方案")
    assert r.status_code == 404 and r.json()["code"] == "assessment.scheme_unknown"
