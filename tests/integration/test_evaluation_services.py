"""Evaluation services on a simulated history (SQLite and PostgreSQL): the evaluation, the
indicator registry and targets, the district assessment, case lists and the command line —
every number checked against the pure-Python reference."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from cityops.adapters.db.tables.cases import cases
from cityops.config import get_settings
from cityops.domain.evaluation.assessment import AssessmentItem, ItemSource
from cityops.domain.evaluation.definitions import RATES, ObjectKind
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.evaluation.reference import reference_counts
from cityops.errors import NotFoundError, ValidationError
from cityops.services.evaluation import assessment, targets
from cityops.services.evaluation.case_lists import CaseFilter, case_rows, export_cases
from cityops.services.evaluation.engine import normalized, overdue_case_ids
from cityops.services.evaluation.evaluate import evaluate
from cityops.services.evaluation.indicators import measure
from cityops.services.evaluation.store import relevant_case_events
from cityops.services.profile import demo_profile_path, install_profile
from tests.integration.test_evaluation_engine import store_stories

DAY = "2025-10-21"  # the stories happen around this day (Shanghai time)


@pytest.fixture
def history(engine: Engine) -> Engine:
    """The demo profile and the ten hand-worked cases (tests/unit/test_evaluation_stories.py);
    the simulated histories are in test_evaluation_engine.py."""
    install_profile(engine, demo_profile_path())
    store_stories(engine)
    return engine


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """The command line reads its settings once per process: forget them around each test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def use_database(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()


def reference(engine: Engine, period: str) -> dict[tuple[str, str], dict[str, int]]:
    lo, hi = EvalPeriod.parse(period).utc_bounds()
    with engine.connect() as conn:
        return normalized(reference_counts(relevant_case_events(conn, lo, hi), lo, hi))


def test_evaluation_of_a_day_equals_the_reference(history: Engine):
    ev = evaluate(history, DAY)
    want = reference(history, DAY)
    got = {
        (o.kind.value, o.code): o.counts for objs in ev.objects.values() for o in objs if o.counts
    }
    assert got == want
    city = ev.city
    assert city is not None and city.count("filed") > 0
    assert city.rate("closure_rate") == pytest.approx(
        RATES["closure_rate"].value(want[("city", "*")])
    )
    assert city.mom is not None and city.mom.period == "2025-10-20"
    assert city.yoy is not None and city.yoy.period == "2024-10-21" and city.yoy.score is None
    depts = ev.of(ObjectKind.DEPARTMENT)
    ranks = [d.rank for d in depts if d.rank is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert all(d.grade in {"A", "B", "C", "D", "E"} for d in depts if d.score is not None)
    # Units are named from the installed profile.
    assert any(d.name != d.code for d in depts)
    doc = json.loads(json.dumps(ev.to_dict(), ensure_ascii=False))
    assert doc["objects"]["city"][0]["counts"]["filed"] == city.count("filed")


def test_measure_reads_the_registry_by_key_or_chinese_name(history: Engine):
    want = reference(history, DAY)[("city", "*")]
    assert measure(history, "closure_rate", DAY) == pytest.approx(
        RATES["closure_rate"].value(want), abs=1e-4
    )
    assert measure(history, "结案率", DAY) == measure(history, "closure_rate", DAY)
    assert measure(history, "filed", DAY) == want["filed"]
    assert measure(history, "closure_rate", "2024-10") is None  # no data
    assert measure(history, "filed", DAY, "district:370102") == want["filed"]
    with pytest.raises(NotFoundError) as info:
        measure(history, "亮灯率", DAY)
    assert info.value.code == "evaluation.indicator_unknown"
    with pytest.raises(ValidationError):
        measure(history, "filed", DAY, "planet:earth")


def test_targets_are_measured_and_keep_their_status(history: Engine):
    rate = measure(history, "closure_rate", DAY)
    assert rate is not None
    targets.set_target(
        history, indicator_name="结案率", period=DAY, comparator=">=", target=rate - 1
    )
    targets.set_target(
        history, indicator_name="on_time_closure_rate", period=DAY, comparator=">=", target=100
    )
    targets.set_target(
        history, indicator_name="closure_rate", period="2024-10", comparator=">=", target=95
    )
    rows = {(t.indicator, t.period): t for t in targets.measure_targets(history)}
    assert rows[("closure_rate", DAY)].status.value == "met"
    assert rows[("closure_rate", DAY)].measured == pytest.approx(rate)
    assert rows[("on_time_closure_rate", DAY)].status.value == "not_met"
    assert rows[("closure_rate", "2024-10")].status.value == "no_data"
    # Setting it again changes the target and forgets the old measurement.
    t = targets.set_target(
        history, indicator_name="closure_rate", period=DAY, comparator="<", target=10
    )
    assert t.status is None and len(targets.list_targets(history, DAY)) == 2
    with pytest.raises(ValidationError):
        targets.set_target(
            history, indicator_name="closure_rate", period=DAY, comparator=">=", target=120
        )


def test_district_assessment_ranks_within_groups_and_keeps_history(history: Engine):
    items = [
        AssessmentItem("closure", "结案率", ItemSource.PLATFORM, 60, "closure_rate"),
        AssessmentItem("survey", "群众满意度测评", ItemSource.SURVEY, 40),
    ]
    assessment.create_scheme(
        history, "城市管理综合考评", items, {"370102": "城区", "370103": "城区"}
    )
    with pytest.raises(ValidationError):
        assessment.create_scheme(history, "城市管理综合考评", items)
    assessment.enter_values(
        history,
        "城市管理综合考评",
        DAY,
        "survey",
        {"370102": 80, "370103": 95},
        source_note="第三方",
    )
    with pytest.raises(ValidationError):
        assessment.enter_values(history, "城市管理综合考评", DAY, "closure", {"370102": 80})
    results = {
        r.district_code: r for r in assessment.run_assessment(history, "城市管理综合考评", DAY)
    }
    closure = RATES["closure_rate"].value(reference(history, DAY)[("district", "370102")])
    assert closure is not None
    assert results["370102"].score == pytest.approx(round((60 * closure + 40 * 80) / 100, 2))
    assert results["370103"].score == pytest.approx(38.0) and results["370103"].missing == (
        "closure",
    )
    assert results["370102"].group == "城区" and results["370102"].rank_in_group == 1
    assessment.enter_values(history, "城市管理综合考评", DAY, "survey", {"370103": 100})
    assessment.run_assessment(history, "城市管理综合考评", DAY)
    rows = assessment.history(history, "城市管理综合考评", "370103")
    assert [(r["period"], r["version"], r["score"]) for r in rows] == [(DAY, 2, 40.0)]


def test_case_lists_and_the_overdue_list(history: Engine, tmp_path: Path):
    p = EvalPeriod.parse(DAY)
    lo, hi = p.utc_bounds()
    with history.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(cases)
            .where(cases.c.reported_at >= lo, cases.c.reported_at < hi)
        ).scalar_one()
        overdue = overdue_case_ids(conn, lo, hi)
    assert export_cases(history, tmp_path / "cases.csv", CaseFilter(period=DAY)) == n
    with (tmp_path / "cases.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["案卷编号", "上报时间", "来源渠道"] and len(rows) == n + 1
    listed = case_rows(history, CaseFilter(period=DAY, overdue_at_end=True))
    assert len(listed) == len(overdue) == reference(history, DAY)[("city", "*")].get("overdue", 0)
    hotline = case_rows(history, CaseFilter(period=DAY, channels=["hotline"], states=["closed"]))
    assert all(r["channel"] == "12345热线" and r["state"] == "已结案" for r in hotline)
    assert export_cases(history, tmp_path / "cases.xlsx", CaseFilter(period=DAY, limit=3)) == 3
    with pytest.raises(ValidationError):
        export_cases(history, tmp_path / "cases.pdf")
    with pytest.raises(ValidationError):
        case_rows(history, CaseFilter(states=["lost"]))


def test_the_command_line_writes_json_xlsx_and_docx(history: Engine, tmp_path: Path, monkeypatch):
    from cityops.cli.main import app

    use_database(history, tmp_path, monkeypatch)
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "--period", DAY, "--format", "json", "--no-compare"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["objects"]["city"][0]["counts"] == {
        k: reference(history, DAY)[("city", "*")].get(k, 0)
        for k in doc["objects"]["city"][0]["counts"]
    }
    for fmt in ("xlsx", "docx"):
        out = tmp_path / f"eval.{fmt}"
        result = runner.invoke(
            app, ["eval", "--period", DAY, "--format", fmt, "--output", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    bad = runner.invoke(app, ["eval", "--period", "2025-13"])
    assert bad.exit_code == 2 and "evaluation.period_invalid" in bad.output
    result = runner.invoke(
        app, ["eval", "targets", "set", "--indicator", "结案率", "--period", DAY, "--target", "90"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["eval", "targets", "measure", "--period", DAY])
    assert result.exit_code == 0 and "结案率" in result.output


def test_the_work_plan_registry_can_measure_evaluation_indicators(history: Engine):
    from cityops.domain.workplan.period import Period
    from cityops.services.evaluation.indicators import register_into
    from cityops.services.workplan.figures import default_registry

    registry = default_registry()
    assert register_into(registry) > 40
    value = registry.evaluate("evaluation.closure_rate", history, Period.parse("2025-10"))
    want = measure(history, "closure_rate", "2025-10")
    assert value is not None and want is not None
    assert float(value) == pytest.approx(want)


def test_the_assessment_and_case_list_commands(history: Engine, tmp_path: Path, monkeypatch):
    from cityops.cli.main import app

    use_database(history, tmp_path, monkeypatch)
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(
        'name = "考评"\n'
        '[[items]]\ncode = "closure"\nsource = "platform"\n'
        'indicator = "closure_rate"\nweight = 50\n'
        '[[items]]\ncode = "survey"\nsource = "survey"\nweight = 50\n'
        '[groups]\n"370102" = "城区"\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    for args in (
        ["eval", "assess", "scheme", str(scheme)],
        [
            "eval",
            "assess",
            "enter",
            "--scheme",
            "考评",
            "--period",
            DAY,
            "--item",
            "survey",
            "--values",
            "370102=90",
        ],
        ["eval", "assess", "run", "--scheme", "考评", "--period", DAY],
        ["eval", "assess", "history", "--scheme", "考评"],
        ["eval", "cases", "--period", DAY, "--overdue", "--output", str(tmp_path / "overdue.csv")],
        ["eval", "indicators"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    rows = {r["district_code"]: r for r in assessment.history(history, "考评")}
    assert rows["370102"]["group"] == "城区" and rows["370102"]["rank_in_group"] == 1
    with (tmp_path / "overdue.csv").open(encoding="utf-8-sig") as fh:
        assert len(list(csv.reader(fh))) - 1 == reference(history, DAY)[("city", "*")].get(
            "overdue", 0
        )
    bad = runner.invoke(
        app,
        [
            "eval",
            "assess",
            "enter",
            "--scheme",
            "考评",
            "--period",
            DAY,
            "--item",
            "survey",
            "--values",
            "370102=abc",
        ],
    )
    assert bad.exit_code == 2 and "assessment.value_invalid" in bad.output
