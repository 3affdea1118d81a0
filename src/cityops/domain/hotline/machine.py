"""The hotline order as a state machine (DOMAIN.md §7).

Each command is a function ``(rules, order, actor, at, ...) -> OrderEvent`` that checks the role,
the state and the required reasons, computes the deadlines, and returns the event to append;
``evolve(order, event)`` applies it and reads nothing but the event, so an order rebuilt from
its log equals the stored projection whatever the rules say later::

    receive ─► received ──dispatch──► dispatched ──sign──► signed ──reply──► replied
                 │  ▲  ▲                  │   ▲ transfer     │                 │ revisit
                 │  │  └──── return ──────┴───┼──────────────┘                 ▼
                 │  └──────── reopen ◄────────┴──────────── closed ◄─close── revisited
                 └─open_case─► in_case ──case_concluded──► replied
    void: received | dispatched | signed → voided
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import CityProfile, Urgency
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.clock.protocol import WorkingTime
from cityops.domain.hotline.model import Order, OrderEvent, Placement
from cityops.domain.hotline.policy import HotlinePolicy
from cityops.domain.hotline.vocabulary import (
    OrderChannel,
    OrderEventType,
    OrderKind,
    OrderState,
    ReexamFinding,
    ReopenReason,
    Satisfaction,
)
from cityops.errors import ForbiddenError, InvalidTransitionError, ValidationError

S = OrderState
E = OrderEventType
R = Role

DESK = frozenset({R.ACCEPTOR, R.SHIFT_LEADER})
DISPATCHING = frozenset({R.ACCEPTOR, R.DISPATCHER, R.SHIFT_LEADER})

ROLES: dict[OrderEventType, frozenset[Role]] = {
    E.RECEIVED: frozenset({R.ACCEPTOR, R.SHIFT_LEADER, R.SYSTEM}),
    E.CLASSIFIED: DISPATCHING,
    E.DISPATCHED: DISPATCHING,
    E.SIGNED: frozenset({R.HANDLER}),
    E.RETURNED: frozenset({R.HANDLER}),
    E.PROGRESSED: frozenset({R.HANDLER}),
    E.EXTENSION_REQUESTED: frozenset({R.HANDLER}),
    E.EXTENSION_DECIDED: DISPATCHING,
    E.REPLIED: frozenset({R.HANDLER, R.ACCEPTOR, R.SHIFT_LEADER}),
    E.CASE_OPENED: DESK,
    E.CASE_CONCLUDED: frozenset({R.SYSTEM, R.ACCEPTOR, R.SHIFT_LEADER}),
    E.REVISITED: DESK,
    E.CLOSED: DESK,
    E.REOPENED: frozenset({R.ACCEPTOR, R.SHIFT_LEADER, R.LEADER}),
    E.REEXAMINED: frozenset({R.ACCEPTOR, R.SHIFT_LEADER, R.LEADER, R.EVALUATOR}),
    E.VOIDED: frozenset({R.SHIFT_LEADER}),
}

FROM: dict[OrderEventType, frozenset[OrderState]] = {
    E.CLASSIFIED: frozenset(set(OrderState) - {S.VOIDED}),
    E.DISPATCHED: frozenset({S.RECEIVED, S.DISPATCHED, S.SIGNED}),
    E.SIGNED: frozenset({S.DISPATCHED}),
    E.RETURNED: frozenset({S.DISPATCHED, S.SIGNED}),
    E.PROGRESSED: frozenset({S.SIGNED}),
    E.EXTENSION_REQUESTED: frozenset({S.SIGNED}),
    E.EXTENSION_DECIDED: frozenset({S.SIGNED}),
    E.REPLIED: frozenset({S.RECEIVED, S.SIGNED}),
    E.CASE_OPENED: frozenset({S.RECEIVED}),
    E.CASE_CONCLUDED: frozenset({S.IN_CASE}),
    E.REVISITED: frozenset({S.REPLIED, S.REVISITED}),
    E.CLOSED: frozenset({S.REPLIED, S.REVISITED}),
    E.REOPENED: frozenset({S.REVISITED, S.CLOSED}),
    E.REEXAMINED: frozenset({S.CLOSED}),
    E.VOIDED: frozenset({S.RECEIVED, S.DISPATCHED, S.SIGNED}),
}

# Events a handler may record only for the unit holding the order.
UNIT_SCOPED = frozenset({E.SIGNED, E.RETURNED, E.PROGRESSED, E.EXTENSION_REQUESTED, E.REPLIED})

MAX_TEXT = 4000


@dataclass(frozen=True)
class HotlineRules:
    """What the commands need: the hotline policy, the working calendar, the profile (units
    and classes)."""

    policy: HotlinePolicy
    calendar: WorkingTime
    profile: CityProfile


# --------------------------------------------------------------------------- helpers


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def parse_dt(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("time.naive", "时间必须带时区", at=str(at))


def _text(value: str | None, field: str, *, required: bool, label: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"hotline.{field}_required", f"必须填写{label}", field=field)
    if len(text) > MAX_TEXT:
        raise ValidationError(
            "hotline.text_too_long", f"{label}不能超过{MAX_TEXT}字", field=field, max=MAX_TEXT
        )
    return text


def _guard(order: Order, kind: OrderEventType, actor: Actor) -> None:
    if actor.role not in ROLES[kind]:
        raise ForbiddenError(
            "hotline.role_forbidden",
            f"{actor.role.label_zh}不能执行工单“{kind.label_zh}”",
            role=actor.role.value,
            action=kind.value,
        )
    if order.state not in FROM[kind]:
        raise InvalidTransitionError(
            "hotline.invalid_transition",
            f"工单当前为“{order.state.label_zh}”，不能执行“{kind.label_zh}”",
            state=order.state.value,
            action=kind.value,
        )
    if kind in UNIT_SCOPED and actor.role == R.HANDLER and actor.unit != order.unit:
        raise ForbiddenError(
            "hotline.not_your_unit",
            "该工单未派给您所在的单位",
            unit=actor.unit,
            assigned_unit=order.unit,
        )


def _event(
    order: Order,
    kind: OrderEventType,
    actor: Actor,
    at: datetime,
    to: OrderState,
    data: dict[str, Any],
) -> OrderEvent:
    _aware(at)
    return OrderEvent(
        order_id=order.id,
        seq=order.version + 1,
        type=kind,
        at=at,
        actor=actor.id,
        role=actor.role,
        unit=actor.unit,
        from_state=order.state,
        to_state=to,
        data=data,
    )


def _check_unit(rules: HotlineRules, unit: str) -> None:
    if unit not in rules.profile.units:
        raise ValidationError("hotline.unit_unknown", f"承办单位“{unit}”不存在", unit=unit)


def _check_class(rules: HotlineRules, class_code: str | None) -> None:
    if class_code is not None and class_code not in rules.profile.classes:
        raise ValidationError(
            "hotline.class_unknown", f"类别“{class_code}”不在本市目录中", class_code=class_code
        )


def assignment_clock(
    rules: HotlineRules, kind: OrderKind, urgency: Urgency, at: datetime
) -> dict[str, Any]:
    """The sign-for and handling deadlines of a dispatch made at ``at``."""
    sign = rules.policy.sign_limit_for(urgency)
    handling = rules.policy.handling_limit_for(kind, urgency)
    return {
        "sign_limit": str(sign),
        "sign_deadline": iso(rules.calendar.deadline(at, sign)),
        "handling_limit": str(handling),
        "handling_deadline": iso(rules.calendar.deadline(at, handling)),
    }


# --------------------------------------------------------------------------- intake


def receive(
    rules: HotlineRules,
    *,
    order_id: int,
    order_no: str,
    actor: Actor,
    at: datetime,
    kind: OrderKind,
    channel: OrderChannel,
    content: str,
    address: str = "",
    placement: Placement | None = None,
    urgency: Urgency = Urgency.NORMAL,
    caller_name: str | None = None,
    caller_phone: str | None = None,
    caller_key: str | None = None,
    external_no: str | None = None,
    class_code: str | None = None,
    suggestion: Mapping[str, Any] | None = None,
    revisit_required: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> OrderEvent:
    """受理: the desk takes a call (or an import brings one in). Names and phones arrive masked."""
    _aware(at)
    if actor.role not in ROLES[E.RECEIVED]:
        raise ForbiddenError(
            "hotline.role_forbidden", f"{actor.role.label_zh}不能受理工单", role=actor.role.value
        )
    _check_class(rules, class_code)
    data: dict[str, Any] = {
        "order_no": order_no,
        "kind": kind.value,
        "channel": channel.value,
        "urgency": urgency.value,
        "content": _text(content, "content", required=True, label="诉求内容"),
        "address": _text(address, "address", required=False, label="地址"),
        "placement": (placement or Placement()).to_dict(),
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "caller_key": caller_key,
        "external_no": external_no,
        "class_code": class_code,
        "class_source": "intake" if class_code else None,
        "suggestion": dict(suggestion) if suggestion else None,
        "revisit_required": revisit_required,
    }
    if extra:
        data["extra"] = dict(extra)
    return OrderEvent(
        order_id, 1, E.RECEIVED, at, actor.id, actor.role, actor.unit, None, S.RECEIVED, data
    )


def classify(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    class_code: str,
    note: str = "",
) -> OrderEvent:
    """分类: the dispatcher sets (or corrects) the order's class. A class that differs from the
    classifier's suggestion is recorded as a correction, which becomes a training example."""
    _guard(order, E.CLASSIFIED, actor)
    _check_class(rules, class_code)
    suggested = (order.suggestion or {}).get("class_code")
    data = {
        "class_code": class_code,
        "previous": order.class_code,
        "suggested": suggested,
        "correction": suggested is not None and suggested != class_code,
        "note": _text(note, "note", required=False, label="说明"),
    }
    return _event(order, E.CLASSIFIED, actor, at, order.state, data)


# --------------------------------------------------------------------------- the unit's work


def dispatch(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    unit: str,
    opinion: str = "",
    suggested_unit: str | None = None,
) -> OrderEvent:
    """派单 to a unit; while a unit holds the order, a new dispatch is a transfer (转办)."""
    _guard(order, E.DISPATCHED, actor)
    _check_unit(rules, unit)
    transfer = order.state in (S.DISPATCHED, S.SIGNED)
    if transfer and unit == order.unit:
        raise ValidationError("hotline.same_unit", "转办的承办单位不能与原单位相同", unit=unit)
    data = {
        "unit": unit,
        "transfer": transfer,
        "from_unit": order.unit if transfer else None,
        "opinion": _text(opinion, "opinion", required=transfer, label="转办理由"),
        "suggested_unit": suggested_unit,
        **assignment_clock(rules, order.kind, order.urgency, at),
    }
    return _event(order, E.DISPATCHED, actor, at, S.DISPATCHED, data)


def sign(rules: HotlineRules, order: Order, actor: Actor, at: datetime) -> OrderEvent:
    """签收: the unit takes the order on; on time when within the sign-for limit."""
    _guard(order, E.SIGNED, actor)
    due = order.sign_deadline
    return _event(
        order, E.SIGNED, actor, at, S.SIGNED, {"due": iso(due), "on_time": due is None or at <= due}
    )


def return_order(
    rules: HotlineRules, order: Order, actor: Actor, at: datetime, *, reason: str
) -> OrderEvent:
    """退回: the unit says the order is not its business; back to the desk."""
    _guard(order, E.RETURNED, actor)
    data = {
        "unit": order.unit,
        "signed": order.state == S.SIGNED,
        "reason": _text(reason, "reason", required=True, label="退回理由"),
    }
    return _event(order, E.RETURNED, actor, at, S.RECEIVED, data)


def progress(
    rules: HotlineRules, order: Order, actor: Actor, at: datetime, *, note: str
) -> OrderEvent:
    """办理过程: a note of what the unit has done so far."""
    _guard(order, E.PROGRESSED, actor)
    return _event(
        order,
        E.PROGRESSED,
        actor,
        at,
        S.SIGNED,
        {"note": _text(note, "note", required=True, label="办理情况")},
    )


def request_extension(
    rules: HotlineRules, order: Order, actor: Actor, at: datetime, *, amount: TimeLimit, reason: str
) -> OrderEvent:
    _guard(order, E.EXTENSION_REQUESTED, actor)
    if order.pending_extension is not None:
        raise InvalidTransitionError("hotline.extension_pending", "已有待审批的延期申请")
    data = {
        "amount": str(amount),
        "reason": _text(reason, "reason", required=True, label="延期理由"),
    }
    return _event(order, E.EXTENSION_REQUESTED, actor, at, S.SIGNED, data)


def decide_extension(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    approved: bool,
    opinion: str = "",
    granted: TimeLimit | None = None,
) -> OrderEvent:
    """延期审批: approved time is added to the handling deadline."""
    _guard(order, E.EXTENSION_DECIDED, actor)
    if order.pending_extension is None:
        raise InvalidTransitionError("hotline.no_extension_pending", "没有待审批的延期申请")
    requested = TimeLimit.parse(str(order.pending_extension["amount"]))
    data: dict[str, Any] = {
        "approved": approved,
        "requested": str(requested),
        "opinion": _text(opinion, "opinion", required=not approved, label="审批意见"),
    }
    if approved:
        amount = granted or requested
        base = order.handling_deadline or at
        seconds = amount.seconds(rules.calendar.day_seconds)
        data["granted"] = str(amount)
        data["handling_deadline"] = iso(
            rules.calendar.advance(base, seconds, amount.unit.is_working)
        )
    return _event(order, E.EXTENSION_DECIDED, actor, at, S.SIGNED, data)


def reply(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    text: str,
    resolved: bool,
    contacted: bool = True,
) -> OrderEvent:
    """答复: the unit's result, told to the caller. The desk may answer an order itself while
    it is still at the desk (a consultation answered on the phone: 直接答复)."""
    _guard(order, E.REPLIED, actor)
    if order.state == S.RECEIVED and actor.role == R.HANDLER:
        raise InvalidTransitionError(
            "hotline.invalid_transition", "工单尚未派给承办单位", state=order.state.value
        )
    if order.state == S.SIGNED and actor.role != R.HANDLER:
        raise ForbiddenError(
            "hotline.role_forbidden", "办理中的工单由承办单位答复", role=actor.role.value
        )
    due = order.handling_deadline if order.state == S.SIGNED else None
    data = {
        "text": _text(text, "reply", required=True, label="答复内容"),
        "resolved": bool(resolved),
        "contacted": bool(contacted),
        "unit": order.unit if order.state == S.SIGNED else None,
        "direct": order.state == S.RECEIVED,
        "due": iso(due),
        "on_time": due is None or at <= due,
    }
    return _event(order, E.REPLIED, actor, at, S.REPLIED, data)


# --------------------------------------------------------------------------- the case loop


def open_case(
    rules: HotlineRules, order: Order, actor: Actor, at: datetime, *, case_id: int, case_no: str
) -> OrderEvent:
    """转案卷: a city-management matter goes into the closed loop; the order waits for it."""
    _guard(order, E.CASE_OPENED, actor)
    handling = rules.policy.handling_limit_for(order.kind, order.urgency)
    data = {
        "case_id": case_id,
        "case_no": case_no,
        "handling_limit": str(handling),
        "handling_deadline": iso(rules.calendar.deadline(at, handling)),
    }
    return _event(order, E.CASE_OPENED, actor, at, S.IN_CASE, data)


def case_concluded(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    case_id: int,
    case_state: str,
    outcome: str | None,
    text: str,
    resolved: bool,
    unit: str | None,
) -> OrderEvent:
    """案卷办结: the linked case ended; its outcome becomes the order's reply."""
    _guard(order, E.CASE_CONCLUDED, actor)
    if order.case_id != case_id:
        raise ValidationError(
            "hotline.case_mismatch", "案卷与工单不对应", case_id=case_id, order_case=order.case_id
        )
    due = order.handling_deadline
    data = {
        "case_id": case_id,
        "case_state": case_state,
        "outcome": outcome,
        "text": _text(text, "reply", required=True, label="答复内容"),
        "resolved": bool(resolved),
        "unit": unit,
        "due": iso(due),
        "on_time": due is None or at <= due,
    }
    return _event(order, E.CASE_CONCLUDED, actor, at, S.REPLIED, data)


# --------------------------------------------------------------------------- revisit and after


def revisit(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    satisfaction: Satisfaction,
    note: str = "",
) -> OrderEvent:
    """回访: the desk calls the caller back and records the answer."""
    _guard(order, E.REVISITED, actor)
    if order.state == S.REVISITED and order.satisfaction != Satisfaction.UNREACHED:
        raise InvalidTransitionError(
            "hotline.already_revisited", "该工单已回访，请办结或重办", state=order.state.value
        )
    data = {
        "satisfaction": satisfaction.value,
        "attempt": order.revisit_attempts + 1,
        "unit": order.replied_by_unit,
        "note": _text(
            note, "note", required=satisfaction == Satisfaction.UNSATISFIED, label="不满意原因"
        ),
    }
    return _event(order, E.REVISITED, actor, at, S.REVISITED, data)


def close(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    resolved: bool | None = None,
    note: str = "",
) -> OrderEvent:
    """办结. Needs a revisit unless the caller declined one; closing an order the caller was
    unsatisfied with, or never reached, needs a note (and counts for 回头看)."""
    _guard(order, E.CLOSED, actor)
    if order.state == S.REPLIED and order.revisit_required:
        raise InvalidTransitionError("hotline.revisit_required", "该工单须先回访再办结")
    sat = order.satisfaction
    if (
        order.state == S.REVISITED
        and sat == Satisfaction.UNREACHED
        and order.revisit_attempts < rules.policy.max_revisit_attempts
    ):
        raise InvalidTransitionError(
            "hotline.revisit_incomplete",
            f"回访未接通，须回访满{rules.policy.max_revisit_attempts}次后方可办结",
            attempts=order.revisit_attempts,
        )
    needs_note = sat in (Satisfaction.UNSATISFIED, Satisfaction.UNREACHED) or resolved is False
    if resolved is None:
        resolved = order.resolved is not False and sat != Satisfaction.UNSATISFIED
    data = {
        "resolved": resolved,
        "satisfaction": sat.value if sat else None,
        "note": _text(note, "note", required=needs_note, label="办结说明"),
    }
    return _event(order, E.CLOSED, actor, at, S.CLOSED, data)


def reopen(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    reason_code: ReopenReason,
    reason: str,
    unit: str | None = None,
) -> OrderEvent:
    """重办: back to a unit (the last one unless another is named) with fresh limits, or back
    to the desk when the order went through a case (a new case is opened from there)."""
    _guard(order, E.REOPENED, actor)
    if unit is not None:
        _check_unit(rules, unit)
        target: str | None = unit
    else:
        target = order.replied_by_unit if order.case_id is None else None
        if target is not None and target not in rules.profile.units:
            target = None
    data: dict[str, Any] = {
        "reason_code": reason_code.value,
        "reason": _text(reason, "reason", required=True, label="重办理由"),
        "unit": target,
    }
    if target is not None:
        data.update(assignment_clock(rules, order.kind, order.urgency, at))
    return _event(order, E.REOPENED, actor, at, S.DISPATCHED if target else S.RECEIVED, data)


def reexamine(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    finding: ReexamFinding,
    note: str,
) -> OrderEvent:
    """回头看: a closed order is looked at again; an unresolved finding is reopened next."""
    _guard(order, E.REEXAMINED, actor)
    data = {
        "finding": finding.value,
        "note": _text(note, "note", required=True, label="回头看情况"),
    }
    return _event(order, E.REEXAMINED, actor, at, S.CLOSED, data)


def void(
    rules: HotlineRules,
    order: Order,
    actor: Actor,
    at: datetime,
    *,
    reason: str,
    duplicate_of: int | None = None,
) -> OrderEvent:
    """作废: an invalid order (prank, wrong number) or a duplicate of another."""
    _guard(order, E.VOIDED, actor)
    if duplicate_of is not None and duplicate_of == order.id:
        raise ValidationError("hotline.duplicate_of_self", "工单不能与自身重复")
    data = {
        "reason": _text(reason, "reason", required=True, label="作废理由"),
        "duplicate_of": duplicate_of,
    }
    return _event(order, E.VOIDED, actor, at, S.VOIDED, data)


# --------------------------------------------------------------------------- evolve


def _assign(order: Order, d: Mapping[str, Any], at: datetime, unit: str) -> Order:
    seen = (
        order.units_seen
        if order.units_seen and order.units_seen[-1] == unit
        else (
            *order.units_seen,
            unit,
        )
    )
    return replace(
        order,
        unit=unit,
        dispatched_at=at,
        sign_deadline=parse_dt(d.get("sign_deadline")),
        signed_at=None,
        handling_limit=d.get("handling_limit"),
        handling_deadline=parse_dt(d.get("handling_deadline")),
        pending_extension=None,
        first_dispatched_at=order.first_dispatched_at or at,
        dispatch_count=order.dispatch_count + 1,
        units_seen=seen,
    )


def _received(e: OrderEvent) -> Order:
    d = e.data
    return Order(
        id=e.order_id,
        order_no=d["order_no"],
        version=1,
        state=S.RECEIVED,
        kind=OrderKind(d["kind"]),
        channel=OrderChannel(d["channel"]),
        urgency=Urgency(d["urgency"]),
        received_at=e.at,
        received_by=e.actor,
        content=d["content"],
        address=d.get("address") or "",
        placement=Placement.from_dict(d.get("placement") or {}),
        caller_name=d.get("caller_name"),
        caller_phone=d.get("caller_phone"),
        caller_key=d.get("caller_key"),
        external_no=d.get("external_no"),
        class_code=d.get("class_code"),
        class_source=d.get("class_source"),
        suggestion=d.get("suggestion"),
        revisit_required=bool(d.get("revisit_required", True)),
        extra=d.get("extra") or {},
    )


def evolve(order: Order | None, e: OrderEvent) -> Order:
    """Apply one event. Reads only the event (and the order it applies to)."""
    if e.type == E.RECEIVED:
        return _received(e)
    if order is None:  # pragma: no cover - a log always starts with ``received``
        raise InvalidTransitionError("hotline.no_order", "工单不存在")
    d = e.data
    o = replace(order, version=e.seq, state=e.to_state)
    if e.type == E.CLASSIFIED:
        return replace(o, class_code=d["class_code"], class_source="dispatcher")
    if e.type == E.DISPATCHED:
        o = _assign(o, d, e.at, d["unit"])
        return replace(o, transfer_count=o.transfer_count + (1 if d.get("transfer") else 0))
    if e.type == E.SIGNED:
        return replace(o, signed_at=e.at)
    if e.type == E.RETURNED:
        return replace(
            o,
            return_count=o.return_count + 1,
            unit=None,
            sign_deadline=None,
            handling_deadline=None,
            pending_extension=None,
        )
    if e.type == E.PROGRESSED:
        return o
    if e.type == E.EXTENSION_REQUESTED:
        return replace(
            o, pending_extension={"amount": d["amount"], "reason": d["reason"], "at": iso(e.at)}
        )
    if e.type == E.EXTENSION_DECIDED:
        if d["approved"]:
            return replace(
                o,
                pending_extension=None,
                handling_deadline=parse_dt(d["handling_deadline"]),
                extension_count=o.extension_count + 1,
            )
        return replace(o, pending_extension=None)
    if e.type in (E.REPLIED, E.CASE_CONCLUDED):
        return replace(
            o,
            replied_at=e.at,
            replied_by_unit=d.get("unit"),
            reply=d["text"],
            resolved=bool(d["resolved"]),
            replied_on_time=bool(d.get("on_time", True)),
            satisfaction=None,
            revisit_attempts=0,
            revisited_at=None,
        )
    if e.type == E.CASE_OPENED:
        return replace(
            o,
            case_id=int(d["case_id"]),
            handling_limit=d.get("handling_limit"),
            handling_deadline=parse_dt(d.get("handling_deadline")),
            class_source=o.class_source,
        )
    if e.type == E.REVISITED:
        return replace(
            o,
            revisited_at=e.at,
            satisfaction=Satisfaction(d["satisfaction"]),
            revisit_attempts=int(d["attempt"]),
        )
    if e.type == E.CLOSED:
        return replace(o, closed_at=e.at, closed_resolved=bool(d["resolved"]))
    if e.type == E.REOPENED:
        o = replace(
            o,
            reopen_count=o.reopen_count + 1,
            closed_at=None,
            closed_resolved=None,
            replied_at=None,
            reply=None,
            resolved=None,
            replied_on_time=None,
            satisfaction=None,
            revisit_attempts=0,
            revisited_at=None,
            unit=None,
            sign_deadline=None,
            handling_deadline=None,
        )
        if d.get("unit"):
            o = _assign(o, d, e.at, d["unit"])
        return o
    if e.type == E.REEXAMINED:
        return replace(o, reexamined_at=e.at, reexam_finding=d["finding"])
    if e.type == E.VOIDED:
        return replace(o, duplicate_of=d.get("duplicate_of"))
    raise InvalidTransitionError(
        "hotline.unknown_event", f"未知的工单事件“{e.type}”"
    )  # pragma: no cover


def replay(events: list[OrderEvent]) -> Order:
    order: Order | None = None
    for e in events:
        order = evolve(order, e)
    if order is None:
        raise InvalidTransitionError("hotline.no_events", "工单没有任何记录")
    return order
