"""`cityops open311 key create|list|revoke`: the API keys of Open311 client applications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cityops.errors import CityopsError

if TYPE_CHECKING:
    from cityops.services.runtime import Runtime

open311_app = typer.Typer(
    name="open311",
    help="Open311 GeoReport v2 接口 (the /open311/v2 endpoint for client applications)",
    no_args_is_help=True,
)
key_app = typer.Typer(
    name="key",
    help="客户端密钥：签发、列出、吊销 (API keys: create, list, revoke)",
    no_args_is_help=True,
)
open311_app.add_typer(key_app, name="key")

PIPE_WIDTH = 160


def register(app: typer.Typer) -> None:
    app.add_typer(open311_app, name="open311")


def _console() -> Console:
    probe = Console()
    return probe if probe.is_terminal else Console(width=max(probe.width, PIPE_WIDTH))


def _fail(exc: CityopsError) -> NoReturn:
    Console(stderr=True).print(
        f"[red]错误 error[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}"
    )
    raise typer.Exit(1)


def _runtime() -> Runtime:
    from cityops.adapters.db.migrate import is_up_to_date
    from cityops.services.runtime import bootstrap

    rt = bootstrap()
    if not is_up_to_date(rt.engine):
        _fail(CityopsError("db.outdated", "数据库结构不是最新版本，请先运行“cityops db upgrade”"))
    return rt


@key_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Client name, e.g. cityapp (a-z, 0-9, . _ -)")],
    note: Annotated[str, typer.Option(help="Who the client is, whom to call")] = "",
) -> None:
    """签发密钥 Issue a key for a client; it is shown only this once."""
    from cityops.services.open311.keys import create_key

    try:
        issued = create_key(_runtime(), name, note)
    except CityopsError as exc:
        _fail(exc)
    out = _console()
    out.print(f"客户端 client: [bold]{escape(issued.key.name)}[/]")
    out.print(f"上报人 actor:  {escape(issued.key.actor_id)} (role public)")
    out.print("密钥 api_key (只显示这一次 shown only once):")
    print(issued.secret)


@key_app.command("list")
def list_(
    active_only: Annotated[bool, typer.Option(help="Leave out revoked keys")] = False,
) -> None:
    """列出密钥 List the keys (never the keys themselves) and the requests made with each."""
    from cityops.services.open311.keys import list_keys, request_counts

    rt = _runtime()
    try:
        keys = list_keys(rt)
        counts = request_counts(rt)
    except CityopsError as exc:
        _fail(exc)
    table = Table(title="Open311 客户端密钥 API keys")
    for column in ("name", "key", "created (UTC)", "revoked (UTC)", "requests", "note"):
        table.add_column(column, justify="right" if column == "requests" else "left")
    for k in keys:
        if active_only and not k.active:
            continue
        table.add_row(
            escape(k.name),
            f"{k.key_prefix}…",
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
            str(counts.get(k.name, 0)),
            escape(k.note),
        )
    _console().print(table if keys else "没有密钥 no keys yet: cityops open311 key create NAME")


@key_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="Client name")]) -> None:
    """吊销密钥 Revoke a client's key; its requests stay, new ones are refused (403)."""
    from cityops.services.open311.keys import revoke_key

    try:
        key = revoke_key(_runtime(), name)
    except CityopsError as exc:
        _fail(exc)
    _console().print(f"已吊销 revoked: {escape(key.name)} ({key.key_prefix}…)")
