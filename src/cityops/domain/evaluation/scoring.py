"""Composite scores (综合评价分值), grades and rankings from the city profile's evaluation
settings (``evaluation.toml``: weights per object, volume step tables per region class,
grade bands).

Each composite item is a rate in percent, a rate that counts against (scored 100 − rate) or
a volume scored by a step table. An item whose rate has no denominator in the period is left
out and the remaining weights are scaled back to 100; an object none of whose rate items has
data gets no score (and no grade, and no rank).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cityops.domain.evaluation.definitions import RATES, Count, ObjectKind

K = ObjectKind

DEFAULT_GRADES = {"A": 90.0, "B": 75.0, "C": 60.0, "D": 40.0, "E": 0.0}


@dataclass(frozen=True, slots=True)
class Item:
    """One composite item: ``rate`` (a key of ``RATES``), scored as is or as 100 − rate when
    ``against``; or ``volume`` (a count) scored by the step table ``steps``."""

    key: str  # the weight's key in evaluation.toml
    label_zh: str
    rate: str | None = None
    against: bool = False
    volume: Count | None = None
    steps: str | None = None  # volume_steps table: filed | accepted | dispatched


ITEMS: dict[ObjectKind, tuple[Item, ...]] = {
    K.INSPECTOR: (
        Item("valid_report_rate", "有效上报率", rate="valid_report_rate"),
        Item("missed_report_rate", "漏报率（扣分项）", rate="missed_report_rate", against=True),
        Item("on_time_verify_rate", "按时核实率", rate="on_time_verify_rate"),
        Item("on_time_check_rate", "按时核查率", rate="on_time_check_rate"),
    ),
    K.ACCEPTOR: (
        Item("accepted_volume", "受理数分值", volume=Count.ACCEPTED, steps="accepted"),
        # Verification is sent to the grid's inspector automatically at intake here, so the
        # acceptor's timed step on a report is the filing decision: see docs/evaluation.md.
        Item(
            "on_time_verify_sent_rate",
            "核实按时派发率（按时受理率）",
            rate="on_time_accept_rate",
        ),
        Item("on_time_check_sent_rate", "核查按时派发率", rate="on_time_check_sent_rate"),
    ),
    K.SHIFT_LEADER: (
        Item("on_time_filing_rate", "按时立案率", rate="on_time_filing_rate"),
        Item("accurate_filing_rate", "准确立案率", rate="accurate_filing_rate"),
        Item("on_time_close_step_rate", "按时结案率", rate="on_time_close_step_rate"),
    ),
    K.DISPATCHER: (
        Item("dispatch_volume", "派遣数分值", volume=Count.DISPATCHED, steps="dispatched"),
        Item("on_time_dispatch_rate", "按时派遣率", rate="on_time_dispatch_rate"),
        Item("accurate_dispatch_rate", "准确派遣率", rate="accurate_dispatch_rate"),
    ),
    K.DEPARTMENT: (
        Item("filed_volume", "立案数分值", volume=Count.RECEIVED, steps="filed"),
        Item("closure_rate", "结案率", rate="closure_rate"),
        Item("on_time_handling_rate", "按期处置率", rate="on_time_handling_rate"),
        Item("rework_rate", "返工率（扣分项）", rate="rework_rate", against=True),
    ),
}
_REGION_ITEMS = (
    Item("public_report_rate", "监督举报率（扣分项）", rate="public_report_rate", against=True),
    Item("filed_volume", "立案数分值", volume=Count.FILED, steps="filed"),
    Item("closure_rate", "结案率", rate="closure_rate"),
    Item("on_time_closure_rate", "按期结案率", rate="on_time_closure_rate"),
)
for _k in (K.CITY, K.DISTRICT, K.STREET, K.COMMUNITY, K.GRID):
    ITEMS[_k] = _REGION_ITEMS
WEIGHT_GROUP = {
    **{k: k.value for k in (K.INSPECTOR, K.ACCEPTOR, K.SHIFT_LEADER, K.DISPATCHER, K.DEPARTMENT)},
    **{k: "region" for k in (K.CITY, K.DISTRICT, K.STREET, K.COMMUNITY, K.GRID)},
}


@dataclass(frozen=True, slots=True)
class Score:
    total: float | None
    grade: str | None
    items: dict[str, float | None]  # item key → its score (0–100) or None (no data)


def step_score(count: float, steps: Sequence[Sequence[float]], months: float = 1.0) -> float:
    """The score of the highest step whose threshold (per month, scaled to the period's
    length) the count reaches."""
    score = float(steps[0][1]) if steps else 0.0
    for threshold, value in steps:
        if count >= float(threshold) * months:
            score = float(value)
    return score


def grade_for(score: float | None, bands: Mapping[str, float] | None = None) -> str | None:
    if score is None:
        return None
    ordered = sorted((bands or DEFAULT_GRADES).items(), key=lambda kv: -float(kv[1]))
    for grade, floor in ordered:
        if score >= float(floor) - 1e-9:
            return grade
    return ordered[-1][0]


def composite(
    kind: ObjectKind,
    counts: Mapping[str, int],
    config: Mapping[str, Any],
    *,
    area_class: str = "urban",
    months: float = 1.0,
) -> Score:
    weights: Mapping[str, float] = (config.get("weights") or {}).get(WEIGHT_GROUP[kind], {})
    steps_cfg: Mapping[str, Any] = config.get("volume_steps") or {}
    items: dict[str, float | None] = {}
    weighted = 0.0
    weight_sum = 0.0
    any_rate = False
    for item in ITEMS[kind]:
        value: float | None
        if item.rate is not None:
            rate = RATES[item.rate].value(counts)
            value = None if rate is None else (100.0 - rate if item.against else rate)
            any_rate = any_rate or value is not None
        else:
            table = (steps_cfg.get(item.steps or "") or {}).get(area_class) or [[0, 0]]
            value = step_score(float(counts.get(item.volume or "", 0)), table, months)
        items[item.key] = value
        w = float(weights.get(item.key, 0.0))
        if value is not None and w > 0:
            weighted += w * value
            weight_sum += w
    if not any_rate or weight_sum <= 0:
        return Score(None, None, items)
    total = round(weighted / weight_sum, 2)
    return Score(total, grade_for(total, config.get("grades")), items)


def competition_ranks(scores: Mapping[str, float | None]) -> dict[str, int]:
    """1, 2, 2, 4 …: equal scores share a rank; objects without a score are not ranked."""
    ordered = sorted(
        ((s, code) for code, s in scores.items() if s is not None), key=lambda t: (-t[0], t[1])
    )
    ranks: dict[str, int] = {}
    previous: float | None = None
    rank = 0
    for position, (score, code) in enumerate(ordered, start=1):
        if previous is None or score != previous:
            rank = position
            previous = score
        ranks[code] = rank
    return ranks
