"""The cockpit (驾驶舱) over HTTP: one summary call for the leaders' screen and a live stream
of case events (Server-Sent Events) that tells the screen when cases move.

Who may look (docs/cockpit.md): leaders, evaluators, administrators and the centre's desk
roles (acceptor, shift leader, dispatcher) see the whole city, or one district with
``?district=``; a district sub-centre's staff see their own district only. Handlers,
inspectors, the public and machines have no cockpit (403 ``auth.role_forbidden``).

The stream polls the event log by id on the server (every 1.5 s), so it works behind several
worker processes; ``Last-Event-ID`` (or ``?last_event_id=``) resumes after a reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from cityops.api.deps import RT, current_user, oauth2, require_roles
from cityops.api.schemas.cockpit import CockpitOut
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ForbiddenError, ValidationError
from cityops.services import cockpit as svc
from cityops.services.runtime import Runtime

log = logging.getLogger("cityops.api.cockpit")

router = APIRouter(prefix="/cockpit", tags=["cockpit 驾驶舱"], responses=ERROR_RESPONSES)

COCKPIT_ROLES = (
    Role.LEADER,
    Role.EVALUATOR,
    Role.ADMIN,
    Role.ACCEPTOR,
    Role.SHIFT_LEADER,
    Role.DISPATCHER,
)
Viewer = Annotated[User, Depends(require_roles(*COCKPIT_ROLES))]

POLL_SECONDS = 1.5
HEARTBEAT_SECONDS = 15
LIFETIME_SECONDS = 30 * 60  # then the browser reconnects with Last-Event-ID
RETRY_MS = 2000
MAX_REPLAY = 1000  # further behind than this: start from now and say so (``reset``)

DistrictParam = Annotated[
    str | None,
    Query(
        pattern=r"^\d{6}$",
        description="Limit to one district (6-digit code); a district sub-centre's staff are "
        "always limited to their own",
        examples=["370102"],
    ),
]


def _district(user: User, district: str | None) -> str | None:
    if user.district:
        if district and district != user.district:
            raise ForbiddenError(
                "cockpit.district_forbidden",
                "区分中心人员只能查看本区的驾驶舱",
                district=district,
                own=user.district,
            )
        return user.district
    return district


def _cache(request: Request) -> svc.SummaryCache:
    cache = getattr(request.app.state, "cockpit_cache", None)
    if cache is None:
        cache = request.app.state.cockpit_cache = svc.SummaryCache()
    return cache


@router.get(
    "/summary",
    summary="驾驶舱汇总 The cockpit's figures in one call",
    description="Today's intake by channel and by hour; open cases by state with red (超期) "
    "and yellow (预警) counts; today's and this month's closure and on-time rates; units with "
    "the most overdue cases and the best and lowest closure rates this month; 7- and 30-day "
    "trends of intake and closures; a heat map of the last `heat_days` days (per grid, or per "
    "hexagon with `heat=hex`); the latest 20 events. Kept for a few seconds: several screens "
    "cost one computation. `last_event_id` is where the live stream continues from.",
    response_model=CockpitOut,
)
def cockpit_summary(
    request: Request,
    rt: RT,
    user: Viewer,
    district: DistrictParam = None,
    heat_days: Annotated[int, Query(ge=1, le=svc.MAX_HEAT_DAYS)] = 7,
    heat: Annotated[svc.HeatMode, Query(description="grid | hex")] = svc.HeatMode.GRID,
    hex_m: Annotated[
        float, Query(ge=50, le=20000, description="Hexagon size (centre to corner), metres")
    ] = 500.0,
) -> dict[str, Any]:
    req = svc.SummaryRequest(
        district=_district(user, district), heat_days=heat_days, heat_mode=heat, hex_m=hex_m
    )
    profile = rt.policy.profile
    return _cache(request).get(
        (profile.content_hash, req),
        lambda: svc.last_event_id(rt.engine),
        lambda: svc.summary(rt.engine, profile, rt.now(), req),
    )


# ----------------------------------------------------------------------------- the stream


async def _stream_user(
    request: Request,
    rt: RT,
    token: Annotated[str | None, Depends(oauth2)],
    access_token: Annotated[str | None, Query(max_length=256)] = None,
) -> User:
    """The bearer token, or ``?access_token=`` for a browser's EventSource (which cannot
    send headers)."""
    user = await current_user(request, rt, token or access_token)
    if user.role not in COCKPIT_ROLES:
        raise ForbiddenError(
            "auth.role_forbidden",
            f"{user.role.label_zh}无权访问此功能",
            role=user.role.value,
            allowed=sorted(r.value for r in COCKPIT_ROLES),
        )
    return user


def _message(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {event}\ndata: {body}\n\n"


def _start(rt: Runtime, resume: str | None) -> tuple[int, str | None]:
    """Where the stream starts, and why it had to start elsewhere (a ``reset``)."""
    newest = svc.last_event_id(rt.engine)
    if resume is None or not resume.strip():
        return newest, None
    text = resume.strip()
    if not text.isdigit() or len(text) > 19:
        raise ValidationError(
            "cockpit.last_event_id_invalid",
            "Last-Event-ID 应为事件编号（非负整数）",
            last_event_id=resume[:40],
        )
    after = int(text)
    if after > newest:
        return newest, "ahead_of_log"
    if newest - after > MAX_REPLAY:
        return newest, "too_far_behind"
    return after, None


async def _events(
    request: Request, feed: svc.EventFeed, heartbeat: float, reset: str | None
) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    if reset is not None:
        yield _message("reset", {"reason": reset, "last_event_id": feed.last}, feed.last)
    yield _message("ready", {"last_event_id": feed.last}, feed.last)
    started = beat = time.monotonic()
    while True:
        if await request.is_disconnected():
            return
        try:
            items = await run_in_threadpool(feed.poll)
        except Exception:  # a database hiccup: try again at the next poll
            log.exception("cockpit stream poll failed")
            items = []
        for item in items:
            yield _message("case_event", item, item["id"])
        now = time.monotonic()
        if now - beat >= heartbeat:
            beat = now
            at = datetime.now(UTC).astimezone(feed.zone).isoformat()
            yield _message("heartbeat", {"at": at, "last_event_id": feed.last}, feed.last)
        if now - started >= LIFETIME_SECONDS:
            yield _message("bye", {"last_event_id": feed.last}, feed.last)
            return
        if not feed.full:
            await asyncio.sleep(POLL_SECONDS)


@router.get(
    "/stream",
    include_in_schema=False,  # an endless response: documented in docs/cockpit.md
    response_class=StreamingResponse,
)
def cockpit_stream(
    request: Request,
    rt: RT,
    user: Annotated[User, Depends(_stream_user)],
    district: DistrictParam = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[str | None, Query(max_length=40)] = None,
    heartbeat: Annotated[int, Query(ge=1, le=60)] = HEARTBEAT_SECONDS,
) -> StreamingResponse:
    scope = _district(user, district)
    after, reset = _start(rt, last_event_id_header or last_event_id)
    feed = svc.EventFeed(rt.engine, rt.policy.profile, after, scope)
    return StreamingResponse(
        _events(request, feed, float(heartbeat), reset),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
