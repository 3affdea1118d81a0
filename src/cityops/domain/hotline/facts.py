"""What the rates and lists count, read from an order's event log as it stood at a moment.

``order_facts(events, as_of)`` folds the events recorded up to ``as_of`` into plain facts:
the assignments (派单记录: one per dispatch, transfer or reopen to a unit, plus one for a
stay in the case loop), the revisits, the returns and the closure. Computing from the log (not
the projection) makes every figure reproducible for any past moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cityops.domain.hotline.machine import parse_dt
from cityops.domain.hotline.model import OrderEvent
from cityops.domain.hotline.vocabulary import OrderEventType, Satisfaction

E = OrderEventType


@dataclass
class Assignment:
    """One dispatch to a unit (``kind='unit'``) or one stay in the case loop (``'case'``)."""

    order_id: int
    seq: int
    kind: str  # unit | case
    unit: str | None
    started_at: datetime
    sign_deadline: datetime | None
    handling_deadline: datetime | None
    transfer: bool = False  # this dispatch moved the order from another unit (转办)
    reopen: bool = False  # created by a reopen (重办)
    signed_at: datetime | None = None
    ended_at: datetime | None = None
    end: str = "open"  # open | replied | returned | transferred | voided
    replied_at: datetime | None = None

    @property
    def sign_on_time(self) -> bool | None:
        if self.signed_at is None or self.sign_deadline is None:
            return None
        return self.signed_at <= self.sign_deadline

    @property
    def replied_on_time(self) -> bool | None:
        if self.replied_at is None:
            return None
        return self.handling_deadline is None or self.replied_at <= self.handling_deadline


@dataclass(frozen=True, slots=True)
class Revisit:
    at: datetime
    satisfaction: Satisfaction
    unit: str | None


@dataclass(frozen=True, slots=True)
class Return:
    at: datetime
    unit: str | None
    reason: str


@dataclass
class OrderFacts:
    order_id: int
    order_no: str
    received_at: datetime
    kind: str
    class_code: str | None
    district_code: str | None
    grid_code: str | None
    lon: float | None
    lat: float | None
    assignments: list[Assignment] = field(default_factory=list)
    revisits: list[Revisit] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    replies: list[datetime] = field(default_factory=list)
    units_seen: list[str] = field(default_factory=list)
    voided_at: datetime | None = None
    closed_at: datetime | None = None  # the standing closure (None once reopened)
    closed_resolved: bool | None = None
    closed_satisfaction: Satisfaction | None = None
    last_satisfaction: Satisfaction | None = None
    reopen_count: int = 0
    reexam_finding: str | None = None
    reexamined_at: datetime | None = None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


def _end_current(facts: OrderFacts, at: datetime, how: str) -> None:
    if facts.assignments and facts.assignments[-1].end == "open":
        current = facts.assignments[-1]
        current.end = how
        current.ended_at = at
        if how == "replied":
            current.replied_at = at


def _start(facts: OrderFacts, e: OrderEvent, *, transfer: bool, reopen: bool) -> None:
    d = e.data
    unit = str(d["unit"])
    facts.assignments.append(
        Assignment(
            order_id=e.order_id,
            seq=e.seq,
            kind="unit",
            unit=unit,
            started_at=e.at,
            sign_deadline=parse_dt(d.get("sign_deadline")),
            handling_deadline=parse_dt(d.get("handling_deadline")),
            transfer=transfer,
            reopen=reopen,
        )
    )
    if not facts.units_seen or facts.units_seen[-1] != unit:
        facts.units_seen.append(unit)


def order_facts(events: Sequence[OrderEvent], as_of: datetime | None = None) -> OrderFacts:
    """Facts of one order from its events (in seq order) recorded at or before ``as_of``."""
    first = events[0]
    if first.type != E.RECEIVED:
        raise ValueError("an order's log starts with 'received'")
    d0 = first.data
    placement = d0.get("placement") or {}
    facts = OrderFacts(
        order_id=first.order_id,
        order_no=str(d0["order_no"]),
        received_at=first.at,
        kind=str(d0["kind"]),
        class_code=d0.get("class_code"),
        district_code=placement.get("district_code"),
        grid_code=placement.get("grid_code"),
        lon=placement.get("lon"),
        lat=placement.get("lat"),
    )
    for e in events:
        if as_of is not None and e.at > as_of:
            break
        d = e.data
        t = e.type
        if t == E.CLASSIFIED:
            facts.class_code = d["class_code"]
        elif t == E.DISPATCHED:
            if d.get("transfer"):
                _end_current(facts, e.at, "transferred")
            _start(facts, e, transfer=bool(d.get("transfer")), reopen=False)
        elif t == E.SIGNED:
            if facts.assignments and facts.assignments[-1].signed_at is None:
                facts.assignments[-1].signed_at = e.at
        elif t == E.RETURNED:
            _end_current(facts, e.at, "returned")
            facts.returns.append(Return(e.at, d.get("unit"), str(d.get("reason", ""))))
        elif t == E.EXTENSION_DECIDED:
            if d.get("approved") and facts.assignments:
                facts.assignments[-1].handling_deadline = parse_dt(d.get("handling_deadline"))
        elif t in (E.REPLIED, E.CASE_CONCLUDED):
            _end_current(facts, e.at, "replied")
            facts.replies.append(e.at)
        elif t == E.CASE_OPENED:
            facts.assignments.append(
                Assignment(
                    order_id=e.order_id,
                    seq=e.seq,
                    kind="case",
                    unit=None,
                    started_at=e.at,
                    sign_deadline=None,
                    handling_deadline=parse_dt(d.get("handling_deadline")),
                )
            )
        elif t == E.REVISITED:
            sat = Satisfaction(d["satisfaction"])
            facts.revisits.append(Revisit(e.at, sat, d.get("unit")))
            facts.last_satisfaction = sat
        elif t == E.CLOSED:
            facts.closed_at = e.at
            facts.closed_resolved = bool(d["resolved"])
            facts.closed_satisfaction = facts.last_satisfaction
        elif t == E.REOPENED:
            facts.reopen_count += 1
            facts.closed_at = None
            facts.closed_resolved = None
            facts.closed_satisfaction = None
            facts.last_satisfaction = None
            if d.get("unit"):
                _start(facts, e, transfer=False, reopen=True)
        elif t == E.REEXAMINED:
            facts.reexam_finding = d["finding"]
            facts.reexamined_at = e.at
        elif t == E.VOIDED:
            _end_current(facts, e.at, "voided")
            facts.voided_at = e.at
    return facts
