"""The hotline's four rates (DOMAIN.md §7), counted from order facts for a period [start, end)
as they stood at ``as_of`` (the end of the period, or now if earlier).

- 及时签收率 = signed on time / to be signed. Each dispatch to a unit (first dispatch,
  transfer, reopen) made in the period is one obligation to sign. It is due once signed, or
  once its sign-for deadline has passed unsigned; a dispatch withdrawn (returned, transferred,
  voided) before its deadline without a signature owes nothing.
- 按时办结率 = replied on time / due. Each dispatch made in the period (and each hand-over to
  the case loop) is due once it is replied, or once its handling deadline (extensions added)
  has passed without a reply; a dispatch the unit returned or the desk transferred is not due
  (passing orders around is counted by the negative list instead). Answers given by the desk
  itself at intake are not dispatches and are left out.
- 回访满意率 = revisits answered "satisfied" (the policy's set; by default 满意 and 基本满意)
  / revisits that reached the caller, every revisit made in the period counting once.
- 办结率 = orders closed (and not reopened since) / orders received in the period and not
  voided.

Per unit, a dispatch counts for the unit that received it, and a revisit for the unit whose
reply was revisited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityops.domain.hotline.facts import Assignment, OrderFacts
from cityops.domain.hotline.vocabulary import Satisfaction


@dataclass
class Ratio:
    numerator: int = 0
    denominator: int = 0

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def add(self, hit: bool) -> None:
        self.denominator += 1
        self.numerator += 1 if hit else 0

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": None if v is None else round(v, 6),
        }


RATE_KEYS = ("sign_on_time", "reply_on_time", "satisfaction", "closure")
RATE_LABELS_ZH = {
    "sign_on_time": "及时签收率",
    "reply_on_time": "按时办结率",
    "satisfaction": "回访满意率",
    "closure": "办结率",
}


@dataclass
class Rates:
    key: str  # "city", a unit code or a district code
    sign_on_time: Ratio = field(default_factory=Ratio)
    reply_on_time: Ratio = field(default_factory=Ratio)
    satisfaction: Ratio = field(default_factory=Ratio)
    closure: Ratio = field(default_factory=Ratio)
    received: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "received": self.received,
            **{k: getattr(self, k).to_dict() for k in RATE_KEYS},
        }


def _in(t: datetime | None, start: datetime, end: datetime) -> bool:
    return t is not None and start <= t < end


def sign_due(a: Assignment, as_of: datetime) -> bool | None:
    """None: owes nothing (yet); True/False: due, signed on time or not."""
    if a.kind != "unit":
        return None
    if a.signed_at is not None and a.signed_at <= as_of:
        return a.sign_on_time
    if a.sign_deadline is None:
        return None
    if a.ended_at is not None and a.ended_at <= a.sign_deadline:
        return None
    if a.sign_deadline < as_of:
        return False
    return None


def reply_due(a: Assignment, as_of: datetime) -> bool | None:
    """None: not due; True/False: replied on time or not (including still open past the
    deadline)."""
    if a.end == "replied" and a.replied_at is not None and a.replied_at <= as_of:
        return a.replied_on_time
    if a.end in ("returned", "transferred", "voided"):
        return None
    if a.handling_deadline is not None and a.handling_deadline < as_of:
        return False
    return None


KeyFn = Callable[[OrderFacts, str | None], str | None]


def by_city(_f: OrderFacts, _unit: str | None) -> str | None:
    return "city"


def by_unit(_f: OrderFacts, unit: str | None) -> str | None:
    return unit


def by_district(f: OrderFacts, _unit: str | None) -> str | None:
    return f.district_code


def compute_rates(
    orders: Iterable[OrderFacts],
    start: datetime,
    end: datetime,
    as_of: datetime,
    satisfied: frozenset[Satisfaction],
    key: KeyFn = by_city,
) -> dict[str, Rates]:
    """The four rates per key (``by_city``, ``by_unit`` or ``by_district``)."""
    as_of = min(as_of, end)
    out: dict[str, Rates] = {}

    def row(k: str | None) -> Rates | None:
        if k is None:
            return None
        if k not in out:
            out[k] = Rates(k)
        return out[k]

    for f in orders:
        if _in(f.received_at, start, end) and not (f.voided_at and f.voided_at <= as_of):
            r = row(key(f, f.units_seen[-1] if f.units_seen else None))
            if r is not None:
                r.received += 1
                r.closure.add(f.closed_at is not None and f.closed_at <= as_of)
        for a in f.assignments:
            if not _in(a.started_at, start, end):
                continue
            r = row(key(f, a.unit))
            if r is None:
                continue
            s = sign_due(a, as_of)
            if s is not None:
                r.sign_on_time.add(s)
            h = reply_due(a, as_of)
            if h is not None:
                r.reply_on_time.add(h)
        for v in f.revisits:
            if not _in(v.at, start, end) or v.at > as_of or not v.satisfaction.reached:
                continue
            r = row(key(f, v.unit))
            if r is not None:
                r.satisfaction.add(v.satisfaction in satisfied)
    return out
