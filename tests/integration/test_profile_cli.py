"""`cityops profile load/show` and `cityops catalog list --standard city` against both
databases (the commands' engine is replaced by the test database)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cityops.cli import profile as profile_cli
from cityops.cli.main import app
from cityops.services.profile import clear_cache, demo_profile_path, list_versions

runner = CliRunner()


@pytest.fixture
def cli_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(profile_cli, "_engine", lambda **_: engine)
    clear_cache()
    return engine


def test_load_show_and_reload(cli_engine: Engine) -> None:
    shown = runner.invoke(app, ["profile", "show"], terminal_width=200)
    assert shown.exit_code == 1 and "profile.none_installed" in shown.output
    loaded = runner.invoke(app, ["profile", "load", str(demo_profile_path())], terminal_width=200)
    assert loaded.exit_code == 0, loaded.output
    assert "已载入" in loaded.output
    again = runner.invoke(app, ["profile", "load", str(demo_profile_path())], terminal_width=200)
    assert again.exit_code == 0 and "内容未变" in again.output
    shown = runner.invoke(app, ["profile", "show"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "2026.1" in shown.output and "units:street" in shown.output and "95" in shown.output
    assert len(list_versions(cli_engine)) == 1


def test_load_refuses_a_bad_profile_with_its_problems(cli_engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(demo_profile_path(), bad)
    (bad / "regions.csv").write_text(
        "code,name,area_class\n37010X,历下区,urban\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["profile", "load", str(bad)], terminal_width=250)
    assert result.exit_code == 1
    assert "profile.region_code_invalid" in result.output and "profile.invalid" in result.output
    assert list_versions(cli_engine) == []


def test_catalog_list_of_the_city_includes_local_classes(cli_engine: Engine) -> None:
    assert runner.invoke(app, ["profile", "load"]).exit_code == 0
    result = runner.invoke(app, ["catalog", "list", "--standard", "local"], terminal_width=200)
    assert result.exit_code == 0, result.output
    shipped = (Path(demo_profile_path()) / "classes.csv").read_text(encoding="utf-8")
    local_rows = len(shipped.strip().splitlines()) - 1
    assert "泉池水体异常" in result.output and "道路积水" in result.output
    assert f"{local_rows} 类" in result.output
