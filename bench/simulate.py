"""Simulate a city-year through the service layer and measure time and database size.

    .venv/bin/python bench/simulate.py --db sqlite --days 365 --per-day 2800
    .venv/bin/python bench/simulate.py --db postgresql --days 365 --per-day 2800

Each run starts from an empty database (a new SQLite file, or a new PostgreSQL database on
the server of ``CITYOPS_BENCH_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``),
installs the demo city (``cityops init``) and runs the same simulator as ``cityops simulate``:
every report and every step of every case is a call of ``cityops.services.cases``. Prints one
JSON line with the figures; ``--keep`` leaves the database for later benchmarks. Besides wall
time: this process's CPU time (all of the work on SQLite) and, on PostgreSQL, the CPU time of
the server processes that served it, with the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables.cases import case_events, cases
from cityops.config import Settings
from cityops.services import geography
from cityops.services.accounts import install_demo_accounts
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import bootstrap
from cityops.services.simulation.engine import Simulator
from cityops.services.simulation.scenario import Scenario
from cityops.services.simulation.world import load_world

PG_ADMIN = os.environ.get("CITYOPS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _database(kind: str, workdir: Path) -> tuple[str, str]:
    if kind == "sqlite":
        path = workdir / "bench.sqlite"
        return f"sqlite:///{path}", str(path)
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN, pool_size=1)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name


def _server_cpu_seconds(engine: Any) -> float | None:
    """PostgreSQL: CPU seconds of the server processes serving this database (utime + stime
    of each live backend, read from /proc; the server is on this machine)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return round(total / os.sysconf("SC_CLK_TCK"), 1)


def _size(kind: str, url: str, where: str) -> int:
    if kind == "sqlite":
        return sum(p.stat().st_size for p in Path(where).parent.glob("bench.sqlite*"))
    eng = make_engine(url, pool_size=1)
    with eng.connect() as conn:
        size = int(conn.execute(text("select pg_database_size(current_database())")).scalar_one())
    eng.dispose()
    return size


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--per-day", type=float, default=2800.0)
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--seed", type=int, default=20251001)
    ap.add_argument("--keep", action="store_true", help="keep the database and print its URL")
    args = ap.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cityops-bench-"))
    url, where = _database(args.db, workdir)
    settings = Settings(var_dir=workdir, database_url=url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    upgrade(engine)
    install_profile(engine, demo_profile_path())
    geography.install_demo_geography(engine)
    rt = bootstrap(settings, engine=engine)
    install_demo_accounts(rt)
    setup_s = time.perf_counter() - t0

    world = load_world(rt)
    rt.inspector_for = world.staff.inspector_for
    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC)
    last = [time.perf_counter()]

    def progress(day: int) -> None:
        if day % 10 == 0 or day == args.days:
            now = time.perf_counter()
            print(f"  day {day}/{args.days} ({now - last[0]:.0f} s for the last days)", flush=True)
            last[0] = now

    load_start = os.getloadavg()[0]
    t1 = time.perf_counter()
    c1 = time.process_time()
    sim = Simulator(
        rt,
        world,
        Scenario(per_day=args.per_day),
        start=start,
        days=args.days,
        seed=args.seed,
        batch=args.batch,
        on_day=progress,
    )
    stats = sim.run()
    sim_s = time.perf_counter() - t1
    cpu_s = time.process_time() - c1
    server_cpu_s = _server_cpu_seconds(engine)
    with engine.connect() as conn:
        n_cases = int(conn.execute(select(func.count()).select_from(cases)).scalar_one())
        n_events = int(conn.execute(select(func.count()).select_from(case_events)).scalar_one())
    engine.dispose()
    size = _size(args.db, url, where)
    result = {
        "db": args.db,
        "days": args.days,
        "per_day": args.per_day,
        "batch": args.batch,
        "cases": n_cases,
        "events": n_events,
        "commands": stats.commands,
        "refused": sum(stats.refused.values()),
        "setup_s": round(setup_s, 1),
        "simulate_s": round(sim_s, 1),
        "commands_per_s": round(stats.commands / sim_s, 1),
        "cpu_s": round(cpu_s, 1),
        "server_cpu_s": server_cpu_s,
        "load_average": [round(load_start, 1), round(os.getloadavg()[0], 1)],
        "db_bytes": size,
        "db_mib": round(size / 2**20, 1),
        "attachments_mib": round(
            sum(p.stat().st_size for p in (workdir / "attachments").rglob("*") if p.is_file())
            / 2**20,
            1,
        ),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "url": url if args.keep else None,
    }
    print(json.dumps(result, ensure_ascii=False))
    if not args.keep and args.db == "postgresql":
        admin = make_engine(PG_ADMIN, pool_size=1)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{where}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
