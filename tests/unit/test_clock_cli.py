"""``cityops clock deadline | elapsed | day``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.cli.main import app
from cityops.config import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _demo_profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Use the shipped demo city unless a test says otherwise."""
    monkeypatch.delenv("CITYOPS_PROFILE_DIR", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


CITY_2027 = """
city_code = "370100"
[calendar]
time_zone = "Asia/Shanghai"
working_day_hours = 7.5
[[calendar.timetables]]
name = "冬季作息"
intervals = ["08:30-12:00", "13:30-17:30"]
[[calendar.overrides]]
date = 2027-01-01
working = false
note = "元旦"
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Tue 30 Sep 2025 (summer) 16:00–18:00 = 2 h; 1–8 Oct off; Thu 9 Oct 08:30 + 2 h
        (["2025-09-30T16:00", "4", "working_hours"], "2025-10-09T10:30:00+08:00"),
        # the same start given in UTC
        (["2025-09-30T08:00:00Z", "4", "working_hours"], "2025-10-09T10:30:00+08:00"),
        # 1 working day from Thu 9 Oct 2025 10:00: 2 + 4 h that day, 08:30 + 1.5 h on Fri
        (["2025-10-09T10:00", "1", "working_days"], "2025-10-10T10:00:00+08:00"),
        # natural units run through the holiday
        (["2025-09-30T16:00", "3", "days"], "2025-10-03T16:00:00+08:00"),
        (["2025-09-30T16:00", "90", "minutes"], "2025-09-30T17:30:00+08:00"),
        (["2025-09-30T16:00", "1.5", "hours"], "2025-09-30T17:30:00+08:00"),
        # a Chinese unit name is accepted too
        (["2025-11-12T08:30", "3.5", "工作时"], "2025-11-12T12:00:00+08:00"),
    ],
)
def test_deadline(args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["clock", "deadline", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == expected


def test_deadline_beyond_the_official_calendar_says_so() -> None:
    # Thu 31 Dec 2026 17:00–17:30, then Fri 1 Jan 2027 works by the weekday rule
    result = runner.invoke(app, ["clock", "deadline", "2026-12-31T17:00", "1", "working_hours"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "2027-01-01T09:00:00+08:00"
    assert "2027" in result.stderr and "官方节假日数据" in result.stderr


def test_deadline_with_a_profile_directory(tmp_path: Path) -> None:
    (tmp_path / "city.toml").write_text(CITY_2027, encoding="utf-8")
    # 1 Jan 2027 declared a holiday: Thu 31 Dec 17:00–17:30, Mon 4 Jan 08:30 + 0.5 h
    result = runner.invoke(
        app,
        ["clock", "deadline", "2026-12-31T17:00", "1", "working_hours", "--profile", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2027-01-04T09:00:00+08:00"


def test_profile_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "city.toml").write_text(CITY_2027, encoding="utf-8")
    monkeypatch.setenv("CITYOPS_PROFILE_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["clock", "deadline", "2026-12-31T17:00", "1", "working_hours"])
    assert result.stdout.strip() == "2027-01-04T09:00:00+08:00"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["deadline", "2025-13-01T10:00", "4", "hours"], "calendar.bad_datetime"),
        (["deadline", "yesterday", "4", "hours"], "calendar.bad_datetime"),
        (["deadline", "2025-10-09T10:00", "four", "hours"], "limit.value_invalid"),
        (["deadline", "2025-10-09T10:00", "-4", "hours"], "limit.value_invalid"),
        (["deadline", "2025-10-09T10:00", "0", "hours"], "limit.value_invalid"),
        (["deadline", "2025-10-09T10:00", "4", "fortnights"], "limit.unit_unknown"),
        (["deadline", "2025-10-09T10:00", "1e9", "working_days"], "calendar.out_of_range"),
        (
            ["deadline", "2025-10-09T10:00", "4", "hours", "--profile", "/no/such/dir"],
            "profile.unreadable",
        ),
        (["elapsed", "2025-10-09T10:00", "later"], "calendar.bad_datetime"),
        (["day", "2025-02-30"], "calendar.bad_date"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], code: str) -> None:
    result = runner.invoke(app, ["clock", *args])
    assert result.exit_code == 2
    assert code in result.stderr and "错误" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("[calendar\n", "profile.toml_invalid"),
        ('city_code = "370100"\n', "calendar.missing"),
        ("[calendar]\ntimetables = []\n", "calendar.invalid"),
    ],
)
def test_bad_profile_exits_2(tmp_path: Path, content: str, code: str) -> None:
    (tmp_path / "city.toml").write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["clock", "day", "2025-10-01", "--profile", str(tmp_path)])
    assert result.exit_code == 2
    assert code in result.stderr


def test_elapsed() -> None:
    # Tue 30 Sep (summer) 08:30–12:00 + 14:00–18:00 = 7.5 h; Thu 9 Oct 08:30–12:00 = 3.5 h
    working = runner.invoke(
        app, ["clock", "elapsed", "2025-09-30T08:00", "2025-10-09T12:00", "--working"]
    )
    assert working.exit_code == 0
    assert working.stdout.strip() == "39600 s (11:00:00)"
    natural = runner.invoke(app, ["clock", "elapsed", "2025-09-30T08:00", "2025-10-01T09:30"])
    assert natural.stdout.strip() == "91800 s (25:30:00)"


@pytest.mark.parametrize(
    ("day", "lines"),
    [
        (
            "2025-10-11",
            [
                "2025-10-11 星期六 工作日 working day（调休上班，国庆节）",
                "依据 source: 国务院节假日安排 (official calendar)",
                "作息 timetable: 冬季作息  08:30–12:00, 13:30–17:30 (Asia/Shanghai)",
            ],
        ),
        (
            "2025-10-03",
            [
                "2025-10-03 星期五 休息日 rest day（国庆节）",
                "依据 source: 国务院节假日安排 (official calendar)",
            ],
        ),
        (
            "2025-07-16",
            [
                "2025-07-16 星期三 工作日 working day",
                "依据 source: 国务院节假日安排 (official calendar)",
                "作息 timetable: 夏季作息  08:30–12:00, 14:00–18:00 (Asia/Shanghai)",
            ],
        ),
    ],
)
def test_day(day: str, lines: list[str]) -> None:
    result = runner.invoke(app, ["clock", "day", day])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == lines


def test_day_beyond_the_official_calendar() -> None:
    result = runner.invoke(app, ["clock", "day", "2027-10-01"])
    assert result.exit_code == 0
    assert "周一至周五工作 (weekday rule)" in result.stdout
    assert "官方节假日数据（2004–2026）" in result.stderr
