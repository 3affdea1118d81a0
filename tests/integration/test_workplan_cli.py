"""`cityops workplan …` end to end on an embedded SQLite database in a temporary var dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from cityops.cli.main import app
from cityops.config import get_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workplans"
JINING = next(FIXTURES.glob("000_*.txt"))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CITYOPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, ["workplan", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_parse_prints_the_plan_as_json(cli: CliRunner) -> None:
    data = json.loads(run(cli, "parse", str(JINING), "--format", "json"))
    assert (data["issuer"], data["year"], len(data["tasks"])) == ("济宁市城市管理局", 2025, 38)
    t5 = data["tasks"][4]
    assert (t5["number"], t5["title"], t5["lead_units"]) == (
        5,
        "规范潮汐摊区设置。",
        ["市容管理科"],
    )
    assert t5["targets"][0]["value"] == 100 and t5["deadlines"][0]["date"] == "2025-06-30"
    assert "规范潮汐摊区设置" in run(cli, "parse", str(JINING), "--format", "table")


def test_import_report_supervise_and_print(cli: CliRunner, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "code,name,aliases\nU-SR,济宁市城市管理局市容管理科,\nU-BGS,局办公室,办公室\n",
        encoding="utf-8",
    )
    out = run(cli, "import", str(JINING), "--units", str(units), "--actor", "张三")
    assert "任务38项" in out and "单位匹配 2/21" in out
    assert "济宁市城市管理局" in run(cli, "list")
    assert "规范潮汐摊区" in run(cli, "tasks", "1", "--as-of", "2025-06-20")
    evidence = tmp_path / "photo.jpg"
    evidence.write_bytes(b"\xff\xd8photo")
    out = run(
        cli,
        "report",
        "5",
        "--percent",
        "40",
        "--text",
        "已设置40处",
        "--month",
        "2025-06",
        "--file",
        str(evidence),
    )
    assert "佐证材料1份" in out
    assert (tmp_path / "var" / "workplan_files").is_dir()
    assert "督办编号1" in run(
        cli, "supervise", "5", "--leader", "张局长", "--note", "月底前完成", "--due", "2025-06-30"
    )
    assert "督办" in run(cli, "reminders", "1", "--as-of", "2025-06-20")
    xlsx, docx = tmp_path / "out" / "清单.xlsx", tmp_path / "out" / "月报.docx"
    run(cli, "ledger", "1", "--xlsx", str(xlsx), "--as-of", "2025-06-30")
    run(cli, "bulletin", "1", "--month", "2025-06", "--docx", str(docx))
    assert (
        load_workbook(xlsx)["责任清单"].cell(1, 1).value == "济宁市城市管理局2025年工作要点责任清单"
    )
    assert Document(str(docx)).paragraphs[0].text.endswith("（2025年6月）")
    assert "cases.filed" in run(cli, "figures")


def test_errors_are_reported_with_code_and_exit_status_2(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "import", str(JINING))
    result = cli.invoke(
        app, ["workplan", "report", "5", "--percent", "120", "--text", "x", "--month", "2025-06"]
    )
    assert result.exit_code == 2
    assert "workplan.report.percent" in result.output
    result = cli.invoke(app, ["workplan", "import", str(JINING)])
    assert result.exit_code == 2 and "workplan.already_imported" in result.output
    bad = tmp_path / "plan.xls"
    bad.write_bytes(b"x")
    result = cli.invoke(app, ["workplan", "parse", str(bad)])
    assert result.exit_code == 2 and "workplan.file_type" in result.output
