"""``cityops hotline``: import or generate orders, train the classifier, answer orders from
their cases, and the figures (rates, negative list, 回头看, hotspots, trends, bulletin)."""

from __future__ import annotations

import json
import time
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cityops.errors import CityopsError

if TYPE_CHECKING:
    from cityops.services.runtime import Runtime

console = Console()
err = Console(stderr=True)
hotline_app = typer.Typer(
    help="12345热线工单：导入、模拟、智能分类、指标、负面清单、回头看、热点分析。",
    no_args_is_help=True,
)
PeriodOpt = Annotated[str, typer.Option(help="2025-10, 2025-Q3, 2025, 2025-W40 …")]


def register(app: typer.Typer) -> None:
    app.add_typer(hotline_app, name="hotline")


def _rt() -> Runtime:
    from cityops.services.runtime import bootstrap

    return bootstrap()


def _fail(exc: CityopsError) -> None:
    err.print(f"[bold red]错误[/] {exc.code}: {exc.message}")
    for key, value in exc.details.items():
        if key == "problems":
            for p in value[:50]:
                err.print(f"  - {p}")
        else:
            err.print(f"  {key}: {value}")
    raise typer.Exit(2)


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _bounds(rt: Runtime, period: str) -> tuple[Any, datetime, datetime]:
    from cityops.domain.evaluation.periods import EvalPeriod

    p = EvalPeriod.parse(period, rt.policy.profile.calendar.time_zone)
    start, end = p.utc_bounds()
    return p, start, end


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.2f}%"


def _ratio(r: Any) -> str:
    return f"{_pct(r.value)} ({r.numerator}/{r.denominator})"


@hotline_app.command("import")
def import_orders(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, header) or JSON Lines")],
) -> None:
    """导入工单（12345平台导出）。 Import orders; a file with any bad row is refused whole."""
    from cityops.domain.cases.model import Actor
    from cityops.domain.cases.vocabulary import Role
    from cityops.services.hotline.importing import import_orders as run
    from cityops.services.hotline.importing import read_rows

    rt = _rt()
    try:
        raw = read_rows(file)
        with _progress("导入 importing") as progress:
            task = progress.add_task("rows", total=len(raw))
            summary = run(
                rt,
                Actor("system.import", Role.SYSTEM, None, "工单导入"),
                raw,
                on_row=lambda n: progress.update(task, completed=n),
            )
    except CityopsError as exc:
        _fail(exc)
        return
    console.print(f"rows {summary.rows}, new {summary.created}, already there {summary.skipped}")


@hotline_app.command("simulate")
def simulate(
    days: Annotated[int, typer.Option(min=1, max=3660)] = 30,
    per_day: Annotated[
        float, typer.Option(min=1, help="Mean calls on an ordinary weekday")
    ] = 200.0,
    start: Annotated[
        str | None,
        typer.Option(help="First day (YYYY-MM-DD, city time); default: the DAYS days up to now"),
    ] = None,
    settle_days: Annotated[
        int, typer.Option(min=0, help="With --start: days of work after the last call")
    ] = 0,
    seed: Annotated[int, typer.Option()] = 12345,
    batch: Annotated[int, typer.Option(min=1, help="Commands per database commit")] = 200,
) -> None:
    """模拟热线工单：受理、派单、签收、退回、转办、延期、答复、回访、重办、办结。"""
    from cityops.services.hotline.simulation import HotlineScenario, HotlineSimulator

    rt = _rt()
    try:
        tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
        until = None
        if start:
            first = date.fromisoformat(start)
        else:  # the DAYS days up to now, today so far included
            until = datetime.now(UTC)
            first = datetime.now(tz).date() - timedelta(days=days)
            days, settle_days = days + 1, 0
        begin = datetime(first.year, first.month, first.day, tzinfo=tz).astimezone(UTC)
        t0 = time.perf_counter()
        with _progress("模拟 simulating") as progress:
            task = progress.add_task("days", total=days)
            sim = HotlineSimulator(
                rt,
                HotlineScenario(per_day=per_day),
                start=begin,
                days=days,
                settle_days=settle_days,
                until=until,
                seed=seed,
                batch=batch,
                on_day=lambda d: progress.update(task, completed=d),
            )
            truth = sim.run()
    except CityopsError as exc:
        _fail(exc)
        return
    console.print(
        f"orders {len(truth.received)}, dispatches {len(truth.dispatches)}, revisits "
        f"{len(truth.revisits)}, closed {len(truth.closed)} in {time.perf_counter() - t0:.1f} s; "
        f"refused {sum(truth.refused.values())}"
    )


@hotline_app.command("train")
def train(
    if_due: Annotated[
        bool, typer.Option("--if-due", help="Only when corrections or age call for it")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Only history closed since (YYYY-MM-DD)")
    ] = None,
) -> None:
    """训练智能分类模型（历史工单、案卷与派单纠正）。 Run from a timer with --if-due."""
    from cityops.services.hotline import classification

    rt = _rt()
    try:
        if if_due:
            report = classification.retrain_if_due(rt, "cli")
            if report is None:
                console.print("模型无需重新训练 not due")
                return
        else:
            when = None
            if since:
                d = date.fromisoformat(since)
                when = datetime(d.year, d.month, d.day, tzinfo=UTC)
            report = classification.train(rt, "cli", since=when)
    except CityopsError as exc:
        _fail(exc)
        return
    console.print(
        f"model {report.model_id}: {report.examples} examples ({report.corrections} corrections), "
        f"{report.classes} classes, {report.units} units, trained in {report.seconds:.1f} s"
    )


@hotline_app.command("sync")
def sync() -> None:
    """按案卷结果答复：已办结案卷对应的工单转入回访。 Answer orders whose case has ended."""
    from cityops.services.hotline.case_link import sync_case_outcomes

    rt = _rt()
    try:
        n = sync_case_outcomes(rt)
    except CityopsError as exc:
        _fail(exc)
        return
    console.print(f"answered {n} orders from their cases")


@hotline_app.command("rates")
def rates(
    period: PeriodOpt,
    by: Annotated[str, typer.Option(help="city, unit or district")] = "city",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """热线指标：及时签收率、按时办结率、回访满意率、办结率。"""
    from cityops.domain.hotline.rates import RATE_KEYS, RATE_LABELS_ZH
    from cityops.services.hotline import analytics

    rt = _rt()
    try:
        p, start, end = _bounds(rt, period)
        rows = analytics.rates(rt, start, end, by=by)
    except CityopsError as exc:
        _fail(exc)
        return
    if as_json:
        console.print_json(json.dumps([r.to_dict() for r in rows], ensure_ascii=False))
        return
    table = Table(title=f"热线指标 {p.label_zh}")
    table.add_column(by)
    table.add_column("受理", justify="right")
    for k in RATE_KEYS:
        table.add_column(RATE_LABELS_ZH[k], justify="right")
    for r in rows:
        table.add_row(
            r.key,
            str(r.received),
            *[_ratio(getattr(r, k)) for k in RATE_KEYS],
        )
    console.print(table)


@hotline_app.command("negative")
def negative(period: PeriodOpt) -> None:
    """负面清单：应办不办、推诿扯皮、超期办理。"""
    from cityops.services.hotline import analytics

    rt = _rt()
    try:
        _p, start, end = _bounds(rt, period)
        entries = analytics.negatives(rt, start, end)
    except CityopsError as exc:
        _fail(exc)
        return
    table = Table(title=f"负面清单 {len(entries)}")
    for col in ("类型", "工单", "单位", "时间"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.kind.label_zh, e.order_no, e.unit or "多个单位", e.at.isoformat())
    console.print(table)


@hotline_app.command("reexam")
def reexam(period: PeriodOpt) -> None:
    """回头看：办结时未解决、回访不满意或问题反弹的工单。"""
    from cityops.domain.hotline.negative_list import REASON_LABELS_ZH
    from cityops.services.hotline import analytics

    rt = _rt()
    try:
        _p, start, end = _bounds(rt, period)
        items = analytics.reexamination(rt, start, end)
    except CityopsError as exc:
        _fail(exc)
        return
    table = Table(title=f"回头看 {len(items)}")
    for col in ("工单", "办结时间", "原因"):
        table.add_column(col)
    for i in items:
        table.add_row(
            i.order_no, i.closed_at.isoformat(), "、".join(REASON_LABELS_ZH[r] for r in i.reasons)
        )
    console.print(table)


@hotline_app.command("hotspots")
def hotspot_cmd(
    period: PeriodOpt,
    class_code: Annotated[str | None, typer.Option("--class", help="06010 or 06*")] = None,
    top: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """热点分析：高发问题与地点、空间聚集、重复与周期性问题、时段规律。"""
    from cityops.services.hotline import hotspots

    rt = _rt()
    try:
        _p, start, end = _bounds(rt, period)
        report = hotspots.hotspot_report(rt, start, end, top=top, class_code=class_code)
    except CityopsError as exc:
        _fail(exc)
        return
    if as_json:
        console.print_json(json.dumps(report, ensure_ascii=False, default=str))
        return
    console.print(f"orders {report['orders']}")
    for key, title in (("top_matters", "高发问题"), ("top_grids", "高发网格")):
        table = Table(title=title)
        table.add_column("key")
        table.add_column("orders", justify="right")
        table.add_column("share", justify="right")
        for c in report[key]:
            table.add_row(c["key"], str(c["count"]), _pct(c["share"]))
        console.print(table)
    console.print(
        f"clusters {len(report['clusters'])}, repeated problems {len(report['repeated'])}, "
        f"periodic problems {len(report['periodic'])}"
    )


@hotline_app.command("policy")
def policy(
    file: Annotated[
        Path | None, typer.Argument(help="TOML with a [hotline] table; none: show")
    ] = None,
) -> None:
    """热线时限与阈值：查看或设置。"""
    from cityops.services.hotline.settings import hotline_policy, set_policy

    rt = _rt()
    try:
        if file is not None:
            doc = tomllib.loads(file.read_text(encoding="utf-8"))
            set_policy(rt, doc.get("hotline", doc), "cli")
        current = hotline_policy(rt)
    except (CityopsError, tomllib.TOMLDecodeError) as exc:
        if isinstance(exc, CityopsError):
            _fail(exc)
        err.print(f"[bold red]错误[/] TOML: {exc}")
        raise typer.Exit(2) from exc
    console.print_json(json.dumps(current.to_dict(), ensure_ascii=False))


@hotline_app.command("targets")
def targets_cmd(
    file: Annotated[Path | None, typer.Argument(help="TOML with [[targets]]; none: show")] = None,
) -> None:
    """目标：如“市容环境类工单同比下降10%”（scope = "06*", change = -0.10）。"""
    from cityops.services.hotline.settings import set_targets, targets

    rt = _rt()
    try:
        if file is not None:
            doc = tomllib.loads(file.read_text(encoding="utf-8"))
            set_targets(rt, doc.get("targets", []), "cli")
        items = targets(rt)
    except (CityopsError, tomllib.TOMLDecodeError) as exc:
        if isinstance(exc, CityopsError):
            _fail(exc)
        err.print(f"[bold red]错误[/] TOML: {exc}")
        raise typer.Exit(2) from exc
    for t in items:
        console.print(f"{t.scope}\t{t.compare}\t{t.change:+.0%}\t{t.label}")


@hotline_app.command("bulletin")
def bulletin_cmd(period: PeriodOpt) -> None:
    """月度通报热线部分（JSON：段落、表格、图表数据）。"""
    from cityops.services.hotline.bulletin import hotline_section

    rt = _rt()
    try:
        p, _start, _end = _bounds(rt, period)
        section = hotline_section(rt, p)
    except CityopsError as exc:
        _fail(exc)
        return
    console.print_json(json.dumps(section.to_dict(), ensure_ascii=False, default=str))
