"""The result of an evaluation: every object with its counts, rates, composite score,
grade, rank, and its changes against the period before (环比) and a year before (同比)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityops.domain.evaluation.definitions import (
    COUNTS_OF,
    RATES,
    RATES_OF,
    Count,
    ObjectKind,
)
from cityops.domain.evaluation.periods import EvalPeriod


@dataclass
class Change:
    """Figures of the same object in a comparison period."""

    period: str
    counts: dict[str, int]
    rates: dict[str, float | None]
    score: float | None

    def rate_delta(self, key: str, now: float | None) -> float | None:
        """Change in percentage points."""
        before = self.rates.get(key)
        if now is None or before is None:
            return None
        return round(now - before, 2)

    def count_change(self, key: str, now: int) -> float | None:
        """Relative change in percent."""
        before = self.counts.get(key, 0)
        if not before:
            return None
        return round(100.0 * (now - before) / before, 2)


@dataclass
class ObjectResult:
    kind: ObjectKind
    code: str
    name: str
    counts: dict[str, int]
    rates: dict[str, float | None]
    score: float | None = None
    grade: str | None = None
    rank: int | None = None
    items: dict[str, float | None] = field(default_factory=dict)
    parent: str | None = None  # the enclosing region (streets → district, …)
    mom: Change | None = None  # 环比
    yoy: Change | None = None  # 同比

    def count(self, key: Count | str) -> int:
        return int(self.counts.get(str(key), 0))

    def rate(self, key: str) -> float | None:
        return self.rates.get(key)

    def score_delta(self, change: Change | None) -> float | None:
        if change is None or change.score is None or self.score is None:
            return None
        return round(self.score - change.score, 2)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "code": self.code,
            "name": self.name,
            "parent": self.parent,
            "counts": {c.value: self.count(c) for c in COUNTS_OF[self.kind]},
            "rates": {k: _r(v) for k, v in self.rates.items()},
            "score": self.score,
            "grade": self.grade,
            "rank": self.rank,
            "items": {k: _r(v) for k, v in self.items.items()},
        }
        for name, change in (("mom", self.mom), ("yoy", self.yoy)):
            if change is not None:
                out[name] = {
                    "period": change.period,
                    "score": change.score,
                    "score_delta": self.score_delta(change),
                    "rates": {k: _r(v) for k, v in change.rates.items()},
                    "rate_deltas": {k: change.rate_delta(k, v) for k, v in self.rates.items()},
                }
        return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class Evaluation:
    period: EvalPeriod
    computed_at: datetime
    objects: dict[ObjectKind, list[ObjectResult]]
    city_name: str = ""
    previous: EvalPeriod | None = None
    year_ago: EvalPeriod | None = None

    def of(self, kind: ObjectKind) -> list[ObjectResult]:
        return self.objects.get(kind, [])

    def get(self, kind: ObjectKind, code: str) -> ObjectResult | None:
        return next((o for o in self.of(kind) if o.code == code), None)

    @property
    def city(self) -> ObjectResult | None:
        found = self.of(ObjectKind.CITY)
        return found[0] if found else None

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.period.utc_bounds()
        return {
            "period": self.period.label,
            "period_zh": self.period.label_zh,
            "kind": self.period.kind.value,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "time_zone": self.period.time_zone,
            "utc_bounds": [lo.isoformat(), hi.isoformat()],
            "computed_at": self.computed_at.isoformat(),
            "city": self.city_name,
            "previous_period": self.previous.label if self.previous else None,
            "year_ago_period": self.year_ago.label if self.year_ago else None,
            "rate_labels": {k: r.label_zh for k, r in RATES.items()},
            "count_labels": {c.value: c.label_zh for c in Count},
            "objects": {
                kind.value: [o.to_dict() for o in objs] for kind, objs in self.objects.items()
            },
        }


def rate_keys(kind: ObjectKind) -> tuple[str, ...]:
    return RATES_OF[kind]
