"""`cityops profile check` and `cityops catalog …` (no database needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from cityops.cli.main import app
from cityops.services.profile import demo_profile_path

runner = CliRunner()


def test_check_passes_on_the_demo_profile() -> None:
    result = runner.invoke(app, ["profile", "check", str(demo_profile_path())], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "济南市" in result.output and "370100" in result.output


def test_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(demo_profile_path(), bad)
    rows = (bad / "units.csv").read_text(encoding="utf-8")
    (bad / "units.csv").write_text(rows.replace("company,,", "utility,,", 1), encoding="utf-8")
    (bad / "evaluation.toml").unlink()
    result = runner.invoke(app, ["profile", "check", str(bad)], terminal_width=250)
    assert result.exit_code == 1
    assert "profile.kind_invalid" in result.output
    assert "profile.file_missing" in result.output
    assert "units.csv" in result.output and "evaluation.toml" in result.output


def test_catalog_list_filters_by_kind_and_major() -> None:
    result = runner.invoke(
        app, ["catalog", "list", "--kind", "matter", "--major", "10"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "10001" in result.output and "10002" in result.output and "2 类" in result.output
    assert "06010" not in result.output


def test_catalog_list_shows_the_legacy_standard() -> None:
    result = runner.invoke(
        app, ["catalog", "list", "--standard", "legacy", "--kind", "component", "--major", "06"]
    )
    assert result.exit_code == 0, result.output
    assert "重大危险源" in result.output and "6 类" in result.output


def test_catalog_list_refuses_an_unknown_standard() -> None:
    result = runner.invoke(app, ["catalog", "list", "--standard", "gb2013"])
    assert result.exit_code == 1
    assert "catalog.standard_unknown" in result.output


def test_catalog_mapping_filters_by_method_and_prints_totals() -> None:
    result = runner.invoke(app, ["catalog", "mapping", "--method", "manual"], terminal_width=250)
    assert result.exit_code == 0, result.output
    assert "不明井盖" in result.output
    assert "exact 90" in result.output and "unmapped 23" in result.output
    assert "立杆" not in result.output  # 立杆 is unmapped, not manual
