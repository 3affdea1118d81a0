"""Catalog browsing, point → grid, map layers, suggestions, the event export, and the
list/filter/search of cases with paging and sorting."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import shapely
from shapely.geometry import box, shape

from cityops.domain.geo.coords import from_wgs84
from cityops.domain.geo.model import CoordSystem
from tests.api.conftest import CLASS, CONDITION, World


def test_catalog_classes_conditions_and_legacy_mapping(world: World):
    majors = world.get("citizen_1", "/catalog/majors").json()
    assert {"code": "06", "kind": "matter"}.items() <= next(
        m for m in majors if m["code"] == "06"
    ).items()
    classes = world.get("citizen_1", "/catalog/classes", params={"major": "06", "q": "垃圾"}).json()
    assert classes and all(c["major_code"] == "06" and "垃圾" in c["name"] for c in classes)
    one = world.get("dispatcher", f"/catalog/classes/{CLASS}").json()
    assert one["name"] == "暴露垃圾" and CONDITION in {c["code"] for c in one["conditions"]}
    assert one["conditions"][0]["limit"] == {
        "value": 4.0,
        "unit": "working_hours",
        "label": "4工作时",
    }
    assert any(r["class_pattern"] == "06*" for r in one["routing"])
    assert [m["legacy_code"] for m in one["legacy"]] == ["0102"]
    components = world.get(
        "dispatcher", "/catalog/classes", params={"kind": "component", "major": "01"}
    ).json()
    assert components and all(c["kind"] == "component" for c in components)
    assert (
        world.get("dispatcher", "/catalog/classes/99999").json()["code"]
        == "catalog.class_not_found"
    )
    cond = world.get("dispatcher", f"/catalog/conditions/{CONDITION}").json()
    assert cond["class_code"] == CLASS and cond["closure_condition"]
    unmapped = world.get(
        "dispatcher", "/catalog/legacy-mapping", params={"method": "unmapped"}
    ).json()
    assert unmapped and all(m["national_code"] is None and m["note"] for m in unmapped)
    units = world.get("dispatcher", "/catalog/units", params={"kind": "district"}).json()
    assert "district.370102" in {u["code"] for u in units}


def test_point_to_grid_in_every_coordinate_system(world: World):
    for crs in CoordSystem:
        lon, lat = from_wgs84(world.a.lon, world.a.lat, crs)
        where = world.get(
            "citizen_1", "/geo/locate", params={"lon": lon, "lat": lat, "crs": crs.value}
        ).json()
        assert where["inside"] and where["grid_code"] == world.a.grid, crs
        assert where["district_code"] == "370102" and where["names"]["district"] == "历下区"
        assert abs(where["lon"] - world.a.lon) < 1e-5
    outside = world.get("citizen_1", "/geo/locate", params={"lon": 100.0, "lat": 30.0}).json()
    assert outside["inside"] is False and outside["grid_code"] is None


def test_map_layers_answer_geojson_in_the_asked_window_and_system(world: World):
    x, y = world.a.lon, world.a.lat
    window = (x - 0.003, y - 0.003, x + 0.003, y + 0.003)
    r = world.get("dispatcher", "/geo/grids", params={"bbox": ",".join(map(str, window))})
    assert r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    codes = {f["properties"]["code"] for f in doc["features"]}
    assert world.a.grid in codes
    assert all(shape(f["geometry"]).intersects(box(*window).buffer(1e-9)) for f in doc["features"])
    one = world.get(
        "dispatcher", "/geo/grids", params={"bbox": ",".join(map(str, window)), "limit": 1}
    ).json()
    assert len(one["features"]) == 1 and one["cityops:truncated"] is True
    gcj = world.get(
        "dispatcher", "/geo/grids", params={"community": world.a.community, "crs": "gcj02"}
    ).json()
    assert gcj["cityops:crs"] == "gcj02"
    grid = next(f for f in gcj["features"] if f["properties"]["code"] == world.a.grid)
    gx, gy = from_wgs84(world.a.lon, world.a.lat, CoordSystem.GCJ02)
    assert shape(grid["geometry"]).contains(shapely.Point(gx, gy))
    districts = world.get("dispatcher", "/geo/regions", params={"level": "district"}).json()
    assert {f["properties"]["code"] for f in districts["features"]} >= {"370102", world.b.district}
    roads = world.get("dispatcher", "/geo/roads", params={"district": "370102", "limit": 5}).json()
    assert 0 < len(roads["features"]) <= 5
    for bad in ("1,2,3", "117,36,116,37", "a,b,c,d", "nan,1,2,3"):
        r = world.get("dispatcher", "/geo/grids", params={"bbox": bad})
        assert (r.status_code, r.json()["code"]) == (422, "geo.bbox_invalid"), bad
    assert world.get("dispatcher", "/geo/grids").json()["code"] == "geo.window_required"


def test_routing_and_duplicate_suggestions(world: World):
    a = world.a
    route = world.get(
        "dispatcher", "/suggest/routing", params={"class_code": CLASS, "lon": a.lon, "lat": a.lat}
    ).json()
    assert route["unit"] == f"street.{a.street}" and route["source"] == "rule"
    assert route["location"]["grid_code"] == a.grid and route["explanation"]
    unknown = world.get(
        "dispatcher", "/suggest/routing", params={"class_code": "00000", "lon": a.lon, "lat": a.lat}
    )
    assert unknown.json()["code"] == "catalog.class_unknown"
    open_case = world.case_in("filed", place="b")
    b = world.b
    dups = world.get(
        "acceptor", "/suggest/duplicates", params={"class_code": CLASS, "lon": b.lon, "lat": b.lat}
    ).json()
    assert open_case.id in {c["case_id"] for c in dups["candidates"]}
    assert dups["radius_m"] == 50.0
    earlier = (open_case.reported_at - timedelta(hours=1)).isoformat()
    none = world.get(
        "acceptor",
        "/suggest/duplicates",
        params={"class_code": CLASS, "lon": b.lon, "lat": b.lat, "at": earlier},
    ).json()
    assert open_case.id not in {c["case_id"] for c in none["candidates"]}
    # a street-A inspector may ask, but does not learn of cases outside his grids
    theirs = world.get(
        "inspector_a",
        "/suggest/duplicates",
        params={"class_code": CLASS, "lon": b.lon, "lat": b.lat},
    ).json()
    assert open_case.id not in {c["case_id"] for c in theirs["candidates"]}


def test_the_event_export_streams_filters_and_masks(world: World):
    case = world.case_in("verifying")
    lines = world.get(
        "shift_leader", "/exports/events", params={"case_id": case.id}
    ).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["case_id"], r["seq"], r["type"]) for r in records] == [(case.id, 1, "reported")]
    assert records[0]["data"]["reporter_phone"] == "138****5678"
    assert records[0]["at"].endswith("+08:00")
    masked = json.loads(world.get("evaluator", "/exports/events", params={"case_id": case.id}).text)
    assert "reporter_phone" not in masked["data"] and masked["actor"] == "市民"
    r = world.get("dispatcher", "/exports/events", params={"case_id": case.id, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert 'filename="case-events.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 1 and json.loads(rows[0]["data"])["case_no"] == case.case_no
    later = (case.reported_at + timedelta(seconds=1)).isoformat()
    assert (
        world.get("leader", "/exports/events", params={"case_id": case.id, "since": later}).text
        == ""
    )
    # a district sub-centre exports its own district only
    theirs = world.get("acceptor_district_b", "/exports/events", params={"case_id": case.id}).text
    assert theirs == ""
    b_case = world.case_in("reported", place="b")
    assert world.get("acceptor_district_b", "/exports/events", params={"case_id": b_case.id}).text


def test_cases_are_listed_filtered_searched_paged_and_sorted(world: World):
    made = [world.case_in("dispatched", place="b") for _ in range(3)]
    ids = {c.id for c in made}
    base = {"area": world.b.grid, "state": "dispatched", "class_code": "06*", "page_size": 200}
    page = world.get("dispatcher", "/cases", params=base).json()
    assert ids <= {c["id"] for c in page["items"]}
    assert all(c["state"] == "dispatched" and c["grid_code"] == world.b.grid for c in page["items"])
    unit = world.get(
        "dispatcher", "/cases", params={**base, "unit": f"street.{world.b.street}"}
    ).json()
    assert ids <= {c["id"] for c in unit["items"]}
    assert (
        world.get("dispatcher", "/cases", params={**base, "unit": "dept.roads"}).json()["items"]
        == []
    )
    first = made[0]
    since = (first.reported_at - timedelta(seconds=1)).isoformat()
    ranged = world.get(
        "dispatcher", "/cases", params={**base, "reported_from": since, "channel": "inspector"}
    ).json()
    assert ids <= {c["id"] for c in ranged["items"]}
    assert (
        world.get("dispatcher", "/cases", params={"text": first.case_no}).json()["items"][0]["id"]
        == first.id
    )
    naive = world.get("dispatcher", "/cases", params={"reported_from": "2026-01-01T00:00:00"})
    assert naive.json()["code"] == "query.time_naive"
    asc = world.get(
        "dispatcher", "/cases", params={**base, "sort": "reported_at", "page_size": 2}
    ).json()
    desc = world.get(
        "dispatcher", "/cases", params={**base, "sort": "-reported_at", "page_size": 2}
    ).json()
    assert asc["items"][0]["reported_at"] <= asc["items"][1]["reported_at"]
    assert desc["items"][0]["reported_at"] >= desc["items"][1]["reported_at"]
    p2 = world.get(
        "dispatcher", "/cases", params={**base, "sort": "case_no", "page_size": 1, "page": 2}
    ).json()
    assert p2["page"] == 2 and len(p2["items"]) == 1 and p2["total"] >= 3
    everything = world.get("dispatcher", "/cases", params={"page_size": 1}).json()
    assert everything["total"] >= len(ids) + 1 and len(everything["items"]) == 1
    bad = world.get("dispatcher", "/cases", params={"sort": "password"})
    assert bad.status_code == 422
    area = world.get("dispatcher", "/cases", params={"area": "12345"})
    assert area.json()["code"] == "query.area_invalid"
    # the handler of street B sees them in the queue, most urgent first
    queue = world.get("handler_b", "/queue", params={"page_size": 200}).json()["items"]
    assert ids <= {c["id"] for c in queue}
    deadlines = [c["deadline"] for c in queue if c["deadline"]]
    assert deadlines == sorted(deadlines)
