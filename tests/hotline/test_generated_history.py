"""The rates, the negative list and the 回头看 list are right on a generated history: the
generator keeps the truth of what it made happen, and the platform's figures, computed from
the order event log, must agree with it exactly."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cityops.adapters.db.tables.hotline import hotline_orders
from cityops.domain.clock.calendar import calendar_for
from cityops.domain.clock.settings import CalendarSettings
from cityops.domain.geo.measure import metres_per_degree
from cityops.domain.hotline.vocabulary import NegativeKind, Satisfaction
from cityops.services.hotline import analytics
from cityops.services.hotline.simulation import HotlineScenario, HotlineSimulator
from cityops.services.runtime import Runtime
from tests.fakes import T0

BUSY = HotlineScenario(
    per_day=30,
    p_wrong_dispatch=0.12,
    p_passed_around=0.08,
    p_ignored=0.08,
    p_late_sign=0.2,
    p_late_reply=0.2,
    p_extension=0.08,
    p_unresolved=0.1,
    satisfaction=(0.6, 0.1, 0.2, 0.1),
    p_comeback=0.25,
    p_void=0.03,
)
SATISFIED = {Satisfaction.SATISFIED, Satisfaction.BASIC}


def test_rates_negative_list_and_reexamination_equal_the_truth(rt: Runtime):
    """One generated history per backend (generating is the slow part), every figure checked."""
    sim = HotlineSimulator(rt, BUSY, start=T0, days=5, settle_days=10, seed=5)
    truth = sim.run()
    history = (rt, truth, sim)
    check_the_generator_takes_every_path(history)
    check_city_rates(history)
    check_unit_rates(history)
    check_the_negative_list(history)
    check_the_reexamination_list(history)


def test_the_figures_equal_the_truth_in_working_time_over_a_holiday(rt: Runtime):
    """The same, with the official working calendar (08:30-12:00, 13:30-17:30 on working days)
    over the National Day holiday and its make-up working Saturday (2025-10-11)."""
    rt.policy_override = replace(rt.policy, calendar=calendar_for(CalendarSettings()))
    start = datetime(2025, 9, 29, 1, 0, tzinfo=UTC)
    sim = HotlineSimulator(rt, BUSY, start=start, days=5, settle_days=35, seed=8)
    truth = sim.run()
    history = (rt, truth, sim)
    check_the_generator_takes_every_path(history)
    check_city_rates(history)
    check_unit_rates(history)
    check_the_negative_list(history)


def _ratio(hits: int, total: int) -> tuple[int, int]:
    return hits, total


def check_the_generator_takes_every_path(history):
    _rt, truth, _sim = history
    assert len(truth.received) > 100 and not truth.refused, truth.refused
    assert truth.voided and truth.ignored and truth.passed_around and truth.comebacks
    signs = Counter(d.sign for d in truth.dispatches)
    replies = Counter(d.reply for d in truth.dispatches)
    assert {"on_time", "late", "excluded", "never"} <= set(signs), signs
    assert {"on_time", "late", "returned", "transferred"} <= set(replies), replies
    assert signs["pending"] == 0 and replies["open"] == 0  # everything settled
    assert {s for _, _, s, _ in truth.revisits} == set(Satisfaction)


def check_city_rates(history):
    rt, truth, sim = history
    (city,) = analytics.rates(rt, sim.start, sim.end, as_of=sim.end)
    signed = [d for d in truth.dispatches if d.sign in ("on_time", "late", "never")]
    replied = [d for d in truth.dispatches if d.reply in ("on_time", "late")]
    reached = [s for _, _, s, _ in truth.revisits if s.reached]
    received = [i for i in truth.received if i not in truth.voided]
    assert (city.sign_on_time.numerator, city.sign_on_time.denominator) == _ratio(
        sum(d.sign == "on_time" for d in signed), len(signed)
    )
    assert (city.reply_on_time.numerator, city.reply_on_time.denominator) == _ratio(
        sum(d.reply == "on_time" for d in replied), len(replied)
    )
    assert (city.satisfaction.numerator, city.satisfaction.denominator) == _ratio(
        sum(s in SATISFIED for s in reached), len(reached)
    )
    assert (city.closure.numerator, city.closure.denominator) == _ratio(
        sum(i in truth.closed for i in received), len(received)
    )
    assert 0 < city.sign_on_time.value < 1 and 0 < city.satisfaction.value < 1


def check_unit_rates(history):
    rt, truth, sim = history
    table = {r.key: r for r in analytics.rates(rt, sim.start, sim.end, by="unit", as_of=sim.end)}
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for d in truth.dispatches:
        row = expected[d.unit]
        if d.sign in ("on_time", "late", "never"):
            row[0] += d.sign == "on_time"
            row[1] += 1
        if d.reply in ("on_time", "late"):
            row[2] += d.reply == "on_time"
            row[3] += 1
    for _, _, s, unit in truth.revisits:
        if unit is not None and s.reached:
            expected[unit][4] += s in SATISFIED
            expected[unit][5] += 1
    assert len(expected) > 3
    for unit, (sh, st, rh, rt_, vh, vt) in expected.items():
        got = table[unit]
        assert (got.sign_on_time.numerator, got.sign_on_time.denominator) == (sh, st), unit
        assert (got.reply_on_time.numerator, got.reply_on_time.denominator) == (rh, rt_), unit
        assert (got.satisfaction.numerator, got.satisfaction.denominator) == (vh, vt), unit


def check_the_negative_list(history):
    rt, truth, sim = history
    entries = analytics.negatives(rt, sim.start, sim.end, as_of=sim.end)
    by_kind: dict[NegativeKind, list] = defaultdict(list)
    for e in entries:
        by_kind[e.kind].append(e)
    assert sorted((e.order_id, e.unit) for e in by_kind[NegativeKind.NOT_ACTED]) == sorted(
        (d.order_id, d.unit) for d in truth.ignored
    )
    assert {e.order_id for e in by_kind[NegativeKind.PASSED_AROUND]} == truth.passed_around
    late = sorted((d.order_id, d.unit) for d in truth.dispatches if d.reply == "late")
    assert sorted((e.order_id, e.unit) for e in by_kind[NegativeKind.OVERDUE]) == late
    for e in by_kind[NegativeKind.PASSED_AROUND]:
        assert e.details["returns"] == 2 and e.details["units_held"] == 3


def check_the_reexamination_list(history):
    rt, truth, sim = history
    rt.now = lambda: sim.end + timedelta(days=60)
    items = {i.order_id: i for i in analytics.reexamination(rt, sim.start, sim.end)}
    with rt.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(hotline_orders))}
    expected: dict[int, set[str]] = {}
    for oid in truth.closed:
        r = rows[oid]
        reasons = set()
        if r.closed_resolved is False:
            reasons.add("unresolved")
        if r.satisfaction == "unsatisfied":
            reasons.add("unsatisfied")
        if r.satisfaction == "unreached":
            reasons.add("unreached")
        for other in rows.values():  # brute force over every later order
            if other.id == oid or other.class_code != r.class_code or other.state == "voided":
                continue
            if r.class_code is None:
                continue
            if not (r.closed_at < other.received_at <= r.closed_at + timedelta(days=30)):
                continue
            near = other.grid_code is not None and other.grid_code == r.grid_code
            if r.lon is not None and other.lon is not None:
                kx, ky = metres_per_degree((r.lat + other.lat) / 2)
                near = (
                    near
                    or ((r.lon - other.lon) * kx) ** 2 + ((r.lat - other.lat) * ky) ** 2 <= 100.0**2
                )
            if near:
                reasons.add("came_back")
        if reasons:
            expected[oid] = reasons
    assert {k: set(v.reasons) for k, v in items.items()} == expected
    assert any("came_back" in v for v in expected.values())
    for new, old in truth.comebacks.items():
        if old in items and rows[new].received_at > rows[old].closed_at:
            assert "came_back" in items[old].reasons
