"""List/filter/search of cases through the API with a million cases in the database: p50 and
p95 of representative queries, as the roles that make them.

The cases are not simulated (a million would take hours through the write path): rows shaped
like the real case projection are bulk-inserted directly (``COPY`` on PostgreSQL, batched
inserts on SQLite) — states, channels, classes (by the profile's weights), places (grid
centroids of the demo city), units (the street of the place), deadlines and warning lights
spread over a year, descriptions built from a small vocabulary. No events are written: the
list endpoints read the projection only. Queries go through the app in-process (FastAPI
``TestClient``): routing, dependencies, access scope, SQL, serialisation — everything but the
socket.

    .venv/bin/python bench/api_list.py                 # 1,000,000 cases, both backends
    .venv/bin/python bench/api_list.py 100000 --backends sqlite --repeat 5   # quick
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_intake import drop_database, make_database

STATES = (
    ("closed", 0.70),
    ("dispatched", 0.12),
    ("rejected", 0.05),
    ("filed", 0.02),
    ("reported", 0.02),
    ("verifying", 0.02),
    ("handled", 0.02),
    ("checking", 0.02),
    ("cancelled", 0.03),
)
CHANNELS = (
    ("inspector", 0.55),
    ("public", 0.15),
    ("hotline", 0.15),
    ("video_ai", 0.08),
    ("sensor", 0.04),
    ("leader", 0.02),
    ("media", 0.01),
)
WORDS = ("暴露垃圾", "占道经营", "井盖破损", "路灯不亮", "小广告", "违章停车", "绿地脏乱", "积水")
BATCH = 50_000


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([t[0] for t in table])
    p = np.array([t[1] for t in table])
    return names[rng.choice(len(names), size=n, p=p / p.sum())]


def fake_rows(n: int, grids: list[tuple[str, float, float]], classes: dict[str, float]):  # type: ignore[no-untyped-def]
    """Columns of ``n`` cases as NumPy arrays (see the module docstring)."""
    rng = np.random.default_rng(20251001)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    start = end - timedelta(days=365)
    span = (end - start).total_seconds()
    offsets = np.sort(rng.uniform(0, span, n))
    grid_i = rng.integers(0, len(grids), n)
    codes = np.array([g[0] for g in grids])[grid_i]
    lon = np.array([g[1] for g in grids])[grid_i] + rng.normal(0, 0.0005, n)
    lat = np.array([g[2] for g in grids])[grid_i] + rng.normal(0, 0.0005, n)
    cls_codes = np.array(list(classes))
    weights = np.array(list(classes.values()), dtype=float)
    cls = cls_codes[rng.choice(len(cls_codes), size=n, p=weights / weights.sum())]
    states = _pick(rng, STATES, n)
    channels = _pick(rng, CHANNELS, n)
    lights = np.where(
        np.isin(states, ["closed", "rejected", "cancelled"]),
        "green",
        rng.choice(np.array(["green", "yellow", "red"]), size=n, p=[0.7, 0.15, 0.15]),
    )
    words = np.array(WORDS)[rng.integers(0, len(WORDS), n)]
    return {
        "offsets": offsets,
        "grid": codes,
        "lon": lon,
        "lat": lat,
        "cls": cls,
        "state": states,
        "channel": channels,
        "light": lights,
        "word": words,
        "start": start,
    }


def insert_cases(url: str, n: int) -> float:
    """Bulk-insert ``n`` projection rows; returns seconds taken."""
    from sqlalchemy import insert, select, text

    from cityops.adapters.db.engine import make_engine
    from cityops.adapters.db.tables.cases import cases
    from cityops.adapters.db.tables.geography import grids
    from cityops.services.profile import active_profile

    engine = make_engine(url, pool_size=1)
    profile = active_profile(engine)
    with engine.connect() as conn:
        found = conn.execute(select(grids.c.code, grids.c.centroid_lon, grids.c.centroid_lat)).all()
    classes = {c: profile.class_weights.get(c, 1.0) for c in profile.classes}
    cols = fake_rows(n, [(r[0], float(r[1]), float(r[2])) for r in found], classes)
    t0 = time.perf_counter()
    start: datetime = cols["start"]

    def row(i: int) -> dict[str, Any]:
        reported = start + timedelta(seconds=float(cols["offsets"][i]))
        state = str(cols["state"][i])
        grid = str(cols["grid"][i])
        open_ = state not in ("closed", "rejected", "cancelled")
        assigned = (
            f"street.{grid[:9]}"
            if state in ("dispatched", "handled", "checking", "closed")
            else None
        )
        deadline = reported + timedelta(hours=8) if open_ else None
        word = str(cols["word"][i])
        return {
            "id": i + 1,
            "case_no": f"{reported:%Y%m%d}{i + 1:07d}",
            "version": 1 if state in ("reported", "verifying") else 6,
            "state": state,
            "channel": str(cols["channel"][i]),
            "reported_at": reported,
            "reported_by": f"inspector.{grid[:12]}"
            if cols["channel"][i] == "inspector"
            else "citizen.demo",
            "description": f"{grid[:9]}街道附近发现{word}，请尽快处理（编号{i}）",
            "address": f"测试路{i % 997}号附近",
            "lon": float(cols["lon"][i]),
            "lat": float(cols["lat"][i]),
            "grid_code": grid,
            "community_code": grid[:12],
            "street_code": grid[:9],
            "district_code": grid[:6],
            "area_class": "urban",
            "class_code": str(cols["cls"][i]),
            "urgency": "normal",
            "verifier": None,
            "checker": None,
            "assigned_unit": assigned,
            "stage": "handle" if state == "dispatched" else ("file" if open_ else None),
            "stage_deadline": deadline if state != "dispatched" else None,
            "handling_deadline": deadline if state == "dispatched" else None,
            "suspended": False,
            "light": str(cols["light"][i]),
            "closed_at": reported + timedelta(days=1) if state == "closed" else None,
            "rework_count": 0,
            "return_count": 0,
            "dispatch_count": 1 if assigned else 0,
            "extension_count": 0,
            "suspension_count": 0,
            "updated_at": reported,
        }

    names = list(row(0))
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            with cur.copy(f"COPY cases ({', '.join(names)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for i in range(n):
                    r = row(i)
                    copy.write_row([r[k] for k in names])
            raw.commit()
            cur.execute("ANALYZE cases")
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            for lo in range(0, n, BATCH):
                conn.execute(insert(cases), [row(i) for i in range(lo, min(n, lo + BATCH))])
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            conn.execute(text("UPDATE counters SET value = :n WHERE name = 'case_id'"), {"n": n})
    engine.dispose()
    return time.perf_counter() - t0


QUERIES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("dispatcher", "all, newest first", "/cases", {}),
    ("dispatcher", "state=dispatched", "/cases", {"state": "dispatched"}),
    (
        "dispatcher",
        "open, red light, by deadline",
        "/cases",
        {"open_only": True, "light": "red", "sort": "deadline"},
    ),
    ("dispatcher", "class 06* in a district", "/cases", {"class_code": "06*", "area": "370102"}),
    (
        "dispatcher",
        "one unit, dispatched",
        "/cases",
        {"unit": "street.370102001", "state": "dispatched"},
    ),
    (
        "dispatcher",
        "one month, hotline",
        "/cases",
        {
            "channel": "hotline",
            "reported_from": "2026-03-01T00:00:00+08:00",
            "reported_to": "2026-04-01T00:00:00+08:00",
        },
    ),
    ("dispatcher", "text search (common word)", "/cases", {"text": "井盖破损"}),
    ("dispatcher", "text search (case number)", "/cases", {"text": "__CASE_NO__"}),
    ("dispatcher", "page 50", "/cases", {"page": 50, "page_size": 20}),
    ("dispatcher", "overdue list", "/cases/overdue", {}),
    ("dispatcher", "my queue", "/queue", {}),
    ("handler_street", "handler: own unit's list", "/cases", {}),
    ("handler_street", "handler: queue", "/queue", {}),
    ("inspector", "inspector: own grids", "/cases", {"open_only": True}),
]
PERSONAS = {
    "dispatcher": "dispatcher.1",
    "handler_street": "handler.street.370102001",
    "inspector": "inspector.370102001001",
}


def measure(backend: str, n: int, repeat: int) -> list[dict[str, Any]]:
    from fastapi.testclient import TestClient

    from api_intake import install_city
    from cityops.api.app import create_app
    from cityops.config import Settings
    from cityops.services.runtime import bootstrap

    folder = Path(tempfile.mkdtemp(prefix=f"cityops-list-{backend}-"))
    url, pg_name = make_database(backend, folder)
    try:
        t0 = time.perf_counter()
        install_city(url, folder)
        print(f"[{backend}] demo city in {time.perf_counter() - t0:.0f} s", flush=True)
        took = insert_cases(url, n)
        print(f"[{backend}] {n:,} cases inserted in {took:.0f} s", flush=True)
        rt = bootstrap(Settings(var_dir=folder, database_url=url))
        client = TestClient(create_app(rt))
        headers = {}
        for persona, login in PERSONAS.items():
            r = client.post(
                "/api/v1/auth/token", data={"username": login, "password": "cityops-demo"}
            )
            headers[persona] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        case_no = client.get(
            "/api/v1/cases", headers=headers["dispatcher"], params={"page": 3}
        ).json()["items"][0]["case_no"]
        results = []
        for persona, label, path, params in QUERIES:
            params = {k: (case_no if v == "__CASE_NO__" else v) for k, v in params.items()}
            times = []
            total = None
            for _ in range(repeat + 1):
                t = time.perf_counter()
                r = client.get("/api/v1" + path, headers=headers[persona], params=params)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
                total = r.json()["total"]
            times = times[1:]  # the first warms the caches
            results.append(
                {
                    "backend": backend,
                    "query": label,
                    "persona": persona,
                    "p50": statistics.median(times),
                    "p95": float(np.percentile(times, 95)),
                    "total": total,
                }
            )
            print(
                f"[{backend}] {label:32s} p50 {results[-1]['p50']:7.1f} ms  p95 "
                f"{results[-1]['p95']:7.1f} ms  (total {total})",
                flush=True,
            )
        client.close()
        rt.engine.dispose()
        return results
    finally:
        drop_database(pg_name)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per query")
    args = parser.parse_args()
    rows = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        rows.extend(measure(backend, args.cases, args.repeat))
    print(f"\n{args.cases:,} cases; {args.repeat} timed requests per query (after one warm-up)\n")
    backends = sorted({r["backend"] for r in rows}, key=lambda b: b != "sqlite")
    print("| query | as | " + " | ".join(f"{b} p50 / p95 ms" for b in backends) + " |")
    print("|---|---|" + "---:|" * len(backends))
    for persona, label, _path, _params in QUERIES:
        cells = []
        for b in backends:
            r = next(x for x in rows if x["backend"] == b and x["query"] == label)
            cells.append(f"{r['p50']:.1f} / {r['p95']:.1f}")
        print(f"| {label} | {persona} | " + " | ".join(cells) + " |")
    for b in backends:
        every = [x["p95"] for x in rows if x["backend"] == b]
        print(
            f"{b}: worst p95 {max(every):.1f} ms, median of p95s {statistics.median(every):.1f} ms"
        )


if __name__ == "__main__":
    main()
