"""The closed loop (数字城管闭环) as a state machine.

Each command is a function ``(policy, case, actor, at, ...) -> Event`` that checks the role,
the state and the reasons the domain requires, computes the clocks, and returns the event
to append. ``evolve(case, event)`` applies an event to a case; it reads nothing but the event,
so a case rebuilt from its log equals the stored projection whatever the profile says today.

The paths (DOMAIN.md §2)::

    report ─┬─► verifying ──verify──► reported ──file──► filed ──dispatch──► dispatched
            └─► reported                 │                 ▲                 │  ▲   │
                 reject ◄────────────────┘        return ──┘  rework ────────┘  │   │ handle
                                                                  checking ◄────┼── handled
                 cancel (filed … checking, shift leader)          │  close      check_request
                                                                  ▼
                                                                closed
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from cityops.domain.cases.model import Actor, Attachment, Case, Event, StageClock
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.cases.vocabulary import (
    CaseState,
    Channel,
    CloseOutcome,
    EventType,
    Light,
    RejectReason,
    Role,
)
from cityops.domain.catalog.model import AreaClass, Stage, Urgency
from cityops.domain.clock.case_clock import PausableClock, light_for
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.geo.model import Location
from cityops.errors import ForbiddenError, InvalidTransitionError, ValidationError

S = CaseState
E = EventType
R = Role

# Who may record each event (role guard). Unit scope for handlers is checked separately.
ROLES: dict[EventType, frozenset[Role]] = {
    E.REPORTED: frozenset({R.INSPECTOR, R.ACCEPTOR, R.SHIFT_LEADER, R.PUBLIC, R.SYSTEM, R.LEADER}),
    E.VERIFIED: frozenset({R.INSPECTOR, R.SHIFT_LEADER}),
    E.REJECTED: frozenset({R.ACCEPTOR, R.SHIFT_LEADER}),
    E.FILED: frozenset({R.ACCEPTOR, R.SHIFT_LEADER}),
    E.DISPATCHED: frozenset({R.DISPATCHER}),
    E.RETURNED: frozenset({R.HANDLER, R.DISPATCHER}),
    E.EXTENSION_REQUESTED: frozenset({R.HANDLER}),
    E.EXTENSION_DECIDED: frozenset({R.DISPATCHER, R.SHIFT_LEADER}),
    E.SUSPENDED: frozenset({R.DISPATCHER, R.SHIFT_LEADER}),
    E.RESUMED: frozenset({R.DISPATCHER, R.SHIFT_LEADER, R.SYSTEM}),
    E.HANDLED: frozenset({R.HANDLER}),
    E.CHECK_REQUESTED: frozenset({R.ACCEPTOR, R.DISPATCHER, R.SHIFT_LEADER}),
    E.REWORKED: frozenset({R.INSPECTOR, R.SHIFT_LEADER}),
    E.CLOSED: frozenset({R.INSPECTOR, R.SHIFT_LEADER, R.ACCEPTOR}),
    E.CANCELLED: frozenset({R.SHIFT_LEADER}),
}

# The states each event may start from.
FROM: dict[EventType, frozenset[CaseState]] = {
    E.VERIFIED: frozenset({S.VERIFYING}),
    E.REJECTED: frozenset({S.REPORTED, S.VERIFYING}),
    E.FILED: frozenset({S.REPORTED}),
    E.DISPATCHED: frozenset({S.FILED}),
    E.RETURNED: frozenset({S.DISPATCHED}),
    E.EXTENSION_REQUESTED: frozenset({S.DISPATCHED}),
    E.EXTENSION_DECIDED: frozenset({S.DISPATCHED}),
    E.SUSPENDED: frozenset({S.DISPATCHED}),
    E.RESUMED: frozenset({S.DISPATCHED}),
    E.HANDLED: frozenset({S.DISPATCHED}),
    E.CHECK_REQUESTED: frozenset({S.HANDLED}),
    E.REWORKED: frozenset({S.CHECKING}),
    E.CLOSED: frozenset({S.CHECKING}),
    E.CANCELLED: frozenset({S.FILED, S.DISPATCHED, S.HANDLED, S.CHECKING}),
}

# The channels each role may report through (intake over the API).
CHANNELS_BY_ROLE: dict[Role, frozenset[Channel]] = {
    R.INSPECTOR: frozenset({Channel.INSPECTOR}),
    R.PUBLIC: frozenset({Channel.PUBLIC}),
    R.SYSTEM: frozenset({Channel.VIDEO_AI, Channel.SENSOR, Channel.UPPER_PLATFORM}),
    R.ACCEPTOR: frozenset(
        {Channel.HOTLINE, Channel.MEDIA, Channel.LEADER, Channel.UPPER_PLATFORM, Channel.PUBLIC}
    ),
    R.SHIFT_LEADER: frozenset(
        {Channel.HOTLINE, Channel.MEDIA, Channel.LEADER, Channel.UPPER_PLATFORM}
    ),
    R.LEADER: frozenset({Channel.LEADER}),
}

# Events that act for the unit holding the case: a handler must belong to that unit.
UNIT_SCOPED = frozenset({E.RETURNED, E.EXTENSION_REQUESTED, E.HANDLED})

MAX_TEXT = 4000


# --------------------------------------------------------------------------- helpers


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def parse_dt(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("time.naive", "时间必须带时区", at=str(at))


def _text(value: str | None, field: str, *, required: bool, label: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"case.{field}_required", f"必须填写{label}", field=field)
    if len(text) > MAX_TEXT:
        raise ValidationError(
            "case.text_too_long", f"{label}不能超过{MAX_TEXT}字", field=field, max=MAX_TEXT
        )
    return text


def _guard(case: Case, kind: EventType, actor: Actor) -> None:
    if actor.role not in ROLES[kind]:
        raise ForbiddenError(
            "case.role_forbidden",
            f"{actor.role.label_zh}不能执行“{kind.label_zh}”",
            role=actor.role.value,
            action=kind.value,
        )
    if case.state not in FROM[kind]:
        raise InvalidTransitionError(
            "case.invalid_transition",
            f"案卷当前为“{case.state.label_zh}”，不能执行“{kind.label_zh}”",
            state=case.state.value,
            action=kind.value,
        )
    if kind in UNIT_SCOPED and actor.role == R.HANDLER and actor.unit != case.assigned_unit:
        raise ForbiddenError(
            "case.not_your_unit",
            "该案卷未派遣给您所在的单位",
            unit=actor.unit,
            assigned_unit=case.assigned_unit,
        )


def _attachments(items: Iterable[Attachment] | None) -> list[dict[str, Any]]:
    return [a.to_dict() for a in items or ()]


def _stage_data(
    policy: CasePolicy, stage: Stage, start: datetime, urgency: Urgency, area: AreaClass
) -> dict[str, Any]:
    yellow, deadline = policy.stage_times(stage, start, urgency, area)
    return {
        "stage": stage.value,
        "started_at": iso(start),
        "deadline": iso(deadline),
        "yellow_at": iso(yellow),
    }


def _clock_data(clock: PausableClock, policy: CasePolicy) -> dict[str, Any]:
    return {
        "working": clock.working,
        "limit_seconds": clock.limit_seconds,
        "used_seconds": clock.used_seconds,
        "running_since": iso(clock.running_since),
        "deadline": iso(clock.deadline(policy.calendar)),
        "yellow_at": iso(clock.yellow_at(policy.calendar)),
    }


def _on_time(case: Case, at: datetime) -> dict[str, Any]:
    """Whether the stage this event completes was done within its limit."""
    if case.stage_clock is None:
        return {}
    return {"due": iso(case.stage_clock.deadline), "on_time": at <= case.stage_clock.deadline}


def _event(
    case: Case, kind: EventType, actor: Actor, at: datetime, to: CaseState, data: dict[str, Any]
) -> Event:
    _require_aware(at)
    return Event(
        case_id=case.id,
        seq=case.version + 1,
        type=kind,
        at=at,
        actor=actor.id,
        role=actor.role,
        unit=actor.unit,
        from_state=case.state,
        to_state=to,
        data=data,
    )


def handling_clock(case: Case) -> PausableClock:
    if case.handling is None:  # pragma: no cover - dispatched cases always have one
        raise InvalidTransitionError("case.no_handling_clock", "案卷没有处置时限")
    return case.handling


# --------------------------------------------------------------------------- commands


def report(
    policy: CasePolicy,
    *,
    case_id: int,
    case_no: str,
    actor: Actor,
    at: datetime,
    channel: Channel,
    description: str,
    address: str,
    location: Location,
    class_code: str | None = None,
    urgency: Urgency = Urgency.NORMAL,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
    source_ref: str | None = None,
    tracking_code: str | None = None,
    verifier: str | None = None,
    attachments: Sequence[Attachment] = (),
    duplicate_candidates: Sequence[Mapping[str, Any]] = (),
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """上报: a new case from any channel. Public and hotline reports go to verification first."""
    _require_aware(at)
    if actor.role not in ROLES[E.REPORTED]:
        raise ForbiddenError(
            "case.role_forbidden", f"{actor.role.label_zh}不能上报案卷", role=actor.role.value
        )
    if channel not in CHANNELS_BY_ROLE.get(actor.role, frozenset()):
        raise ForbiddenError(
            "case.channel_forbidden",
            f"{actor.role.label_zh}不能以“{channel.label_zh}”渠道上报",
            role=actor.role.value,
            channel=channel.value,
            allowed=sorted(c.value for c in CHANNELS_BY_ROLE.get(actor.role, frozenset())),
        )
    desc = _text(description, "description", required=True, label="问题描述")
    if class_code is not None and class_code not in policy.profile.classes:
        raise ValidationError(
            "case.class_unknown", f"类别“{class_code}”不在本市目录中", class_code=class_code
        )
    area = policy.profile.area_class(location.district_code)
    verify = policy.needs_verification(channel)
    stage = Stage.VERIFY if verify else Stage.FILE
    to = S.VERIFYING if verify else S.REPORTED
    data: dict[str, Any] = {
        "case_no": case_no,
        "channel": channel.value,
        "description": desc,
        "address": _text(address, "address", required=False, label="地址"),
        "lon": location.lon,
        "lat": location.lat,
        "grid_code": location.grid_code,
        "community_code": location.community_code,
        "street_code": location.street_code,
        "district_code": location.district_code,
        "area_class": area.value,
        "class_code": class_code,
        "urgency": urgency.value,
        "reporter_name": reporter_name,
        "reporter_phone": reporter_phone,
        "source_ref": source_ref,
        "tracking_code": tracking_code,
        "verifier": verifier if verify else None,
        "attachments": _attachments(attachments),
        "duplicate_candidates": list(duplicate_candidates),
        "clock": _stage_data(policy, stage, at, urgency, area),
    }
    if extra:
        data["extra"] = dict(extra)
    return Event(
        case_id=case_id,
        seq=1,
        type=E.REPORTED,
        at=at,
        actor=actor.id,
        role=actor.role,
        unit=actor.unit,
        from_state=None,
        to_state=to,
        data=data,
    )


def verify(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    found: bool,
    opinion: str = "",
    attachments: Sequence[Attachment] = (),
) -> Event:
    """核实: the inspector confirms on site whether the reported problem exists."""
    _guard(case, E.VERIFIED, actor)
    data = {
        "found": found,
        "opinion": _text(opinion, "opinion", required=not found, label="核实意见"),
        "attachments": _attachments(attachments),
        **_on_time(case, at),
        "clock": _stage_data(policy, Stage.FILE, at, case.urgency, case.area_class),
    }
    return _event(case, E.VERIFIED, actor, at, S.REPORTED, data)


def reject(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    reason_code: RejectReason,
    reason: str,
    duplicate_of: int | None = None,
) -> Event:
    """不予立案: duplicate, outside scope, no filing condition met, or not found on site."""
    _guard(case, E.REJECTED, actor)
    if reason_code == RejectReason.DUPLICATE and duplicate_of is None:
        raise ValidationError("case.duplicate_of_required", "重复上报必须指明原案卷")
    if duplicate_of is not None and duplicate_of == case.id:
        raise ValidationError("case.duplicate_of_self", "案卷不能与自身重复")
    data = {
        "reason_code": reason_code.value,
        "reason": _text(reason, "reason", required=True, label="不予立案理由"),
        "duplicate_of": duplicate_of,
        **_on_time(case, at),
    }
    return _event(case, E.REJECTED, actor, at, S.REJECTED, data)


def file(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    class_code: str,
    condition_code: str,
    opinion: str = "",
) -> Event:
    """立案: under a catalog class and one of its filing conditions, which fixes the handling
    limit, the urgency and the closure condition."""
    _guard(case, E.FILED, actor)
    if class_code not in policy.profile.classes:
        raise ValidationError(
            "case.class_unknown", f"类别“{class_code}”不在本市目录中", class_code=class_code
        )
    cond = policy.condition(condition_code, class_code)
    data = {
        "class_code": class_code,
        "condition_code": cond.code,
        "urgency": cond.urgency.value,
        "handling_limit": str(cond.limit),
        "closure_condition": cond.closure_condition,
        "opinion": _text(opinion, "opinion", required=False, label="立案意见"),
        **_on_time(case, at),
        "clock": _stage_data(policy, Stage.DISPATCH, at, cond.urgency, case.area_class),
    }
    return _event(case, E.FILED, actor, at, S.FILED, data)


def dispatch(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    unit: str,
    opinion: str = "",
    suggested_unit: str | None = None,
) -> Event:
    """派遣: to the responsible unit; its handling clock starts with the full limit."""
    _guard(case, E.DISPATCHED, actor)
    if unit not in policy.profile.units:
        raise ValidationError("case.unit_unknown", f"处置单位“{unit}”不存在", unit=unit)
    if case.handling_limit is None:  # pragma: no cover - filed cases always carry a limit
        raise InvalidTransitionError("case.no_handling_limit", "案卷没有处置时限")
    clock = PausableClock.start(TimeLimit.parse(case.handling_limit), at, policy.calendar)
    data = {
        "unit": unit,
        "opinion": _text(opinion, "opinion", required=False, label="派遣意见"),
        "redispatch": case.dispatch_count > 0,
        "suggested_unit": suggested_unit,
        **_on_time(case, at),
        "handling": _clock_data(clock, policy),
    }
    return _event(case, E.DISPATCHED, actor, at, S.DISPATCHED, data)


def return_case(
    policy: CasePolicy, case: Case, actor: Actor, at: datetime, *, reason: str
) -> Event:
    """回退: the unit is not responsible; back to the dispatcher (counts as a wrong dispatch)."""
    _guard(case, E.RETURNED, actor)
    if case.suspended:
        raise InvalidTransitionError("case.suspended", "挂账中的案卷不能回退，请先解除挂账")
    data = {
        "unit": case.assigned_unit,
        "reason": _text(reason, "reason", required=True, label="回退理由"),
        "clock": _stage_data(policy, Stage.DISPATCH, at, case.urgency, case.area_class),
    }
    return _event(case, E.RETURNED, actor, at, S.FILED, data)


def request_extension(
    policy: CasePolicy, case: Case, actor: Actor, at: datetime, *, amount: TimeLimit, reason: str
) -> Event:
    """申请延期: the unit asks for more time."""
    _guard(case, E.EXTENSION_REQUESTED, actor)
    if case.pending_extension is not None:
        raise InvalidTransitionError("case.extension_pending", "已有待审批的延期申请")
    if case.suspended:
        raise InvalidTransitionError("case.suspended", "挂账中的案卷不能申请延期")
    clock = handling_clock(case)
    if amount.unit.is_working != clock.working:
        raise ValidationError(
            "case.extension_unit_mismatch",
            "延期时长的单位须与处置时限一致（工作时间或自然时间）",
            amount=str(amount),
            handling_limit=case.handling_limit,
        )
    data = {
        "amount": str(amount),
        "reason": _text(reason, "reason", required=True, label="延期理由"),
    }
    return _event(case, E.EXTENSION_REQUESTED, actor, at, S.DISPATCHED, data)


def decide_extension(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    approved: bool,
    opinion: str = "",
    granted: TimeLimit | None = None,
) -> Event:
    """延期审批: approved time is added to the handling limit."""
    _guard(case, E.EXTENSION_DECIDED, actor)
    if case.pending_extension is None:
        raise InvalidTransitionError("case.no_extension_pending", "没有待审批的延期申请")
    clock = handling_clock(case)
    requested = TimeLimit.parse(str(case.pending_extension["amount"]))
    data: dict[str, Any] = {
        "approved": approved,
        "requested": str(requested),
        "opinion": _text(opinion, "opinion", required=not approved, label="审批意见"),
    }
    if approved:
        amount = granted or requested
        if amount.unit.is_working != clock.working:
            raise ValidationError("case.extension_unit_mismatch", "批准延期的单位须与处置时限一致")
        data["granted"] = str(amount)
        data["handling"] = _clock_data(clock.extend(amount, policy.calendar), policy)
    return _event(case, E.EXTENSION_DECIDED, actor, at, S.DISPATCHED, data)


def suspend(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    reason: str,
    requested_by: str | None = None,
    until: datetime | None = None,
) -> Event:
    """挂账: long-term or seasonal work; the handling clock stops until resumed."""
    _guard(case, E.SUSPENDED, actor)
    if case.suspended:
        raise InvalidTransitionError("case.already_suspended", "案卷已挂账")
    if until is not None and until <= at:
        raise ValidationError("case.suspend_until_past", "计划恢复时间必须晚于挂账时间")
    clock = handling_clock(case).pause(at, policy.calendar)
    data = {
        "reason": _text(reason, "reason", required=True, label="挂账理由"),
        "requested_by": requested_by or case.assigned_unit,
        "until": iso(until),
        "light": light_for(clock.used_seconds, clock.limit_seconds).value,
        "handling": _clock_data(clock, policy),
    }
    return _event(case, E.SUSPENDED, actor, at, S.DISPATCHED, data)


def resume(
    policy: CasePolicy, case: Case, actor: Actor, at: datetime, *, opinion: str = ""
) -> Event:
    """解除挂账: the handling clock runs again with the time that was left."""
    _guard(case, E.RESUMED, actor)
    if not case.suspended:
        raise InvalidTransitionError("case.not_suspended", "案卷未挂账")
    clock = handling_clock(case).resume(at)
    data = {
        "opinion": _text(opinion, "opinion", required=False, label="意见"),
        "handling": _clock_data(clock, policy),
    }
    return _event(case, E.RESUMED, actor, at, S.DISPATCHED, data)


def handle(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    opinion: str,
    attachments: Sequence[Attachment] = (),
) -> Event:
    """处置反馈: the unit reports the problem fixed, with after-photos."""
    _guard(case, E.HANDLED, actor)
    if case.suspended:
        raise InvalidTransitionError("case.suspended", "挂账中的案卷请先解除挂账再反馈")
    if case.pending_extension is not None:
        raise InvalidTransitionError("case.extension_pending", "延期申请审批前不能反馈处置结果")
    if policy.profile.attachments.handled_requires_photo and not any(
        a.kind == "after" for a in attachments
    ):
        raise ValidationError("case.after_photo_required", "处置反馈须上传处置后照片")
    clock = handling_clock(case)
    paused = clock.pause(at, policy.calendar)
    data = {
        "opinion": _text(opinion, "opinion", required=True, label="处置情况"),
        "attachments": _attachments(attachments),
        "due": iso(case.handling_deadline),
        "on_time": paused.used_seconds <= paused.limit_seconds,
        "used_seconds": paused.used_seconds,
        "handling": _clock_data(paused, policy),
        "clock": _stage_data(policy, Stage.CHECK_DISPATCH, at, case.urgency, case.area_class),
    }
    return _event(case, E.HANDLED, actor, at, S.HANDLED, data)


def request_check(
    policy: CasePolicy, case: Case, actor: Actor, at: datetime, *, inspector: str, opinion: str = ""
) -> Event:
    """派发核查: an inspector is sent to check the result on site."""
    _guard(case, E.CHECK_REQUESTED, actor)
    if not inspector:
        raise ValidationError("case.inspector_required", "必须指定核查监督员")
    data = {
        "inspector": inspector,
        "opinion": _text(opinion, "opinion", required=False, label="意见"),
        **_on_time(case, at),
        "clock": _stage_data(policy, Stage.CHECK, at, case.urgency, case.area_class),
    }
    return _event(case, E.CHECK_REQUESTED, actor, at, S.CHECKING, data)


def rework(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    reason: str,
    attachments: Sequence[Attachment] = (),
) -> Event:
    """返工: the check failed; back to the same unit, whose clock resumes."""
    _guard(case, E.REWORKED, actor)
    clock = handling_clock(case).resume(at)
    data = {
        "reason": _text(reason, "reason", required=True, label="返工理由"),
        "attachments": _attachments(attachments),
        "unit": case.assigned_unit,
        "rework_count": case.rework_count + 1,
        **_on_time(case, at),
        "handling": _clock_data(clock, policy),
    }
    return _event(case, E.REWORKED, actor, at, S.DISPATCHED, data)


def close(
    policy: CasePolicy,
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    outcome: CloseOutcome = CloseOutcome.FIXED,
    opinion: str = "",
    attachments: Sequence[Attachment] = (),
) -> Event:
    """结案: the check passed and the closure condition holds. Closing for another outcome than
    ``fixed`` is a shift leader's decision and needs a reason."""
    _guard(case, E.CLOSED, actor)
    if outcome != CloseOutcome.FIXED and actor.role != R.SHIFT_LEADER:
        raise ForbiddenError("case.outcome_needs_shift_leader", "非“已解决”结案须由值班长决定")
    cond = policy.profile.conditions.get(case.condition_code or "")
    data = {
        "outcome": outcome.value,
        "opinion": _text(
            opinion, "opinion", required=outcome != CloseOutcome.FIXED, label="结案意见"
        ),
        "closure_condition": cond.closure_condition if cond else None,
        "attachments": _attachments(attachments),
        "handled_on_time": case.handled_on_time,
        **_on_time(case, at),
    }
    return _event(case, E.CLOSED, actor, at, S.CLOSED, data)


def cancel(policy: CasePolicy, case: Case, actor: Actor, at: datetime, *, reason: str) -> Event:
    """作废: a filed case found invalid, by the shift leader."""
    _guard(case, E.CANCELLED, actor)
    data = {"reason": _text(reason, "reason", required=True, label="作废理由")}
    return _event(case, E.CANCELLED, actor, at, S.CANCELLED, data)


# --------------------------------------------------------------------------- evolve


def _stage_clock(data: Mapping[str, Any]) -> StageClock | None:
    c = data.get("clock")
    if not c:
        return None
    return StageClock(
        stage=Stage(c["stage"]),
        started_at=_must(parse_dt(c["started_at"])),
        deadline=_must(parse_dt(c["deadline"])),
        yellow_at=_must(parse_dt(c["yellow_at"])),
    )


def _must(dt: datetime | None) -> datetime:
    if dt is None:  # pragma: no cover - written by this module
        raise ValueError("missing timestamp in event data")
    return dt


def _handling(data: Mapping[str, Any]) -> tuple[PausableClock, datetime | None, datetime | None]:
    h = data["handling"]
    clock = PausableClock(
        working=bool(h["working"]),
        limit_seconds=int(h["limit_seconds"]),
        used_seconds=int(h["used_seconds"]),
        running_since=parse_dt(h["running_since"]),
    )
    return clock, parse_dt(h.get("deadline")), parse_dt(h.get("yellow_at"))


def _with_handling(case: Case, data: Mapping[str, Any], **changes: Any) -> Case:
    clock, deadline, yellow = _handling(data)
    return replace(
        case,
        handling=clock,
        handling_deadline=deadline if clock.running else case.handling_deadline,
        handling_yellow_at=yellow if clock.running else None,
        **changes,
    )


def start(event: Event) -> Case:
    """The case a ``reported`` event creates."""
    d = event.data
    return Case(
        id=event.case_id,
        case_no=d["case_no"],
        version=event.seq,
        state=event.to_state,
        channel=Channel(d["channel"]),
        reported_at=event.at,
        reported_by=event.actor,
        description=d["description"],
        address=d.get("address") or "",
        lon=float(d["lon"]),
        lat=float(d["lat"]),
        grid_code=d.get("grid_code"),
        community_code=d.get("community_code"),
        street_code=d.get("street_code"),
        district_code=d.get("district_code"),
        area_class=AreaClass(d.get("area_class") or AreaClass.URBAN),
        class_code=d.get("class_code"),
        urgency=Urgency(d.get("urgency") or Urgency.NORMAL),
        reporter_name=d.get("reporter_name"),
        reporter_phone=d.get("reporter_phone"),
        source_ref=d.get("source_ref"),
        tracking_code=d.get("tracking_code"),
        verifier=d.get("verifier"),
        stage_clock=_stage_clock(d),
        extra=d.get("extra") or {},
    )


def evolve(case: Case | None, event: Event) -> Case:
    """Apply one event. Reads only the event: replaying a log always gives the same case."""
    if event.type == E.REPORTED:
        return start(event)
    if case is None:
        raise ValueError(f"event {event.type} needs an existing case")
    if event.seq != case.version + 1:
        raise ValueError(f"event seq {event.seq} does not follow version {case.version}")
    d = event.data
    c = replace(case, version=event.seq, state=event.to_state)
    t = event.type
    if t == E.VERIFIED:
        return replace(
            c, verified_found=bool(d["found"]), stage_clock=_stage_clock(d), light=Light.GREEN
        )
    if t == E.REJECTED:
        return replace(
            c,
            outcome=d["reason_code"],
            duplicate_of=d.get("duplicate_of"),
            ended_at=event.at,
            stage_clock=None,
            light=Light.NONE,
        )
    if t == E.FILED:
        return replace(
            c,
            class_code=d["class_code"],
            condition_code=d["condition_code"],
            urgency=Urgency(d["urgency"]),
            handling_limit=d["handling_limit"],
            filed_at=event.at,
            stage_clock=_stage_clock(d),
            light=Light.GREEN,
        )
    if t == E.DISPATCHED:
        return _with_handling(
            c,
            d,
            assigned_unit=d["unit"],
            dispatched_at=event.at,
            first_dispatched_at=case.first_dispatched_at or event.at,
            dispatch_count=case.dispatch_count + 1,
            stage_clock=None,
            suspended=False,
            pending_extension=None,
            light=Light.GREEN,
        )
    if t == E.RETURNED:
        return replace(
            c,
            assigned_unit=None,
            return_count=case.return_count + 1,
            handling=None,
            handling_deadline=None,
            handling_yellow_at=None,
            pending_extension=None,
            stage_clock=_stage_clock(d),
            light=Light.GREEN,
        )
    if t == E.EXTENSION_REQUESTED:
        return replace(c, pending_extension={"amount": d["amount"], "requested_at": iso(event.at)})
    if t == E.EXTENSION_DECIDED:
        if d["approved"]:
            return _with_handling(
                c, d, pending_extension=None, extension_count=case.extension_count + 1
            )
        return replace(c, pending_extension=None)
    if t == E.SUSPENDED:
        return _with_handling(
            c,
            d,
            suspended=True,
            suspension_count=case.suspension_count + 1,
            light=Light(d.get("light") or case.light),
        )
    if t == E.RESUMED:
        return _with_handling(c, d, suspended=False)
    if t == E.HANDLED:
        return _with_handling(
            c,
            d,
            handled_at=event.at,
            handled_on_time=bool(d["on_time"]),
            stage_clock=_stage_clock(d),
            light=Light.GREEN,
        )
    if t == E.CHECK_REQUESTED:
        return replace(c, checker=d["inspector"], stage_clock=_stage_clock(d), light=Light.GREEN)
    if t == E.REWORKED:
        clock, _, _ = _handling(d)
        return _with_handling(
            c,
            d,
            rework_count=int(d["rework_count"]),
            stage_clock=None,
            light=light_for(clock.used_seconds, clock.limit_seconds),
        )
    if t == E.CLOSED:
        return replace(
            c,
            outcome=d["outcome"],
            closed_at=event.at,
            ended_at=event.at,
            stage_clock=None,
            light=Light.NONE,
        )
    if t == E.CANCELLED:
        return replace(
            c,
            outcome="cancelled",
            ended_at=event.at,
            stage_clock=None,
            light=Light.NONE,
        )
    raise ValueError(f"unknown event type {t}")  # pragma: no cover


def replay(events: Iterable[Event]) -> Case:
    case: Case | None = None
    for event in events:
        case = evolve(case, event)
    if case is None:
        raise ValueError("no events")
    return case


def light_now(case: Case, at: datetime, policy: CasePolicy) -> Light:
    """The warning light of a case at an instant (the sweep writes it into the projection)."""
    if case.state.is_terminal:
        return Light.NONE
    if case.state == S.DISPATCHED:
        if case.suspended or case.handling is None:
            return case.light
        return case.handling.light(at, policy.calendar)
    sc = case.stage_clock
    if sc is None:
        return Light.GREEN
    if at > sc.deadline:
        return Light.RED
    if at >= sc.yellow_at:
        return Light.YELLOW
    return Light.GREEN


def allowed_actions(case: Case, actor: Actor) -> list[EventType]:
    """The commands this actor may attempt on this case now (role, state, unit and the
    simple guards). A command listed here can still fail on its inputs (a missing reason)."""
    out = []
    for kind, states in FROM.items():
        if case.state not in states or actor.role not in ROLES[kind]:
            continue
        if kind in UNIT_SCOPED and actor.role == R.HANDLER and actor.unit != case.assigned_unit:
            continue
        if kind in (E.RETURNED, E.EXTENSION_REQUESTED, E.HANDLED) and case.suspended:
            continue
        if kind == E.HANDLED and case.pending_extension is not None:
            continue
        if kind == E.EXTENSION_REQUESTED and case.pending_extension is not None:
            continue
        if kind == E.EXTENSION_DECIDED and case.pending_extension is None:
            continue
        if kind == E.SUSPENDED and case.suspended:
            continue
        if kind == E.RESUMED and not case.suspended:
            continue
        out.append(kind)
    return out


def same_history(a: Case, b: Case) -> bool:
    """Whether two cases hold the same history. The warning light is left out: it is a
    function of the case *and the time*, which the overdue sweep writes into the projection
    between events, so a replay of the events alone cannot know it."""
    return replace(a, light=Light.NONE) == replace(b, light=Light.NONE)
