"""Hotspots, repeated and periodic problems, patterns and trends for a period — the data of the
console's hotline page (charts and a map) and of the monthly bulletin.

Orders are read from the projection into columns (``OrderFrame``) in batches, then analysed in
memory with NumPy (``domain/hotline/hotspots.py`` and ``recurrence.py``); voided orders are
left out. ``services/hotline/duck.py`` runs the same analyses in DuckDB, as a cross-check and
for very large exports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Connection, and_, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from cityops.adapters.db.tables.hotline import hotline_orders
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.hotline.frame import OrderFrame, factorize
from cityops.domain.hotline.hotspots import (
    spatial_clusters,
    top_districts,
    top_grids,
    top_matters,
    top_pairs,
)
from cityops.domain.hotline.recurrence import patterns, periodic_problems, repeated_series
from cityops.domain.hotline.trends import TrendResult, evaluate_trend
from cityops.errors import ValidationError
from cityops.services.hotline.settings import hotline_policy, targets
from cityops.services.runtime import Runtime

BATCH = 50_000
o = hotline_orders


def _epoch(conn: Connection) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", o.c.received_at)), BigInteger)
    return cast(func.strftime("%s", o.c.received_at), BigInteger)


def _utc_offset(rt: Runtime, at: datetime) -> int:
    from zoneinfo import ZoneInfo

    offset = at.astimezone(ZoneInfo(rt.policy.profile.calendar.time_zone)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def load_frame(
    rt: Runtime, start: datetime, end: datetime, *, class_code: str | None = None
) -> OrderFrame:
    """Orders received in [start, end) (not voided) as columns; ``class_code`` may be an exact
    code or a major prefix like ``06*``."""
    if end <= start:
        raise ValidationError("hotline.period_invalid", "统计期间的结束须晚于开始")
    ids: list[int] = []
    ts: list[int] = []
    classes: list[str | None] = []
    grids: list[str | None] = []
    lons: list[float | None] = []
    lats: list[float | None] = []
    with rt.uow(readonly=True) as uow:
        conn = uow.conn
        q = select(o.c.id, _epoch(conn), o.c.class_code, o.c.grid_code, o.c.lon, o.c.lat).where(
            and_(o.c.received_at >= start, o.c.received_at < end, o.c.state != "voided")
        )
        if class_code:
            if class_code.endswith("*"):
                q = q.where(o.c.class_code.like(class_code[:-1] + "%"))
            else:
                q = q.where(o.c.class_code == class_code)
        result = conn.execution_options(yield_per=BATCH).execute(q)
        for part in result.partitions(BATCH):
            a, b, c, d, e, f = zip(*part, strict=True)  # columns of the batch
            ids.extend(a)
            ts.extend(b)
            classes.extend(c)
            grids.extend(d)
            lons.extend(e)
            lats.extend(f)
    return OrderFrame.build(ids, ts, classes, grids, lons, lats, _utc_offset(rt, start))


def empty_frame() -> OrderFrame:
    codes, cats = factorize([])
    z = np.zeros(0, dtype=np.int64)
    return OrderFrame(z, z, codes, cats, codes, cats, codes, cats, np.zeros(0), np.zeros(0))


def hotspot_report(
    rt: Runtime,
    start: datetime,
    end: datetime,
    *,
    top: int = 10,
    cell_m: float = 200.0,
    min_cell_orders: int = 10,
    class_code: str | None = None,
    frame: OrderFrame | None = None,
) -> dict[str, Any]:
    """Everything the hotline page shows for a period, as plain data."""
    f = frame if frame is not None else load_frame(rt, start, end, class_code=class_code)
    policy = hotline_policy(rt)
    return {
        "orders": len(f),
        "top_matters": [c.to_dict() for c in top_matters(f, top)],
        "top_grids": [c.to_dict() for c in top_grids(f, top)],
        "top_districts": [c.to_dict() for c in top_districts(f)],
        "top_places_by_matter": [
            {"grid_code": g, "class_code": c, "count": n} for g, c, n in top_pairs(f, top)
        ],
        "clusters": [c.to_dict() for c in spatial_clusters(f, cell_m, min_cell_orders, top * 3)],
        "repeated": [
            s.to_dict()
            for s in repeated_series(
                f, policy.recurrence_days, policy.recurrence_min_orders, limit=top * 5
            )
        ],
        "periodic": [p.to_dict() for p in periodic_problems(f, limit=top * 3)],
        "patterns": patterns(f).to_dict(),
    }


def count_orders(rt: Runtime, start: datetime, end: datetime, scope: str) -> int:
    q = select(func.count()).where(
        and_(o.c.received_at >= start, o.c.received_at < end, o.c.state != "voided")
    )
    if scope != "*":
        if scope.endswith("*"):
            q = q.where(o.c.class_code.like(scope[:-1] + "%"))
        else:
            q = q.where(o.c.class_code == scope)
    with rt.uow(readonly=True) as uow:
        return int(uow.conn.execute(q).scalar_one())


def trend_report(rt: Runtime, period: EvalPeriod) -> list[TrendResult]:
    """Each stored target (``cityops hotline targets``) against the period."""
    start, end = period.utc_bounds()
    out = []
    for t in targets(rt):
        other = period.year_ago() if t.compare == "yoy" else period.previous()
        o_start, o_end = other.utc_bounds()
        out.append(
            evaluate_trend(
                t,
                count_orders(rt, start, end, t.scope),
                count_orders(rt, o_start, o_end, t.scope),
            )
        )
    return out
