"""Rates, the negative list and the 回头看 list for a period, computed from the order event log
(so any past moment can be recomputed exactly). Definitions: ``domain/hotline/rates.py`` and
``domain/hotline/negative_list.py``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select

from cityops.adapters.db.tables.hotline import hotline_order_events, hotline_orders
from cityops.domain.hotline.facts import OrderFacts, order_facts
from cityops.domain.hotline.negative_list import (
    NegativeEntry,
    ReexamItem,
    negative_list,
    reexamination_list,
)
from cityops.domain.hotline.rates import Rates, by_city, by_district, by_unit, compute_rates
from cityops.errors import ValidationError
from cityops.services.hotline.settings import hotline_policy
from cityops.services.hotline.store import row_to_event
from cityops.services.runtime import Runtime

CHUNK = 1000
GROUPINGS = {"city": by_city, "unit": by_unit, "district": by_district}


def _check(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError("time.naive", "时间必须带时区")
    if end <= start:
        raise ValidationError("hotline.period_invalid", "统计期间的结束须晚于开始")


def _ids_active(rt: Runtime, start: datetime, until: datetime) -> list[int]:
    e = hotline_order_events
    with rt.uow(readonly=True) as uow:
        return [
            int(x)
            for x in uow.conn.execute(
                select(e.c.order_id).where(and_(e.c.at >= start, e.c.at <= until)).distinct()
            ).scalars()
        ]


def _facts_of(rt: Runtime, ids: list[int], as_of: datetime) -> Iterator[OrderFacts]:
    e = hotline_order_events
    ids = sorted(ids)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with rt.uow(readonly=True) as uow:
            rows = uow.conn.execute(
                select(e).where(e.c.order_id.in_(chunk)).order_by(e.c.order_id, e.c.seq)
            ).mappings()
            current: list[Any] = []
            for r in rows:
                ev = row_to_event(r)
                if current and current[0].order_id != ev.order_id:
                    yield order_facts(current, as_of)
                    current = []
                current.append(ev)
            if current:
                yield order_facts(current, as_of)


def period_facts(
    rt: Runtime, start: datetime, end: datetime, as_of: datetime | None = None
) -> list[OrderFacts]:
    """Facts of every order with any event in [start, as_of], as they stood at ``as_of``
    (default: now, but never after ``end``)."""
    _check(start, end)
    until = min(as_of or rt.now(), end)
    return list(_facts_of(rt, _ids_active(rt, start, until), until))


def rates(
    rt: Runtime,
    start: datetime,
    end: datetime,
    *,
    by: str = "city",
    as_of: datetime | None = None,
) -> list[Rates]:
    if by not in GROUPINGS:
        raise ValidationError("hotline.grouping_unknown", "分组应为 city、unit 或 district", by=by)
    until = min(as_of or rt.now(), end)
    facts = period_facts(rt, start, end, until)
    policy = hotline_policy(rt)
    table = compute_rates(facts, start, end, until, policy.satisfied, GROUPINGS[by])
    return sorted(table.values(), key=lambda r: r.key)


def negatives(
    rt: Runtime, start: datetime, end: datetime, *, as_of: datetime | None = None
) -> list[NegativeEntry]:
    until = min(as_of or rt.now(), end)
    facts = period_facts(rt, start, end, until)
    calendar = rt.policy.calendar
    return negative_list(
        facts, start, end, until, hotline_policy(rt), calendar.advance, calendar.day_seconds
    )


def _later_orders(rt: Runtime, start: datetime, until: datetime) -> list[OrderFacts]:
    o = hotline_orders
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(
                o.c.id,
                o.c.order_no,
                o.c.received_at,
                o.c.kind,
                o.c.class_code,
                o.c.district_code,
                o.c.grid_code,
                o.c.lon,
                o.c.lat,
                o.c.state,
            ).where(and_(o.c.received_at >= start, o.c.received_at <= until))
        ).all()
    out = []
    for r in rows:
        f = OrderFacts(
            int(r.id),
            r.order_no,
            r.received_at,
            r.kind,
            r.class_code,
            r.district_code,
            r.grid_code,
            r.lon,
            r.lat,
        )
        if r.state == "voided":
            f.voided_at = r.received_at
        out.append(f)
    return out


def reexamination(rt: Runtime, start: datetime, end: datetime) -> list[ReexamItem]:
    """回头看: orders whose standing closure falls in [start, end) and that were closed
    unresolved, unsatisfied or unreached, or whose problem came back since."""
    _check(start, end)
    policy = hotline_policy(rt)
    now = rt.now()
    e = hotline_order_events
    with rt.uow(readonly=True) as uow:
        ids = [
            int(x)
            for x in uow.conn.execute(
                select(e.c.order_id)
                .where(and_(e.c.type == "closed", e.c.at >= start, e.c.at < end))
                .distinct()
            ).scalars()
        ]
    closed = list(_facts_of(rt, ids, now))
    later = _later_orders(rt, start, min(now, end + timedelta(days=policy.comeback_days)))
    return reexamination_list(closed, later, start, end, policy)
