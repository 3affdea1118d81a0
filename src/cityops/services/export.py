"""The event export: the stable exchange vocabulary (docs/exchange.md).

One record per event: ``case_id, seq, type, at, actor, role, unit, from_state, to_state,
data``, in recording order; ``at`` is ISO-8601 with the city's UTC offset."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from cityops.domain.cases.model import Event
from cityops.services.runtime import Runtime

FIELDS = ("case_id", "seq", "type", "at", "actor", "role", "unit", "from_state", "to_state", "data")


def event_record(event: Event, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "type": event.type.value,
        "at": event.at.astimezone(tz).isoformat(),
        "actor": event.actor,
        "role": event.role.value,
        "unit": event.unit,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value,
        "data": dict(event.data),
    }


def iter_records(rt: Runtime, tz_name: str | None = None) -> Iterator[dict[str, Any]]:
    tz = ZoneInfo(tz_name or rt.policy.profile.calendar.time_zone)
    with rt.uow(readonly=True) as uow:
        for _, event in uow.cases.iter_events():
            yield event_record(event, tz)


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    n = 0
    for rec in records:
        out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        n += 1
    return n


def write_csv(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    n = 0
    for rec in records:
        row = dict(rec)
        row["data"] = json.dumps(rec["data"], ensure_ascii=False, separators=(",", ":"))
        writer.writerow(row)
        n += 1
    return n
