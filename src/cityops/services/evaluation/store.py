"""Reads of the event log for the reference evaluation and for case lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select

from cityops.adapters.db.case_repository import row_to_event
from cityops.adapters.db.tables.cases import case_events, cases
from cityops.domain.cases.model import Event


def relevant_case_events(
    conn: Connection, lo: datetime, hi: datetime, batch: int = 2000
) -> Iterator[list[Event]]:
    """The events (before ``hi``) of every case that can count in ``[lo, hi)``: reported
    before ``hi`` and not ended before ``lo``. One list per case, in ``seq`` order."""
    ids = list(
        conn.execute(
            select(cases.c.id)
            .where(
                cases.c.reported_at < hi, or_(cases.c.ended_at.is_(None), cases.c.ended_at >= lo)
            )
            .order_by(cases.c.id)
        ).scalars()
    )
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        rows = conn.execute(
            select(case_events)
            .where(and_(case_events.c.case_id.in_(chunk), case_events.c.at < hi))
            .order_by(case_events.c.case_id, case_events.c.seq)
        ).mappings()
        grouped: dict[int, list[Event]] = defaultdict(list)
        for r in rows:
            grouped[int(r["case_id"])].append(row_to_event(r))
        yield from grouped.values()
