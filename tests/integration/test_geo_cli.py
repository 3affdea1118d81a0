"""``cityops import-grids`` and ``cityops geo …`` against SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import box, mapping
from sqlalchemy import Engine
from typer.testing import CliRunner

from cityops.cli.main import app
from cityops.config import get_settings
from tests.integration.test_geo_storage import install_small

pytestmark = pytest.mark.db
runner = CliRunner()


@pytest.fixture
def cli_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The test database as the deployment's database, holding the small geography."""
    install_small(engine)
    monkeypatch.setenv("CITYOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()


def test_locate_names_the_grid_and_its_areas(cli_engine: Engine) -> None:
    result = runner.invoke(app, ["geo", "locate", "117.005", "36.675"])
    assert result.exit_code == 0, result.output
    for expected in ("370102001001001", "甲社区", "解放路街道", "历下区"):
        assert expected in result.output
    outside = runner.invoke(app, ["geo", "locate", "116.0", "36.0"])
    assert outside.exit_code == 0 and "不在任何单元网格内" in outside.output
    gcj = runner.invoke(app, ["geo", "locate", "117.0165", "36.6643", "--crs", "gcj02"])
    assert gcj.exit_code == 0 and "370102001001004" in gcj.output
    bad = runner.invoke(app, ["geo", "locate", "117.0", "36.6", "--crs", "utm"])
    assert bad.exit_code == 1 and "geo.crs_unknown" in bad.output


def test_import_grids_lists_problems_or_reports_counts(cli_engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": "12"}, "geometry": None},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import-grids", str(bad)])
    assert result.exit_code == 1
    assert "geo.import_invalid" in result.output and "geo.grid_code_invalid" in result.output
    good = tmp_path / "good.geojson"
    good.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "370102001002004", "name": "新名"},
                        "geometry": mapping(box(117.03, 36.66, 117.04, 36.67)),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    ok = runner.invoke(app, ["import-grids", str(good), "--crs", "wgs84"])
    assert ok.exit_code == 0, ok.output
    assert "新增 0" in ok.output and "更新 1" in ok.output


def test_export_regions_and_demo_on_a_city_with_geography(
    cli_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "regions.geojson"
    result = runner.invoke(app, ["geo", "export", "regions", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 5
    listed = runner.invoke(app, ["geo", "regions", "--parent", "370102001"])
    assert "甲社区" in listed.output and "乙社区" in listed.output
    demo = runner.invoke(app, ["geo", "demo"])
    assert demo.exit_code == 0 and "already present" in demo.output
    wrong = runner.invoke(app, ["geo", "export", "grids", str(out), "--format", "kml"])
    assert wrong.exit_code == 1 and "geo.format_unsupported" in wrong.output


def write_streets(path: Path, *features: tuple[str, str, Any]) -> Path:
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"XZQDM": c, "XZQMC": n}, "geometry": g}
                    for c, n, g in features
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_import_regions_reports_counts_warnings_and_problems(
    cli_engine: Engine, tmp_path: Path
) -> None:
    smaller = mapping(box(117.00, 36.66, 117.03, 36.68))
    good = write_streets(tmp_path / "streets.geojson", ("370102001000", "解放路街道", smaller))
    ok = runner.invoke(app, ["geo", "import-regions", str(good), "--level", "street"])
    assert ok.exit_code == 0, ok.output
    assert "新增 0" in ok.output and "更新 1" in ok.output
    assert "注意" in ok.output and "370102001002" in ok.output  # 乙社区 now half outside

    # The same boundary 0.4 km off to the west is refused unless the tolerance allows it.
    shifted = mapping(box(116.996, 36.66, 117.026, 36.68))
    bad = write_streets(tmp_path / "bad.geojson", ("370102001", "解放路街道", shifted))
    refused = runner.invoke(app, ["geo", "import-regions", str(bad), "--level", "street"])
    assert refused.exit_code == 1
    assert "geo.import_invalid" in refused.output and "geo.region_outside_parent" in refused.output
    loose = ["geo", "import-regions", str(bad), "--level", "street", "--tolerance", "400"]
    assert runner.invoke(app, loose).exit_code == 0

    unknown = runner.invoke(app, ["geo", "import-regions", str(good), "--level", "province"])
    assert unknown.exit_code == 1 and "geo.level_unknown" in unknown.output


def test_geo_import_grids_takes_a_tolerance(cli_engine: Engine, tmp_path: Path) -> None:
    # Grid 002004 redrawn 3 m too far east: outside its community and the city's edge.
    path = tmp_path / "grids.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"WGBM": "370102001002004"},
                        "geometry": mapping(box(117.03, 36.66, 117.04004, 36.67)),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    strict = runner.invoke(app, ["geo", "import-grids", str(path)])
    assert strict.exit_code == 1 and "geo.grid_outside_community" in strict.output
    loose = runner.invoke(app, ["geo", "import-grids", str(path), "--tolerance", "5"])
    assert loose.exit_code == 0, loose.output
    assert "更新 1" in loose.output
