"""The layer contract: the domain core imports no framework, ORM or driver, and no layer
imports the ones above it (domain < adapters < services < api, cli)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "cityops"

FRAMEWORKS = {
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "psycopg2",
    "sqlite3",
    "uvicorn",
    "typer",
    "rich",
    "httpx",
    "duckdb",
    "pydantic",
    "pydantic_settings",
}
ABOVE = {
    "domain": {
        "cityops.adapters",
        "cityops.services",
        "cityops.api",
        "cityops.cli",
        "cityops.reports",
    },
    "adapters": {"cityops.services", "cityops.api", "cityops.cli"},
    "services": {"cityops.api", "cityops.cli"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _files(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


def test_the_layers_exist():
    for layer in ("domain", "adapters", "services", "api", "cli"):
        assert _files(layer), layer


@pytest.mark.parametrize("path", _files("domain"), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_imports_no_framework_orm_or_driver(path: Path):
    bad = [n for n in _imports(path) if n.split(".")[0] in FRAMEWORKS]
    assert bad == [], f"{path.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_no_layer_imports_a_layer_above_it(layer: str):
    offenders = {}
    for path in _files(layer):
        bad = [
            n for n in _imports(path) if any(n == a or n.startswith(a + ".") for a in ABOVE[layer])
        ]
        if bad:
            offenders[str(path.relative_to(SRC))] = bad
    assert offenders == {}
