"""`cityops clock …`: working-time deadlines, elapsed time and the calendar of a day.

The calendar is the ``[calendar]`` table of a city profile: the shipped demo city by default,
the deployment's profile (``CITYOPS_PROFILE_DIR``) if set, or ``--profile DIR``.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer

from cityops.domain.clock.calendar import WorkCalendar, calendar_for
from cityops.domain.clock.days import DaySource
from cityops.domain.clock.limits import TimeLimit, parse_unit
from cityops.domain.clock.settings import CalendarSettings, calendar_settings_from_dict
from cityops.errors import CityopsError, ProfileError, ValidationError

DEMO_PROFILE = "data/cities/jinan-demo/city.toml"
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

clock_app = typer.Typer(
    name="clock",
    help="工作时间：期限、已用时间、某日作息 (working-time deadlines and calendar)",
    no_args_is_help=True,
)

ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="城市配置目录（含 city.toml）；默认为内置的济南示例 (city profile directory)",
    ),
]


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(clock_app, name="clock")


# --- input ----------------------------------------------------------------------------------


def _fail(exc: CityopsError) -> NoReturn:
    typer.echo(f"错误 error [{exc.code}]: {exc.message}", err=True)
    raise typer.Exit(2)


def _profile_text(profile: Path | None) -> tuple[str, bytes]:
    if profile is None:
        from cityops.config import get_settings

        profile = get_settings().profile_dir
    if profile is None:
        return "jinan-demo/city.toml", resources.files("cityops").joinpath(
            DEMO_PROFILE
        ).read_bytes()
    path = profile / "city.toml" if profile.is_dir() else profile
    try:
        return str(path), path.read_bytes()
    except OSError as exc:
        raise ProfileError(
            "profile.unreadable",
            f"无法读取城市配置“{path}”：{exc.strerror or exc} (cannot read the city profile)",
            path=str(path),
        ) from None


def load_calendar_settings(profile: Path | None = None) -> CalendarSettings:
    """The ``[calendar]`` table of the city profile, parsed."""
    name, raw = _profile_text(profile)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(
            "profile.toml_invalid", f"“{name}”不是有效的 TOML：{exc} (invalid TOML)", path=name
        ) from None
    table = data.get("calendar")
    if not isinstance(table, dict):
        raise ProfileError(
            "calendar.missing", f"“{name}”缺少 [calendar] 表 (no [calendar] table)", path=name
        )
    try:
        return calendar_settings_from_dict(table)
    except (ValueError, KeyError, TypeError) as exc:
        raise ProfileError(
            "calendar.invalid", f"“{name}”的 [calendar] 有误：{exc} (invalid calendar)", path=name
        ) from None


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """ISO-8601, with or without offset (without: the city's local time)."""
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            "calendar.bad_datetime",
            f"无法识别的时间“{text}”，请使用 ISO-8601，如 2025-10-09T10:00 或 "
            f"2025-10-09T10:00+08:00 (expected ISO-8601)",
            value=text,
        ) from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=zone)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            "calendar.bad_date",
            f"无法识别的日期“{text}”，请使用 YYYY-MM-DD (expected a date such as 2025-10-01)",
            value=text,
        ) from None


def parse_limit(value: str, unit: str) -> TimeLimit:
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(
            "limit.value_invalid",
            f"时限数值必须为正数，收到“{value}” (a positive number)",
            value=value,
        ) from None
    return TimeLimit(number, parse_unit(unit))


def _calendar(profile: Path | None) -> WorkCalendar:
    return calendar_for(load_calendar_settings(profile))


def _official_note(cal: WorkCalendar, *days: date) -> None:
    """Say so when a computation used days the official calendar does not cover."""
    if not cal.settings.official_holidays:
        return
    first, last = cal.official_years
    beyond = sorted({d.year for d in days if not cal.is_official(d)})
    if beyond:
        years = "、".join(str(y) for y in beyond)
        typer.echo(
            f"注意：{years} 年不在官方节假日数据（{first}–{last}）内，"
            "按周一至周五工作并应用本市调整计算 "
            "(note: beyond the official calendar, weekdays work and the city's overrides apply)",
            err=True,
        )


# --- commands -------------------------------------------------------------------------------


@clock_app.command("deadline", context_settings={"ignore_unknown_options": True})
def deadline_command(
    start: Annotated[str, typer.Argument(help="起算时间 ISO-8601，无时区按本市时间")],
    limit: Annotated[str, typer.Argument(help="时限数值，如 4 或 1.5")],
    unit: Annotated[
        str, typer.Argument(help="单位：minutes, hours, days, working_hours, working_days")
    ],
    profile: ProfileOption = None,
) -> None:
    """期限：从 START 起经过 LIMIT UNIT 的时刻 (the deadline of a time limit)."""
    try:
        cal = _calendar(profile)
        begin = parse_instant(start, cal.zone)
        due = cal.deadline(begin, parse_limit(limit, unit)).astimezone(cal.zone)
    except CityopsError as exc:
        _fail(exc)
    typer.echo(due.isoformat())
    _official_note(cal, cal.local(begin).date(), due.date())


@clock_app.command("elapsed")
def elapsed_command(
    start: Annotated[str, typer.Argument(help="开始时间 ISO-8601")],
    end: Annotated[str, typer.Argument(help="结束时间 ISO-8601")],
    working: Annotated[bool, typer.Option("--working", help="只计工作时间")] = False,
    profile: ProfileOption = None,
) -> None:
    """已用时间（秒）：START 到 END 之间的自然或工作时间 (elapsed seconds)."""
    try:
        cal = _calendar(profile)
        a, b = parse_instant(start, cal.zone), parse_instant(end, cal.zone)
        seconds = cal.elapsed(a, b, working)
    except CityopsError as exc:
        _fail(exc)
    hours, rest = divmod(seconds, 3600)
    typer.echo(f"{seconds} s ({hours}:{rest // 60:02d}:{rest % 60:02d})")
    if working:
        _official_note(cal, cal.local(a).date(), cal.local(b).date())


_SOURCE_ZH = {
    DaySource.OFFICIAL: "国务院节假日安排 (official calendar)",
    DaySource.WEEKDAY_RULE: "周一至周五工作 (weekday rule)",
    DaySource.OVERRIDE: "本市调整 (city override)",
}


@clock_app.command("day")
def day_command(
    day: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")],
    profile: ProfileOption = None,
) -> None:
    """某日：是否工作日、依据、作息时段 (is DAY a working day, and its working hours)."""
    try:
        cal = _calendar(profile)
        plan = cal.day(parse_date(day))
    except CityopsError as exc:
        _fail(exc)
    status = "工作日 working day" if plan.working else "休息日 rest day"
    extra = []
    if plan.makeup:
        extra.append("调休上班")
    if plan.holiday:
        extra.append(plan.holiday)
    if plan.note:
        extra.append(plan.note)
    suffix = f"（{'，'.join(extra)}）" if extra else ""
    typer.echo(f"{plan.day.isoformat()} {WEEKDAYS_ZH[plan.day.weekday()]} {status}{suffix}")
    typer.echo(f"依据 source: {_SOURCE_ZH[plan.source]}")
    if plan.working:
        spans = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in plan.intervals)
        table = plan.timetable or "本市调整"
        typer.echo(f"作息 timetable: {table}  {spans} ({cal.settings.time_zone})")
    _official_note(cal, plan.day)
