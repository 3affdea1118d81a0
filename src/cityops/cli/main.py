"""The ``cityops`` command line (Typer + Rich). Each area registers its commands from its own
module; this file only assembles them."""

from __future__ import annotations

import typer

from cityops.cli import clock, core, geo, profile, serve, workplan

app = typer.Typer(
    name="cityops",
    help="cityops — 城市运行管理服务平台 (city operation, management and service platform)",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

for module in (core, serve, clock, geo, profile, workplan):
    module.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
