"""Importing and exporting grids and the other layers on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping, shape
from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables import geography as t
from cityops.domain.geo.measure import distance_m
from cityops.domain.geo.model import CoordSystem
from cityops.errors import ValidationError
from cityops.services import geography
from tests.integration.test_geo_storage import install_small

pytestmark = pytest.mark.db


def write_collection(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def grid_feature(code: str, geom: shapely.Geometry, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": mapping(geom)}


def grid_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.grids)).scalar_one())


def test_import_adds_new_grids_and_replaces_known_ones(engine: Engine, tmp_path: Path) -> None:
    install_small(engine)
    path = write_collection(
        tmp_path / "grids.geojson",
        [
            grid_feature("370102001001001", box(117.0, 36.67, 117.01, 36.68), name="改名"),
            # Grid 002004 split into a west half (legacy 14-digit code) and a new east half.
            grid_feature("37010200100204", box(117.03, 36.66, 117.035, 36.67)),
            grid_feature("370102001002005", box(117.035, 36.66, 117.04, 36.67)),
        ],
    )
    summary = geography.import_grids(engine, path)
    assert (summary.features, summary.inserted, summary.updated) == (3, 1, 2)
    assert grid_count(engine) == 9
    assert geography.region_name(engine, "370102001001001") == "改名"
    assert geography.region_name(engine, "370102001002005") == ""
    again = geography.import_grids(engine, path)
    assert (again.inserted, again.updated) == (0, 3)
    locator = geography.get_locator(engine)
    assert locator.locate(117.038, 36.665).grid_code == "370102001002005"
    assert locator.locate(117.032, 36.665).grid_code == "370102001002004"


def test_a_bad_file_reports_every_problem_and_writes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    install_small(engine)
    before = grid_count(engine)
    path = write_collection(
        tmp_path / "bad.geojson",
        [
            grid_feature("370102001002006", box(117.05, 36.66, 117.06, 36.67)),  # outside 002
            grid_feature("37010200100", box(117.0, 36.66, 117.01, 36.67)),
            grid_feature("370102009001001", box(117.0, 36.66, 117.01, 36.67)),
            grid_feature("370102001002006", box(117.0, 36.66, 117.01, 36.67)),
            grid_feature("370102001002007", shapely.Point(117.0, 36.66)),
            # Across the middle of community 002: overlaps its four stored grids.
            grid_feature("370102001002008", box(117.025, 36.665, 117.035, 36.675)),
        ],
    )
    with pytest.raises(ValidationError) as err:
        geography.import_grids(engine, path)
    assert err.value.code == "geo.import_invalid"
    problems = err.value.details["problems"]
    assert [(p["index"], p["problem"]) for p in problems] == [
        (0, "geo.grid_outside_community"),
        (1, "geo.grid_code_invalid"),
        (2, "geo.community_unknown"),
        (3, "geo.grid_code_duplicate"),
        (4, "geo.geometry_invalid"),
        *[(5, "geo.grid_overlap")] * 4,
    ]
    assert {p["reason"][:21] for p in problems if p["index"] == 5} == {
        f"与已有网格 37010200100200{i}" for i in range(1, 5)
    }
    assert grid_count(engine) == before
    assert geography.get_locator(engine).locate(117.055, 36.665).grid_code is None


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("missing.geojson", None, "geo.file_missing"),
        ("broken.geojson", "{not json", "geo.file_unreadable"),
        ("feature.geojson", '{"type": "Feature"}', "geo.file_unreadable"),
        ("grids.csv", "code\n1", "geo.format_unsupported"),
        ("empty.geojson", '{"type": "FeatureCollection", "features": []}', "geo.import_empty"),
    ],
)
def test_unusable_files_are_refused_clearly(
    engine: Engine, tmp_path: Path, name: str, content: str | None, code: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        geography.import_grids(engine, path)
    assert err.value.code == code


def test_exports_read_back_and_grids_round_trip(engine: Engine, tmp_path: Path) -> None:
    install_small(engine)
    counts = {
        layer: geography.export_layer(engine, layer, tmp_path / f"{layer}.geojson")
        for layer in geography.LAYERS
    }
    assert counts == {"grids": 8, "regions": 5, "roads": 1, "places": 1, "areas": 1}
    regions = json.loads((tmp_path / "regions.geojson").read_text(encoding="utf-8"))
    by_code = {f["properties"]["code"]: f["properties"] for f in regions["features"]}
    assert by_code["370102001002"] == {
        "code": "370102001002",
        "level": "community",
        "name": "乙社区",
        "parent_code": "370102001",
        "generated": True,
    }
    roads = json.loads((tmp_path / "roads.geojson").read_text(encoding="utf-8"))
    assert roads["features"][0]["geometry"]["type"] == "LineString"
    summary = geography.import_grids(engine, tmp_path / "grids.geojson")
    assert (summary.inserted, summary.updated) == (0, 8)
    grids = json.loads((tmp_path / "grids.geojson").read_text(encoding="utf-8"))
    first = grids["features"][0]
    assert first["properties"]["code"] == "370102001001001"
    assert shape(first["geometry"]).equals(box(117.0, 36.67, 117.01, 36.68))
    with pytest.raises(ValidationError) as err:
        geography.export_layer(engine, "rivers", tmp_path / "x.geojson")
    assert err.value.code == "geo.layer_unknown"


def test_geopackage_export_and_import(engine: Engine, tmp_path: Path) -> None:
    install_small(engine)
    path = tmp_path / "grids.gpkg"
    assert geography.export_layer(engine, "grids", path, "gpkg") == 8
    meta, _, _, fields = pyogrio.raw.read(str(path))
    assert meta["geometry_type"] == "MultiPolygon"
    assert "4326" in str(meta["crs"])
    codes = list(fields[list(meta["fields"]).index("code")])
    assert codes[0] == "370102001001001"
    summary = geography.import_grids(engine, path)
    assert (summary.features, summary.updated) == (8, 8)
    assert geography.export_layer(engine, "roads", tmp_path / "roads.gpkg", "gpkg") == 1


def test_export_and_import_in_gcj02_give_back_the_wgs84_grid(
    engine: Engine, tmp_path: Path
) -> None:
    install_small(engine)
    path = tmp_path / "gcj.geojson"
    geography.export_layer(engine, "grids", path, crs=CoordSystem.GCJ02)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["cityops:crs"] == "gcj02"
    moved = shape(doc["features"][0]["geometry"]).centroid
    assert distance_m(moved.x, moved.y, 117.005, 36.675) > 100  # GCJ-02 is offset
    geography.import_grids(engine, path, CoordSystem.GCJ02)
    with engine.connect() as conn:
        wkb = conn.execute(
            select(t.grids.c.geometry).where(t.grids.c.code == "370102001001001")
        ).scalar_one()
    back = shapely.get_coordinates(shapely.from_wkb(wkb))
    original = shapely.get_coordinates(box(117.0, 36.67, 117.01, 36.68))
    assert {tuple(np.round(c, 6)) for c in back} == {tuple(np.round(c, 6)) for c in original}
    assert np.abs(np.sort(back, axis=0) - np.sort(original, axis=0)).max() < 1e-7


def test_a_projected_cgcs2000_shapefile_is_brought_to_lon_lat(
    engine: Engine, tmp_path: Path
) -> None:
    install_small(engine)
    # CGCS2000 / 3-degree Gauss-Kruger CM 117E, as city surveying data often comes.
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)
    square = box(117.03, 36.66, 117.04, 36.67)  # grid 002004 as surveyed
    projected = shapely.transform(square, lambda c: np.column_stack(to_gk.transform(*c.T)))
    path = tmp_path / "grids.shp"
    pyogrio.raw.write(
        str(path),
        geometry=shapely.to_wkb(np.array([projected], dtype=object)),
        field_data=[np.array(["370102001002004"], dtype=object)],
        fields=["WGBM"],
        driver="ESRI Shapefile",
        geometry_type="Polygon",
        crs="EPSG:4548",
    )
    summary = geography.import_grids(engine, path)
    assert (summary.inserted, summary.updated) == (0, 1)
    with engine.connect() as conn:
        wkb = conn.execute(
            select(t.grids.c.geometry).where(t.grids.c.code == "370102001002004")
        ).scalar_one()
    assert shapely.hausdorff_distance(shapely.from_wkb(wkb), square) < 1e-8
    loc = geography.get_locator(engine).locate(117.035, 36.665)
    assert loc.grid_code == "370102001002004"
