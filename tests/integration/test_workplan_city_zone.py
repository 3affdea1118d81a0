"""The ledger counts months and periods in the city's time zone, taken from the active city
profile (Asia/Shanghai before one is installed). On SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from cityops.services import workplan as wp
from cityops.services.profile import demo_profile_path, install_profile

# 23:30 on 30 June in Urumqi (UTC+6), already 01:30 on 1 July in Shanghai (UTC+8).
LATE_JUNE = datetime(2025, 6, 30, 17, 30, tzinfo=UTC)
PLAN = "\n".join(
    [
        "某市城市管理局",
        "2025年工作要点",
        "一、市容",
        "1. 规范摊区设置。年底前完成。（牵头单位：市容管理科）",
    ]
)


def profile_in_zone(tmp_path: Path, zone: str) -> Path:
    """The demo city's profile with another time zone."""
    path = tmp_path / "city"
    shutil.copytree(demo_profile_path(), path)
    toml = (path / "city.toml").read_text(encoding="utf-8")
    assert 'time_zone = "Asia/Shanghai"' in toml
    (path / "city.toml").write_text(
        toml.replace('time_zone = "Asia/Shanghai"', f'time_zone = "{zone}"'), encoding="utf-8"
    )
    return path


def report_without_month(engine: Engine) -> str:
    plan_id = wp.import_document(
        engine, wp.read_bytes("plan.txt", PLAN.encode()), actor="t", now=LATE_JUNE
    ).plan_id
    [task] = wp.load_ledger(engine, plan_id, LATE_JUNE.date()).tasks
    rid = wp.report_progress(engine, task.id, percent=50, text="过半", actor="t", now=LATE_JUNE)
    return wp.lookups.report(engine, rid).month


def test_without_a_profile_the_month_is_counted_in_shanghai(engine: Engine) -> None:
    assert wp.city_time_zone(engine) == "Asia/Shanghai"
    assert report_without_month(engine) == "2025-07"


def test_the_month_of_a_report_is_counted_in_the_profile_zone(
    engine: Engine, tmp_path: Path
) -> None:
    install_profile(engine, profile_in_zone(tmp_path, "Asia/Urumqi"))
    assert wp.city_time_zone(engine) == "Asia/Urumqi"
    assert report_without_month(engine) == "2025-06"
