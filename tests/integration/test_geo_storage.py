"""Geography storage on SQLite and PostgreSQL + PostGIS: the demo install, the generated
PostGIS columns, database lookups agreeing with the in-memory index, names and lists."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box
from sqlalchemy import Engine, func, select, text

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.coords import from_wgs84
from cityops.domain.geo.demo_city import generate_demo_city
from cityops.domain.geo.layers import (
    Geography,
    Grid,
    Place,
    Region,
    ResponsibilityArea,
    Road,
    as_multipolygon,
)
from cityops.domain.geo.measure import metres_per_degree
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.services import geography

pytestmark = pytest.mark.db


def small_geography() -> Geography:
    """济南市 › 历下区 › 解放路街道 › two communities of four 0.01° square grids each."""

    def mp(x0: float, y0: float, x1: float, y1: float) -> shapely.MultiPolygon:
        return as_multipolygon(box(x0, y0, x1, y1))

    grids = []
    for c, x0 in (("370102001001", 117.00), ("370102001002", 117.02)):
        seq = 1
        for y0 in (36.67, 36.66):  # north row first
            for dx in (0.0, 0.01):
                grids.append(
                    Grid(f"{c}{seq:03d}", mp(x0 + dx, y0, x0 + dx + 0.01, y0 + 0.01), f"g{seq}")
                )
                seq += 1
    whole = mp(117.00, 36.66, 117.04, 36.68)
    regions = [
        Region("370100", RegionLevel.CITY, "济南市", None, whole),
        Region("370102", RegionLevel.DISTRICT, "历下区", "370100", whole),
        Region("370102001", RegionLevel.STREET, "解放路街道", "370102", whole),
        Region("370102001001", RegionLevel.COMMUNITY, "甲社区", "370102001",
               mp(117.00, 36.66, 117.02, 36.68), generated=True),
        Region("370102001002", RegionLevel.COMMUNITY, "乙社区", "370102001",
               mp(117.02, 36.66, 117.04, 36.68), generated=True),
    ]  # fmt: skip
    return Geography(
        regions=regions,
        grids=grids,
        areas=[
            ResponsibilityArea(
                "JD370102001", "解放路街道责任区", "street_office", "解放路街道办事处", whole
            )
        ],
        roads=[Road("解放路", "main", LineString([(117.0, 36.67), (117.04, 36.67)]), "370102")],
        places=[Place("甲小区", "residential", Point(117.005, 36.675), "", "370102001001001")],
    )


def install_small(engine: Engine) -> Geography:
    geo = small_geography()
    with engine.begin() as conn:
        geography.write_geography(conn, geo, "test")
    return geo


def test_demo_install_is_complete_idempotent_and_the_database_agrees_with_the_index(
    engine: Engine,
) -> None:
    demo = generate_demo_city().geography
    first = geography.install_demo_geography(engine)
    assert first.installed
    assert (first.regions, first.grids, first.areas, first.roads, first.places) == (
        len(demo.regions),
        len(demo.grids),
        len(demo.areas),
        len(demo.roads),
        len(demo.places),
    )
    again = geography.install_demo_geography(engine)
    assert not again.installed and again.grids == first.grids
    assert "already present" in str(again)

    locator = geography.get_locator(engine)
    minx, miny, maxx, maxy = shapely.total_bounds([g.geometry for g in demo.grids])
    rng = np.random.default_rng(8)
    lons = list(rng.uniform(minx, maxx, 1500))
    lats = list(rng.uniform(miny, maxy, 1500))
    urban = rng.uniform([116.95, 36.62], [117.08, 36.70], (1000, 2))  # dense part
    lons += list(urban[:, 0])
    lats += list(urban[:, 1])
    vertices = shapely.get_coordinates([g.geometry for g in demo.grids[:60]])
    lons += list(vertices[:, 0])
    lats += list(vertices[:, 1])
    lons += [p.point.x for p in demo.places]
    lats += [p.point.y for p in demo.places]
    points = list(zip(lons, lats, strict=True))
    by_index = locator.grid_codes(lons, lats)
    by_database = geography.locate_in_database(engine, points)
    assert by_database == by_index
    assert sum(c is not None for c in by_index) > 2000
    assert all(c is None for c in by_index[2500 : 2500 + len(vertices)])
    assert by_index[-len(demo.places) :] == [p.grid_code for p in demo.places]

    loc = locator.locate(117.02, 36.665)
    assert loc.grid_code and loc.grid_code.startswith("370102")
    assert geography.full_name(engine, loc.community_code or "").startswith("济南市历下区")
    assert len(geography.districts(engine)) == 6
    assert len(geography.streets(engine, "370126")) == 12


def test_postgis_columns_are_generated_from_the_wkb_and_indexed(engine: Engine) -> None:
    install_small(engine)
    with engine.connect() as conn:
        if engine.dialect.name != "postgresql":
            columns = {row[1] for row in conn.execute(text("PRAGMA table_info(grids)"))}
            assert "geom" not in columns and "geometry" in columns
            wkb = conn.execute(select(t.grids.c.geometry).limit(1)).scalar_one()
            assert shapely.from_wkb(wkb).geom_type == "MultiPolygon"
            return
        generated = conn.execute(
            text(
                "SELECT table_name, is_generated FROM information_schema.columns "
                "WHERE column_name = 'geom' AND table_schema = 'public'"
            )
        ).all()
        assert dict(generated) == {
            "regions": "ALWAYS",
            "grids": "ALWAYS",
            "responsibility_areas": "ALWAYS",
            "roads": "ALWAYS",
            "places": "ALWAYS",
        }
        gist = conn.execute(
            text("SELECT tablename FROM pg_indexes WHERE indexdef ILIKE '%USING gist (geom)%'")
        ).scalars()
        assert set(gist) == {"regions", "grids", "responsibility_areas", "roads", "places"}
        types = conn.execute(
            text(
                "SELECT (SELECT GeometryType(geom) FROM grids LIMIT 1), "
                "(SELECT GeometryType(geom) FROM roads LIMIT 1), "
                "(SELECT ST_AsText(geom) FROM places LIMIT 1), "
                "(SELECT bool_and(ST_Equals(geom, ST_GeomFromWKB(geometry, 4326))) FROM grids), "
                "(SELECT min(ST_SRID(geom)) FROM regions)"
            )
        ).one()
        assert tuple(types) == ("MULTIPOLYGON", "LINESTRING", "POINT(117.005 36.675)", True, 4326)


def test_changing_grids_keeps_database_lookups_in_sync(engine: Engine, tmp_path: Path) -> None:
    install_small(engine)
    inside_first = (117.005, 36.675)  # in 370102001001001
    assert geography.locate_in_database(engine, [inside_first]) == ["370102001001001"]
    # Re-import that grid shrunk to its eastern half: the point now falls outside it.
    shrunk = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "370102001001001"},
                "geometry": shapely.geometry.mapping(box(117.006, 36.67, 117.01, 36.68)),
            }
        ],
    }
    path = tmp_path / "shrunk.geojson"
    path.write_text(json.dumps(shrunk), encoding="utf-8")
    geography.import_grids(engine, path)
    assert geography.locate_in_database(engine, [inside_first]) == [None]
    assert geography.get_locator(engine).locate(*inside_first).grid_code is None
    assert geography.locate_in_database(engine, [(117.008, 36.675)]) == ["370102001001001"]


def test_names_and_lists(engine: Engine) -> None:
    install_small(engine)
    assert geography.region_name(engine, "370102") == "历下区"
    assert geography.region_name(engine, "370102001002003") == "g3"
    assert geography.region_name(engine, "370199") is None
    assert geography.full_name(engine, "370102001002") == "济南市历下区解放路街道乙社区"
    assert [r.code for r in geography.districts(engine)] == ["370102"]
    assert [r.name for r in geography.communities(engine, "370102001")] == ["甲社区", "乙社区"]
    assert all(r.generated for r in geography.communities(engine))
    assert [g.code for g in geography.grids_of(engine, "370102001002")] == [
        f"370102001002{i:03d}" for i in range(1, 5)
    ]
    with engine.connect() as conn:
        road = conn.execute(select(t.roads.c.name, t.roads.c.length_m)).one()
        assert road.name == "解放路" and road.length_m == pytest.approx(3577, rel=0.01)
        area = conn.execute(select(t.grids.c.area_m2).where(t.grids.c.code == "370102001001001"))
        kx, ky = metres_per_degree(36.675)
        assert area.scalar_one() == pytest.approx(0.01 * kx * 0.01 * ky, rel=1e-3)


def test_the_locator_is_shared_and_sees_new_grids(engine: Engine) -> None:
    install_small(engine)
    locator = geography.get_locator(engine)
    assert geography.get_locator(engine) is locator
    assert locator.locate(117.05, 36.665).grid_code is None
    # A change written past this service (as another process would) shows once the locator
    # re-reads the revision counter: at once here, with a zero re-check interval.
    other = geography.Locator(engine, recheck_seconds=0.0)
    assert other.locate(117.005, 36.675).grid_code == "370102001001001"
    extra = Grid("370102001002005", as_multipolygon(box(117.04, 36.66, 117.06, 36.67)))
    with engine.begin() as conn:
        conn.execute(t.grids.insert(), t.grid_rows([extra], "elsewhere"))
        conn.execute(
            t.geography_revisions.update().values(revision=t.geography_revisions.c.revision + 1)
        )
    assert other.locate(117.05, 36.665).grid_code == "370102001002005"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.grids)).scalar_one() == 9


def test_points_in_gcj02_and_bd09_locate_like_their_wgs84_originals(engine: Engine) -> None:
    install_small(engine)
    locator = geography.get_locator(engine)
    wgs = (117.015, 36.665)
    for crs in (CoordSystem.GCJ02, CoordSystem.BD09):
        loc = locator.locate(*from_wgs84(*wgs, crs), crs)
        assert loc.grid_code == "370102001001004"
        assert abs(loc.lon - wgs[0]) < 1e-7 and abs(loc.lat - wgs[1]) < 1e-7
    many = locator.locate_many([117.005, 117.035, 118.0], [36.675, 36.665, 36.0])
    assert [m.grid_code for m in many] == ["370102001001001", "370102001002004", None]
    assert many[0].district_code == "370102"
