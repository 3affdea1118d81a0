"""``GET requests``, ``requests/{id}``, ``tokens/{token}``, ``servicerequestupdates`` and the
published photos, read from the case projection and the event log.

Dates are W3C date-times with a zone. Without dates a query covers the last 90 days; with one
date, the 90 days from (or up to) it; with both, the span given. At most 1000 items come back:
requests newest first, updates oldest first (so a client polls with ``updated_after`` set to the
last ``updated_datetime`` it has, and drops the ``update_id``s it already knows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select

from cityops.adapters.db.case_repository import row_to_case
from cityops.adapters.db.tables.cases import case_attachments, case_events, cases
from cityops.domain.cases.vocabulary import OPEN_STATES, TERMINAL_STATES, EventType
from cityops.errors import NotFoundError, ValidationError
from cityops.services.open311.documents import (
    EXTRA_KEY,
    PUBLISHED_CHANNELS,
    request_doc,
    w3c,
)
from cityops.services.open311.status import CLOSED, OPEN, STEP_NOTES, update_note
from cityops.services.runtime import Runtime

MAX_RESULTS = 1000
DEFAULT_SPAN = timedelta(days=90)
MAX_IDS = 200
PUBLISHED = [c.value for c in PUBLISHED_CHANNELS]
UPDATE_TYPES = sorted(
    {e.value for e in STEP_NOTES}
    | {EventType.CLOSED.value, EventType.REJECTED.value, EventType.VERIFIED.value}
    | {EventType.EXTENSION_DECIDED.value}
)
TERMINAL = {s.value for s in TERMINAL_STATES}
_TOKEN = re.compile(r"[A-Za-z0-9]{4,16}")
_SHA256 = re.compile(r"[0-9a-f]{64}")

PhotoUrl = Callable[[str], str]


# --------------------------------------------------------------------------- parameters


def parse_w3c(value: str | None, name: str) -> datetime | None:
    """A W3C date-time with its zone (``2025-10-20T08:00:00+08:00`` or ``…Z``)."""
    if value is None or not value.strip():
        return None
    try:
        # An unencoded "+" of the zone arrives as a space: "…T08:00:00 08:00".
        dt = datetime.fromisoformat(re.sub(r" ([0-9]{2}:?[0-9]{2})$", r"+\1", value.strip()))
    except ValueError:
        dt = None
    if dt is None or dt.tzinfo is None:
        raise ValidationError(
            "open311.date_invalid",
            f"{name}“{value}”须为带时区的 W3C 时间，例如 2025-10-20T08:00:00+08:00 或 …Z",
            field=name,
            value=value,
        )
    return dt


def window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    if start is None and end is None:
        return now - DEFAULT_SPAN, now
    if start is None:
        assert end is not None
        return end - DEFAULT_SPAN, end
    if end is None:
        return start, start + DEFAULT_SPAN
    if end < start:
        raise ValidationError("open311.date_order", "end_date 早于 start_date")
    return start, end


def comma_list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = params.get(name) or ""
    items = tuple(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    if len(items) > MAX_IDS:
        raise ValidationError(
            "open311.too_many_values", f"{name} 最多{MAX_IDS}个", field=name, count=len(items)
        )
    return items


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()


def request_query(params: Mapping[str, str]) -> RequestQuery:
    statuses = frozenset(s.lower() for s in comma_list(params, "status"))
    wrong = sorted(statuses - {OPEN, CLOSED})
    if wrong:
        raise ValidationError(
            "open311.status_invalid", f"status 只能为 open 或 closed，收到：{'、'.join(wrong)}"
        )
    return RequestQuery(
        ids=comma_list(params, "service_request_id"),
        service_codes=comma_list(params, "service_code"),
        start=parse_w3c(params.get("start_date"), "start_date"),
        end=parse_w3c(params.get("end_date"), "end_date"),
        statuses=statuses,
    )


@dataclass(frozen=True)
class UpdateQuery:
    ids: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    after: datetime | None = None


def update_query(params: Mapping[str, str]) -> UpdateQuery:
    return UpdateQuery(
        ids=comma_list(params, "service_request_id"),
        start=parse_w3c(params.get("start_date"), "start_date"),
        end=parse_w3c(params.get("end_date"), "end_date"),
        after=parse_w3c(params.get("updated_after"), "updated_after"),
    )


# --------------------------------------------------------------------------- requests


def _request_clause(q: RequestQuery, now: datetime) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = [cases.c.channel.in_(PUBLISHED)]
    if q.ids:  # "overrides all other arguments" (GeoReport v2)
        return and_(*parts, cases.c.case_no.in_(q.ids))
    start, end = window(q.start, q.end, now)
    parts += [cases.c.reported_at >= start, cases.c.reported_at <= end]
    if q.service_codes:
        parts.append(cases.c.class_code.in_(q.service_codes))
    if q.statuses == {OPEN}:
        parts.append(cases.c.state.in_(sorted(s.value for s in OPEN_STATES)))
    elif q.statuses == {CLOSED}:
        parts.append(cases.c.state.in_(sorted(TERMINAL)))
    return and_(*parts)


def _docs(rt: Runtime, rows: list[Any], photo_url: PhotoUrl) -> list[dict[str, Any]]:
    profile = rt.policy.profile
    ids = [int(r["id"]) for r in rows]
    after: dict[int, str] = {}
    updated: dict[int, datetime] = {}
    if ids:
        with rt.uow(readonly=True) as uow:
            # The time of the last step, not of the projection's last write (the overdue
            # sweep rewrites warning lights, which the public does not see).
            for case_id, at in uow.conn.execute(
                select(case_events.c.case_id, func.max(case_events.c.at))
                .where(case_events.c.case_id.in_(ids))
                .group_by(case_events.c.case_id)
            ):
                updated[int(case_id)] = at  # max() keeps the column type: aware UTC
            for case_id, sha in uow.conn.execute(
                select(case_attachments.c.case_id, case_attachments.c.sha256)
                .where(case_attachments.c.case_id.in_(ids), case_attachments.c.kind == "after")
                .order_by(case_attachments.c.seq, case_attachments.c.id)
            ):
                after[int(case_id)] = sha  # the latest wins
    return [
        request_doc(
            row_to_case(r),
            profile,
            updated_at=updated.get(int(r["id"])),
            photo_url=photo_url,
            after_photo=after.get(int(r["id"])),
        )
        for r in rows
    ]


def find_requests(rt: Runtime, q: RequestQuery, photo_url: PhotoUrl) -> list[dict[str, Any]]:
    with rt.uow(readonly=True) as uow:
        rows = list(
            uow.conn.execute(
                select(cases)
                .where(_request_clause(q, rt.now()))
                .order_by(cases.c.reported_at.desc(), cases.c.id.desc())
                .limit(MAX_RESULTS)
            ).mappings()
        )
    return _docs(rt, rows, photo_url)


def get_request(rt: Runtime, service_request_id: str, photo_url: PhotoUrl) -> list[dict[str, Any]]:
    docs = find_requests(rt, RequestQuery(ids=(service_request_id,)), photo_url)
    if not docs:
        raise NotFoundError(
            "open311.request_unknown",
            f"服务请求“{service_request_id}”不存在",
            service_request_id=service_request_id,
        )
    return docs


def resolve_token(rt: Runtime, token: str) -> list[dict[str, Any]]:
    case = None
    if _TOKEN.fullmatch(token):
        with rt.uow(readonly=True) as uow:
            case = uow.cases.get_by_tracking_code(token.upper())
    if case is None or case.channel not in PUBLISHED_CHANNELS:
        raise NotFoundError("open311.token_unknown", f"token“{token}”不存在", token=token)
    return [{"service_request_id": case.case_no, "token": case.tracking_code}]


# --------------------------------------------------------------------------- updates


def _update_clause(q: UpdateQuery, now: datetime) -> ColumnElement[bool]:
    ev = case_events
    parts: list[ColumnElement[bool]] = [
        cases.c.channel.in_(PUBLISHED),
        ev.c.type.in_(UPDATE_TYPES),
    ]
    if q.ids:
        parts.append(cases.c.case_no.in_(q.ids))
        if q.start:
            parts.append(ev.c.at >= q.start)
        if q.end:
            parts.append(ev.c.at <= q.end)
    else:
        start, end = window(q.start or q.after, q.end, now)
        parts += [ev.c.at >= start, ev.c.at <= end]
    if q.after:
        parts.append(ev.c.at > q.after)
    return and_(*parts)


def _update_doc(
    r: Any, units: Mapping[str, Any], tz: ZoneInfo, photo_url: PhotoUrl
) -> dict[str, Any] | None:
    kind = EventType(r["type"])
    data = r["data"] or {}
    unit = units.get(data.get("unit") or "") if kind == EventType.DISPATCHED else None
    note = update_note(kind, data, unit.name if unit else None)
    if note is None:
        return None
    media = None
    if kind == EventType.REPORTED:
        info = (r["extra"] or {}).get(EXTRA_KEY) or {}
        media = info.get("media_url")
    elif kind == EventType.HANDLED:
        shas = [a["sha256"] for a in data.get("attachments") or [] if a.get("kind") == "after"]
        media = photo_url(shas[-1]) if shas else None
    return {
        "update_id": str(r["id"]),
        "service_request_id": r["case_no"],
        "status": CLOSED if r["to_state"] in TERMINAL else OPEN,
        "updated_datetime": w3c(r["at"], tz),
        "description": note,
        "media_url": media,
    }


def find_updates(rt: Runtime, q: UpdateQuery, photo_url: PhotoUrl) -> list[dict[str, Any]]:
    """Public steps of the timelines, oldest first, at most 1000 (internal steps are skipped
    without using up the 1000)."""
    profile = rt.policy.profile
    tz = ZoneInfo(profile.calendar.time_zone)
    ev = case_events
    base = _update_clause(q, rt.now())
    out: list[dict[str, Any]] = []
    last: tuple[datetime, int] | None = None
    with rt.uow(readonly=True) as uow:
        while len(out) < MAX_RESULTS:
            clause = base
            if last is not None:
                clause = and_(
                    base, or_(ev.c.at > last[0], and_(ev.c.at == last[0], ev.c.id > last[1]))
                )
            rows = list(
                uow.conn.execute(
                    select(
                        ev.c.id,
                        ev.c.type,
                        ev.c.at,
                        ev.c.to_state,
                        ev.c.data,
                        cases.c.case_no,
                        cases.c.extra,
                    )
                    .join(cases, cases.c.id == ev.c.case_id)
                    .where(clause)
                    .order_by(ev.c.at, ev.c.id)
                    .limit(MAX_RESULTS)
                ).mappings()
            )
            for r in rows:
                doc = _update_doc(r, profile.units, tz, photo_url)
                if doc is not None and len(out) < MAX_RESULTS:
                    out.append(doc)
            if len(rows) < MAX_RESULTS:
                break
            last = (rows[-1]["at"], int(rows[-1]["id"]))
    return out


# --------------------------------------------------------------------------- photos


def public_photo(rt: Runtime, sha256: str) -> bytes:
    """A result photo (``after``) of a published case; 404 for every other file."""
    found = False
    if _SHA256.fullmatch(sha256):
        with rt.uow(readonly=True) as uow:
            found = (
                uow.conn.execute(
                    select(cases.c.id)
                    .join(case_attachments, case_attachments.c.case_id == cases.c.id)
                    .where(
                        case_attachments.c.sha256 == sha256,
                        case_attachments.c.kind == "after",
                        cases.c.channel.in_(PUBLISHED),
                    )
                    .limit(1)
                ).first()
                is not None
            )
    if not found or not rt.blobs.exists(sha256):
        raise NotFoundError("open311.media_unknown", "照片不存在或未公开", sha256=sha256)
    return rt.blobs.get(sha256)
