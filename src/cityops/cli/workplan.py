"""`cityops workplan …`: the year's task ledger (工作要点责任清单) from the command line."""

from __future__ import annotations

import getpass
import json
import mimetypes
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from cityops.errors import CityopsError, ValidationError

err = Console(stderr=True)


def _console() -> Console:
    """Output to a terminal fits its width; output to a file or pipe is not cut at 80."""
    return Console(width=None if sys.stdout.isatty() else 200)


app = typer.Typer(
    help="工作要点责任清单 The year's work plan: parse, import, report progress, supervise, print.",
    no_args_is_help=True,
)


def register(main: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    main.add_typer(app, name="workplan")


class OutputFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except CityopsError as exc:
        err.print(f"[bold red]错误[/] {exc.code}: {exc.message}")
        for key, value in exc.details.items():
            err.print(f"  {key}: {value}")
        raise typer.Exit(2) from None


def _engine() -> Any:
    from cityops.adapters.db.engine import make_engine
    from cityops.adapters.db.migrate import is_up_to_date, upgrade
    from cityops.config import get_settings

    engine = make_engine(get_settings().resolved_database_url())
    if not is_up_to_date(engine):
        err.print("数据库结构不是最新，正在迁移 migrating the database …")
        upgrade(engine)
    return engine


def _zone(engine: Any) -> ZoneInfo:
    """The city's time zone: the active profile's (Asia/Shanghai before one is installed)."""
    from cityops.services.workplan import city_time_zone

    return ZoneInfo(city_time_zone(engine))


def _today(engine: Any) -> date:
    return datetime.now(UTC).astimezone(_zone(engine)).date()


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "workplan.date.invalid", f"日期应写成“2025-06-30”，收到“{text}”"
        ) from None


ActorOpt = Annotated[str | None, typer.Option(help="操作人 Who does this (default: login name)")]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="统计日期 YYYY-MM-DD (default: today)")
]


@app.command("parse")
def parse_cmd(
    file: Annotated[Path, typer.Argument(help=".txt, .docx or .pdf")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    """解析计划（不入库） Parse a plan and print issuer, year and tasks."""
    from cityops.domain.workplan.parser import parse_plan
    from cityops.services.workplan import read_document

    with _errors():
        document = read_document(file)
        plan = parse_plan(document.lines, wrapped=document.wrapped)
    if format is OutputFormat.JSON:
        typer.echo(json.dumps(plan.to_dict(), ensure_ascii=False, indent=2))
        return
    _console().print(
        f"[bold]{plan.title or file.name}[/]  发文单位 {plan.issuer or '（未识别）'}  "
        f"年度 {plan.year or '（未识别）'}  任务层级 {plan.task_level or '—'}"
    )
    for note in plan.notes:
        _console().print(f"[dim]{note}[/]")
    table = Table("序号", "标题", "牵头单位", "责任单位", "目标", "时限", show_lines=True)
    for t in plan.tasks:
        table.add_row(
            t.label,
            t.title or "[red]（未识别）[/]",
            "、".join(t.lead_units),
            "、".join(t.responsible_units),
            "\n".join(
                f"{g.subject} {g.comparator.value} {g.to_dict()['value']}{g.unit}"
                for g in t.targets
            ),
            "、".join(d.text for d in t.deadlines),
        )
    _console().print(table)
    _console().print(" ".join(f"{k}={v}" for k, v in plan.figures().items()))
    for u in plan.unparsed:
        _console().print(
            f"[yellow]未识别[/] {u.kind.value} 任务{u.task_seq or '—'} {u.note}：{u.text[:80]}"
        )


def _known_units(
    engine: Any, units_csv: Path | None
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Units to match: a CSV (code,name[,alias;alias…]) if given, else the active city
    profile's units, else none."""
    if units_csv is not None:
        from cityops.services.workplan.preview import read_units_csv

        if not units_csv.is_file():
            raise ValidationError(
                "workplan.file_missing", f"找不到文件：{units_csv}", path=str(units_csv)
            )
        return read_units_csv(units_csv.name, units_csv.read_bytes())
    try:
        from cityops.services.profile import active_profile

        profile = active_profile(engine)
    except (ImportError, CityopsError):
        return [], {}
    return [(u.code, u.name) for u in profile.units.values()], {}


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help=".txt, .docx or .pdf")],
    units: Annotated[
        Path | None,
        typer.Option(
            help="CSV of known units: code,name[,alias;alias] (default: the city profile's)"
        ),
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """导入计划到责任清单 Import a plan into the ledger."""
    from cityops.services.workplan import import_plan_file

    with _errors():
        engine = _engine()
        known, aliases = _known_units(engine, units)
        result = import_plan_file(
            engine, file, actor=_actor(actor), known_units=known, aliases=aliases
        )
    figures = result.parsed.figures()
    _console().print(
        f"已导入计划 [bold]{result.plan_id}[/]：{result.parsed.title}（{result.parsed.issuer}，"
        f"{result.parsed.year}年），任务{figures['tasks']}项，指标{figures['targets']}个，"
        f"时限{figures['deadlines']}处，未识别{figures['unparsed']}处"
    )
    matched = [m for m in result.matches if m.code]
    _console().print(f"单位匹配 {len(matched)}/{len(result.matches)}")
    for m in result.matches:
        if m.code is None:
            extra = f"（候选 {', '.join(m.candidates)}）" if m.candidates else ""
            _console().print(f"  [dim]{m.name}: {m.how.value}{extra}[/]")


@app.command("list")
def list_cmd() -> None:
    """列出已导入的计划 List imported plans."""
    from cityops.services.workplan import list_plans

    with _errors():
        engine = _engine()
        plans = list_plans(engine)
        zone = _zone(engine)
    table = Table("编号", "标题", "发文单位", "年度", "任务", "未识别", "来源文件", "导入时间")
    for p in plans:
        table.add_row(
            str(p.id),
            p.title or "",
            p.issuer or "",
            str(p.year),
            str(p.tasks),
            str(p.unparsed),
            p.source_name,
            p.imported_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        )
    _console().print(table)


@app.command("tasks")
def tasks_cmd(
    plan_id: Annotated[int, typer.Argument(help="计划编号 plan id")],
    as_of: AsOfOpt = None,
) -> None:
    """列出计划的任务与状态 Tasks of a plan with their status (task ids for `report`)."""
    from cityops.services.workplan import load_ledger

    with _errors():
        engine = _engine()
        ledger = load_ledger(engine, plan_id, _parse_date(as_of) or _today(engine))
    table = Table("任务ID", "序号", "标题", "牵头单位", "完成时限", "状态", "进度", "督办")
    for t in ledger.tasks:
        table.add_row(
            str(t.id),
            t.label,
            t.heading,
            "、".join(t.lead_units),
            t.due.isoformat(),
            t.status.status.label_zh,
            f"{t.status.percent}%",
            "是" if t.supervised else "",
        )
    _console().print(table)
    _console().print("，".join(f"{s.label_zh}{n}项" for s, n in ledger.counts().items()))


class RoleOpt(StrEnum):
    LEAD = "lead"
    RESPONSIBLE = "responsible"


@app.command("assign")
def assign_cmd(
    task_id: Annotated[int, typer.Argument(help="任务ID (see `workplan tasks`)")],
    name: Annotated[str, typer.Argument(help="计划中的单位名称 the unit name as written")],
    codes: Annotated[
        list[str] | None, typer.Argument(help="平台单位编码 platform unit codes (none: unmatch)")
    ] = None,
    role: Annotated[
        RoleOpt | None, typer.Option(help="牵头/责任 (required for a name the task lacks)")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="统称展开为该类全部单位 every unit of a kind: district, street, …"),
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """认定责任单位 Assign (or fix) the platform units of a task's unit name."""
    from cityops.domain.catalog.model import UnitKind
    from cityops.domain.workplan.model import Role
    from cityops.services.profile import active_profile
    from cityops.services.workplan import assign_task_units

    with _errors():
        if kind is not None and kind not in {k.value for k in UnitKind}:
            raise ValidationError(
                "workplan.assign.kind_unknown",
                f"单位类别“{kind}”无效，可用：{', '.join(k.value for k in UnitKind)}",
                kind=kind,
            )
        engine = _engine()
        units = active_profile(engine).units
        result = assign_task_units(
            engine,
            task_id,
            name=name,
            codes=codes or [],
            role=Role(role.value) if role else None,
            kind=UnitKind(kind) if kind else None,
            units=units,
            actor=_actor(actor),
        )

    def named(codes: tuple[str, ...]) -> str:
        return "、".join(f"{units[c].name}（{c}）" if c in units else c for c in codes) or "—"

    roles = "、".join("牵头单位" if r.value == "lead" else "责任单位" for r in result.roles)
    if not result.changed:
        _console().print(
            f"未改变：任务{task_id}的“{result.name}”（{roles}）已是 {named(result.after)}"
        )
        return
    _console().print(
        f"已认定：任务{task_id}的“{result.name}”（{roles}）"
        f"{named(result.before)} → {named(result.after)}"
    )


@app.command("report")
def report_cmd(
    task_id: Annotated[int, typer.Argument(help="任务ID (see `workplan tasks`)")],
    percent: Annotated[int, typer.Option("--percent", help="完成进度 0-100")],
    text: Annotated[str, typer.Option("--text", help="本月工作进展")],
    unit: Annotated[str | None, typer.Option(help="报送单位 (default: the lead unit)")] = None,
    month: Annotated[str | None, typer.Option(help="月份 YYYY-MM (default: this month)")] = None,
    file: Annotated[
        list[Path] | None, typer.Option("--file", help="佐证材料 evidence file")
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """报送月度进展 Report a task's progress for a month."""
    from cityops.config import get_settings
    from cityops.domain.workplan.progress import Month
    from cityops.services.workplan import Evidence, evidence_store, report_progress

    with _errors():
        settings = get_settings()
        evidence = []
        for path in file or []:
            if not path.is_file():
                raise ValidationError(
                    "workplan.file_missing", f"找不到文件：{path}", path=str(path)
                )
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            evidence.append(Evidence(path.name, path.read_bytes(), mime))
        report_id = report_progress(
            _engine(),
            task_id,
            percent=percent,
            text=text,
            actor=_actor(actor),
            unit=unit,
            month=Month.parse(month) if month else None,
            files=evidence,
            store=evidence_store(settings),
        )
    _console().print(f"已报送进展（报送编号{report_id}），佐证材料{len(evidence)}份")


@app.command("supervise")
def supervise_cmd(
    task_id: Annotated[int, typer.Argument(help="任务ID")],
    leader: Annotated[str, typer.Option(help="督办领导（打印的姓名）")],
    note: Annotated[str, typer.Option(help="督办要求")],
    due: Annotated[str | None, typer.Option(help="督办期限 YYYY-MM-DD")] = None,
    actor: ActorOpt = None,
) -> None:
    """领导督办（挂旗督办） A leader supervises a task."""
    from cityops.services.workplan import supervise_task

    with _errors():
        sid = supervise_task(
            _engine(),
            task_id,
            actor=_actor(actor),
            leader=leader,
            note=note,
            due=_parse_date(due),
        )
    _console().print(f"已督办（督办编号{sid}）")


@app.command("lift")
def lift_cmd(
    supervision_id: Annotated[int, typer.Argument(help="督办编号")],
    by: Annotated[str | None, typer.Option(help="解除人（打印的姓名）")] = None,
    note: Annotated[str, typer.Option(help="说明")] = "",
    actor: ActorOpt = None,
) -> None:
    """解除督办 Lift a supervision."""
    from cityops.services.workplan import lift_supervision

    with _errors():
        lift_supervision(_engine(), supervision_id, actor=_actor(actor), by=by, note=note)
    _console().print("已解除督办")


@app.command("reminders")
def reminders_cmd(
    plan_id: Annotated[int, typer.Argument(help="计划编号")],
    as_of: AsOfOpt = None,
) -> None:
    """提醒清单：逾期、即将到期、本月未报送、督办 Reminders of a plan."""
    from cityops.services.workplan import plan_reminders

    with _errors():
        engine = _engine()
        items = plan_reminders(engine, plan_id, _parse_date(as_of) or _today(engine))
    table = Table("类别", "任务ID", "提醒", "责任单位")
    for r in items:
        table.add_row(r.kind.label_zh, str(r.task_id), r.message, "、".join(r.units))
    _console().print(table)
    _console().print(f"共{len(items)}条提醒")


def _write(out: Path, writer: Callable[[Path], None], what: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    writer(out)
    _console().print(f"已生成{what}：{out}")


@app.command("ledger")
def ledger_cmd(
    plan_id: Annotated[int, typer.Argument(help="计划编号")],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="输出文件 .xlsx")],
    as_of: AsOfOpt = None,
) -> None:
    """导出责任清单 (.xlsx) Write the responsibility list."""
    from cityops.reports.workplan_ledger import write_ledger_xlsx
    from cityops.services.workplan import load_ledger, plan_unparsed

    with _errors():
        engine = _engine()
        ledger = load_ledger(engine, plan_id, _parse_date(as_of) or _today(engine))
        unparsed = plan_unparsed(engine, plan_id)
    _write(xlsx, lambda p: write_ledger_xlsx(ledger, p, unparsed), "责任清单")


@app.command("bulletin")
def bulletin_cmd(
    plan_id: Annotated[int, typer.Argument(help="计划编号")],
    month: Annotated[str, typer.Option(help="月份 YYYY-MM")],
    docx: Annotated[Path, typer.Option("--docx", help="输出文件 .docx")],
) -> None:
    """生成月度推进情况通报 (.docx) Write the monthly progress bulletin."""
    from cityops.domain.workplan.progress import Month
    from cityops.reports.workplan_bulletin import write_bulletin_docx
    from cityops.services.workplan import load_ledger

    with _errors():
        m = Month.parse(month)
        engine = _engine()
        today = _today(engine)
        ledger = load_ledger(engine, plan_id, min(m.last_day, max(today, m.first_day)))
    _write(docx, lambda p: write_bulletin_docx(ledger, m, p), "月度通报")


@app.command("figures")
def figures_cmd() -> None:
    """可关联的平台指标 Platform figures a target can be linked to."""
    from cityops.services.workplan import platform_registry

    table = Table("名称", "单位", "说明")
    for f in platform_registry().figures():
        table.add_row(f.name, f.unit, f.description)
    _console().print(table)


@app.command("link")
def link_cmd(
    target_id: Annotated[int, typer.Argument(help="指标ID")],
    figure: Annotated[
        str, typer.Argument(help="平台指标名称 (see `workplan figures`); '-' removes")
    ],
    actor: ActorOpt = None,
) -> None:
    """把目标关联到平台指标 Let a platform figure measure a target."""
    from cityops.services.workplan import link_target, platform_registry

    with _errors():
        link_target(
            _engine(),
            target_id,
            None if figure == "-" else figure,
            registry=platform_registry(),
            actor=_actor(actor),
        )
    _console().print("已关联" if figure != "-" else "已取消关联")


@app.command("measure")
def measure_cmd(
    plan_id: Annotated[int, typer.Argument(help="计划编号")],
    period: Annotated[str, typer.Option(help="统计期 YYYY-MM or YYYY")],
    actor: ActorOpt = None,
) -> None:
    """计算已关联指标的实际值 Measure the linked targets over a period."""
    from cityops.domain.workplan.period import Period
    from cityops.services.workplan import measure_targets, platform_registry

    with _errors():
        engine = _engine()
        results = measure_targets(
            engine,
            plan_id,
            Period.parse(period, _zone(engine).key),
            registry=platform_registry(),
            actor=_actor(actor),
        )
    table = Table("指标ID", "平台指标", "实际值")
    for m in results:
        table.add_row(str(m.target_id), m.figure, "—" if m.value is None else str(m.value))
    _console().print(table)
