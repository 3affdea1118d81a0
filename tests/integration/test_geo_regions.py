"""Importing administrative regions on SQLite and PostgreSQL + PostGIS: replaced in place by
code with their children kept, PostGIS columns in step, revisions bumped, every problem
reported and nothing written on a bad file, files in every declared coordinate system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping
from sqlalchemy import Engine, func, select, text

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.model import CoordSystem, RegionLevel
from cityops.errors import ValidationError
from cityops.services import geography
from tests.integration.test_geo_storage import install_small

pytestmark = pytest.mark.db


def write_regions(path: Path, features: list[tuple[str, str, Any]], **extra: Any) -> Path:
    doc = {
        "type": "FeatureCollection",
        **extra,
        "features": [
            {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": mapping(g)}
            for c, n, g in features
        ],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def revision(engine: Engine, layer: str) -> int:
    with engine.connect() as conn:
        rev = t.geography_revisions
        found = conn.execute(select(rev.c.revision).where(rev.c.layer == layer)).scalar()
        return int(found or 0)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_regions_are_replaced_in_place_keeping_children_and_postgis_in_step(
    engine: Engine, tmp_path: Path
) -> None:
    install_small(engine)  # 解放路街道 holds 甲 (117.00–117.02) and 乙 (117.02–117.04)
    locator = geography.get_locator(engine)
    index_before = locator.index
    regions_before = revision(engine, "regions")
    smaller = box(117.00, 36.66, 117.03, 36.68)  # cuts 乙社区 in half
    path = write_regions(tmp_path / "streets.geojson", [("370102001", "解放路街道新", smaller)])
    summary = geography.import_regions(engine, path, "street")
    assert (summary.level, summary.features, summary.inserted, summary.updated) == (
        RegionLevel.STREET,
        1,
        0,
        1,
    )
    assert summary.children_outside == ("370102001002",)
    assert geography.region_name(engine, "370102001") == "解放路街道新"
    assert [r.code for r in geography.communities(engine, "370102001")] == [
        "370102001001",
        "370102001002",
    ]
    assert count(engine, t.grids) == 8
    assert revision(engine, "regions") == regions_before + 1
    assert locator.index is not index_before  # a region import reloads the locator
    with engine.connect() as conn:
        r = t.regions
        row = conn.execute(
            select(r.c.geometry, r.c.generated, r.c.source, r.c.max_lon).where(
                r.c.code == "370102001"
            )
        ).one()
        assert shapely.from_wkb(row.geometry).equals(smaller)
        assert (row.generated, row.source, row.max_lon) == (False, "import:streets.geojson", 117.03)
        if engine.dialect.name == "postgresql":
            in_step = conn.execute(
                text(
                    "SELECT bool_and(ST_Equals(geom, ST_Multi(ST_GeomFromWKB(geometry, 4326)))), "
                    "(SELECT ST_XMax(geom) FROM regions WHERE code = '370102001') FROM regions"
                )
            ).one()
            assert tuple(in_step) == (True, 117.03)

    # Communities: 甲 shrunk to its western half leaves its eastern grids outside.
    path = write_regions(
        tmp_path / "communities.geojson",
        [("370102001001", "甲社区", box(117.00, 36.66, 117.01, 36.68))],
    )
    summary = geography.import_regions(engine, path, RegionLevel.COMMUNITY)
    assert summary.children_outside == ("370102001001002", "370102001001004")
    assert geography.full_name(engine, "370102001001") == "济南市历下区解放路街道新甲社区"


def test_a_bad_region_file_reports_every_problem_and_writes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    install_small(engine)
    before = {r.code: r.name for r in geography.list_regions(engine)}
    regions_before = revision(engine, "regions")
    path = write_regions(
        tmp_path / "streets.geojson",
        [
            ("370102001", "解放路街道", box(117.00, 36.66, 117.04, 36.68)),  # 0 fine
            ("370102002", "千佛山街道", box(117.00, 36.60, 117.04, 36.66)),  # 1 outside 历下区
            ("370103001", "大观园街道", box(117.00, 36.66, 117.01, 36.67)),  # 2 no district
            ("370102003", "趵突泉街道", box(116.99, 36.70, 117.00, 36.71)),  # 3 outside
            ("370102001", "解放路街道", box(117.00, 36.66, 117.04, 36.68)),  # 4 duplicate
        ],
    )
    with pytest.raises(ValidationError) as err:
        geography.import_regions(engine, path, "street")
    assert err.value.code == "geo.import_invalid"
    problems = err.value.details["problems"]
    assert [(p["index"], p["code"], p["problem"]) for p in problems] == [
        (1, "370102002", "geo.region_outside_parent"),
        (2, "370103001", "geo.region_parent_unknown"),
        (3, "370102003", "geo.region_outside_parent"),
        (4, "370102001", "geo.region_code_duplicate"),
    ]
    assert "100.0%" in problems[2]["reason"]
    assert {r.code: r.name for r in geography.list_regions(engine)} == before
    assert revision(engine, "regions") == regions_before

    # A new street in the district's only street overlaps that stored street.
    path = write_regions(
        tmp_path / "overlap.geojson",
        [("370102002", "千佛山街道", box(117.0, 36.66, 117.01, 36.67))],
    )
    with pytest.raises(ValidationError) as err:
        geography.import_regions(engine, path, "street")
    (problem,) = err.value.details["problems"]
    assert problem["problem"] == "geo.region_overlap"
    assert "已有区划 370102001" in problem["reason"]
    assert geography.region_name(engine, "370102002") is None


def test_districts_come_before_their_city_and_are_adopted_by_it(
    engine: Engine, tmp_path: Path
) -> None:
    west, east = box(116.9, 36.6, 117.0, 36.7), box(117.0, 36.6, 117.1, 36.7)
    path = write_regions(
        tmp_path / "d.geojson", [("370103", "市中区", west), ("370102", "历下区", east)]
    )
    summary = geography.import_regions(engine, path, "district")
    assert summary.inserted == 2
    assert [(r.code, r.parent_code) for r in geography.districts(engine)] == [
        ("370102", None),
        ("370103", None),
    ]
    assert geography.full_name(engine, "370102") == "历下区"
    city = write_regions(
        tmp_path / "c.geojson", [("370100000000", "济南市", box(116, 36, 118, 37))]
    )
    geography.import_regions(engine, city, RegionLevel.CITY)
    assert [r.parent_code for r in geography.districts(engine)] == ["370100", "370100"]
    assert geography.full_name(engine, "370102") == "济南市历下区"


def test_region_files_in_any_declared_coordinate_system(engine: Engine, tmp_path: Path) -> None:
    install_small(engine)
    # Our own export in GCJ-02 names its system: imported back without --crs it is unchanged.
    exported = tmp_path / "regions_gcj.geojson"
    geography.export_layer(engine, "regions", exported, crs=CoordSystem.GCJ02)
    doc = json.loads(exported.read_text(encoding="utf-8"))
    streets = [f for f in doc["features"] if f["properties"]["level"] == "street"]
    (tmp_path / "streets_gcj.geojson").write_text(
        json.dumps({**doc, "features": streets}), encoding="utf-8"
    )
    summary = geography.import_regions(engine, tmp_path / "streets_gcj.geojson", "street")
    assert summary.updated == 1 and summary.children_outside == ()
    with engine.connect() as conn:
        wkb = conn.execute(
            select(t.regions.c.geometry).where(t.regions.c.code == "370102001")
        ).scalar_one()
    assert (
        shapely.hausdorff_distance(shapely.from_wkb(wkb), box(117.0, 36.66, 117.04, 36.68)) < 1e-7
    )

    # An old-style GeoJSON naming a projected system (CGCS2000 Gauss–Krüger, EPSG:4548).
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
    square = box(117.0, 36.66, 117.02, 36.68)
    projected = shapely.transform(square, lambda c: np.column_stack(to_gk.transform(*c.T)))
    path = write_regions(
        tmp_path / "gk.geojson",
        [("370102001001", "甲社区", projected)],
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
    )
    assert geography.import_regions(engine, path, "community").updated == 1

    with pytest.raises(ValidationError) as err:
        geography.import_regions(engine, path, "province")
    assert err.value.code == "geo.level_unknown"
    with pytest.raises(ValidationError) as err:
        geography.import_grids(engine, path, tolerance_m=-1.0)
    assert err.value.code == "geo.tolerance_invalid"
    gpkg = tmp_path / "two.gpkg"
    for layer in ("streets", "communities"):
        pyogrio.raw.write(
            str(gpkg),
            geometry=shapely.to_wkb(np.array([square], dtype=object)),
            field_data=[np.array(["370102001001"], dtype=object)],
            fields=["code"],
            layer=layer,
            driver="GPKG",
            geometry_type="Polygon",
            crs="EPSG:4326",
        )
    with pytest.raises(ValidationError) as err:
        geography.import_regions(engine, gpkg, "community")
    assert err.value.code == "geo.layer_required"
    assert err.value.details["layers"] == ["streets", "communities"]
