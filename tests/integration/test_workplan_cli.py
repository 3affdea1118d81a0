"""`cityops workplan …` end to end on an embedded SQLite database in a temporary var dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from cityops.adapters.db.engine import make_engine
from cityops.cli.main import app
from cityops.config import get_settings
from cityops.services import workplan as wp
from cityops.services.profile import demo_profile_path, install_profile
from tests.integration.test_workplan_city_zone import LATE_JUNE, PLAN, profile_in_zone

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workplans"
JINING = next(FIXTURES.glob("000_*.txt"))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("CITYOPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def cli_engine() -> Engine:
    """The database the command line uses (after a first command has created it)."""
    return make_engine(get_settings().resolved_database_url())


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
    figures = run(cli, "figures")
    assert "cases.filed" in figures and "evaluation.on_time_handling_rate" in figures


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


def test_a_target_linked_to_an_evaluation_figure_is_measured_from_the_command_line(
    cli: CliRunner,
) -> None:
    run(cli, "import", str(JINING))
    engine = cli_engine()
    install_profile(engine, demo_profile_path())  # the evaluation engine needs the city's rules
    ledger = wp.load_ledger(engine, 1, LATE_JUNE.date())
    target = next(g for t in ledger.tasks for g in t.targets)
    # linked elsewhere (the API) to an evaluation indicator …
    wp.link_target(
        engine,
        target.id,
        "evaluation.on_time_handling_rate",
        registry=wp.platform_registry(),
        actor="evaluator.1",
    )
    # … the command line knows the same figures
    out = run(cli, "measure", "1", "--period", "2025-06")
    assert "evaluation.on_time_handling_rate" in out and str(target.id) in out
    assert "已关联" in run(cli, "link", str(target.id), "evaluation.closure_rate")


def test_a_task_unit_is_assigned_from_the_command_line(cli: CliRunner) -> None:
    run(cli, "import", str(JINING))
    engine = cli_engine()
    install_profile(engine, demo_profile_path())
    five = next(t for t in wp.load_ledger(engine, 1, LATE_JUNE.date()).tasks if t.number == 5)
    out = run(cli, "assign", str(five.id), "市容管理科", "dept.enforcement", "--actor", "王科长")
    assert "已认定" in out and "济南市城市管理综合行政执法支队（dept.enforcement）" in out
    assert "未改变" in run(cli, "assign", str(five.id), "市容管理科", "dept.enforcement")
    out = run(cli, "assign", str(five.id), "各区综合行政执法局", "--kind", "district")
    assert "历下区城市管理局（district.370102）" in out and "district.370126" in out
    units = [(u.name, u.code) for u in wp.lookups.task_units(engine, five.id)]
    assert ("市容管理科", "dept.enforcement") in units
    assert sum(name == "各区综合行政执法局" for name, _ in units) == 6
    [event, *_] = [e for e in wp.lookups.task_events(engine, five.id) if e.type == "units_assigned"]
    assert event.actor == "王科长"
    for args, code in (
        (["市容管理科", "dept.enforcement", "dept.roads"], "workplan.assign.not_a_group"),
        (["财务科", "dept.roads"], "workplan.assign.role_required"),
        (["市容管理科", "--kind", "planet"], "workplan.assign.kind_unknown"),
    ):
        result = cli.invoke(app, ["workplan", "assign", str(five.id), *args])
        assert result.exit_code == 2 and code in result.output, result.output


def test_times_are_shown_in_the_city_profile_zone(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "list")  # creates the database
    engine = cli_engine()
    wp.import_document(engine, wp.read_bytes("plan.txt", PLAN.encode()), actor="t", now=LATE_JUNE)
    assert "2025-07-01 01:30" in run(cli, "list")  # no profile: Shanghai
    install_profile(engine, profile_in_zone(tmp_path, "Asia/Urumqi"))
    assert "2025-06-30 23:30" in run(cli, "list")
