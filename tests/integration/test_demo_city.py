"""`cityops demo`: the demo city's activity brought up to now — cases, hotline orders, the
classifier, the sample work plan — and carried on at a later start without doing anything
twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.cases import case_events, cases
from cityops.adapters.db.tables.hotline import hotline_models, hotline_orders
from cityops.adapters.db.tables.iot import iot_devices, iot_readings
from cityops.adapters.db.tables.workplan import (
    workplan_reports,
    workplan_supervisions,
    workplan_targets,
    workplan_tasks,
    workplans,
)
from cityops.config import Settings
from cityops.domain.cases.vocabulary import OPEN_STATES
from cityops.services.accounts import install_demo_accounts
from cityops.services.demo import install_demo_activity
from cityops.services.geography import install_demo_geography
from cityops.services.iot.demo_sensors import DEMO_KINDS
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import bootstrap
from cityops.services.simulation.live import LiveCity

NOW = datetime(2026, 6, 17, 7, 30, tzinfo=UTC)  # a Wednesday, 15:30 in the city


def _count(engine: Engine, table, *where) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        q = select(func.count()).select_from(table)
        return int(conn.execute(q.where(*where) if where else q).scalar_one())


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def test_the_demo_city_is_brought_up_to_now_and_carried_on_later(engine: Engine, tmp_path: Path):
    install_profile(engine, demo_profile_path())
    install_demo_geography(engine)
    rt = bootstrap(Settings(var_dir=tmp_path), engine=engine, now=lambda: NOW)
    install_demo_accounts(rt)
    lines = install_demo_activity(rt, days=2, per_day=80, hotline_per_day=40, now=NOW).lines
    assert len(lines) == 5
    reported = _count(engine, cases)
    assert reported > 100
    with engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(case_events.c.at), func.max(case_events.c.at))
        ).one()
    assert NOW - timedelta(days=2) <= first and last <= NOW  # the two days up to now
    assert _count(engine, hotline_orders) > 40
    assert _count(engine, hotline_models) == 1
    assert _count(engine, workplans) == 1
    with engine.connect() as conn:
        title, year = conn.execute(select(workplans.c.title, workplans.c.year)).one()
    assert "示范数据" in title and year == 2026
    assert _count(engine, workplan_tasks) == 12
    # monthly progress for January to May, up to each task's due month
    assert 40 <= _count(engine, workplan_reports) <= 60
    with engine.connect() as conn:
        months = set(conn.execute(select(workplan_reports.c.month)).scalars())
    assert months == {f"2026-0{m}" for m in range(1, 6)}
    assert _count(engine, workplan_supervisions) == 1
    assert _count(engine, workplan_targets, workplan_targets.c.figure.is_not(None)) == 2
    # the demo sensors: placed in the city's grids, with the last day of readings
    assert _count(engine, iot_devices) == sum(k.count for k in DEMO_KINDS.values())
    assert _count(engine, iot_devices, iot_devices.c.grid_code.is_(None)) == 0
    with engine.connect() as conn:
        first_reading, last_reading = conn.execute(
            select(func.min(iot_readings.c.at), func.max(iot_readings.c.at))
        ).one()
    assert NOW - timedelta(hours=24) <= _utc(first_reading) and _utc(last_reading) <= NOW
    readings = _count(engine, iot_readings)
    assert readings > 0.9 * _count(engine, iot_devices) * 95
    assert "登记设备" in lines[4]

    # a later start: only the cases move on, from where they stood
    open_before = _count(engine, cases, cases.c.state.in_([s.value for s in OPEN_STATES]))
    later = NOW + timedelta(hours=6)
    again = install_demo_activity(rt, days=2, per_day=80, hotline_per_day=40, now=later).lines
    assert f"接续在办案卷{open_before}件" in again[0]
    assert all("已" in line for line in again[1:4])  # present: nothing done twice
    assert "登记设备" not in again[4]  # the same devices, their readings carried on
    with engine.connect() as conn:
        newest_reading = conn.execute(select(func.max(iot_readings.c.at))).scalar_one()
    assert NOW < _utc(newest_reading) <= later
    assert _count(engine, iot_readings) > readings
    assert _count(engine, workplans) == 1 and _count(engine, hotline_models) == 1
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(case_events.c.at))).scalar_one()
    assert NOW < newest <= later
    assert _count(engine, cases) > reported

    # served with --live-demo: cases move and the demo sensors report every five minutes
    clock = {"t": later + timedelta(minutes=20)}
    rt.now = lambda: clock["t"]
    live = LiveCity(rt, per_day=80)
    before_live = _count(engine, iot_readings)
    live.tick()
    after_first = _count(engine, iot_readings)
    assert after_first > before_live  # the slots since the last reading
    clock["t"] += timedelta(minutes=2)
    live.tick()
    assert _count(engine, iot_readings) == after_first  # not yet five minutes
    clock["t"] += timedelta(minutes=30)
    live.tick()
    assert _count(engine, iot_readings) > after_first
    with engine.connect() as conn:
        newest_reading = conn.execute(select(func.max(iot_readings.c.at))).scalar_one()
    assert _utc(newest_reading) <= clock["t"]


def test_the_simulate_command_runs_up_to_now_and_resumes_from_the_last_step(
    engine: Engine, tmp_path: Path, monkeypatch
):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cityops.cli.main import app
    from cityops.config import get_settings

    monkeypatch.setenv("CITYOPS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CITYOPS_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["init"]).exit_code == 0
        before = datetime.now(UTC)
        first = runner.invoke(app, ["simulate", "--days", "1", "--per-day", "60"])
        assert first.exit_code == 0, first.output
        with engine.connect() as conn:
            lo, hi = conn.execute(
                select(func.min(case_events.c.at), func.max(case_events.c.at))
            ).one()
        assert before - timedelta(days=1, minutes=1) <= lo and hi <= datetime.now(UTC)
        again = runner.invoke(
            app, ["simulate", "--resume", "--days", "1", "--per-day", "60"], terminal_width=200
        )
        assert again.exit_code == 0, again.output
        assert "open cases taken over" in again.output
    finally:
        get_settings.cache_clear()
