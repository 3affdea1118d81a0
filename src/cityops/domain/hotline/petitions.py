"""Petitions (信访): a ledger of petition matters with category, the first-handling unit
(首办责任单位), time limits, status, the linked orders and cases, and long-standing cases (积案).

Time limits follow the 信访工作条例 (2022) by default, in natural days: decide whether to accept
within 15 days of registration, answer (出具处理意见) within 60 days of acceptance, extendable
once by at most 30 days; a review (复查) is answered within 30 days. A city can change them.

A petition is long-standing (积案) when it is still open more than ``long_standing_days`` after
registration, when its answer is overdue, or when the same petitioner has brought the same
category ``repeat_threshold`` times or more (重复信访).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ForbiddenError, InvalidTransitionError, ValidationError


class PetitionState(StrEnum):
    REGISTERED = "registered"  # 已登记，待决定是否受理
    ACCEPTED = "accepted"  # 已受理，首办单位办理中
    NOT_ACCEPTED = "not_accepted"  # 不予受理 (terminal)
    ANSWERED = "answered"  # 已出具处理意见
    REVIEWING = "reviewing"  # 复查中
    CLOSED = "closed"  # 已办结 (terminal)

    @property
    def label_zh(self) -> str:
        return PETITION_STATE_LABELS_ZH[self]


PETITION_STATE_LABELS_ZH = {
    PetitionState.REGISTERED: "待受理",
    PetitionState.ACCEPTED: "办理中",
    PetitionState.NOT_ACCEPTED: "不予受理",
    PetitionState.ANSWERED: "已答复",
    PetitionState.REVIEWING: "复查中",
    PetitionState.CLOSED: "已办结",
}
PETITION_OPEN = frozenset(
    {
        PetitionState.REGISTERED,
        PetitionState.ACCEPTED,
        PetitionState.ANSWERED,
        PetitionState.REVIEWING,
    }
)


class PetitionChannel(StrEnum):
    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访
    ONLINE = "online"  # 网上信访
    PHONE = "phone"  # 电话 (incl. 12345 transfers)
    MAILBOX = "mailbox"  # 领导信箱


class PetitionEventType(StrEnum):
    REGISTERED = "registered"  # 登记
    ACCEPTED = "accepted"  # 受理 (交首办单位)
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    EXTENDED = "extended"  # 延期
    ANSWERED = "answered"  # 出具处理意见
    REVIEW_REQUESTED = "review_requested"  # 申请复查
    REVIEWED = "reviewed"  # 复查意见
    CLOSED = "closed"  # 办结
    LINKED = "linked"  # 关联工单或案卷

    @property
    def label_zh(self) -> str:
        return PETITION_EVENT_LABELS_ZH[self]


PETITION_EVENT_LABELS_ZH = {
    PetitionEventType.REGISTERED: "登记",
    PetitionEventType.ACCEPTED: "受理",
    PetitionEventType.NOT_ACCEPTED: "不予受理",
    PetitionEventType.EXTENDED: "延期",
    PetitionEventType.ANSWERED: "出具处理意见",
    PetitionEventType.REVIEW_REQUESTED: "申请复查",
    PetitionEventType.REVIEWED: "复查意见",
    PetitionEventType.CLOSED: "办结",
    PetitionEventType.LINKED: "关联",
}


@dataclass(frozen=True)
class PetitionPolicy:
    accept_days: int = 15
    answer_days: int = 60
    max_extension_days: int = 30
    review_days: int = 30
    long_standing_days: int = 90
    repeat_threshold: int = 3


@dataclass(frozen=True, slots=True)
class PetitionEvent:
    petition_id: int
    seq: int
    type: PetitionEventType
    at: datetime
    actor: str
    role: Role
    from_state: PetitionState | None
    to_state: PetitionState
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Petition:
    id: int
    petition_no: str
    version: int
    state: PetitionState
    channel: PetitionChannel
    category: str  # e.g. 城市管理/市容环境, 拆迁补偿, 物业 … (the city's own list)
    subject: str
    content: str
    received_at: datetime
    petitioner_name: str | None = None  # masked
    petitioner_key: str | None = None  # keyed hash of the contact (repeat petitions)
    people: int = 1  # 集体访 when > 1
    repeat_count: int = 1  # this petitioner's petitions in this category, this one included
    first_unit: str | None = None  # 首办责任单位
    accept_deadline: datetime | None = None
    accepted_at: datetime | None = None
    answer_deadline: datetime | None = None
    extended_days: int = 0
    answered_at: datetime | None = None
    answer: str | None = None
    resolved: bool | None = None
    review_deadline: datetime | None = None
    closed_at: datetime | None = None
    links: tuple[tuple[str, int], ...] = ()  # ("order", id) | ("case", id)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state in PETITION_OPEN

    def current_deadline(self) -> datetime | None:
        if self.state == PetitionState.REGISTERED:
            return self.accept_deadline
        if self.state == PetitionState.ACCEPTED:
            return self.answer_deadline
        if self.state == PetitionState.REVIEWING:
            return self.review_deadline
        return None


P = PetitionState
PE = PetitionEventType
DESK = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER, Role.LEADER})

FROM: dict[PetitionEventType, frozenset[PetitionState]] = {
    PE.ACCEPTED: frozenset({P.REGISTERED}),
    PE.NOT_ACCEPTED: frozenset({P.REGISTERED}),
    PE.EXTENDED: frozenset({P.ACCEPTED}),
    PE.ANSWERED: frozenset({P.ACCEPTED}),
    PE.REVIEW_REQUESTED: frozenset({P.ANSWERED}),
    PE.REVIEWED: frozenset({P.REVIEWING}),
    PE.CLOSED: frozenset({P.ANSWERED}),
    PE.LINKED: frozenset(set(PetitionState)),
}
ROLES: dict[PetitionEventType, frozenset[Role]] = {
    PE.REGISTERED: DESK,
    PE.ACCEPTED: DESK,
    PE.NOT_ACCEPTED: DESK,
    PE.EXTENDED: DESK,
    PE.ANSWERED: DESK | {Role.HANDLER},
    PE.REVIEW_REQUESTED: DESK,
    PE.REVIEWED: DESK,
    PE.CLOSED: DESK,
    PE.LINKED: DESK | {Role.DISPATCHER},
}


def _text(value: str | None, label: str, field_name: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(
            f"petition.{field_name}_required", f"必须填写{label}", field=field_name
        )
    if len(text) > 8000:
        raise ValidationError("petition.text_too_long", f"{label}不能超过8000字", field=field_name)
    return text


def _guard(p: Petition, kind: PetitionEventType, actor: Actor) -> None:
    if actor.role not in ROLES[kind]:
        raise ForbiddenError(
            "petition.role_forbidden",
            f"{actor.role.label_zh}不能执行信访“{kind.label_zh}”",
            role=actor.role.value,
            action=kind.value,
        )
    if p.state not in FROM[kind]:
        raise InvalidTransitionError(
            "petition.invalid_transition",
            f"信访事项当前为“{p.state.label_zh}”，不能执行“{kind.label_zh}”",
            state=p.state.value,
            action=kind.value,
        )
    if kind == PE.ANSWERED and actor.role == Role.HANDLER and actor.unit != p.first_unit:
        raise ForbiddenError("petition.not_your_unit", "该信访事项不由您所在单位首办")


def _ev(
    p: Petition,
    kind: PetitionEventType,
    actor: Actor,
    at: datetime,
    to: PetitionState,
    data: dict[str, Any],
) -> PetitionEvent:
    if at.tzinfo is None:
        raise ValidationError("time.naive", "时间必须带时区")
    return PetitionEvent(p.id, p.version + 1, kind, at, actor.id, actor.role, p.state, to, data)


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def register(
    policy: PetitionPolicy,
    *,
    petition_id: int,
    petition_no: str,
    actor: Actor,
    at: datetime,
    channel: PetitionChannel,
    category: str,
    subject: str,
    content: str,
    petitioner_name: str | None = None,
    petitioner_key: str | None = None,
    people: int = 1,
    earlier_same: int = 0,
) -> PetitionEvent:
    """登记. ``earlier_same``: this petitioner's earlier petitions in the same category."""
    if actor.role not in ROLES[PE.REGISTERED]:
        raise ForbiddenError("petition.role_forbidden", f"{actor.role.label_zh}不能登记信访事项")
    if at.tzinfo is None:
        raise ValidationError("time.naive", "时间必须带时区")
    if people < 1:
        raise ValidationError("petition.people_invalid", "信访人数至少为1")
    data = {
        "petition_no": petition_no,
        "channel": channel.value,
        "category": _text(category, "信访类别", "category"),
        "subject": _text(subject, "事项标题", "subject"),
        "content": _text(content, "信访内容", "content"),
        "petitioner_name": petitioner_name,
        "petitioner_key": petitioner_key,
        "people": people,
        "repeat_count": earlier_same + 1,
        "accept_deadline": _iso(at + timedelta(days=policy.accept_days)),
    }
    return PetitionEvent(
        petition_id, 1, PE.REGISTERED, at, actor.id, actor.role, None, P.REGISTERED, data
    )


def accept(
    policy: PetitionPolicy,
    p: Petition,
    actor: Actor,
    at: datetime,
    *,
    first_unit: str,
    opinion: str = "",
) -> PetitionEvent:
    """受理 and hand to the first-handling unit (首办责任单位); the answer clock starts."""
    _guard(p, PE.ACCEPTED, actor)
    data = {
        "first_unit": _text(first_unit, "首办责任单位", "first_unit"),
        "opinion": _text(opinion, "受理意见", "opinion", required=False),
        "on_time": p.accept_deadline is None or at <= p.accept_deadline,
        "answer_deadline": _iso(at + timedelta(days=policy.answer_days)),
    }
    return _ev(p, PE.ACCEPTED, actor, at, P.ACCEPTED, data)


def not_accept(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, reason: str
) -> PetitionEvent:
    _guard(p, PE.NOT_ACCEPTED, actor)
    return _ev(
        p,
        PE.NOT_ACCEPTED,
        actor,
        at,
        P.NOT_ACCEPTED,
        {"reason": _text(reason, "不予受理理由", "reason")},
    )


def extend(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, days: int, reason: str
) -> PetitionEvent:
    """延期: once, by at most ``max_extension_days``."""
    _guard(p, PE.EXTENDED, actor)
    if p.extended_days:
        raise InvalidTransitionError(
            "petition.already_extended", "该信访事项已延期一次，不能再次延期"
        )
    if not (1 <= days <= policy.max_extension_days):
        raise ValidationError(
            "petition.extension_invalid",
            f"延期天数应为1–{policy.max_extension_days}天",
            days=days,
        )
    base = p.answer_deadline or at
    data = {
        "days": days,
        "reason": _text(reason, "延期理由", "reason"),
        "answer_deadline": _iso(base + timedelta(days=days)),
    }
    return _ev(p, PE.EXTENDED, actor, at, P.ACCEPTED, data)


def answer(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, text: str, resolved: bool
) -> PetitionEvent:
    """出具处理意见 by the first-handling unit (or the desk for it)."""
    _guard(p, PE.ANSWERED, actor)
    data = {
        "text": _text(text, "处理意见", "answer"),
        "resolved": bool(resolved),
        "on_time": p.answer_deadline is None or at <= p.answer_deadline,
    }
    return _ev(p, PE.ANSWERED, actor, at, P.ANSWERED, data)


def request_review(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, reason: str
) -> PetitionEvent:
    _guard(p, PE.REVIEW_REQUESTED, actor)
    data = {
        "reason": _text(reason, "复查请求理由", "reason"),
        "review_deadline": _iso(at + timedelta(days=policy.review_days)),
    }
    return _ev(p, PE.REVIEW_REQUESTED, actor, at, P.REVIEWING, data)


def review(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, text: str, resolved: bool
) -> PetitionEvent:
    _guard(p, PE.REVIEWED, actor)
    data = {
        "text": _text(text, "复查意见", "review"),
        "resolved": bool(resolved),
        "on_time": p.review_deadline is None or at <= p.review_deadline,
    }
    return _ev(p, PE.REVIEWED, actor, at, P.ANSWERED, data)


def close(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, note: str = ""
) -> PetitionEvent:
    _guard(p, PE.CLOSED, actor)
    return _ev(
        p, PE.CLOSED, actor, at, P.CLOSED, {"note": _text(note, "办结说明", "note", required=False)}
    )


def link(
    policy: PetitionPolicy, p: Petition, actor: Actor, at: datetime, *, kind: str, ref_id: int
) -> PetitionEvent:
    _guard(p, PE.LINKED, actor)
    if kind not in ("order", "case"):
        raise ValidationError(
            "petition.link_kind", "只能关联工单（order）或案卷（case）", kind=kind
        )
    if (kind, ref_id) in p.links:
        raise ValidationError("petition.link_exists", "已关联", kind=kind, ref_id=ref_id)
    return _ev(p, PE.LINKED, actor, at, p.state, {"kind": kind, "ref_id": ref_id})


def _dt(v: Any) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def evolve(p: Petition | None, e: PetitionEvent) -> Petition:
    d = e.data
    if e.type == PE.REGISTERED:
        return Petition(
            id=e.petition_id,
            petition_no=d["petition_no"],
            version=1,
            state=P.REGISTERED,
            channel=PetitionChannel(d["channel"]),
            category=d["category"],
            subject=d["subject"],
            content=d["content"],
            received_at=e.at,
            petitioner_name=d.get("petitioner_name"),
            petitioner_key=d.get("petitioner_key"),
            people=int(d.get("people", 1)),
            repeat_count=int(d.get("repeat_count", 1)),
            accept_deadline=_dt(d.get("accept_deadline")),
        )
    if p is None:  # pragma: no cover
        raise InvalidTransitionError("petition.no_petition", "信访事项不存在")
    q = replace(p, version=e.seq, state=e.to_state)
    if e.type == PE.ACCEPTED:
        return replace(
            q,
            first_unit=d["first_unit"],
            accepted_at=e.at,
            answer_deadline=_dt(d["answer_deadline"]),
        )
    if e.type == PE.EXTENDED:
        return replace(q, extended_days=int(d["days"]), answer_deadline=_dt(d["answer_deadline"]))
    if e.type in (PE.ANSWERED, PE.REVIEWED):
        return replace(
            q,
            answered_at=e.at,
            answer=d["text"],
            resolved=bool(d["resolved"]),
            review_deadline=None,
        )
    if e.type == PE.REVIEW_REQUESTED:
        return replace(q, review_deadline=_dt(d["review_deadline"]))
    if e.type in (PE.CLOSED, PE.NOT_ACCEPTED):
        return replace(q, closed_at=e.at)
    if e.type == PE.LINKED:
        return replace(q, links=(*q.links, (str(d["kind"]), int(d["ref_id"]))))
    raise InvalidTransitionError(
        "petition.unknown_event", f"未知的信访事件“{e.type}”"
    )  # pragma: no cover


def replay_petition(events: list[PetitionEvent]) -> Petition:
    p: Petition | None = None
    for e in events:
        p = evolve(p, e)
    if p is None:
        raise InvalidTransitionError("petition.no_events", "信访事项没有任何记录")
    return p


LONG_STANDING_LABELS_ZH = {
    "open_too_long": "长期未化解",
    "answer_overdue": "超期未答复",
    "repeated": "重复信访",
}


def long_standing_reasons(p: Petition, now: datetime, policy: PetitionPolicy) -> list[str]:
    """Why a petition is a long-standing case (积案); empty when it is not one."""
    reasons = []
    if p.is_open and now - p.received_at > timedelta(days=policy.long_standing_days):
        reasons.append("open_too_long")
    deadline = p.current_deadline()
    if p.is_open and deadline is not None and now > deadline:
        reasons.append("answer_overdue")
    if p.repeat_count >= policy.repeat_threshold and p.state != P.NOT_ACCEPTED:
        reasons.append("repeated")
    return reasons
