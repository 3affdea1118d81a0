"""The ``cityops`` command line (Typer + Rich). Each area registers its commands from its own
module under ``cityops.cli`` (a ``register(app)`` function); this file only assembles them."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from cityops import cli

app = typer.Typer(
    name="cityops",
    help="cityops — 城市运行管理服务平台 (city operation, management and service platform)",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

for _info in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
    if _info.name == "main":
        continue
    _module = importlib.import_module(f"cityops.cli.{_info.name}")
    if hasattr(_module, "register"):
        _module.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
