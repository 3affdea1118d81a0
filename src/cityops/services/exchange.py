"""Exchange with other platforms (数据交换): the case event log pushed to provincial, national
or district platforms, in the stable vocabulary of ``docs/exchange.md``.

Each target follows the log by event id: a push sends the next batch of events after its
cursor (only events whose transactions have committed), as one signed JSON document, and moves
the cursor once the target has answered 2xx. A failed delivery leaves the cursor where it was
and is tried again later, waiting longer after each failure (so a target that was down gets
everything, in order, when it is back, and a receiver keyed on ``(case_id, seq)`` never keeps a
record twice). One server process at a time pushes to a target (a lease on its row).

The request: ``POST <url>`` with ``Content-Type: application/json``, the body
``{"city_code", "target", "first_id", "last_id", "records": [...]}``, and the headers
``X-Cityops-Signature: sha256=<hex HMAC-SHA256 of the body with the target's secret>`` and
``X-Cityops-Delivery: <target>:<first_id>-<last_id>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.event_log import committed_end, max_event_id
from cityops.adapters.db.tables.exchange import exchange_targets as targets
from cityops.domain.cases.vocabulary import EventType
from cityops.errors import ConflictError, NotFoundError, ValidationError
from cityops.services.export import event_record
from cityops.services.runtime import Runtime

BATCH = 200
TIMEOUT_SECONDS = 10.0
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(hours=1)
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")

Post = Callable[[str, bytes, dict[str, str]], int]


@dataclass(frozen=True)
class Target:
    id: int
    name: str
    url: str
    event_types: tuple[str, ...] | None
    active: bool
    cursor: int
    delivered: int
    failures: int
    last_error: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    next_attempt_at: datetime | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class PushResult:
    target: str
    sent: int  # records delivered in this round
    cursor: int
    error: str | None = None
    moved: bool = False  # the cursor went forward (records sent, or only other types read)


def _target(row: Any) -> Target:
    return Target(
        id=int(row.id),
        name=row.name,
        url=row.url,
        event_types=tuple(row.event_types) if row.event_types is not None else None,
        active=bool(row.active),
        cursor=int(row.cursor),
        delivered=int(row.delivered),
        failures=int(row.failures),
        last_error=row.last_error,
        last_attempt_at=row.last_attempt_at,
        last_success_at=row.last_success_at,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _check(name: str, url: str, event_types: Sequence[str] | None) -> None:
    if not NAME.fullmatch(name):
        raise ValidationError(
            "exchange.name_invalid",
            "名称须为2至64位小写字母、数字或 _ . -，如 province、national",
            field="name",
        )
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValidationError(
            "exchange.url_invalid", f"接收地址“{url}”不是 http(s) 地址", field="url"
        )
    known = {t.value for t in EventType}
    unknown = sorted(set(event_types or ()) - known)
    if unknown:
        raise ValidationError(
            "exchange.event_type_unknown",
            f"未知的事件类型：{'、'.join(unknown)}",
            field="event_types",
            unknown=unknown,
        )


def create_target(
    rt: Runtime,
    name: str,
    url: str,
    *,
    actor: str,
    secret: str | None = None,
    event_types: Sequence[str] | None = None,
    from_start: bool = True,
) -> tuple[Target, str]:
    """A new target; returns it and its secret (generated when not given; shown only now).
    ``from_start``: send the whole log from the first event, else only what comes next."""
    _check(name, url, event_types)
    key = secret or secrets.token_urlsafe(32)
    if len(key) < 16:
        raise ValidationError("exchange.secret_short", "密钥至少16个字符", field="secret")
    now = rt.now()
    with rt.uow() as uow:
        start = 0
        if not from_start:
            start = max_event_id(uow.conn)
        try:
            uow.conn.execute(
                insert(targets).values(
                    name=name,
                    url=url,
                    secret=key,
                    event_types=sorted(set(event_types)) if event_types else None,
                    active=True,
                    cursor=start,
                    delivered=0,
                    failures=0,
                    created_at=now,
                    created_by=actor,
                )
            )
        except IntegrityError:
            raise ConflictError(
                "exchange.name_taken", f"交换目标“{name}”已存在", name=name
            ) from None
        uow.commit()
    return get_target(rt, name), key


def get_target(rt: Runtime, name: str) -> Target:
    with rt.uow(readonly=True) as uow:
        row = uow.conn.execute(select(targets).where(targets.c.name == name)).first()
    if row is None:
        raise NotFoundError("exchange.target_not_found", f"交换目标“{name}”不存在", name=name)
    return _target(row)


def list_targets(rt: Runtime) -> list[Target]:
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(select(targets).order_by(targets.c.name)).all()
    return [_target(r) for r in rows]


def log_end(rt: Runtime) -> int:
    """The newest event id (how far behind a target is: this minus its cursor)."""
    with rt.uow(readonly=True) as uow:
        return max_event_id(uow.conn)


def update_target(
    rt: Runtime,
    name: str,
    *,
    active: bool | None = None,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    all_types: bool = False,
) -> Target:
    """Pause or resume a target, change its address or the event types it receives (a
    resumed target also forgets its waiting time after failures)."""
    current = get_target(rt, name)
    _check(name, url or current.url, event_types)
    values: dict[str, Any] = {}
    if active is not None:
        values["active"] = active
        if active:
            values["next_attempt_at"] = None
    if url is not None:
        values["url"] = url
    if all_types:
        values["event_types"] = None
    elif event_types is not None:
        values["event_types"] = sorted(set(event_types))
    if values:
        with rt.uow() as uow:
            uow.conn.execute(update(targets).where(targets.c.id == current.id).values(**values))
            uow.commit()
    return get_target(rt, name)


def delete_target(rt: Runtime, name: str) -> None:
    current = get_target(rt, name)
    with rt.uow() as uow:
        uow.conn.execute(delete(targets).where(targets.c.id == current.id))
        uow.commit()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        return client.post(url, content=body, headers=headers).status_code


def push_once(rt: Runtime, *, post: Post | None = None, batch: int = BATCH) -> list[PushResult]:
    """One round: every active target that is due gets its next batch. Returns what was done
    (nothing for a target another process holds, or that waits after a failure)."""
    sender = post or _http_post
    now = rt.now()
    with rt.uow(readonly=True) as uow:
        due = uow.conn.execute(
            select(targets.c.id, targets.c.cursor).where(
                and_(
                    targets.c.active.is_(True),
                    or_(targets.c.next_attempt_at.is_(None), targets.c.next_attempt_at <= now),
                )
            )
        ).all()
    if not due:  # no target waiting: the log's end (a table lock) is not needed
        return []
    end = committed_end(rt.engine)
    if end is None:
        return []
    ids = [tid for tid, cursor in due if cursor < end]
    return [r for r in (_push_target(rt, tid, end, sender, batch) for tid in ids) if r is not None]


def _push_target(
    rt: Runtime, target_id: int, end: int, post: Post, batch: int
) -> PushResult | None:
    now = rt.now()
    with rt.uow() as uow:  # take the lease: one process per target
        taken = uow.conn.execute(
            update(targets)
            .where(
                and_(
                    targets.c.id == target_id,
                    or_(targets.c.lease_until.is_(None), targets.c.lease_until < now),
                )
            )
            .values(lease_until=now + LEASE, last_attempt_at=now)
        ).rowcount
        uow.commit()
    if not taken:
        return None
    result: PushResult | None = None
    outcome: dict[str, Any] = {}
    try:
        result, outcome = _deliver(rt, target_id, end, post, batch)
    finally:  # the outcome and the lease's end in one write, even if the delivery broke
        with rt.uow() as uow:
            uow.conn.execute(
                update(targets).where(targets.c.id == target_id).values(lease_until=None, **outcome)
            )
            uow.commit()
    return result


def _deliver(
    rt: Runtime, target_id: int, end: int, post: Post, batch: int
) -> tuple[PushResult, dict[str, Any]]:
    """Send the target its next batch; returns the result and the target's columns to write."""
    profile = rt.policy.profile
    tz = ZoneInfo(profile.calendar.time_zone)
    with rt.uow(readonly=True) as uow:
        t = uow.conn.execute(select(targets).where(targets.c.id == target_id)).one()
        found = uow.cases.events_after(int(t.cursor), until_id=end, limit=batch)
    if not found:
        return PushResult(t.name, 0, int(t.cursor)), {}
    last = found[-1][0]
    wanted = set(t.event_types) if t.event_types is not None else None
    records = [event_record(e, tz) for _, e in found if wanted is None or e.type.value in wanted]
    error = None
    if records:
        first = found[0][0]
        body = json.dumps(
            {
                "city_code": profile.city_code,
                "target": t.name,
                "first_id": first,
                "last_id": last,
                "records": records,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Cityops-Signature": sign(t.secret, body),
            "X-Cityops-Delivery": f"{t.name}:{first}-{last}",
        }
        try:
            status = post(t.url, body, headers)
            if not 200 <= status < 300:
                error = f"接收方答复 HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"无法送达：{type(exc).__name__}: {exc}"[:500]
    now = rt.now()
    if error is not None:
        failures = int(t.failures) + 1
        wait = min(timedelta(seconds=10 * 2 ** min(failures, 12)), MAX_BACKOFF)
        outcome = {"failures": failures, "last_error": error, "next_attempt_at": now + wait}
        return PushResult(t.name, 0, int(t.cursor), error), outcome
    outcome = {
        "cursor": last,
        "delivered": targets.c.delivered + len(records),
        "failures": 0,
        "last_error": None,
        "last_success_at": now,
        "next_attempt_at": None,
    }
    return PushResult(t.name, len(records), last, moved=True), outcome


def push_all(
    rt: Runtime, *, post: Post | None = None, batch: int = BATCH, rounds: int = 1000
) -> list[PushResult]:
    """Push until every due target has caught up with the log (or a delivery failed)."""
    done: list[PushResult] = []
    for _ in range(rounds):
        results = push_once(rt, post=post, batch=batch)
        done.extend(results)
        if not any(r.moved for r in results):
            break
    return done
