"""Report intake through HTTP: reports per second and latency under load, against a bare
endpoint that inserts one row into the same database (the ceiling), in the same run.

For each backend (SQLite, PostgreSQL) the script makes a fresh database, installs the demo
city (profile, geography, accounts), starts uvicorn on 127.0.0.1 serving the real app plus a
bench-only endpoint ``POST /bench/bare`` (mounted here, never in the product), logs an
inspector in, and drives concurrent load with ``wrk`` (Debian package ``wrk``; a Lua script
builds each request). Each intake request is a multipart report with one small unique photo,
a class drawn by the profile's frequency weights (so the duplicate check runs), an in-city
point (a grid centroid moved by up to ±30 m, located to its grid) and a unique
``Idempotency-Key``: the full pipeline of validation, point → grid, duplicate check, stage
deadline, event, outbox and response. Runs alternate intake and bare; the medians are
reported.

    .venv/bin/python bench/api_intake.py                       # both backends, 3 × 20 s
    .venv/bin/python bench/api_intake.py --duration 5 --runs 1 --backends sqlite   # quick

PostgreSQL comes from CITYOPS_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/
postgres); a database ``cityops_bench_*`` is made and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

HERE = Path(__file__).resolve().parent
PG_URL = os.environ.get("CITYOPS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
INSPECTOR = "inspector.370102001001"
BARE_TABLE = "bench_bare"


# --------------------------------------------------------------------------- the served app


class BareIn(BaseModel):
    body: str


def bench_app() -> Any:
    """The product app plus ``POST /bench/bare`` (uvicorn factory; settings from the env)."""
    from datetime import UTC, datetime

    from fastapi import FastAPI
    from sqlalchemy import text

    from cityops.api.app import create_app

    app: FastAPI = create_app()
    rt = app.state.rt
    statement = text(f"INSERT INTO {BARE_TABLE} (at, body) VALUES (:at, :body)")

    def bare(item: BareIn) -> dict[str, bool]:
        with rt.engine.begin() as conn:
            conn.execute(statement, {"at": datetime.now(UTC).isoformat(), "body": item.body})
        return {"ok": True}

    app.add_api_route("/bench/bare", bare, methods=["POST"], status_code=201)
    # ahead of the web console's catch-all mount at "/"
    app.router.routes.insert(0, app.router.routes.pop())
    return app


# --------------------------------------------------------------------------- database


def make_database(backend: str, folder: Path) -> tuple[str, str | None]:
    """A fresh, empty database: its URL and (PostgreSQL) its name."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from cityops.adapters.db.engine import make_engine

    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite'}", None
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, pool_size=1)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str | None) -> None:
    if name is None:
        return
    from sqlalchemy import text

    from cityops.adapters.db.engine import make_engine

    admin = make_engine(PG_URL, pool_size=1)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def install_city(url: str, folder: Path) -> list[tuple[float, float]]:
    """Demo city and accounts; the bare table; in-city points (grid centroids) to report at."""
    from sqlalchemy import select, text

    from cityops.adapters.db.migrate import upgrade
    from cityops.adapters.db.tables.geography import grids
    from cityops.config import Settings
    from cityops.services.accounts import install_demo_accounts
    from cityops.services.geography import install_demo_geography
    from cityops.services.profile import demo_profile_path, install_profile
    from cityops.services.runtime import bootstrap

    rt = bootstrap(Settings(var_dir=folder, database_url=url))
    upgrade(rt.engine)
    install_profile(rt.engine, demo_profile_path())
    install_demo_geography(rt.engine)
    install_demo_accounts(rt)
    key = "BIGSERIAL" if rt.engine.dialect.name == "postgresql" else "INTEGER"
    with rt.engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {BARE_TABLE} (id {key} PRIMARY KEY, at VARCHAR(40) NOT NULL, "
                "body TEXT NOT NULL)"
            )
        )
        found = conn.execute(
            select(grids.c.centroid_lon, grids.c.centroid_lat).order_by(grids.c.code)
        ).all()
    points = [(float(x), float(y)) for x, y in found]
    # centroids of concave grids can fall outside them; keep the ones that locate
    located = rt.locator.locate_many([p[0] for p in points], [p[1] for p in points])
    rt.engine.dispose()
    return [p for p, loc in zip(points, located, strict=True) if loc.grid_code][::3]


def count_rows(url: str) -> tuple[int, int]:
    from sqlalchemy import text

    from cityops.adapters.db.engine import make_engine

    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        cases = int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        bare = int(conn.execute(text(f"SELECT count(*) FROM {BARE_TABLE}")).scalar_one())
    engine.dispose()
    return cases, bare


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CITYOPS_DATABASE_URL=url, CITYOPS_VAR_DIR=str(folder))
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--app-dir",
        str(HERE),
        "api_intake:bench_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("uvicorn exited")
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("uvicorn did not start")


# --------------------------------------------------------------------------- load (wrk + Lua)

LUA_COMMON = """
local counter = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("tid", id) end
init = function(args) math.randomseed(os.time() + (tid or 0) * 7919) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"duration_us":%d,"status_errors":%d,' ..
    '"socket_errors":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

LUA_INTAKE = """
local points = {%(points)s}
local classes = {%(classes)s}
local token = "%(token)s"
local boundary = "cityopsbenchboundary"
local photo = "\\255\\216\\255\\224" .. string.rep("p", 1800)
local function field(name, value)
  return "--" .. boundary .. "\\r\\nContent-Disposition: form-data; name=\\"" .. name ..
    "\\"\\r\\n\\r\\n" .. value .. "\\r\\n"
end
request = function()
  counter = counter + 1
  local p = points[(counter * 7 + (tid or 0) * 13) %% #points + 1]
  local key = string.format("bench-%%d-%%d-%%d", tid or 0, counter, math.random(1, 1000000000))
  local body = field("description", "路边有暴露垃圾，影响通行 " .. key) ..
    field("lon", string.format("%%.7f", p[1] + (math.random() - 0.5) * 0.0006)) ..
    field("lat", string.format("%%.7f", p[2] + (math.random() - 0.5) * 0.0006)) ..
    field("class_code", classes[math.random(1, #classes)]) ..
    field("address", "测试路" .. counter .. "号") ..
    "--" .. boundary .. "\\r\\nContent-Disposition: form-data; name=\\"photos\\"; " ..
    "filename=\\"p.jpg\\"\\r\\nContent-Type: image/jpeg\\r\\n\\r\\n" .. photo .. key ..
    "\\r\\n--" .. boundary .. "--\\r\\n"
  return wrk.format("POST", "/api/v1/cases", {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end
"""

LUA_BARE = """
request = function()
  counter = counter + 1
  return wrk.format("POST", "/bench/bare", {["Content-Type"] = "application/json"},
    string.format('{"body":"bench-%d-%d"}', tid or 0, counter))
end
"""


def class_mix(url: str) -> list[str]:
    """Classes in proportion to the profile's frequency weights (the 40 most frequent)."""
    from cityops.adapters.db.engine import make_engine
    from cityops.services.profile import active_profile

    engine = make_engine(url, pool_size=1)
    weights = active_profile(engine).class_weights
    engine.dispose()
    top = sorted(weights.items(), key=lambda kv: -kv[1])[:40]
    return [code for code, w in top for _ in range(max(1, round(w / 5)))]


def write_lua(
    folder: Path, points: list[tuple[float, float]], classes: list[str], token: str
) -> tuple[Path, Path]:
    table = ",".join(f"{{{x:.7f},{y:.7f}}}" for x, y in points)
    codes = ",".join(f'"{c}"' for c in classes)
    intake = folder / "intake.lua"
    intake.write_text(LUA_COMMON + LUA_INTAKE % {"points": table, "classes": codes, "token": token})
    bare = folder / "bare.lua"
    bare.write_text(LUA_COMMON + LUA_BARE)
    return intake, bare


def run_wrk(script: Path, port: int, connections: int, duration: int, path: str) -> dict[str, Any]:
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{path}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    r: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    ok = r["requests"] - r["status_errors"]
    r["ok_per_s"] = ok / (r["duration_us"] / 1e6)
    return r


def warm_up(port: int, token: str, points: list[tuple[float, float]], n: int) -> None:
    """A few reports one at a time, so every worker has loaded the city's grids and rules."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for k in range(n):
            r = client.post(
                "/api/v1/cases",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"warm-{k}"},
                data={"description": "预热", "lon": str(points[k][0]), "lat": str(points[k][1])},
            )
            r.raise_for_status()
            client.post("/bench/bare", json={"body": "warm"}).raise_for_status()


# --------------------------------------------------------------------------- main


def measure(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"cityops-bench-{backend}-"))
    url, pg_name = make_database(backend, folder)
    proc = None
    try:
        t0 = time.perf_counter()
        points = install_city(url, folder)
        print(f"[{backend}] demo city installed in {time.perf_counter() - t0:.1f} s", flush=True)
        port = free_port()
        proc = start_server(url, folder, port, args.workers)
        login = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token",
            data={"username": INSPECTOR, "password": "cityops-demo"},
            timeout=30,
        )
        login.raise_for_status()
        token = login.json()["access_token"]
        intake_lua, bare_lua = write_lua(folder, points, class_mix(url), token)
        warm_up(port, token, points, 4 * args.workers)
        # every worker loads the city's grids and rules on its first requests
        run_wrk(intake_lua, port, args.connections, 10, "/api/v1/cases")
        run_wrk(bare_lua, port, args.connections, 3, "/bench/bare")
        intake, bare = [], []
        for i in range(args.runs):
            intake.append(
                run_wrk(intake_lua, port, args.connections, args.duration, "/api/v1/cases")
            )
            bare.append(run_wrk(bare_lua, port, args.connections, args.duration, "/bench/bare"))
            print(
                f"[{backend}] run {i + 1}: intake {intake[-1]['ok_per_s']:.0f}/s "
                f"p50 {intake[-1]['p50_us'] / 1000:.1f} ms p99 {intake[-1]['p99_us'] / 1000:.1f} ms"
                f" (errors {intake[-1]['status_errors']}); bare {bare[-1]['ok_per_s']:.0f}/s "
                f"p50 {bare[-1]['p50_us'] / 1000:.1f} ms p99 {bare[-1]['p99_us'] / 1000:.1f} ms",
                flush=True,
            )
        cases, rows = count_rows(url)
        return {
            "backend": backend,
            "intake": intake,
            "bare": bare,
            "cases_stored": cases,
            "bare_rows": rows,
        }
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        drop_database(pg_name)
        shutil.rmtree(folder, ignore_errors=True)


def summary(result: dict[str, Any]) -> str:
    def med(runs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in runs))

    i, b = result["intake"], result["bare"]
    rate, ceiling = med(i, "ok_per_s"), med(b, "ok_per_s")
    return (
        f"| {result['backend']} | {rate:,.0f} | {med(i, 'p50_us') / 1000:.1f} | "
        f"{med(i, 'p99_us') / 1000:.1f} | {ceiling:,.0f} | {med(b, 'p50_us') / 1000:.1f} | "
        f"{med(b, 'p99_us') / 1000:.1f} | {100 * rate / ceiling:.0f} % | "
        f"{sum(r['status_errors'] for r in i)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    results = [measure(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    print(
        f"\n{args.runs} runs × {args.duration} s, {args.connections} connections, "
        f"{args.workers} uvicorn workers; medians\n"
    )
    print(
        "| backend | intake reports/s | p50 ms | p99 ms | bare inserts/s | p50 ms | p99 ms "
        "| intake / bare | non-2xx |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(summary(r))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
