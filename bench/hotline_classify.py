"""Benchmark: automatic classification as the hotline uses it.

    .venv/bin/python bench/hotline_classify.py [N] [--runs R] [--latency L] [--db URL]

The 济南 demo city (profile and generated geography) in a fresh SQLite database (or ``--db``),
N closed orders written to it with texts in callers' words (``services/hotline/texts.py``):
a class drawn by the profile's weights, a place of the city (named place, or community and
road), the unit the city's routing rules give for that class and place.

1. Training time on the N orders through ``services.hotline.classification.train`` (read the
   history from the database, fit both heads, save the model into the database), R runs; the
   reading step alone is timed too. Peer in the same run: the keyword baseline of
   ``cityops.classify`` fitted on the same texts.
2. Latency per order, L new orders one by one: the suggestion as intake asks for it
   (``classification.suggest``: cached model, both heads, routing unit) and the whole intake
   command (placing the address, the suggestion, storing the order and the protected contact);
   peers: the bare model's ``suggest`` and the keyword baseline's ``rank``.
3. Accuracy on 2,000 held-out generated orders (optimistic: the texts come from templates).

Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import insert

from cityops.adapters.db.engine import make_engine
from cityops.adapters.db.migrate import upgrade
from cityops.adapters.db.tables.cases import counters
from cityops.adapters.db.tables.hotline import hotline_orders
from cityops.classify.baselines import KeywordClassifier
from cityops.config import Settings
from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import Urgency
from cityops.domain.catalog.routing import suggest_unit
from cityops.domain.geo.demo_city import DEFAULT_SEED, DEMO_SOURCE, generate_demo_city
from cityops.domain.geo.model import Location
from cityops.domain.hotline.model import Order
from cityops.domain.hotline.vocabulary import OrderChannel, OrderKind, OrderState
from cityops.services.geography import write_geography
from cityops.services.hotline import classification
from cityops.services.hotline import commands as cmd
from cityops.services.hotline.addresses import place_order
from cityops.services.hotline.simulation import load_spots
from cityops.services.hotline.texts import order_text
from cityops.services.profile import demo_profile_path, install_profile
from cityops.services.runtime import Runtime, bootstrap

KINDS = ["complaint"] * 6 + ["help"] * 3 + ["consult", "report", "suggestion"]


def city(url: str | None) -> Runtime:
    tmp = Path(tempfile.mkdtemp())
    url = url or f"sqlite:///{tmp / 'bench.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    install_profile(engine, demo_profile_path())
    with engine.begin() as conn:
        write_geography(conn, generate_demo_city(DEFAULT_SEED).geography, f"{DEMO_SOURCE}:bench")
    return bootstrap(Settings(var_dir=tmp, database_url=url), engine=engine)


def orders(rt: Runtime, n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """(text, address, class, unit) of n generated orders."""
    rng = random.Random(seed)
    profile = rt.policy.profile
    weights: dict[str, float] = {}
    for c in profile.conditions.values():
        if c.class_code in profile.classes:
            weights[c.class_code] = weights.get(c.class_code, 0.0) + max(c.weight, 0.01)
    classes = sorted(weights)
    w = [weights[c] for c in classes]
    spots = load_spots(rt, rng)
    out = []
    for _ in range(n):
        code = rng.choices(classes, weights=w)[0]
        spot = rng.choice(spots)
        s = suggest_unit(profile, code, Location.from_grid(0.0, 0.0, spot.grid))
        unit = s.unit_code if s else "center"
        text = order_text(code, profile.classes[code].name, spot.address, rng.choice(KINDS), rng)
        out.append((text, spot.address, code, unit))
    return out


def store_history(rt: Runtime, rows: list[tuple[str, str, str, str]]) -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    with rt.engine.begin() as conn:
        batch: list[dict[str, Any]] = []
        for i, (text, address, code, unit) in enumerate(rows, start=1):
            at = t0 + timedelta(minutes=5 * i)
            batch.append(
                {
                    "id": i,
                    "order_no": f"RX{i:012d}",
                    "version": 7,
                    "state": "closed",
                    "kind": "complaint",
                    "channel": "phone",
                    "urgency": "normal",
                    "received_at": at,
                    "received_by": "bench",
                    "content": text,
                    "address": address,
                    "location_level": "place",
                    "location_confidence": 0.9,
                    "class_code": code,
                    "revisit_required": True,
                    "revisit_attempts": 1,
                    "replied_by_unit": unit,
                    "closed_resolved": True,
                    "closed_at": at + timedelta(days=2),
                    "dispatch_count": 1,
                    "transfer_count": 0,
                    "return_count": 0,
                    "reopen_count": 0,
                    "extension_count": 0,
                    "updated_at": now,
                }
            )
            if len(batch) == 10000:
                conn.execute(insert(hotline_orders), batch)
                batch = []
        if batch:
            conn.execute(insert(hotline_orders), batch)
        conn.execute(insert(counters).values(name="hotline_order_id", value=len(rows)))


def median_ms(values: list[float]) -> str:
    lo, hi = min(values) * 1000, max(values) * 1000
    return f"{statistics.median(values) * 1000:,.0f} ms ({len(values)} runs, {lo:,.0f}–{hi:,.0f})"


def per_order(values: list[float]) -> str:
    q = statistics.quantiles(values, n=20)
    return f"{statistics.median(values) * 1000:.2f} ms (p95 {q[18] * 1000:.2f} ms)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--latency", type=int, default=500)
    ap.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    t0 = time.perf_counter()
    rt = city(args.db)
    history = orders(rt, args.n, args.seed)
    store_history(rt, history)
    setup = time.perf_counter() - t0

    read, train, keyword = [], [], []
    report = None
    for _ in range(args.runs):
        t = time.perf_counter()
        examples = classification.history_examples(rt)
        read.append(time.perf_counter() - t)
        t = time.perf_counter()
        report = classification.train(rt, "bench")
        train.append(time.perf_counter() - t)
        t = time.perf_counter()
        KeywordClassifier().fit([e.text for e in examples], [e.class_code for e in examples])
        keyword.append(time.perf_counter() - t)
    assert report is not None
    baseline = KeywordClassifier().fit([h[0] for h in history], [h[2] for h in history])

    fresh = orders(rt, args.latency + 2000, args.seed + 1)
    loaded = classification.active_model(rt)
    assert loaded is not None
    model = loaded[1]
    suggest_t, intake_t, bare_t, kw_t = [], [], [], []
    desk = Actor("acceptor.bench", Role.ACCEPTOR, None)
    for text, address, _code, _unit in fresh[: args.latency]:
        placed = place_order(rt, address, text)
        t = time.perf_counter()
        classification.suggest(rt, text, placed)
        suggest_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        model.suggest([text])
        bare_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        baseline.rank([text])
        kw_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        cmd.receive_order(rt, desk, content=text, address=address, caller_phone="13800000000")
        intake_t.append(time.perf_counter() - t)
    held = fresh[args.latency :]
    dispatch_ok = 0
    for text, address, _code, unit in held:
        placed = place_order(rt, address, text)
        probe = Order(
            0,
            "",
            1,
            OrderState.RECEIVED,
            OrderKind.COMPLAINT,
            OrderChannel.PHONE,
            Urgency.NORMAL,
            datetime.now(UTC),
            "",
            text,
            address,
            placed,
            suggestion=classification.suggest(rt, text, placed),
        )
        dispatch_ok += classification.suggested_unit(rt, probe) == unit
    dispatch_ok /= len(held)
    got = model.suggest([h[0] for h in held])
    cls_ok = sum(s.class_code == h[2] for s, h in zip(got, held, strict=True)) / len(held)
    unit_ok = sum(s.unit == h[3] for s, h in zip(got, held, strict=True)) / len(held)
    cls_cov = sum(s.class_code is not None for s in got) / len(held)
    kw_ok = sum(
        r[0].label == h[2]
        for r, h in zip(baseline.rank([h[0] for h in held]), held, strict=True)
        if r
    ) / len(held)

    n, lat = f"{args.n:,}", f"{args.latency} orders"
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, ", end="")
    print(f"database {rt.engine.dialect.name}")
    print(
        f"History: {n} closed orders of the demo city, {report.classes} classes, "
        f"{report.units} units (set up in {setup:.0f} s)\n"
    )
    rows = [
        ("train (read history + fit both heads + save to the database)", n, median_ms(train)),
        ("— reading the history alone", n, median_ms(read)),
        ("keyword baseline fit (peer, class only)", n, median_ms(keyword)),
        ("suggestion at intake (`classification.suggest`)", lat, per_order(suggest_t)),
        ("bare model `suggest` (peer)", lat, per_order(bare_t)),
        ("keyword baseline `rank` (peer)", lat, per_order(kw_t)),
        ("whole intake command (place, suggest, store)", lat, per_order(intake_t)),
    ]
    print("| step | size | median |")
    print("|---|---:|---:|")
    for name, size, value in rows:
        print(f"| {name} | {size} | {value} |")
    print(
        f"\nHeld-out generated orders (2,000): class right {cls_ok:.1%} "
        f"(suggested for {cls_cov:.1%}), unit head right {unit_ok:.1%}, unit suggested for "
        f"dispatch (routing rules first, then the unit head) right {dispatch_ok:.1%}; "
        f"keyword baseline class {kw_ok:.1%}."
    )


if __name__ == "__main__":
    main()
