"""Shared fixtures.

Database tests take the ``engine`` fixture, which is parametrized over every backend in
``CITYOPS_TEST_DATABASES`` (default ``sqlite,postgresql``), so each such test runs on SQLite
and on PostgreSQL + PostGIS. PostgreSQL comes from ``CITYOPS_TEST_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``); when it is unreachable the PostgreSQL
variants fail with a message saying how to start it — they are never silently skipped.

Each test gets an empty, migrated database: SQLite copies a migrated template file; PostgreSQL
uses one migrated database per test process and empties every table after each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables import metadata

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if os.environ.get("CITYOPS_SHARED_DATA"):
    SHARED_DATA = Path(os.environ["CITYOPS_SHARED_DATA"])

PG_HINT = (
    "PostgreSQL is not reachable at {url}. Start it with "
    "`pg_ctlcluster --skip-systemctl-redirect 15 main start` (or `make db-up`), or run only the "
    "SQLite variants with CITYOPS_TEST_DATABASES=sqlite."
)


def _backends() -> list[str]:
    raw = os.environ.get("CITYOPS_TEST_DATABASES", "sqlite,postgresql")
    return [b.strip() for b in raw.split(",") if b.strip()]


def _pg_admin_url() -> str:
    return os.environ.get("CITYOPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    admin_url = _pg_admin_url()
    try:
        admin = make_engine(admin_url, pool_size=1)
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        pytest.fail(PG_HINT.format(url=admin_url) + f" ({exc.__class__.__name__})", pytrace=False)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"cityops_test_{worker}_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=2)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        if conn.execute(text("select 1 from pg_class where relname = 'case_id_seq'")).first():
            conn.execute(text("ALTER SEQUENCE case_id_seq RESTART WITH 1"))


@pytest.fixture(params=_backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated database on each configured backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "cityops.sqlite"
        shutil.copyfile(template, path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
    elif request.param == "postgresql":
        url: str = request.getfixturevalue("pg_database")
        eng = make_engine(url, pool_size=5)
        yield eng
        eng.dispose()
        cleaner = make_engine(url, pool_size=1)
        _truncate_all(cleaner)
        cleaner.dispose()
    else:  # pragma: no cover
        raise ValueError(f"unknown backend {request.param}")


_deselected_for_data: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``shared_data`` read the real data sets beside the project
    (``../shared/data``), whose licences forbid copying them in. Where that folder is absent
    they are not run, and the summary says so in plain words."""
    if SHARED_DATA.is_dir():
        return
    keep = []
    for item in items:
        if item.get_closest_marker("shared_data"):
            _deselected_for_data.append(item.nodeid)
        else:
            keep.append(item)
    if _deselected_for_data:
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _deselected_for_data:
        terminalreporter.write_line(
            f"NOTE: {len(_deselected_for_data)} tests need the real data sets in {SHARED_DATA}, "
            "which is absent, and were not run. Set CITYOPS_SHARED_DATA to run them.",
            yellow=True,
        )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets beside the project (read only); see ``pytest_collection_modifyitems``."""
    return SHARED_DATA
