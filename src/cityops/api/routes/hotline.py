"""12345 hotline: intake, every order command, lists and queues, the caller's protected contact,
and the figures of the console's hotline page (rates, negative list, 回头看, hotspots, trends,
map, bulletin section) and the classifier. Documented in ``docs/hotline.md``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from cityops.api.deps import RT, Staff, require_roles
from cityops.api.presenters import actor_of
from cityops.api.schemas.common import ERROR_RESPONSES, PageOut
from cityops.api.schemas.hotline import (
    MAX_ID,
    CaseIn,
    CaseOpenedOut,
    ClassifyIn,
    CloseIn,
    ContactIn,
    ContactOut,
    DispatchIn,
    ExtensionDecisionIn,
    ExtensionIn,
    IntakeOut,
    LocateIn,
    NoteIn,
    OrderEventOut,
    OrderIn,
    OrderOut,
    PlacementOut,
    RatesOut,
    RatesPageOut,
    ReasonIn,
    ReexamineIn,
    ReopenIn,
    ReplyIn,
    RevisitIn,
    SuggestIn,
    TrainOut,
    Versioned,
    VoidIn,
)
from cityops.domain.access import CENTRE_ROLES, User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.hotline.access import sees_caller
from cityops.domain.hotline.model import Order, OrderEvent, Placement
from cityops.domain.hotline.vocabulary import OrderState
from cityops.errors import InvalidTransitionError, ValidationError
from cityops.services.hotline import (
    analytics,
    bulletin,
    case_link,
    classification,
    contacts,
    hotspots,
    queries,
)
from cityops.services.hotline import commands as cmd
from cityops.services.hotline.addresses import place_order
from cityops.services.runtime import Runtime

OrderId = Annotated[int, Path(ge=1, le=MAX_ID, description="The order id", examples=[42])]
router = APIRouter(prefix="/hotline", tags=["hotline 12345热线"], responses=ERROR_RESPONSES)
Centre = Annotated[User, Depends(require_roles(*sorted(CENTRE_ROLES)))]
Trainer = Annotated[User, Depends(require_roles(Role.SHIFT_LEADER, Role.ADMIN))]


# --------------------------------------------------------------------------- presenting


def placement_out(p: Placement) -> PlacementOut:
    return PlacementOut(**{**p.to_dict(), "matched": list(p.matched)})


def order_out(rt: Runtime, user: User, o: Order, *, with_case: bool = False) -> OrderOut:
    profile = rt.policy.profile
    now = rt.now()
    deadline = o.current_deadline()
    cls = profile.classes.get(o.class_code or "")
    unit = profile.units.get(o.unit or "")
    caller = sees_caller(user)
    return OrderOut(
        id=o.id,
        order_no=o.order_no,
        version=o.version,
        state=o.state.value,
        state_label=o.state.label_zh,
        kind=o.kind.value,
        kind_label=o.kind.label_zh,
        channel=o.channel.value,
        urgency=o.urgency.value,
        received_at=o.received_at,
        received_by=o.received_by,
        content=o.content,
        address=o.address,
        placement=placement_out(o.placement),
        caller_name=o.caller_name if caller else None,
        caller_phone=o.caller_phone if caller else None,
        external_no=o.external_no,
        class_code=o.class_code,
        class_name=cls.name if cls else None,
        class_source=o.class_source,
        suggestion=dict(o.suggestion) if o.suggestion else None,
        revisit_required=o.revisit_required,
        unit=o.unit,
        unit_name=unit.name if unit else None,
        dispatched_at=o.dispatched_at,
        sign_deadline=o.sign_deadline,
        signed_at=o.signed_at,
        handling_limit=o.handling_limit,
        handling_deadline=o.handling_deadline,
        pending_extension=dict(o.pending_extension) if o.pending_extension else None,
        replied_at=o.replied_at,
        replied_by_unit=o.replied_by_unit,
        reply=o.reply,
        resolved=o.resolved,
        replied_on_time=o.replied_on_time,
        revisited_at=o.revisited_at,
        satisfaction=o.satisfaction.value if o.satisfaction else None,
        revisit_attempts=o.revisit_attempts,
        closed_at=o.closed_at,
        closed_resolved=o.closed_resolved,
        reexam_finding=o.reexam_finding,
        case_id=o.case_id,
        case=queries.linked_case(rt, o.case_id) if with_case else None,
        duplicate_of=o.duplicate_of,
        dispatch_count=o.dispatch_count,
        transfer_count=o.transfer_count,
        return_count=o.return_count,
        reopen_count=o.reopen_count,
        extension_count=o.extension_count,
        units_seen=list(o.units_seen),
        overdue=deadline is not None and now > deadline,
    )


def event_out(e: OrderEvent) -> OrderEventOut:
    return OrderEventOut(
        seq=e.seq,
        type=e.type.value,
        type_label=e.type.label_zh,
        at=e.at,
        actor=e.actor,
        role=e.role.value,
        unit=e.unit,
        from_state=e.from_state.value if e.from_state else None,
        to_state=e.to_state.value,
        data=dict(e.data),
    )


def _page(rt: Runtime, user: User, page: queries.Page) -> PageOut[OrderOut]:
    return PageOut[OrderOut](
        items=[order_out(rt, user, o) for o in page.items],
        total=page.total,
        total_is_lower_bound=page.total_is_lower_bound,
        page=page.page,
        page_size=page.page_size,
    )


def _period(rt: Runtime, text: str) -> tuple[EvalPeriod, datetime, datetime]:
    period = EvalPeriod.parse(text, rt.policy.profile.calendar.time_zone)
    start, end = period.utc_bounds()
    return period, start, end


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValidationError(
            "query.time_naive", f"{name} 须带时区，例如 2025-10-01T00:00:00+08:00", field=name
        )


# --------------------------------------------------------------------------- intake and reads


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    summary="受理工单 Take a hotline order",
    description=(
        "The desk takes a call: the order is placed from its coordinates or its address text, "
        "the classifier suggests a class and a unit, the caller's full contact is stored apart "
        "(only masked values are shown). A repeated `external_no` answers 200 with the earlier "
        "order."
    ),
    response_model=IntakeOut,
)
def take_order(rt: RT, user: Staff, body: OrderIn, response: Response) -> IntakeOut:
    result = cmd.receive_order(
        rt,
        actor_of(user),
        content=body.content,
        kind=body.kind,
        channel=body.channel,
        urgency=body.urgency,
        address=body.address,
        lon=body.lon,
        lat=body.lat,
        crs=body.crs,
        caller_name=body.caller_name,
        caller_phone=body.caller_phone,
        external_no=body.external_no,
        class_code=body.class_code or None,
        revisit_required=body.revisit_required,
        answer=body.answer,
    )
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return IntakeOut(order=order_out(rt, user, result.order), created=result.created)


@router.post("/locate", summary="地址定位 Place an address text", response_model=PlacementOut)
def locate(rt: RT, user: Staff, body: LocateIn) -> PlacementOut:
    return placement_out(place_order(rt, body.text))


@router.post(
    "/suggest",
    summary="智能分类建议 Suggest a class and a unit",
    description="The classifier's suggestion for a text (null when no model is trained yet).",
)
def suggest(rt: RT, user: Staff, body: SuggestIn) -> dict[str, Any]:
    placed = place_order(rt, body.address, body.content)
    return {
        "placement": placement_out(placed).model_dump(),
        "suggestion": classification.suggest(rt, body.content, placed),
    }


@router.get("/orders", summary="工单查询 List and search orders", response_model=PageOut[OrderOut])
def list_orders(
    rt: RT,
    user: Staff,
    state: Annotated[list[OrderState] | None, Query()] = None,
    kind: Annotated[list[str] | None, Query(max_length=16)] = None,
    class_code: Annotated[str | None, Query(max_length=16)] = None,
    area: Annotated[str | None, Query(max_length=15)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    text: Annotated[str | None, Query(max_length=100)] = None,
    overdue: bool = False,
    case_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
    sort: Annotated[
        str, Query(pattern=r"^-?(received_at|deadline|updated_at|order_no)$")
    ] = "-received_at",
) -> PageOut[OrderOut]:
    _aware("received_from", received_from)
    _aware("received_to", received_to)
    f = queries.OrderFilter(
        states=tuple(state or ()),
        kinds=tuple(kind or ()),
        class_code=class_code or None,
        area=area or None,
        unit=unit or None,
        received_from=received_from,
        received_to=received_to,
        text=text or None,
        overdue=overdue,
        case_id=case_id,
    )
    found = queries.list_orders(rt, user, f, page=page, page_size=page_size, sort=sort)
    return _page(rt, user, found)


@router.get("/queue", summary="热线待办 My hotline work queue", response_model=PageOut[OrderOut])
def my_queue(
    rt: RT,
    user: Staff,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut[OrderOut]:
    return _page(rt, user, queries.queue(rt, user, page=page, page_size=page_size))


@router.get("/orders/{order_id}", summary="工单详情 Order detail", response_model=OrderOut)
def detail(rt: RT, user: Staff, order_id: OrderId, response: Response) -> OrderOut:
    order = queries.get_visible_order(rt, user, order_id)
    response.headers["ETag"] = f'"{order.version}"'
    return order_out(rt, user, order, with_case=True)


@router.get(
    "/orders/{order_id}/timeline",
    summary="办理过程 The order's history",
    response_model=list[OrderEventOut],
)
def timeline(rt: RT, user: Staff, order_id: OrderId) -> list[OrderEventOut]:
    queries.get_visible_order(rt, user, order_id)
    return [event_out(e) for e in queries.order_events(rt, order_id)]


@router.post(
    "/orders/{order_id}/contact",
    summary="查看来电人联系方式 Reveal the caller's full contact (recorded)",
    description="Hotline desk roles only, with a purpose; every reveal is recorded.",
    response_model=ContactOut,
)
def reveal(rt: RT, user: Staff, order_id: OrderId, body: ContactIn) -> ContactOut:
    queries.get_visible_order(rt, user, order_id)
    c = contacts.reveal_contact(rt, user, order_id, body.purpose)
    return ContactOut(order_id=c.order_id, name=c.name, phone=c.phone)


# --------------------------------------------------------------------------- commands


def _done(rt: Runtime, user: User, order: Order) -> OrderOut:
    return order_out(rt, user, order)


@router.post(
    "/orders/{order_id}/classify", summary="分类 Set or correct the class", response_model=OrderOut
)
def classify(rt: RT, user: Staff, order_id: OrderId, body: ClassifyIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.classify_order(
        rt,
        actor_of(user),
        order_id,
        class_code=body.class_code,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/dispatch", summary="派单/转办 Dispatch or transfer", response_model=OrderOut
)
def dispatch(rt: RT, user: Staff, order_id: OrderId, body: DispatchIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.dispatch_order(
        rt,
        actor_of(user),
        order_id,
        unit=body.unit,
        opinion=body.opinion,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/sign", summary="签收 Sign for the order (unit)", response_model=OrderOut
)
def sign(rt: RT, user: Staff, order_id: OrderId, body: Versioned | None = None) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    version = body.expected_version if body else None
    o = cmd.sign_order(rt, actor_of(user), order_id, expected_version=version)
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/return", summary="退回 Return (not our business)", response_model=OrderOut
)
def return_order(rt: RT, user: Staff, order_id: OrderId, body: ReasonIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.return_order(
        rt, actor_of(user), order_id, reason=body.reason, expected_version=body.expected_version
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/progress", summary="办理过程 Note progress", response_model=OrderOut
)
def progress(rt: RT, user: Staff, order_id: OrderId, body: NoteIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.record_progress(
        rt, actor_of(user), order_id, note=body.note, expected_version=body.expected_version
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/extension", summary="申请延期 Ask for more time", response_model=OrderOut
)
def extension(rt: RT, user: Staff, order_id: OrderId, body: ExtensionIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.request_extension(
        rt,
        actor_of(user),
        order_id,
        amount=body.amount.to_limit(),
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/extension/decision",
    summary="延期审批 Decide an extension",
    response_model=OrderOut,
)
def extension_decision(
    rt: RT, user: Staff, order_id: OrderId, body: ExtensionDecisionIn
) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.decide_extension(
        rt,
        actor_of(user),
        order_id,
        approved=body.approved,
        opinion=body.opinion,
        granted=body.granted.to_limit() if body.granted else None,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/reply", summary="答复 Reply to the caller", response_model=OrderOut
)
def reply(rt: RT, user: Staff, order_id: OrderId, body: ReplyIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.reply_order(
        rt,
        actor_of(user),
        order_id,
        text=body.text,
        resolved=body.resolved,
        contacted=body.contacted,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/case",
    status_code=status.HTTP_201_CREATED,
    summary="转案卷 Hand the order to the closed loop as a case",
    response_model=CaseOpenedOut,
)
def to_case(rt: RT, user: Staff, order_id: OrderId, body: CaseIn) -> CaseOpenedOut:
    queries.get_visible_order(rt, user, order_id)
    opened = case_link.open_case(
        rt,
        actor_of(user),
        order_id,
        lon=body.lon,
        lat=body.lat,
        crs=body.crs,
        class_code=body.class_code or None,
        description=body.description,
        expected_version=body.expected_version,
    )
    return CaseOpenedOut(
        order=_done(rt, user, opened.order), case_id=opened.case.id, case_no=opened.case.case_no
    )


@router.post(
    "/orders/{order_id}/case-outcome",
    summary="按案卷结果答复 Reply from the linked case's outcome",
    description="409 hotline.case_open while the case (or the case it was merged into) is open.",
    response_model=OrderOut,
)
def case_outcome(rt: RT, user: Staff, order_id: OrderId) -> OrderOut:
    order = queries.get_visible_order(rt, user, order_id)
    if user.role not in (Role.ACCEPTOR, Role.SHIFT_LEADER):
        from cityops.errors import ForbiddenError

        raise ForbiddenError("hotline.role_forbidden", "只有热线受理员和值班长可以按案卷结果答复")
    done = case_link.conclude_from_case(rt, order_id, actor_of(user))
    if done is None:
        raise InvalidTransitionError(
            "hotline.case_open", "该工单不在转案卷办理中，或案卷尚未办结", state=order.state.value
        )
    return _done(rt, user, done)


@router.post(
    "/orders/{order_id}/revisit", summary="回访 Revisit the caller", response_model=OrderOut
)
def revisit(rt: RT, user: Staff, order_id: OrderId, body: RevisitIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.revisit_order(
        rt,
        actor_of(user),
        order_id,
        satisfaction=body.satisfaction,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post("/orders/{order_id}/close", summary="办结 Close", response_model=OrderOut)
def close(rt: RT, user: Staff, order_id: OrderId, body: CloseIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.close_order(
        rt,
        actor_of(user),
        order_id,
        resolved=body.resolved,
        note=body.note,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post("/orders/{order_id}/reopen", summary="重办 Reopen", response_model=OrderOut)
def reopen(rt: RT, user: Staff, order_id: OrderId, body: ReopenIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.reopen_order(
        rt,
        actor_of(user),
        order_id,
        reason_code=body.reason_code,
        reason=body.reason,
        unit=body.unit,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post(
    "/orders/{order_id}/reexamine",
    summary="回头看 Re-examine a closed order",
    response_model=OrderOut,
)
def reexamine(rt: RT, user: Staff, order_id: OrderId, body: ReexamineIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.reexamine_order(
        rt,
        actor_of(user),
        order_id,
        finding=body.finding,
        note=body.note,
        reopen_unit=body.reopen_unit,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


@router.post("/orders/{order_id}/void", summary="作废 Void (shift leader)", response_model=OrderOut)
def void(rt: RT, user: Staff, order_id: OrderId, body: VoidIn) -> OrderOut:
    queries.get_visible_order(rt, user, order_id)
    o = cmd.void_order(
        rt,
        actor_of(user),
        order_id,
        reason=body.reason,
        duplicate_of=body.duplicate_of,
        expected_version=body.expected_version,
    )
    return _done(rt, user, o)


# --------------------------------------------------------------------------- figures

PeriodQ = Annotated[str, Query(max_length=32, description="2025-10, 2025-Q3, 2025, 2025-W40 …")]


@router.get("/stats/rates", summary="热线指标 The four rates", response_model=RatesPageOut)
def rates(
    rt: RT,
    user: Centre,
    period: PeriodQ,
    by: Annotated[str, Query(pattern=r"^(city|unit|district)$")] = "city",
) -> RatesPageOut:
    p, start, end = _period(rt, period)
    rows = analytics.rates(rt, start, end, by=by)
    units = rt.policy.profile.units
    return RatesPageOut(
        period=p.label,
        by=by,
        as_of=min(rt.now(), end),
        rows=[
            RatesOut(
                **r.to_dict(),
                name=units[r.key].name if by == "unit" and r.key in units else None,
            )
            for r in rows
        ],
    )


@router.get("/stats/negative-list", summary="负面清单 应办不办 / 推诿扯皮 / 超期办理")
def negative_list(rt: RT, user: Centre, period: PeriodQ) -> dict[str, Any]:
    p, start, end = _period(rt, period)
    entries = analytics.negatives(rt, start, end)
    return {"period": p.label, "entries": [e.to_dict() for e in entries]}


@router.get("/stats/reexamination", summary="回头看 Orders closed unresolved or come back")
def reexamination(rt: RT, user: Centre, period: PeriodQ) -> dict[str, Any]:
    p, start, end = _period(rt, period)
    return {
        "period": p.label,
        "items": [i.to_dict() for i in analytics.reexamination(rt, start, end)],
    }


@router.get(
    "/stats/hotspots",
    summary="热点分析 Frequent matters and places, clusters, repeated and periodic problems",
)
def hotspot_stats(
    rt: RT,
    user: Centre,
    period: PeriodQ,
    class_code: Annotated[str | None, Query(max_length=16)] = None,
    top: Annotated[int, Query(ge=1, le=100)] = 10,
    cell_m: Annotated[float, Query(ge=20, le=5000)] = 200.0,
    min_cell_orders: Annotated[int, Query(ge=2, le=100000)] = 10,
) -> dict[str, Any]:
    p, start, end = _period(rt, period)
    report = hotspots.hotspot_report(
        rt,
        start,
        end,
        top=top,
        cell_m=cell_m,
        min_cell_orders=min_cell_orders,
        class_code=class_code or None,
    )
    return {"period": p.label, **report}


@router.get("/stats/trends", summary="目标对比 Counts against the targets (同比/环比)")
def trends(rt: RT, user: Centre, period: PeriodQ) -> dict[str, Any]:
    p, _start, _end = _period(rt, period)
    return {"period": p.label, "targets": [t.to_dict() for t in hotspots.trend_report(rt, p)]}


@router.get("/stats/bulletin", summary="月度通报热线部分 The bulletin section")
def bulletin_section(rt: RT, user: Centre, period: PeriodQ) -> dict[str, Any]:
    p, _start, _end = _period(rt, period)
    return bulletin.hotline_section(rt, p).to_dict()


@router.get("/map", summary="工单地图 Orders and clusters as GeoJSON (WGS84)")
def order_map(
    rt: RT,
    user: Centre,
    period: PeriodQ,
    class_code: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
) -> dict[str, Any]:
    _p, start, end = _period(rt, period)
    found = queries.list_orders(
        rt,
        user,
        queries.OrderFilter(received_from=start, received_to=end, class_code=class_code or None),
        page=1,
        page_size=limit,
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [o.placement.lon, o.placement.lat]},
            "properties": {
                "id": o.id,
                "order_no": o.order_no,
                "state": o.state.value,
                "class_code": o.class_code,
                "kind": o.kind.value,
                "grid_code": o.placement.grid_code,
                "received_at": o.received_at.isoformat(),
            },
        }
        for o in found.items
        if o.placement.lon is not None and o.placement.lat is not None
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": found.total > limit}


@router.post(
    "/classifier/train", summary="训练分类模型 Train the classifier now", response_model=TrainOut
)
def train(rt: RT, user: Trainer) -> TrainOut:
    r = classification.train(rt, user.id)
    return TrainOut(
        model_id=r.model_id,
        examples=r.examples,
        corrections=r.corrections,
        classes=r.classes,
        units=r.units,
        seconds=round(r.seconds, 3),
    )


@router.get("/classifier/models", summary="分类模型 Trained models")
def models(rt: RT, user: Trainer) -> list[dict[str, Any]]:
    return classification.models(rt)
