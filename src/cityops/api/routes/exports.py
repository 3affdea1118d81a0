"""The event export (the exchange vocabulary of docs/exchange.md), streamed as JSON lines or
CSV. For the centre roles, leaders and evaluators; reporters' contact data only for the roles
that talk to reporters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from cityops.api.deps import RT, require_roles
from cityops.api.presenters import mask_event_data
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ValidationError
from cityops.services import case_queries as q
from cityops.services.export import FIELDS, iter_records
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/exports", tags=["exports 导出"], responses=ERROR_RESPONSES)

Exporter = Annotated[
    User,
    Depends(
        require_roles(
            Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.LEADER, Role.EVALUATOR
        )
    ),
]
CHUNK = 500


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


def _records(
    rt: Runtime,
    user: User,
    since: datetime | None,
    until: datetime | None,
    case_id: int | None,
) -> Iterator[dict[str, Any]]:
    allowed = q.district_case_ids(rt, user.district) if user.district else None
    for rec in iter_records(rt):
        if case_id is not None and rec["case_id"] != case_id:
            continue
        if allowed is not None and rec["case_id"] not in allowed:
            continue
        if since is not None or until is not None:
            at = datetime.fromisoformat(rec["at"])
            if (since is not None and at < since) or (until is not None and at >= until):
                continue
        rec["data"], rec["actor"] = mask_event_data(user, rec["role"], rec["actor"], rec["data"])
        yield rec


def _jsonl(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    lines: list[str] = []
    for rec in records:
        lines.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        if len(lines) >= CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def _csv(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS)
    writer.writeheader()
    for n, rec in enumerate(records, start=1):
        row = dict(rec)
        row["data"] = json.dumps(rec["data"], ensure_ascii=False, separators=(",", ":"))
        writer.writerow(row)
        if n % CHUNK == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


@router.get(
    "/events",
    summary="事件导出 Export the case events (streamed JSON lines or CSV)",
    description="One record per event: case_id, seq, type, at (city time with offset), actor, "
    "role, unit, from_state, to_state, data — in recording order. Optional filters by time "
    "(`since` ≤ at < `until`) and case.",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "application/x-ndjson": {
                    "example": '{"case_id":1,"seq":1,"type":"reported","at":"2026-11-20T'
                    '09:12:00+08:00","actor":"inspector.370102001004","role":"inspector",'
                    '"unit":null,"from_state":null,"to_state":"reported","data":{}}\n'
                },
                "text/csv": {},
            }
        }
    },
)
def events(
    rt: RT,
    user: Exporter,
    format: Annotated[ExportFormat, Query()] = ExportFormat.JSONL,
    since: Annotated[datetime | None, Query(examples=["2026-11-01T00:00:00+08:00"])] = None,
    until: Annotated[datetime | None, Query()] = None,
    case_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> StreamingResponse:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise ValidationError(
                "query.time_naive", f"{name} 须带时区，例如 2025-10-01T00:00:00+08:00", field=name
            )
    records = _records(rt, user, since, until, case_id)
    if format == ExportFormat.CSV:
        body, media, ext = _csv(records), "text/csv; charset=utf-8", "csv"
    else:
        body, media, ext = _jsonl(records), "application/x-ndjson", "jsonl"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="case-events.{ext}"'},
    )
