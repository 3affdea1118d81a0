"""The negative list (负面清单) and the 回头看 list, from order facts.

Negative list, for dispatches made in the period as they stood at ``as_of``:

- 应办不办 (``not_acted``): a dispatch never signed although its sign-for deadline passed more
  than the policy's grace (default one working day) before ``as_of`` — or before the order was
  taken away from the unit. One entry per dispatch, against the unit.
- 推诿扯皮 (``passed_around``): an order returned at least ``passed_around_returns`` times, or
  held in turn by at least ``passed_around_units`` different units. One entry per order, naming
  every unit that returned it.
- 超期办理 (``overdue``): a dispatch replied after its handling deadline, or still unreplied
  past it. One entry per dispatch, against the unit.

回头看 (re-examination): orders whose standing closure falls in the period and that were
closed unresolved — the closure says unresolved, the last revisit was unsatisfied or never
reached the caller — or whose problem came back: a later order of the same class at the same
place (same grid, or within the recurrence radius) within ``comeback_days`` of the closure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cityops.domain.geo.measure import metres_per_degree
from cityops.domain.hotline.facts import OrderFacts
from cityops.domain.hotline.policy import HotlinePolicy
from cityops.domain.hotline.vocabulary import NegativeKind, Satisfaction

# working-time advance: (start, seconds, working) -> instant
Advance = Callable[[datetime, int, bool], datetime]


@dataclass(frozen=True)
class NegativeEntry:
    kind: NegativeKind
    order_id: int
    order_no: str
    unit: str | None
    at: datetime  # when the failure happened (deadline passed, last return, late reply)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "kind_label": self.kind.label_zh,
            "order_id": self.order_id,
            "order_no": self.order_no,
            "unit": self.unit,
            "at": self.at.isoformat(),
            "details": self.details,
        }


def _in(t: datetime, start: datetime, end: datetime) -> bool:
    return start <= t < end


def negative_list(
    orders: Iterable[OrderFacts],
    start: datetime,
    end: datetime,
    as_of: datetime,
    policy: HotlinePolicy,
    advance: Advance,
    day_seconds: int,
) -> list[NegativeEntry]:
    as_of = min(as_of, end)
    grace = policy.not_acted_grace
    grace_s = grace.seconds(day_seconds)
    out: list[NegativeEntry] = []
    for f in orders:
        in_period = [a for a in f.assignments if a.kind == "unit" and _in(a.started_at, start, end)]
        for a in in_period:
            if a.sign_deadline is not None:
                limit = advance(a.sign_deadline, grace_s, grace.unit.is_working)
                signed_in_time = a.signed_at is not None and a.signed_at <= limit
                gone_before = a.ended_at is not None and a.ended_at <= limit
                if not signed_in_time and not gone_before and limit < as_of:
                    out.append(
                        NegativeEntry(
                            NegativeKind.NOT_ACTED,
                            f.order_id,
                            f.order_no,
                            a.unit,
                            limit,
                            {
                                "dispatched_at": a.started_at.isoformat(),
                                "signed_at": _iso(a.signed_at),
                            },
                        )
                    )
            late_reply = a.end == "replied" and a.replied_on_time is False
            still_open = (
                a.end == "open" and a.handling_deadline is not None and a.handling_deadline < as_of
            )
            if late_reply or still_open:
                assert a.handling_deadline is not None
                out.append(
                    NegativeEntry(
                        NegativeKind.OVERDUE,
                        f.order_id,
                        f.order_no,
                        a.unit,
                        a.handling_deadline,
                        {
                            "dispatched_at": a.started_at.isoformat(),
                            "deadline": a.handling_deadline.isoformat(),
                            "replied_at": _iso(a.replied_at),
                            "open": still_open,
                        },
                    )
                )
        returns = [r for r in f.returns if r.at <= as_of]
        held = len(set(f.units_seen))
        touched = in_period or any(_in(r.at, start, end) for r in returns)
        if touched and (
            len(returns) >= policy.passed_around_returns or held >= policy.passed_around_units
        ):
            units = sorted({r.unit for r in returns if r.unit})
            last = max([r.at for r in returns] + [a.started_at for a in f.assignments])
            out.append(
                NegativeEntry(
                    NegativeKind.PASSED_AROUND,
                    f.order_id,
                    f.order_no,
                    units[0] if len(units) == 1 else None,
                    last,
                    {
                        "returns": len(returns),
                        "units_held": held,
                        "returned_by": units,
                        "units_in_turn": list(f.units_seen),
                    },
                )
            )
    out.sort(key=lambda e: (e.kind.value, e.at, e.order_id))
    return out


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


# --------------------------------------------------------------------------- 回头看


@dataclass(frozen=True)
class ReexamItem:
    order_id: int
    order_no: str
    closed_at: datetime
    reasons: tuple[str, ...]  # unresolved | unsatisfied | unreached | came_back
    came_back: tuple[str, ...] = ()  # order numbers of the later orders
    reexam_finding: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "order_no": self.order_no,
            "closed_at": self.closed_at.isoformat(),
            "reasons": list(self.reasons),
            "came_back": list(self.came_back),
            "reexam_finding": self.reexam_finding,
        }


REASON_LABELS_ZH = {
    "unresolved": "办结时问题未解决",
    "unsatisfied": "回访不满意",
    "unreached": "回访未接通",
    "came_back": "问题反弹（同地点同类问题再次来电）",
}


def same_place(a: OrderFacts, b: OrderFacts, radius_m: float) -> bool:
    if a.lon is not None and a.lat is not None and b.lon is not None and b.lat is not None:
        kx, ky = metres_per_degree((a.lat + b.lat) / 2)
        if ((a.lon - b.lon) * kx) ** 2 + ((a.lat - b.lat) * ky) ** 2 <= radius_m**2:
            return True
    return a.grid_code is not None and a.grid_code == b.grid_code


def reexamination_list(
    closed: Iterable[OrderFacts],
    later: Sequence[OrderFacts],
    start: datetime,
    end: datetime,
    policy: HotlinePolicy,
) -> list[ReexamItem]:
    """``closed``: orders to look at (their standing closure decides); ``later``: orders that
    may show a problem came back (those received up to ``comeback_days`` after ``end``)."""
    window = timedelta(days=policy.comeback_days)
    by_class: dict[str, list[OrderFacts]] = {}
    for o in later:
        if o.class_code and not o.voided:
            by_class.setdefault(o.class_code, []).append(o)
    out: list[ReexamItem] = []
    for f in closed:
        if f.closed_at is None or not _in(f.closed_at, start, end):
            continue
        reasons = []
        if f.closed_resolved is False:
            reasons.append("unresolved")
        if f.closed_satisfaction == Satisfaction.UNSATISFIED:
            reasons.append("unsatisfied")
        elif f.closed_satisfaction == Satisfaction.UNREACHED:
            reasons.append("unreached")
        back = [
            o.order_no
            for o in by_class.get(f.class_code or "", ())
            if o.order_id != f.order_id
            and f.closed_at < o.received_at <= f.closed_at + window
            and same_place(f, o, policy.recurrence_radius_m)
        ]
        if back:
            reasons.append("came_back")
        if reasons:
            out.append(
                ReexamItem(
                    f.order_id,
                    f.order_no,
                    f.closed_at,
                    tuple(reasons),
                    tuple(sorted(back)),
                    f.reexam_finding,
                )
            )
    out.sort(key=lambda i: (i.closed_at, i.order_id))
    return out
