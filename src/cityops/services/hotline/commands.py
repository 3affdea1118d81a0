"""The hotline's write path: one function per command, one transaction each.

Every command loads the order, lets the domain decide the event, applies it, appends the event
and updates the projection under the version it read, and queues an outbox message
(``hotline.<event>``; no personal data in it) — all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cityops.adapters.db.case_repository import CaseRepository
from cityops.adapters.db.tables.hotline import hotline_contacts
from cityops.adapters.db.unit_of_work import SqlUnitOfWork
from cityops.domain.cases.model import Actor
from cityops.domain.catalog.model import Urgency
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.geo.model import CoordSystem
from cityops.domain.hotline import machine
from cityops.domain.hotline.machine import HotlineRules
from cityops.domain.hotline.model import Order, OrderEvent
from cityops.domain.hotline.vocabulary import (
    OrderChannel,
    OrderKind,
    ReexamFinding,
    ReopenReason,
    Satisfaction,
)
from cityops.domain.privacy import mask_name, mask_phone
from cityops.errors import ConflictError, ValidationError
from cityops.services.hotline import classification
from cityops.services.hotline.addresses import place_order
from cityops.services.hotline.settings import caller_key, rules
from cityops.services.hotline.store import OrderStore
from cityops.services.runtime import Runtime

Decide = Callable[[HotlineRules, Order, datetime], OrderEvent]


@dataclass(frozen=True)
class IntakeResult:
    order: Order
    created: bool  # False when the external number was taken in before


def _outbox(uow: SqlUnitOfWork, e: OrderEvent, o: Order, now: datetime) -> None:
    uow.outbox.add(
        f"hotline.{e.type.value}",
        str(o.id),
        {
            "order_id": o.id,
            "order_no": o.order_no,
            "seq": e.seq,
            "type": e.type.value,
            "at": e.at.isoformat(),
            "state": o.state.value,
            "unit": o.unit,
            "class_code": o.class_code,
            "district_code": o.placement.district_code,
            "case_id": o.case_id,
        },
        now,
    )


def apply_in(
    uow: SqlUnitOfWork,
    rt: Runtime,
    order_id: int,
    decisions: Sequence[Decide],
    *,
    at: datetime,
    expected_version: int | None = None,
    after: Callable[[SqlUnitOfWork, Order, Order, list[OrderEvent]], object] | None = None,
) -> Order:
    """Apply one or more decisions to an order inside an open unit of work (no commit)."""
    store = OrderStore(uow.conn)
    before = store.get(order_id)
    if expected_version is not None and before.version != expected_version:
        raise ConflictError(
            "hotline.stale_version",
            "工单已被他人更新，请刷新后重试",
            order_id=order_id,
            expected_version=expected_version,
            current_version=before.version,
        )
    r = rules(rt)
    order = before
    events = []
    for decide in decisions:
        e = decide(r, order, at)
        order = machine.evolve(order, e)
        events.append(e)
    now = rt.now()
    store.save(order, events, before.version, now)
    if after is not None:
        after(uow, before, order, events)
    for e in events:
        _outbox(uow, e, order, now)
    return order


def _apply(
    rt: Runtime,
    order_id: int,
    *decisions: Decide,
    at: datetime | None = None,
    expected_version: int | None = None,
    after: Callable[[SqlUnitOfWork, Order, Order, list[OrderEvent]], object] | None = None,
) -> Order:
    when = at or rt.now()
    with rt.uow() as uow:
        order = apply_in(
            uow, rt, order_id, decisions, at=when, expected_version=expected_version, after=after
        )
        uow.commit()
    return order


def _order_no(rt: Runtime, order_id: int, at: datetime) -> str:
    tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
    return f"RX{at.astimezone(tz):%Y%m%d}{order_id:07d}"


# --------------------------------------------------------------------------- intake


def receive_order(
    rt: Runtime,
    actor: Actor,
    *,
    content: str,
    kind: OrderKind = OrderKind.COMPLAINT,
    channel: OrderChannel = OrderChannel.PHONE,
    urgency: Urgency = Urgency.NORMAL,
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: CoordSystem = CoordSystem.WGS84,
    caller_name: str | None = None,
    caller_phone: str | None = None,
    external_no: str | None = None,
    class_code: str | None = None,
    revisit_required: bool = True,
    answer: str | None = None,
    suggest: bool = True,
    extra: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IntakeResult:
    """受理: place the order (coordinates or address text), ask the classifier for a class and
    a unit, store the caller's full contact apart (protected) and only masked values in the
    order. With ``answer`` the desk answers at once (直接答复: the order goes to revisit).
    An ``external_no`` seen before returns the earlier order (imports can be re-run)."""
    when = at or rt.now()
    if external_no is not None:
        external_no = external_no.strip()[:64] or None
    if external_no:
        with rt.uow(readonly=True) as uow:
            earlier = OrderStore(uow.conn).find_by_external(external_no)
        if earlier is not None:
            return IntakeResult(earlier, False)
    placement = place_order(rt, address, content, lon, lat, crs)
    suggestion = classification.suggest(rt, content, placement) if suggest else None
    key = caller_key(rt, caller_phone)
    r = rules(rt)
    with rt.uow() as uow:
        order_id = CaseRepository(uow.conn).next_counter("hotline_order_id")
        first = machine.receive(
            r,
            order_id=order_id,
            order_no=_order_no(rt, order_id, when),
            actor=actor,
            at=when,
            kind=kind,
            channel=channel,
            content=content,
            address=address,
            placement=placement,
            urgency=urgency,
            caller_name=mask_name(caller_name),
            caller_phone=mask_phone(caller_phone),
            caller_key=key,
            external_no=external_no,
            class_code=class_code,
            suggestion=suggestion,
            revisit_required=revisit_required,
            extra=extra,
        )
        order = machine.evolve(None, first)
        events = [first]
        if answer is not None:
            e = machine.reply(r, order, actor, when, text=answer, resolved=True)
            order = machine.evolve(order, e)
            events.append(e)
        now = rt.now()
        store = OrderStore(uow.conn)
        store.add(order, events, now)
        if caller_name or caller_phone:
            uow.conn.execute(
                hotline_contacts.insert().values(
                    order_id=order.id,
                    caller_name=(caller_name or "").strip()[:64] or None,
                    caller_phone=(caller_phone or "").strip()[:32] or None,
                    created_at=now,
                )
            )
        for e in events:
            _outbox(uow, e, order, now)
        uow.commit()
    return IntakeResult(order, True)


# --------------------------------------------------------------------------- desk commands


def classify_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    class_code: str,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    """分类: the dispatcher's class; a choice that differs from the suggestion is recorded as a
    training example (correction) in the same transaction."""
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.classify(r, o, actor, t, class_code=class_code, note=note),
        at=at,
        expected_version=expected_version,
        after=lambda uow, before, o, _e: classification.record_choice(
            uow, o, actor, rt.now(), class_code=class_code
        ),
    )


def dispatch_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    unit: str | None = None,
    opinion: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    """派单 (or 转办 while a unit holds it). Without ``unit`` the suggestion is used: the
    classifier's unit if confident, else the routing rule for the order's class and place."""

    def decide(r: HotlineRules, o: Order, t: datetime) -> OrderEvent:
        suggested = classification.suggested_unit(rt, o)
        target = unit or suggested
        if target is None:
            raise ValidationError("hotline.unit_required", "没有派单建议，请指定承办单位")
        return machine.dispatch(
            r, o, actor, t, unit=target, opinion=opinion, suggested_unit=suggested
        )

    return _apply(
        rt,
        order_id,
        decide,
        at=at,
        expected_version=expected_version,
        after=lambda uow, before, o, _e: classification.record_choice(
            uow, o, actor, rt.now(), unit=o.unit
        ),
    )


def decide_extension(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    approved: bool,
    opinion: str = "",
    granted: TimeLimit | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.decide_extension(
            r, o, actor, t, approved=approved, opinion=opinion, granted=granted
        ),
        at=at,
        expected_version=expected_version,
    )


def revisit_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    satisfaction: Satisfaction,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.revisit(r, o, actor, t, satisfaction=satisfaction, note=note),
        at=at,
        expected_version=expected_version,
    )


def close_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    resolved: bool | None = None,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.close(r, o, actor, t, resolved=resolved, note=note),
        at=at,
        expected_version=expected_version,
    )


def reopen_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    reason_code: ReopenReason,
    reason: str,
    unit: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.reopen(
            r, o, actor, t, reason_code=reason_code, reason=reason, unit=unit
        ),
        at=at,
        expected_version=expected_version,
    )


def reexamine_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    finding: ReexamFinding,
    note: str,
    reopen_unit: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    """回头看. An ``unresolved`` finding reopens the order in the same transaction."""
    decisions: list[Decide] = [
        lambda r, o, t: machine.reexamine(r, o, actor, t, finding=finding, note=note)
    ]
    if finding == ReexamFinding.UNRESOLVED:
        decisions.append(
            lambda r, o, t: machine.reopen(
                r,
                o,
                actor,
                t,
                reason_code=ReopenReason.REEXAMINATION,
                reason=note,
                unit=reopen_unit,
            )
        )
    return _apply(rt, order_id, *decisions, at=at, expected_version=expected_version)


def void_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    reason: str,
    duplicate_of: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    if duplicate_of is not None:
        with rt.uow(readonly=True) as uow:
            OrderStore(uow.conn).get(duplicate_of)
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.void(r, o, actor, t, reason=reason, duplicate_of=duplicate_of),
        at=at,
        expected_version=expected_version,
    )


# --------------------------------------------------------------------------- the unit's commands


def sign_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.sign(r, o, actor, t),
        at=at,
        expected_version=expected_version,
    )


def return_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.return_order(r, o, actor, t, reason=reason),
        at=at,
        expected_version=expected_version,
    )


def record_progress(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    note: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.progress(r, o, actor, t, note=note),
        at=at,
        expected_version=expected_version,
    )


def request_extension(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    amount: TimeLimit,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.request_extension(r, o, actor, t, amount=amount, reason=reason),
        at=at,
        expected_version=expected_version,
    )


def reply_order(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    text: str,
    resolved: bool,
    contacted: bool = True,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Order:
    """答复 by the unit (or directly by the desk while the order is at the desk)."""
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.reply(
            r, o, actor, t, text=text, resolved=resolved, contacted=contacted
        ),
        at=at,
        expected_version=expected_version,
    )
