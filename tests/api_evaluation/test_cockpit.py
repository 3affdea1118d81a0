"""The cockpit's summary over HTTP, on both databases: every figure equals the evaluation
service's for the same days (closure rates, per unit too) or a count made here in Python
from the stored cases and events; a district is a district; late events and new events show;
who may look."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cityops.adapters.db.tables.cases import case_events, cases
from cityops.adapters.db.tables.geography import grids
from cityops.domain.evaluation.definitions import ObjectKind
from cityops.domain.geo.measure import distance_m
from cityops.services import cockpit
from cityops.services.evaluation.evaluate import evaluate
from tests.api_evaluation.conftest import NOW, ZONE, City, at

OPEN = ("reported", "verifying", "filed", "dispatched", "handled", "checking")
FILED_OPEN = ("filed", "dispatched", "handled", "checking")
TODAY = NOW.date()
MONTH = f"{TODAY.replace(day=1).isoformat()}..{TODAY.isoformat()}"


def summary(city: City, persona: str = "leader", **params: Any) -> dict[str, Any]:
    r = city.get(persona, "/cockpit/summary", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def case_rows(city: City) -> list[dict[str, Any]]:
    with city.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(cases))]


def event_rows(city: City) -> list[dict[str, Any]]:
    e = case_events.c
    with city.engine.connect() as conn:
        rows = conn.execute(
            select(e.id, e.case_id, e.type, e.at, e.role, e.actor, e.data).order_by(e.id)
        )
        return [dict(r._mapping) for r in rows]


def local_day(t: datetime) -> date:
    return t.astimezone(ZONE).date()


def test_todays_intake_open_cases_and_lights_are_the_stored_ones(city: City):
    got = summary(city)
    rows = case_rows(city)
    today = [r for r in rows if local_day(r["reported_at"]) == TODAY]
    assert got["today"]["intake"] == len(today) > 0
    channels = {x["channel"]: x["count"] for x in got["today"]["by_channel"]}
    assert {k: v for k, v in channels.items() if v} == Counter(r["channel"] for r in today)
    hours = {x["hour"]: x["count"] for x in got["today"]["by_hour"]}
    assert len(hours) == 24
    want_hours = Counter(f"{r['reported_at'].astimezone(ZONE).hour:02d}:00" for r in today)
    assert {k: v for k, v in hours.items() if v} == want_hours
    # The day's evaluation counts the same reports.
    day = evaluate(city.engine, TODAY.isoformat(), compare=False).city
    assert day is not None and day.count("reported") == len(today)
    open_ = [r for r in rows if r["state"] in OPEN]
    states = {x["state"]: x["count"] for x in got["open"]["by_state"]}
    assert states == {s: sum(1 for r in open_ if r["state"] == s) for s in OPEN}
    assert got["open"]["total"] == len(open_)
    lights = Counter(r["light"] for r in open_)
    assert (got["open"]["red"], got["open"]["yellow"]) == (lights["red"], lights["yellow"])
    assert got["open"]["red"] > 0  # the sweep turned the forgotten case red
    assert got["now"] == NOW.isoformat()
    assert got["last_event_id"] == max(e["id"] for e in event_rows(city))


@pytest.mark.parametrize("which", ["today", "month"])
def test_closure_rates_are_the_evaluations_of_the_same_days(city: City, which: str):
    got = summary(city)["rates"][which]
    period = TODAY.isoformat() if which == "today" else MONTH
    assert got["period"] == period
    ev = evaluate(city.engine, period, compare=False).city
    assert ev is not None
    for key in ("closure_due", "closed", "closed_on_time"):
        assert got[key] == ev.count(key), key
    assert got["closure_rate"] == pytest.approx(ev.rate("closure_rate"), abs=0.01)
    assert got["on_time_closure_rate"] == pytest.approx(ev.rate("on_time_closure_rate"), abs=0.01)
    assert got["closed"] > 0 and got["closure_rate"] < 100
    # Handlings and dispatches in time: counted here from the events' own data.
    lo = datetime.combine(TODAY if which == "today" else TODAY.replace(day=1), datetime.min.time())
    lo = lo.replace(tzinfo=ZONE)
    hi = datetime.combine(TODAY + timedelta(days=1), datetime.min.time()).replace(tzinfo=ZONE)
    for kind in ("handled", "dispatched"):
        evs = [e for e in event_rows(city) if e["type"] == kind and lo <= e["at"] < hi]
        assert got[kind] == len(evs) > 0
        assert got[f"{kind}_on_time"] == sum(1 for e in evs if e["data"].get("on_time"))


def test_a_district_sees_its_own_figures(city: City):
    got = summary(city, district=city.b.district)
    assert got["district"] == city.b.district and got["district_name"]
    ev = evaluate(city.engine, MONTH, compare=False).get(ObjectKind.DISTRICT, city.b.district)
    assert ev is not None
    month = got["rates"]["month"]
    assert (month["closure_due"], month["closed"]) == (
        ev.count("closure_due"),
        ev.count("closed"),
    )
    rows = [r for r in case_rows(city) if r["district_code"] == city.b.district]
    assert got["open"]["total"] == sum(1 for r in rows if r["state"] in OPEN)
    assert got["today"]["intake"] == sum(1 for r in rows if local_day(r["reported_at"]) == TODAY)
    assert {c["code"][:6] for c in got["heat"]["cells"]} == {city.b.district}
    ids = {r["id"] for r in rows}
    assert got["events"] and all(e["case_id"] in ids for e in got["events"])


@pytest.mark.parametrize("window", [1_000_000, 3, 0])
def test_a_districts_latest_events_are_its_newest_however_they_are_found(
    city: City, window: int, monkeypatch: pytest.MonkeyPatch
):
    """Looked for among the city's newest events first; a window that holds too few of the
    district's (3 events, none) falls back to reading the district's cases."""
    monkeypatch.setattr(cockpit, "LATEST_WINDOW", window)
    district = city.b.district
    mine = {r["id"] for r in case_rows(city) if r["district_code"] == district}
    newest = [e["id"] for e in reversed(event_rows(city)) if e["case_id"] in mine][:5]
    req = cockpit.SummaryRequest(district=district, latest=5)
    got = cockpit.summary(city.engine, city.rt.policy.profile, NOW, req, cockpit.DayStore())
    assert len(newest) == 5 and [e["id"] for e in got["events"]] == newest


def test_units_closure_rates_are_the_departments_of_the_evaluation(city: City):
    got = summary(city)
    ev = evaluate(city.engine, MONTH, compare=False)
    assert got["units"]["by_closure"]
    for u in got["units"]["by_closure"] + got["units"]["lowest_closure"]:
        dept = ev.get(ObjectKind.DEPARTMENT, u["unit"])
        assert dept is not None, u
        assert (u["closure_due"], u["closed"], u["closed_on_time"]) == (
            dept.count("closure_due"),
            dept.count("closed"),
            dept.count("closed_on_time"),
        )
        assert u["closure_rate"] == pytest.approx(dept.rate("closure_rate"), abs=0.01)
        assert u["name"] and u["name"] != u["unit"]
    rates = [u["closure_rate"] for u in got["units"]["by_closure"]]
    assert rates == sorted(rates, reverse=True)
    red = Counter(
        r["assigned_unit"]
        for r in case_rows(city)
        if r["state"] in FILED_OPEN and r["light"] == "red" and r["assigned_unit"]
    )
    assert {u["unit"]: u["red"] for u in got["units"]["by_overdue"]} == dict(red)


def test_trends_count_each_day_of_the_last_30(city: City):
    got = summary(city)
    assert len(got["trend_30d"]) == 30 and got["trend_7d"] == got["trend_30d"][-7:]
    assert got["trend_30d"][-1]["date"] == TODAY.isoformat()
    intake = Counter(local_day(r["reported_at"]).isoformat() for r in case_rows(city))
    closed = Counter(
        local_day(e["at"]).isoformat() for e in event_rows(city) if e["type"] == "closed"
    )
    for day in got["trend_30d"]:
        assert (day["intake"], day["closed"]) == (intake[day["date"]], closed[day["date"]]), day
    assert sum(d["intake"] for d in got["trend_30d"]) > 0
    assert sum(d["closed"] for d in got["trend_30d"]) > 0


def test_heat_map_per_grid_at_the_grids_centroids(city: City):
    got = summary(city, heat_days=3)["heat"]
    since = TODAY - timedelta(days=2)
    rows = [r for r in case_rows(city) if since <= local_day(r["reported_at"]) <= TODAY]
    assert got["mode"] == "grid" and got["days"] == 3
    assert {c["code"]: c["count"] for c in got["cells"]} == dict(
        Counter(r["grid_code"] for r in rows)
    )
    assert got["total"] == len(rows) and got["max"] == got["cells"][0]["count"]
    g = grids.c
    with city.engine.connect() as conn:
        centroids = {
            r.code: (r.centroid_lon, r.centroid_lat)
            for r in conn.execute(select(g.code, g.centroid_lon, g.centroid_lat))
        }
    for cell in got["cells"]:
        assert (cell["lon"], cell["lat"]) == pytest.approx(centroids[cell["code"]])


def test_heat_map_per_hexagon_holds_every_report_near_its_centre(city: City):
    got = summary(city, heat="hex", heat_days=30, hex_m=300)["heat"]
    since = TODAY - timedelta(days=29)
    rows = [r for r in case_rows(city) if since <= local_day(r["reported_at"]) <= TODAY]
    assert got["mode"] == "hex" and got["hex_m"] == 300
    assert got["total"] == len(rows)
    for r in rows:  # every report lies in a hexagon of radius 300 m around a listed centre
        near = min(distance_m(r["lon"], r["lat"], c["lon"], c["lat"]) for c in got["cells"])
        assert near <= 300 * 1.01


def test_latest_events_newest_first_and_a_citizen_is_not_named(city: City):
    got = summary(city)["events"]
    stored = event_rows(city)
    assert [e["id"] for e in got] == [e["id"] for e in reversed(stored)][:20]
    by_id = {e["id"]: e for e in stored}
    for e in got:
        assert e["type"] == by_id[e["id"]]["type"] and e["type_zh"]
        if by_id[e["id"]]["role"] == "public":
            assert e["actor"] == "市民"
        else:
            assert e["actor"] == by_id[e["id"]]["actor"]


def test_a_new_case_and_a_late_event_show_at_once(city: City):
    before = summary(city)
    case = city.report(NOW, "a")  # reported now
    after = summary(city)
    assert after["today"]["intake"] == before["today"]["intake"] + 1
    assert after["last_event_id"] > before["last_event_id"]
    assert after["events"][0]["case_id"] == case.id
    # A closure recorded late, with a time of yesterday: the kept days are read again.
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    late = city.report(at("10-20", "14:00"), "a")
    city.loop(late, [("file", at("10-20", "14:05")), ("dispatch", at("10-20", "14:10"))])
    city.loop(late, [("handle", at("10-20", "15:00")), ("check", at("10-20", "15:05"))])
    city.loop(late, [("close", at("10-20", "15:30"))])
    again = summary(city)
    day = {d["date"]: d for d in again["trend_30d"]}[yesterday]
    was = {d["date"]: d for d in after["trend_30d"]}[yesterday]
    assert (day["intake"], day["closed"]) == (was["intake"] + 1, was["closed"] + 1)
    ev = evaluate(city.engine, MONTH, compare=False).city
    assert ev is not None and again["rates"]["month"]["closed"] == ev.count("closed")


def test_a_summary_is_kept_a_moment_for_every_screen(city: City):
    cache = city.client.app.state.cockpit_cache  # type: ignore[attr-defined]
    saved = cache.min_age
    cache.min_age = 60.0
    try:
        first = summary(city)
        city.report(NOW, "a")
        assert summary(city)["computed_at"] == first["computed_at"]  # within min_age
    finally:
        cache.min_age = saved
    assert summary(city)["last_event_id"] > first["last_event_id"]


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("leader", 200, None),
        ("evaluator", 200, None),
        ("admin", 200, None),
        ("acceptor", 200, None),
        ("shift_leader", 200, None),
        ("dispatcher", 200, None),
        ("handler_a", 403, "auth.role_forbidden"),
        ("handler_district_a", 403, "auth.role_forbidden"),
        ("inspector_a", 403, "auth.role_forbidden"),
        ("citizen", 403, "auth.role_forbidden"),
        ("system", 403, "auth.role_forbidden"),
        (None, 401, "auth.required"),
    ],
)
def test_who_may_look_at_the_cockpit(city: City, persona: str | None, status: int, code: str):
    r = city.get(persona, "/cockpit/summary")
    assert r.status_code == status, r.text
    if code is not None:
        assert r.json()["code"] == code


def test_a_district_sub_centre_sees_its_district_only(city: City):
    got = summary(city, "acceptor_district_b")
    assert got["district"] == city.b.district
    assert summary(city, "acceptor_district_b", district=city.b.district)["district"] == (
        city.b.district
    )
    r = city.get("acceptor_district_b", "/cockpit/summary", params={"district": city.a.district})
    assert r.status_code == 403 and r.json()["code"] == "cockpit.district_forbidden"


def test_bad_parameters_are_refused_plainly(city: City):
    for params in ({"heat_days": 0}, {"heat_days": 91}, {"heat": "square"}, {"district": "37"}):
        r = city.get("leader", "/cockpit/summary", params=params)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid", params
    assert math.isfinite(summary(city, heat="hex", hex_m=50)["heat"]["hex_m"])
