"""`cityops exchange …`: the platforms the case event log is pushed to (数据交换)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cityops.cli.core import runtime
from cityops.errors import CityopsError

console = Console()
exchange_app = typer.Typer(
    name="exchange",
    help="数据交换：向省、国家等平台推送案卷事件 (push the event log to other platforms)",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(exchange_app, name="exchange")


def _fail(exc: CityopsError) -> None:
    console.print(f"[bold red]错误[/] {exc.code}: {exc.message}")
    raise typer.Exit(2)


@exchange_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="名称，如 province、national")],
    url: Annotated[str, typer.Argument(help="接收地址 http(s)://…")],
    secret: Annotated[str | None, typer.Option(help="签名密钥（默认生成）")] = None,
    event_type: Annotated[
        list[str] | None, typer.Option("--type", help="只推送这些事件类型（可多次）")
    ] = None,
    from_now: Annotated[
        bool, typer.Option("--from-now", help="只推送今后的事件（默认从第一条起）")
    ] = False,
) -> None:
    """新增交换目标 Add a target; prints its signing secret once."""
    from cityops.services import exchange

    try:
        target, key = exchange.create_target(
            runtime(),
            name,
            url,
            actor="cli",
            secret=secret,
            event_types=event_type,
            from_start=not from_now,
        )
    except CityopsError as exc:
        _fail(exc)
        return
    console.print(f"已新增交换目标 {target.name} → {target.url}")
    console.print("签名密钥（请交给接收方，仅显示这一次）：")
    console.print(key, soft_wrap=True, markup=False, highlight=False)


@exchange_app.command("list")
def list_cmd() -> None:
    """交换目标及进度 Targets and how far each has got."""
    from cityops.services import exchange

    rt = runtime()
    end = exchange.log_end(rt)
    table = Table("名称", "地址", "状态", "已推送", "待推送", "连续失败", "最近错误")
    for t in exchange.list_targets(rt):
        table.add_row(
            t.name,
            t.url,
            "启用" if t.active else "暂停",
            str(t.delivered),
            str(max(0, end - t.cursor)),
            str(t.failures),
            t.last_error or "",
        )
    console.print(table)


@exchange_app.command("push")
def push() -> None:
    """立即推送 Push now until every target has caught up (or a delivery failed)."""
    from cityops.services import exchange

    for r in exchange.push_all(runtime()):
        note = f"  [red]{r.error}[/]" if r.error else ""
        console.print(f"{r.target}: 推送{r.sent}条，进度至事件{r.cursor}{note}")


def _set_active(name: str, active: bool) -> None:
    from cityops.services import exchange

    try:
        exchange.update_target(runtime(), name, active=active)
    except CityopsError as exc:
        _fail(exc)
    console.print(f"{name}: {'已恢复' if active else '已暂停'}")


@exchange_app.command("pause")
def pause(name: Annotated[str, typer.Argument()]) -> None:
    """暂停推送 Pause a target."""
    _set_active(name, False)


@exchange_app.command("resume")
def resume(name: Annotated[str, typer.Argument()]) -> None:
    """恢复推送 Resume a target (and try it at once)."""
    _set_active(name, True)


@exchange_app.command("remove")
def remove(name: Annotated[str, typer.Argument()]) -> None:
    """删除交换目标 Remove a target."""
    from cityops.services import exchange

    try:
        exchange.delete_target(runtime(), name)
    except CityopsError as exc:
        _fail(exc)
    console.print(f"{name}: 已删除")
