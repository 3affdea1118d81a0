"""Public reporting (随手拍) without an account: report with photos and position, follow the
report by its tracking code, rate the result once it is closed.

Only public-safe fields ever leave here (the presenters' public view: no staff names, no
internal notes, "closed — fixed" only when it was fixed). Reports are limited per client
address and hour; lookups per client address and minute.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cityops.api import presenters as present
from cityops.api.deps import RT
from cityops.api.schemas.cases import CasePublicOut
from cityops.api.schemas.common import ERROR_RESPONSES, ErrorOut, Strict
from cityops.api.uploads import read_uploads
from cityops.domain.cases.model import Case
from cityops.domain.cases.vocabulary import CaseState
from cityops.domain.geo.model import CoordSystem
from cityops.errors import NotFoundError, ValidationError
from cityops.services import case_queries as q
from cityops.services import public_reports as svc
from cityops.services.cases import case_events
from cityops.services.runtime import Runtime

router = APIRouter(
    prefix="/public",
    tags=["public 随手拍"],
    responses={
        **ERROR_RESPONSES,
        429: {"model": ErrorOut, "description": "Too many reports or look-ups from this address"},
    },
)

REPORTS_PER_HOUR = 10
LOOKUPS_PER_MINUTE = 60


class PublicReportOut(BaseModel):
    tracking_code: str = Field(description="Keep it to follow the report; no account needed")
    case_no: str
    status: str
    status_label: str
    created: bool = Field(description="False when an Idempotency-Key repeated an earlier report")


class RatingOut(BaseModel):
    score: int
    comment: str
    rated_at: str


class PublicTrackOut(CasePublicOut):
    rating: RatingOut | None = None
    can_rate: bool = Field(description="Closed and not rated yet")


class RatingIn(Strict):
    score: int = Field(ge=1, le=5, description="1 very unsatisfied … 5 very satisfied")
    comment: str = Field(default="", max_length=svc.MAX_COMMENT)


class _Window:
    """A sliding-window counter per client, in this process (lookups are cheap reads)."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, limit: int, seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - seconds:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._hits = {k: v for k, v in self._hits.items() if v}
            return True


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limit(request: Request, name: str, default: int) -> int:
    limits = getattr(request.app.state, "public_limits", None) or {}
    return int(limits.get(name, default))


def _check_lookup(request: Request) -> None:
    window = getattr(request.app.state, "public_lookups", None)
    if window is None:
        window = request.app.state.public_lookups = _Window()
    limit = _limit(request, "lookups_per_minute", LOOKUPS_PER_MINUTE)
    if not window.allow(_client(request), limit, 60.0):
        raise svc.RateLimitedError(
            "public.rate_limited", "查询过于频繁，请一分钟后再试", per_minute=limit
        )


def _photo_url(code: str, sha256: str) -> str:
    return f"/api/v1/public/track/{code}/photos/{sha256}"


def _track_out(rt: Runtime, case: Case) -> PublicTrackOut:
    links = q.case_attachments_of(rt, case.id)
    view = present.public_out(case, rt.policy.profile, case_events(rt, case.id), links)
    code = case.tracking_code or ""
    for p in view.photos:
        p.url = _photo_url(code, p.sha256)
    rating = svc.rating_of(rt, case.id)
    return PublicTrackOut(
        **view.model_dump(),
        rating=RatingOut(
            score=rating.score, comment=rating.comment, rated_at=rating.rated_at.isoformat()
        )
        if rating
        else None,
        can_rate=case.state == CaseState.CLOSED and rating is None,
    )


@router.post(
    "/reports",
    status_code=status.HTTP_201_CREATED,
    summary="随手拍上报 Report a problem without an account",
    description=(
        "Multipart form: description, position (declare `crs`: browsers give WGS84), optional "
        "address and phone (stored masked), up to 9 photos. Answers a tracking code. Send an "
        "`Idempotency-Key` so that a retry never creates a second report. Limited per client "
        "address and hour (429 `public.rate_limited`)."
    ),
    response_model=PublicReportOut,
)
async def report(
    rt: RT,
    request: Request,
    response: Response,
    description: Annotated[str, Form(min_length=1, max_length=2000)],
    lon: Annotated[float, Form(ge=-180, le=180)],
    lat: Annotated[float, Form(ge=-90, le=90)],
    crs: Annotated[CoordSystem, Form()] = CoordSystem.WGS84,
    address: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str | None, Form(max_length=32)] = None,
    photos: Annotated[list[UploadFile] | None, File(description="Up to 9 photos")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> PublicReportOut:
    if phone and sum(c.isdigit() for c in phone) < 7:
        raise ValidationError("public.phone_invalid", "联系电话格式不正确（可不填）", field="phone")
    uploads = await read_uploads(rt, photos or [], kind="before")
    limit = _limit(request, "reports_per_hour", REPORTS_PER_HOUR)
    client = _client(request)
    result = await run_in_threadpool(
        lambda: svc.report_anonymously(
            rt,
            client=client,
            description=description,
            lon=lon,
            lat=lat,
            crs=crs,
            address=address,
            reporter_phone=phone,
            photos=uploads,
            idempotency_key=idempotency_key,
            max_per_hour=limit,
        )
    )
    if not result.created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    state, label = present.public_status(result.case)
    return PublicReportOut(
        tracking_code=result.case.tracking_code or "",
        case_no=result.case.case_no,
        status=state,
        status_label=label,
        created=result.created,
    )


@router.get(
    "/track/{code}",
    summary="按查询码查看进度 Follow a report by its tracking code",
    response_model=PublicTrackOut,
)
def track(rt: RT, request: Request, code: str) -> PublicTrackOut:
    _check_lookup(request)
    return _track_out(rt, svc.case_by_tracking_code(rt, code))


@router.get(
    "/track/{code}/photos/{sha256}",
    summary="查看上报或处置照片 A before/after photo of a tracked report",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def photo(rt: RT, request: Request, code: str, sha256: str) -> Response:
    _check_lookup(request)
    case = svc.case_by_tracking_code(rt, code)
    public = {
        a["sha256"]
        for a in q.case_attachments_of(rt, case.id)
        if a.get("kind") in ("before", "after")
    }
    if sha256 not in public or not rt.blobs.exists(sha256):
        raise NotFoundError("attachment.not_found", "照片不存在", sha256=sha256[:64])
    from cityops.domain.cases.attachments import sniff_mime

    content = rt.blobs.get(sha256)
    return Response(
        content,
        media_type=sniff_mime(content[:32]) or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{sha256}"'},
    )


@router.post(
    "/track/{code}/rating",
    status_code=status.HTTP_201_CREATED,
    summary="满意度评价 Rate the result once the report is closed",
    response_model=PublicTrackOut,
)
def rate(rt: RT, request: Request, code: str, body: RatingIn) -> PublicTrackOut:
    _check_lookup(request)
    svc.rate_case(rt, code, score=body.score, comment=body.comment)
    return _track_out(rt, svc.case_by_tracking_code(rt, code))
