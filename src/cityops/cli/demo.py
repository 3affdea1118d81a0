"""`cityops demo`: bring the demo city's activity up to now (cases, hotline, classifier, a
sample work plan). `make run` calls it before serving."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from cityops.errors import CityopsError

console = Console()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    days: Annotated[
        int, typer.Option(min=1, max=365, help="Days of history on the first start")
    ] = 21,
    per_day: Annotated[float, typer.Option(min=1, help="Mean reports per day")] = 400.0,
    hotline_per_day: Annotated[
        float, typer.Option(min=1, help="Mean hotline calls per day")
    ] = 150.0,
) -> None:
    """示范城市：生成或接续至今的案卷、热线工单、分类模型和示范工作要点。

    Bring the demo city up to now: a history of cases (carried on from its last step on a
    later start), hotline orders, the trained classifier and a sample work plan."""
    from cityops.services.demo import install_demo_activity
    from cityops.services.runtime import bootstrap

    rt = bootstrap()
    try:
        with console.status("示范城市 demo city …"):
            install_demo_activity(
                rt,
                days=days,
                per_day=per_day,
                hotline_per_day=hotline_per_day,
                on_step=console.print,
            )
    except CityopsError as exc:
        console.print(f"[bold red]错误[/] {exc.code}: {exc.message}")
        raise typer.Exit(2) from None
