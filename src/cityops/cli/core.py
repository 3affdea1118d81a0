"""Core commands: init, simulate, sweep, export, db."""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
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

export_app = typer.Typer(
    help="导出数据 Export data in the documented exchange formats.", no_args_is_help=True
)
db_app = typer.Typer(help="数据库 Database schema.", no_args_is_help=True)


def fail(exc: CityopsError) -> None:
    err.print(f"[bold red]错误[/] {exc.code}: {exc.message}")
    for key, value in exc.details.items():
        if key != "problems":
            err.print(f"  {key}: {value}")
    raise typer.Exit(2)


def runtime() -> Runtime:
    from cityops.services.runtime import bootstrap

    return bootstrap()


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("simulate")(simulate)
    app.command("sweep")(sweep)
    app.add_typer(export_app, name="export")
    app.add_typer(db_app, name="db")


def init(
    profile: Annotated[
        Path | None, typer.Option(help="City profile directory (default: the shipped 济南 demo)")
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Install the generated demo geography and the demo accounts")
    ] = True,
) -> None:
    """初始化：迁移数据库，载入国家目录、城市配置和示范城市。

    Migrate, load the catalog and the demo city."""
    from cityops.adapters.db.migrate import upgrade
    from cityops.services import geography
    from cityops.services.profile import demo_profile_path, install_profile

    rt = runtime()
    try:
        t0 = time.perf_counter()
        upgrade(rt.engine)
        console.print(f"数据库已迁移 database migrated ({rt.engine.url.render_as_string()})")
        version = install_profile(rt.engine, profile or demo_profile_path())
        console.print(
            f"城市配置 profile: {version.city_name} {version.version} "
            f"({'new' if version.created else 'already installed'})"
        )
        if demo:
            summary = geography.install_demo_geography(rt.engine)
            console.print(f"示范城市地理 demo geography: {summary}")
            _install_accounts(rt)
        else:
            console.print(
                "未安装示范数据 no demo city: import your regions and grids "
                "(cityops geo import-regions, cityops import-grids) and create accounts"
            )
        console.print(f"完成 done in {time.perf_counter() - t0:.1f} s")
    except CityopsError as exc:
        fail(exc)


def _install_accounts(rt: Runtime) -> None:
    try:
        from cityops.services.accounts import install_demo_accounts
    except ImportError:
        return
    n = install_demo_accounts(rt)
    console.print(f"示范账号 demo accounts: {n}")


def simulate(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Days to simulate")] = 30,
    per_day: Annotated[
        float, typer.Option(min=1, help="Mean reports on an ordinary weekday")
    ] = 1500.0,
    start: Annotated[
        str | None,
        typer.Option(
            help="First day (YYYY-MM-DD, city time), simulated for DAYS whole days; "
            "default: the DAYS days up to now"
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Carry the city on from its last recorded step up to now (at most DAYS days "
            "back), taking over the cases left open",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same history)")] = 20251001,
    batch: Annotated[
        int, typer.Option(min=1, help="Commands per database commit (each command stays atomic)")
    ] = 200,
) -> None:
    """模拟运行：巡查上报、市民上报、核实、立案、派遣、回退、延期、挂账、处置、核查、返工、结案、作废。

    Simulate realistic operations through the service layer."""
    from cityops.services.simulation.engine import Simulator
    from cityops.services.simulation.scenario import Scenario
    from cityops.services.simulation.world import load_world

    rt = runtime()
    try:
        tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
        now = datetime.now(UTC).replace(microsecond=0)
        if start:
            first = date.fromisoformat(start)
            begin = datetime(first.year, first.month, first.day, tzinfo=tz).astimezone(UTC)
            end = begin + timedelta(days=days)
        elif resume:
            end = now
            last = _last_step(rt)
            begin = max(last, end - timedelta(days=days)) if last else end - timedelta(days=days)
            seed += int(begin.timestamp())  # another stretch of time, other draws
        else:
            end, begin = now, now - timedelta(days=days)
        if begin >= end:
            console.print("nothing to simulate: the city is up to date")
            return
        world = load_world(rt)
        rt.inspector_for = world.staff.inspector_for
        sim = Simulator(
            rt, world, Scenario(per_day=per_day), start=begin, end=end, seed=seed, batch=batch
        )
        adopted = sim.adopt_open_cases() if resume else 0
        t0 = time.perf_counter()
        with Progress(
            TextColumn("[bold]模拟 simulating[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("days"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("days", total=sim.days)
            sim.on_day = lambda d: progress.update(task, completed=d)
            stats = sim.run()
        elapsed = time.perf_counter() - t0
    except CityopsError as exc:
        fail(exc)
        return
    span = f"{begin.astimezone(tz):%Y-%m-%d %H:%M} → {end.astimezone(tz):%Y-%m-%d %H:%M}"
    if resume:
        console.print(f"接续在办案卷 {adopted} open cases taken over")
    table = Table(title=f"模拟结果 {span} ({elapsed:.1f} s)")
    table.add_column("event")
    table.add_column("count", justify="right")
    for name, n in sorted(stats.events.items(), key=lambda kv: -kv[1]):
        table.add_row(name, str(n))
    table.add_row("warnings raised", str(stats.warnings))
    console.print(table)
    console.print(
        f"reports {stats.reports}, commands {stats.commands} "
        f"({stats.commands / max(elapsed, 1e-9):.0f}/s); refused {sum(stats.refused.values())}"
    )
    _print_states(rt)


def _last_step(rt: Runtime) -> datetime | None:
    """When the latest recorded step of any case happened."""
    from sqlalchemy import func, select

    from cityops.adapters.db.tables.cases import case_events

    with rt.uow(readonly=True) as uow:
        last: datetime | None = uow.conn.execute(select(func.max(case_events.c.at))).scalar()
    return last


def _print_states(rt: Runtime) -> None:
    from sqlalchemy import func, select

    from cityops.adapters.db.tables.cases import cases

    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(select(cases.c.state, func.count()).group_by(cases.c.state)).all()
    table = Table(title="案卷状态 cases by state")
    table.add_column("state")
    table.add_column("cases", justify="right")
    for state, n in sorted(rows, key=lambda r: -r[1]):
        table.add_row(state, str(n))
    console.print(table)


def sweep() -> None:
    """超时预警：按当前时间更新红黄灯并产生预警。 Run the overdue sweep once."""
    from cityops.services.sweep import sweep_overdue

    rt = runtime()
    try:
        r = sweep_overdue(rt)
    except CityopsError as exc:
        fail(exc)
        return
    console.print(f"examined {r.examined}, yellow {r.yellow}, red {r.red}, skipped {r.skipped}")


@export_app.command("events")
def export_events(
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout)")
    ] = None,
) -> None:
    """导出全部案卷事件（交换格式）。 One record per event: case_id, seq, type, at, actor, role,
    unit, from_state, to_state, data."""
    from cityops.services.export import iter_records, write_csv, write_jsonl

    if format not in ("jsonl", "csv"):
        err.print(
            f"[bold red]错误[/] export.format_unknown: 不支持的格式“{format}”，可用 jsonl、csv"
        )
        raise typer.Exit(2)
    rt = runtime()
    writer = write_jsonl if format == "jsonl" else write_csv
    try:
        if output is None:
            n = writer(iter_records(rt), sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as fh:
                n = writer(iter_records(rt), fh)
            err.print(f"{n} events → {output}")
    except CityopsError as exc:
        fail(exc)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from cityops.adapters.db.migrate import current_revision, upgrade

    rt = runtime()
    upgrade(rt.engine)
    console.print(f"at revision {current_revision(rt.engine)}")


@db_app.command("status")
def db_status() -> None:
    """Show the current and the latest migration."""
    from cityops.adapters.db.migrate import current_revision, head_revision

    rt = runtime()
    console.print(f"database: {rt.engine.url.render_as_string()}")
    console.print(f"current: {current_revision(rt.engine)}  head: {head_revision()}")


@db_app.command("case-count")
def db_case_count() -> None:
    """Print the number of cases (0 on a database without the schema)."""
    from sqlalchemy import func, inspect, select

    from cityops.adapters.db.tables.cases import cases

    rt = runtime()
    if not inspect(rt.engine).has_table("cases"):
        print(0)
        return
    with rt.uow(readonly=True) as uow:
        print(uow.conn.execute(select(func.count()).select_from(cases)).scalar_one())
