"""`cityops eval`: evaluation of a period (json, xlsx ledgers or the docx bulletin),
indicator targets, the district comprehensive assessment and case-list exports."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cityops.errors import CityopsError, ValidationError

console = Console()
err = Console(stderr=True)

eval_app = typer.Typer(
    help="综合评价 Evaluation: `cityops eval --period 2025-10 --format json|xlsx|docx --output F`.",
    invoke_without_command=True,
)
targets_app = typer.Typer(help="指标目标 Indicator targets.", no_args_is_help=True)
assess_app = typer.Typer(help="综合考评 District comprehensive assessment.", no_args_is_help=True)
eval_app.add_typer(targets_app, name="targets")
eval_app.add_typer(assess_app, name="assess")

FORMATS = ("json", "xlsx", "docx")


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")


def _fail(exc: CityopsError) -> None:
    err.print(f"[bold red]错误[/] {exc.code}: {exc.message}")
    for key, value in exc.details.items():
        err.print(f"  {key}: {value}")
    raise typer.Exit(2)


def _engine() -> Any:
    from cityops.services.runtime import bootstrap

    return bootstrap().engine


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@eval_app.callback()
def evaluate_period(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option(help="2025-10, 2025-Q3, 2025, 2025-W40, 2025-10-05 or 2025-10-01..2025-10-15"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json | xlsx | docx")] = "json",
    output: Annotated[Path | None, typer.Option(help="Output file (json: default stdout)")] = None,
    compare: Annotated[bool, typer.Option(help="Compute 环比 and 同比 (two more periods)")] = True,
) -> None:
    """综合评价：计算一个期间内全部对象的指标、综合得分、等级和排名。"""
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        err.print("请用 --period 指定期间，例如 --period 2025-10")
        raise typer.Exit(2)
    try:
        if fmt not in FORMATS:
            raise ValidationError(
                "evaluation.format_invalid", "输出格式应为 json、xlsx 或 docx", format=fmt
            )
        if fmt != "json" and output is None:
            raise ValidationError("evaluation.output_required", f"{fmt} 格式需要 --output 文件")
        _run(period, fmt, output, compare)
    except CityopsError as exc:
        _fail(exc)


def _run(period: str, fmt: str, output: Path | None, compare: bool) -> None:
    from cityops.services.evaluation.evaluate import evaluate

    engine = _engine()
    with _progress() as progress:
        task = progress.add_task(f"评价 evaluating {period}", total=None)
        ev = evaluate(engine, period, compare=compare)
        progress.update(task, description="写出 writing")
        if fmt == "json":
            text = json.dumps(ev.to_dict(), ensure_ascii=False, indent=2)
            if output is None:
                sys.stdout.write(text + "\n")
            else:
                output.write_text(text + "\n", encoding="utf-8")
        elif fmt == "xlsx":
            from cityops.reports.evaluation_xlsx import evaluation_workbook
            from cityops.services.evaluation.case_lists import (
                CaseFilter,
                as_table,
                case_rows,
                column_widths,
            )

            assert output is not None
            cases = as_table(case_rows(engine, CaseFilter(period=ev.period)))
            overdue = as_table(case_rows(engine, CaseFilter(period=ev.period, overdue_at_end=True)))
            evaluation_workbook(
                ev, case_rows=cases, case_header=column_widths(), overdue_rows=overdue
            ).save(output)
        else:
            from cityops.reports.evaluation_docx import write_bulletin

            assert output is not None
            write_bulletin(ev, output)
    if fmt != "json" or output is not None:
        _summary(ev)
        console.print(f"已写出 written: {output}")


def _summary(ev: Any) -> None:
    from cityops.domain.evaluation.definitions import ObjectKind

    table = Table(title=f"{ev.city_name} {ev.period.label_zh} 区县综合评价")
    for col in ("排名", "区县", "立案数", "结案率", "按期结案率", "得分", "等级"):
        table.add_column(col)
    for o in ev.of(ObjectKind.DISTRICT):
        table.add_row(
            str(o.rank or "—"),
            o.name,
            str(o.count("filed")),
            _pct(o.rate("closure_rate")),
            _pct(o.rate("on_time_closure_rate")),
            "—" if o.score is None else f"{o.score:.2f}",
            o.grade or "—",
        )
    console.print(table)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}%"


@eval_app.command("refresh")
def refresh_projection(
    rebuild: Annotated[
        bool, typer.Option(help="Empty the projection and take in the whole event log again")
    ] = False,
) -> None:
    """更新评价投影：把事件日志中的新事件（按事件编号接续）纳入评价用的数据表。"""
    from rich.progress import BarColumn, MofNCompleteColumn

    from cityops.services.evaluation.facts import refresh_facts

    engine = _engine()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("更新评价投影 refreshing (event ids)", total=None)

        def on_batch(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = refresh_facts(engine, on_batch=on_batch, rebuild=rebuild)
    if result.deferred:
        console.print("事件日志正在写入，本次未更新；评价仍直接读取未纳入的事件，请稍后再试。")
    console.print(
        f"已纳入 {result.events} 个事件{'（已重建）' if result.rebuilt else ''}，"
        f"事件编号水位 watermark {result.watermark}"
    )


@eval_app.command("indicators")
def list_indicators() -> None:
    """列出可用的评价指标（目标和工作要点台账引用的名称）。"""
    from cityops.services.evaluation.indicators import indicators

    table = Table(title="评价指标 indicators")
    for col in ("名称 name", "中文", "单位", "渠道"):
        table.add_column(col)
    for ind in indicators():
        table.add_row(
            ind.name, ind.label_zh, ind.unit, ",".join(sorted(ind.channels or [])) or "全部"
        )
    console.print(table)


@eval_app.command("cases")
def export_case_list(
    output: Annotated[Path, typer.Option(help=".csv or .xlsx")],
    period: Annotated[str | None, typer.Option(help="Cases reported in this period")] = None,
    district: Annotated[str | None, typer.Option()] = None,
    street: Annotated[str | None, typer.Option()] = None,
    community: Annotated[str | None, typer.Option()] = None,
    grid: Annotated[str | None, typer.Option()] = None,
    unit: Annotated[str | None, typer.Option(help="Responsible unit code")] = None,
    class_code: Annotated[str | None, typer.Option("--class")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Repeatable")] = None,
    state: Annotated[list[str] | None, typer.Option(help="Repeatable")] = None,
    overdue: Annotated[bool, typer.Option(help="超期待处置 at the end of --period")] = False,
) -> None:
    """导出案件清单（CSV 或 Excel）。"""
    from cityops.services.evaluation.case_lists import CaseFilter, export_cases

    try:
        with _progress() as progress:
            progress.add_task("导出 exporting", total=None)
            n = export_cases(
                _engine(),
                output,
                CaseFilter(
                    period=period,
                    district=district,
                    street=street,
                    community=community,
                    grid=grid,
                    unit=unit,
                    class_code=class_code,
                    channels=channel or None,
                    states=state or None,
                    overdue_at_end=overdue,
                ),
            )
    except CityopsError as exc:
        _fail(exc)
    console.print(f"已导出 {n} 件 → {output}")


@targets_app.command("set")
def set_target(
    indicator: Annotated[str, typer.Option(help="e.g. closure_rate or 结案率")],
    period: Annotated[str, typer.Option()],
    target: Annotated[float, typer.Option()],
    comparator: Annotated[str, typer.Option(help=">= <= > < =")] = ">=",
    obj: Annotated[
        str | None, typer.Option("--object", help="kind:code, e.g. district:370102")
    ] = None,
    note: Annotated[str, typer.Option()] = "",
) -> None:
    """设定指标目标值。"""
    from cityops.services.evaluation.targets import set_target as set_

    try:
        t = set_(
            _engine(),
            indicator_name=indicator,
            period=period,
            comparator=comparator,
            target=target,
            object=obj,
            note=note,
        )
    except CityopsError as exc:
        _fail(exc)
    console.print(f"目标已设定: {t.label_zh}（{t.object_kind}:{t.object_code}，{t.period}）")


@targets_app.command("measure")
def measure_targets(period: Annotated[str | None, typer.Option()] = None) -> None:
    """测量目标：计算实际值并判断是否达标。"""
    from cityops.services.evaluation.targets import measure_targets as measure

    try:
        with _progress() as progress:
            progress.add_task("测量 measuring", total=None)
            rows = measure(_engine(), period)
    except CityopsError as exc:
        _fail(exc)
    _targets_table(rows)


@targets_app.command("list")
def list_targets(period: Annotated[str | None, typer.Option()] = None) -> None:
    """列出指标目标。"""
    from cityops.services.evaluation.targets import list_targets as list_

    try:
        _targets_table(list_(_engine(), period))
    except CityopsError as exc:
        _fail(exc)


def _targets_table(rows: list[Any]) -> None:
    table = Table(title="指标目标 targets")
    for col in ("期间", "对象", "指标", "目标", "实际", "状态"):
        table.add_column(col)
    for t in rows:
        d = t.to_dict()
        table.add_row(
            d["period"],
            d["object"],
            d["indicator_zh"],
            f"{d['comparator']} {d['target']:g}",
            "—" if d["measured"] is None else f"{d['measured']:.2f}",
            d["status_zh"] or "未测量",
        )
    console.print(table)


@assess_app.command("scheme")
def create_scheme(
    path: Annotated[Path, typer.Argument(help="TOML: name, [[items]], [groups]")],
) -> None:
    """创建考评方案（考评项、权重、同序列分组）。"""
    from cityops.services.evaluation.assessment import create_scheme as create
    from cityops.services.evaluation.assessment import scheme_from_document

    try:
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValidationError(
                "assessment.scheme_unreadable",
                "无法读取考评方案文件",
                path=str(path),
                error=str(exc),
            ) from None
        name, items, groups = scheme_from_document(doc)
        scheme = create(_engine(), name, items, groups)
    except CityopsError as exc:
        _fail(exc)
    console.print(f"考评方案已创建: {scheme.name}（{len(scheme.items)}项）")


@assess_app.command("enter")
def enter_values(
    scheme: Annotated[str, typer.Option()],
    period: Annotated[str, typer.Option()],
    item: Annotated[str, typer.Option(help="Item code")],
    values: Annotated[str, typer.Option(help="370102=88.5,370103=91")],
    source: Annotated[str, typer.Option(help="e.g. the survey company")] = "",
) -> None:
    """录入人工考核或第三方测评分值。"""
    from cityops.services.evaluation.assessment import enter_values as enter

    try:
        parsed: dict[str, float] = {}
        for part in values.split(","):
            if not part.strip():
                continue
            code, _, value = part.partition("=")
            try:
                parsed[code.strip()] = float(value)
            except ValueError:
                raise ValidationError(
                    "assessment.value_invalid", f"无法识别的分值“{part}”", value=part
                ) from None
        n = enter(_engine(), scheme, period, item, parsed, source_note=source)
    except CityopsError as exc:
        _fail(exc)
    console.print(f"已录入 {n} 个区县的分值")


@assess_app.command("run")
def run_assessment(
    scheme: Annotated[str, typer.Option()], period: Annotated[str, typer.Option()]
) -> None:
    """计算综合考评得分并在同序列内排名（结果按期间保存）。"""
    from cityops.services.evaluation.assessment import run_assessment as run

    try:
        results = run(_engine(), scheme, period)
    except CityopsError as exc:
        _fail(exc)
    table = Table(title=f"综合考评 {scheme} {period}")
    for col in ("序列", "序列排名", "全市排名", "区县", "得分", "缺项"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.group,
            str(r.rank_in_group),
            str(r.rank_overall),
            r.district_code,
            f"{r.score:.2f}",
            ",".join(r.missing) or "—",
        )
    console.print(table)


@assess_app.command("history")
def assessment_history(
    scheme: Annotated[str, typer.Option()], district: Annotated[str | None, typer.Option()] = None
) -> None:
    """综合考评历史（每期最新结果）。"""
    from cityops.services.evaluation.assessment import history

    try:
        rows = history(_engine(), scheme, district)
    except CityopsError as exc:
        _fail(exc)
    table = Table(title=f"综合考评历史 {scheme}")
    for col in ("期间", "区县", "序列", "序列排名", "得分"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["period"],
            r["district_code"],
            r["group"],
            str(r["rank_in_group"]),
            f"{r['score']:.2f}",
        )
    console.print(table)
