"""`cityops serve`: the API and the web console."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    live_demo: Annotated[
        bool,
        typer.Option(
            "--live-demo",
            help="Keep the demo city going in real time (reports arrive, cases move); "
            "for demonstrations only",
        ),
    ] = False,
    demo_per_day: Annotated[
        float, typer.Option(min=1, help="With --live-demo: mean reports per day")
    ] = 400.0,
) -> None:
    """启动服务 Serve the API (/api/v1, /docs) and the web console."""
    import os

    import uvicorn

    from cityops.config import get_settings

    if live_demo:
        if workers != 1:
            console.print("[red]--live-demo runs in one worker process (use --workers 1)[/]")
            raise typer.Exit(2)
        os.environ["CITYOPS_LIVE_DEMO_PER_DAY"] = str(demo_per_day)
        get_settings.cache_clear()

    uvicorn.run(
        "cityops.api.main:app_with_background",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
    )
