"""Cases: report, list/filter/search, detail with timeline, every loop command, queues."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Header,
    Path,
    Query,
    Response,
    UploadFile,
    status,
)
from starlette.concurrency import run_in_threadpool

from cityops.api import presenters as present
from cityops.api.deps import RT, CurrentUser, Staff
from cityops.api.schemas.cases import (
    AttachmentRefIn,
    CaseOut,
    CaseSummaryOut,
    CheckRequestIn,
    CloseIn,
    DispatchIn,
    EventOut,
    ExtensionDecisionIn,
    ExtensionIn,
    FileIn,
    HandleIn,
    OpinionIn,
    ReasonIn,
    RejectIn,
    ReworkIn,
    SuspendIn,
    VerifyIn,
)
from cityops.api.schemas.common import ERROR_RESPONSES, PageOut
from cityops.api.schemas.limits import MAX_ID
from cityops.api.schemas.public import PublicCaseOut, ReportResultOut
from cityops.api.uploads import read_uploads
from cityops.domain.access import User
from cityops.domain.cases.model import Case
from cityops.domain.cases.vocabulary import CaseState, Channel, Light, Role
from cityops.domain.catalog.model import Urgency
from cityops.domain.geo.model import CoordSystem
from cityops.services import case_queries as q
from cityops.services import cases as svc
from cityops.services.cases import AttachmentRef
from cityops.services.runtime import Runtime

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case id", examples=[42])]

router = APIRouter(prefix="/cases", tags=["cases 案卷"], responses=ERROR_RESPONSES)


def _refs(items: list[AttachmentRefIn]) -> list[AttachmentRef]:
    return [AttachmentRef(a.sha256, a.kind, a.filename) for a in items]


def _detail(
    rt: Runtime, user: User, case: Case, *, preview_routing: bool = False
) -> CaseOut | PublicCaseOut:
    """The case as ``user`` may see it. ``preview_routing``: staff also get the routing
    suggestion of a case not yet filed (the answer to a report)."""
    profile = rt.policy.profile
    events, atts = q.case_view(rt, case.id)
    if present.wants_public_view(user):
        return present.public_out(case, profile, events, atts)
    routing = None
    wants = preview_routing or (
        case.state == CaseState.FILED
        and user.role in (Role.DISPATCHER, Role.SHIFT_LEADER, Role.LEADER)
    )
    if wants:
        routing = _routing(rt, case)
    return present.case_out(case, user, profile, atts, events[0] if events else None, routing)


def _routing(rt: Runtime, case: Case) -> dict[str, Any] | None:
    if case.class_code is None:
        return None
    s = svc.routing_suggestion(rt, case)
    if s is None:
        return None
    unit = rt.policy.profile.units.get(s.unit_code)
    return {
        "unit": s.unit_code,
        "unit_name": unit.name if unit else s.unit_code,
        "source": s.source,
        "explanation": s.explain_zh(),
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="上报问题 Report a problem",
    description=(
        "Multipart form with the report's fields and up to 9 photos. Coordinates may be WGS84, "
        "GCJ-02 (AMap, Tencent) or BD-09 (Baidu); they are stored as WGS84. Send an "
        "`Idempotency-Key` header so that a retry on a weak network never creates a second case: "
        "a repeat with the same key and body answers 200 with the first case."
    ),
    response_model=ReportResultOut,
)
async def report(
    rt: RT,
    user: CurrentUser,
    response: Response,
    description: Annotated[
        str, Form(min_length=1, max_length=4000, examples=["解放路1号门前有暴露垃圾"])
    ],
    lon: Annotated[float, Form(ge=-180, le=180, examples=[117.02])],
    lat: Annotated[float, Form(ge=-90, le=90, examples=[36.66])],
    channel: Annotated[Channel | None, Form(description="Default: the role's own channel")] = None,
    crs: Annotated[CoordSystem, Form()] = CoordSystem.WGS84,
    address: Annotated[str, Form(max_length=500)] = "",
    class_code: Annotated[str | None, Form(max_length=16)] = None,
    urgency: Annotated[Urgency, Form()] = Urgency.NORMAL,
    reporter_name: Annotated[str | None, Form(max_length=64)] = None,
    reporter_phone: Annotated[str | None, Form(max_length=32)] = None,
    source_ref: Annotated[str | None, Form(max_length=64)] = None,
    photos: Annotated[
        list[UploadFile] | None, File(description="Up to 9 photos (JPEG, PNG, WebP)")
    ] = None,
    attachment: Annotated[
        list[str] | None,
        Form(description="SHA-256 of photos uploaded earlier to /api/v1/attachments"),
    ] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> ReportResultOut:
    uploads = await read_uploads(rt, photos or [], kind="before")
    refs = [AttachmentRef(sha, "before") for sha in attachment or [] if sha]
    # The database work runs in the thread pool: the event loop keeps serving other requests
    # while this one waits for its transaction.
    return await run_in_threadpool(
        lambda: _report(
            rt,
            user,
            response,
            channel=channel,
            description=description,
            lon=lon,
            lat=lat,
            crs=crs,
            address=address,
            class_code=class_code or None,
            urgency=urgency,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            source_ref=source_ref,
            uploads=uploads,
            refs=refs,
            idempotency_key=idempotency_key,
        )
    )


def _report(
    rt: Runtime,
    user: User,
    response: Response,
    *,
    channel: Channel | None,
    uploads: list[svc.Upload],
    refs: list[AttachmentRef],
    **fields: Any,
) -> ReportResultOut:
    from cityops.domain.cases.machine import CHANNELS_BY_ROLE

    allowed = CHANNELS_BY_ROLE.get(user.role, frozenset())
    chosen = channel or (min(allowed) if len(allowed) == 1 else None)
    if chosen is None:
        from cityops.errors import ValidationError

        raise ValidationError(
            "case.channel_required", "请指明上报渠道", allowed=sorted(c.value for c in allowed)
        )
    result = svc.report_case(
        rt, present.actor_of(user), channel=chosen, photos=uploads, attachments=refs, **fields
    )
    if not result.created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    visible = q.visible_case_ids(rt, user, [int(d["case_id"]) for d in result.duplicates])
    duplicates = [d for d in result.duplicates if int(d["case_id"]) in visible]
    if result.created and not refs and not present.wants_public_view(user):
        # Everything the answer shows is at hand: no need to read the new case back.
        atts = [present.upload_view(up, seq=1) for up in uploads]
        answer: CaseOut | PublicCaseOut = present.case_out(
            result.case,
            user,
            rt.policy.profile,
            atts,
            None,
            _routing(rt, result.case),
            duplicate_candidates=result.duplicates,
        )
    else:
        answer = _detail(rt, user, result.case, preview_routing=True)
    return ReportResultOut(case=answer, created=result.created, duplicates=duplicates)


async def _filter(
    state: Annotated[list[CaseState] | None, Query(description="One or more states")] = None,
    class_code: Annotated[
        str | None, Query(max_length=16, description="Exact code or a major prefix like 06*")
    ] = None,
    area: Annotated[
        str | None, Query(max_length=15, description="District, street, community or grid code")
    ] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    light: Annotated[list[Light] | None, Query()] = None,
    channel: Annotated[list[Channel] | None, Query()] = None,
    reported_from: Annotated[datetime | None, Query()] = None,
    reported_to: Annotated[datetime | None, Query()] = None,
    text: Annotated[
        str | None,
        Query(max_length=100, description="Words in description or address, or a case number"),
    ] = None,
    open_only: Annotated[bool, Query()] = False,
    suspended: Annotated[bool | None, Query()] = None,
) -> q.CaseFilter:
    from cityops.errors import ValidationError

    for name, value in (("reported_from", reported_from), ("reported_to", reported_to)):
        if value is not None and value.tzinfo is None:
            raise ValidationError(
                "query.time_naive", f"{name} 须带时区，例如 2025-10-01T00:00:00+08:00", field=name
            )
    return q.CaseFilter(
        states=tuple(state or ()),
        class_code=class_code or None,
        area=area or None,
        unit=unit or None,
        lights=tuple(light or ()),
        channels=tuple(c.value for c in channel or ()),
        reported_from=reported_from,
        reported_to=reported_to,
        text=text or None,
        open_only=open_only,
        suspended=suspended,
    )


def _page_out(rt: Runtime, page: q.Page) -> PageOut[CaseSummaryOut]:
    profile = rt.policy.profile
    return PageOut[CaseSummaryOut](
        items=[present.summary_out(r, profile) for r in page.items],
        total=page.total,
        total_is_lower_bound=page.total_is_lower_bound,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "", summary="案卷查询 List, filter and search cases", response_model=PageOut[CaseSummaryOut]
)
def list_cases(
    rt: RT,
    user: Staff,
    f: Annotated[q.CaseFilter, Depends(_filter)],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
    sort: Annotated[
        str,
        Query(
            pattern=r"^-?(reported_at|deadline|updated_at|case_no)$",
            description="Prefix - for descending",
        ),
    ] = "-reported_at",
) -> PageOut[CaseSummaryOut]:
    return _page_out(rt, q.list_cases(rt, user, f, page=page, page_size=page_size, sort=sort))


@router.get(
    "/overdue", summary="超期案卷 Overdue cases (red light)", response_model=PageOut[CaseSummaryOut]
)
def overdue(
    rt: RT,
    user: Staff,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut[CaseSummaryOut]:
    return _page_out(rt, q.overdue(rt, user, page=page, page_size=page_size))


@router.get(
    "/mine",
    summary="我的上报 My own reports, newest first (as the public sees them)",
    response_model=list[PublicCaseOut],
)
def mine(
    rt: RT, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[PublicCaseOut]:
    page = q.list_cases(rt, user, q.CaseFilter(reported_by=user.id), page=1, page_size=limit)
    out = []
    for row in page.items:
        case = q.get_visible_case(rt, user, int(row["id"]))
        events, atts = q.case_view(rt, case.id)
        out.append(present.public_out(case, rt.policy.profile, events, atts))
    return out


@router.get("/{case_id}", summary="案卷详情 Case detail", response_model=CaseOut | PublicCaseOut)
def detail(
    rt: RT, user: CurrentUser, case_id: CaseId, response: Response
) -> CaseOut | PublicCaseOut:
    case = q.get_visible_case(rt, user, case_id)
    response.headers["ETag"] = f'"{case.version}"'
    return _detail(rt, user, case)


@router.get(
    "/{case_id}/timeline",
    summary="办理过程 The case's full timeline",
    response_model=list[EventOut],
)
def timeline(rt: RT, user: Staff, case_id: CaseId) -> list[EventOut]:
    q.get_visible_case(rt, user, case_id)
    return [present.event_out(e, user) for e in svc.case_events(rt, case_id)]


# ----------------------------------------------------------------------------- commands


def _visible(rt: Runtime, user: User, case_id: int) -> None:
    q.get_visible_case(rt, user, case_id)


def _done(rt: Runtime, user: User, case: Case) -> CaseOut:
    out = _detail(rt, user, case)
    assert isinstance(out, CaseOut)
    return out


@router.post("/{case_id}/verify", summary="核实 Verify on site (inspector)", response_model=CaseOut)
def verify(rt: RT, user: Staff, case_id: CaseId, body: VerifyIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.verify_case(
        rt,
        present.actor_of(user),
        case_id,
        found=body.found,
        opinion=body.opinion,
        attachments=_refs(body.attachments),
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/reject", summary="不予立案 Reject", response_model=CaseOut)
def reject(rt: RT, user: Staff, case_id: CaseId, body: RejectIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.reject_case(
        rt,
        present.actor_of(user),
        case_id,
        reason_code=body.reason_code,
        reason=body.reason,
        duplicate_of=body.duplicate_of,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post(
    "/{case_id}/file",
    summary="立案 File under a class and filing condition",
    response_model=CaseOut,
)
def file(rt: RT, user: Staff, case_id: CaseId, body: FileIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.file_case(
        rt,
        present.actor_of(user),
        case_id,
        class_code=body.class_code,
        condition_code=body.condition_code,
        opinion=body.opinion,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post(
    "/{case_id}/dispatch", summary="派遣 Dispatch to the responsible unit", response_model=CaseOut
)
def dispatch(rt: RT, user: Staff, case_id: CaseId, body: DispatchIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.dispatch_case(
        rt,
        present.actor_of(user),
        case_id,
        unit=body.unit,
        opinion=body.opinion,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/return", summary="回退 Return (not responsible)", response_model=CaseOut)
def return_case(rt: RT, user: Staff, case_id: CaseId, body: ReasonIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.return_case(
        rt,
        present.actor_of(user),
        case_id,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post(
    "/{case_id}/extension", summary="申请延期 Request an extension", response_model=CaseOut
)
def request_extension(rt: RT, user: Staff, case_id: CaseId, body: ExtensionIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.request_extension(
        rt,
        present.actor_of(user),
        case_id,
        amount=body.amount.to_limit(),
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post(
    "/{case_id}/extension/decision", summary="延期审批 Decide an extension", response_model=CaseOut
)
def decide_extension(rt: RT, user: Staff, case_id: CaseId, body: ExtensionDecisionIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.decide_extension(
        rt,
        present.actor_of(user),
        case_id,
        approved=body.approved,
        opinion=body.opinion,
        granted=body.granted.to_limit() if body.granted else None,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/suspend", summary="挂账 Suspend (the clock stops)", response_model=CaseOut)
def suspend(rt: RT, user: Staff, case_id: CaseId, body: SuspendIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.suspend_case(
        rt,
        present.actor_of(user),
        case_id,
        reason=body.reason,
        requested_by=body.requested_by,
        until=body.until,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/resume", summary="解除挂账 Resume", response_model=CaseOut)
def resume(rt: RT, user: Staff, case_id: CaseId, body: OpinionIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.resume_case(
        rt,
        present.actor_of(user),
        case_id,
        opinion=body.opinion,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post(
    "/{case_id}/handle",
    summary="处置反馈 Report the problem fixed (with after-photos)",
    response_model=CaseOut,
)
def handle(rt: RT, user: Staff, case_id: CaseId, body: HandleIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.handle_case(
        rt,
        present.actor_of(user),
        case_id,
        opinion=body.opinion,
        attachments=_refs(body.attachments),
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post(
    "/{case_id}/check-request",
    summary="派发核查 Send an inspector to check",
    response_model=CaseOut,
)
def request_check(rt: RT, user: Staff, case_id: CaseId, body: CheckRequestIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.request_check(
        rt,
        present.actor_of(user),
        case_id,
        inspector=body.inspector,
        opinion=body.opinion,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/rework", summary="返工 The check failed", response_model=CaseOut)
def rework(rt: RT, user: Staff, case_id: CaseId, body: ReworkIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.rework_case(
        rt,
        present.actor_of(user),
        case_id,
        reason=body.reason,
        attachments=_refs(body.attachments),
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/close", summary="结案 Close (the check passed)", response_model=CaseOut)
def close(rt: RT, user: Staff, case_id: CaseId, body: CloseIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.close_case(
        rt,
        present.actor_of(user),
        case_id,
        outcome=body.outcome,
        opinion=body.opinion,
        attachments=_refs(body.attachments),
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


@router.post("/{case_id}/cancel", summary="作废 Cancel (shift leader)", response_model=CaseOut)
def cancel(rt: RT, user: Staff, case_id: CaseId, body: ReasonIn) -> CaseOut:
    _visible(rt, user, case_id)
    case = svc.cancel_case(
        rt,
        present.actor_of(user),
        case_id,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _done(rt, user, case)


queue_router = APIRouter(tags=["cases 案卷"], responses=ERROR_RESPONSES)


@queue_router.get(
    "/queue",
    summary="我的待办 My work queue, most urgent first",
    response_model=PageOut[CaseSummaryOut],
)
def my_queue(
    rt: RT,
    user: Staff,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut[CaseSummaryOut]:
    return _page_out(rt, q.my_queue(rt, user, page=page, page_size=page_size))
