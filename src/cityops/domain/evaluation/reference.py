"""The pure-Python reference of the evaluation: it walks each case's events and applies the
definitions of ``docs/evaluation.md`` literally, one case at a time.

It is slow and plain on purpose: the SQL engine (``services.evaluation.engine``) must give
exactly the same ``Counts`` on the same store, and the tests hold the two equal on simulated
histories. Only events before the period's end are looked at, so an evaluation of a past
period never changes when later events arrive.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from cityops.domain.cases.machine import parse_dt
from cityops.domain.cases.model import Event
from cityops.domain.evaluation.definitions import (
    CITY_CODE,
    EXTERNAL_CHANNELS,
    HANDLED_STATES,
    POST_ROLES,
    Count,
    Counts,
    ObjectKey,
    ObjectKind,
)

C = Count
K = ObjectKind
INSPECTOR_WORK = frozenset({"reported", "verified", "reworked", "closed"})


def _on_time(event: Event) -> bool:
    return event.data.get("on_time") is True


def _overdue_at(clock_event: Event, hi: datetime) -> bool:
    """Was the handling clock recorded by this event past its limit at ``hi``? A paused clock
    (suspension) is overdue only if it had used more than its limit when it stopped."""
    h = clock_event.data["handling"]
    deadline = parse_dt(h.get("deadline"))
    if deadline is not None:
        return deadline < hi
    return int(h["used_seconds"]) > int(h["limit_seconds"])


def _last(events: Sequence[Event], kind: str) -> Event | None:
    found = [e for e in events if e.type == kind]
    return max(found, key=lambda e: e.seq) if found else None


def reference_counts(
    cases: Iterable[Sequence[Event]],
    lo: datetime,
    hi: datetime,
    assignment: Mapping[str, Iterable[str]] | None = None,
) -> Counts:
    """Counts of every object for the period ``[lo, hi)``.

    ``cases``: the events of each case (any order). ``assignment``: inspector id → the grids
    they patrol; inspectors not in it are given the grids they worked in during the period."""
    out: Counts = defaultdict(Counter)
    grid_counts: dict[str, Counter[str]] = defaultdict(Counter)
    worked: dict[str, set[str]] = defaultdict(set)
    for raw in cases:
        events = sorted((e for e in raw if e.at < hi), key=lambda e: e.seq)
        if not events or events[0].type != "reported":
            continue
        _one_case(events, lo, hi, out, grid_counts, worked)
    explicit = {k: set(v) for k, v in (assignment or {}).items()}
    inspectors = {code for kind, code in out if kind == K.INSPECTOR} | set(explicit)
    for actor in inspectors:
        grids = explicit.get(actor, worked.get(actor, set()))
        counts = out[(K.INSPECTOR, actor)]
        counts[C.GRID_FILED] += sum(grid_counts[g][C.FILED] for g in grids)
        counts[C.MISSED] += sum(grid_counts[g][C.FILED_PUBLIC] for g in grids)
    return dict(out)


def _one_case(
    events: list[Event],
    lo: datetime,
    hi: datetime,
    out: Counts,
    grid_counts: dict[str, Counter[str]],
    worked: dict[str, set[str]],
) -> None:
    report = events[0]
    d = report.data
    grid = d.get("grid_code")
    regions: list[ObjectKey] = [(K.CITY, CITY_CODE)]
    for kind, field in (
        (K.DISTRICT, "district_code"),
        (K.STREET, "street_code"),
        (K.COMMUNITY, "community_code"),
        (K.GRID, "grid_code"),
    ):
        if d.get(field):
            regions.append((kind, str(d[field])))
    external = d.get("channel") in EXTERNAL_CHANNELS

    def in_period(e: Event) -> bool:
        return lo <= e.at < hi

    before_lo = [e for e in events if e.at < lo]
    state_lo = max(before_lo, key=lambda e: e.seq).to_state.value if before_lo else None
    last = events[-1]
    state_hi = last.to_state.value
    filed = _last(events, "filed")
    cancelled = _last(events, "cancelled") is not None
    last_dispatch = _last(events, "dispatched")
    last_return = _last(events, "returned")
    return_seq = last_return.seq if last_return else 0
    unit: str | None = None
    if last_dispatch is not None and last_dispatch.seq > return_seq:
        unit = str(last_dispatch.data["unit"])
    reworked_in = any(e.type == "reworked" and in_period(e) for e in events)

    case: Counter[str] = Counter()  # counts of the case's regions
    if in_period(report):
        case[C.REPORTED] += 1
        case[C.REPORTED_VALID] += filed is not None
        case[C.REPORTED_PUBLIC] += external
    if filed is not None and in_period(filed):
        case[C.FILED] += 1
        case[C.FILED_ON_TIME] += _on_time(filed)
        case[C.FILED_PUBLIC] += external
        case[C.FILED_CANCELLED] += cancelled
    for e in events:
        if e.type == "dispatched" and in_period(e):
            case[C.DISPATCHED] += 1
            case[C.DISPATCH_DUE] += 1
            case[C.DISPATCHED_ON_TIME] += _on_time(e)
            case[C.DISPATCHED_WRONG] += e.seq < return_seq
    if state_hi == "filed":  # waiting for a dispatch at the end: due if its stage is overdue
        deadline = parse_dt(last.data["clock"]["deadline"])
        case[C.DISPATCH_DUE] += deadline is not None and deadline < hi

    unit_counts: Counter[str] = Counter()  # counts of the responsible unit
    if unit is not None and not cancelled:
        assert last_dispatch is not None
        unit_counts[C.RECEIVED] += in_period(last_dispatch)
        if state_lo not in HANDLED_STATES or reworked_in:
            unit_counts[C.HANDLING_DUE] += 1
            handled = _last(events, "handled")
            if state_hi in HANDLED_STATES and handled is not None and in_period(handled):
                unit_counts[C.HANDLED] += 1
                unit_counts[C.HANDLED_ON_TIME] += _on_time(handled)
            unit_counts[C.EXTENDED] += any(
                e.type == "extension_decided" and in_period(e) and e.data.get("approved") is True
                for e in events
            )
            if state_hi == "dispatched":
                clocks = [
                    e
                    for e in events
                    if e.type
                    in (
                        "dispatched",
                        "extension_decided",
                        "suspended",
                        "resumed",
                        "handled",
                        "reworked",
                    )
                    and "handling" in e.data
                ]
                clock = max(clocks, key=lambda e: e.seq)
                unit_counts[C.OVERDUE] += _overdue_at(clock, hi)
    closure: Counter[str] = Counter()
    if filed is not None and not cancelled and state_lo != "closed":
        closure[C.CLOSURE_DUE] += 1
        closed = _last(events, "closed")
        if closed is not None and in_period(closed):
            closure[C.CLOSED] += 1
            closure[C.CLOSED_ON_TIME] += closed.data.get("handled_on_time") is True
        closure[C.REWORKED] += reworked_in
    case.update(unit_counts)
    case.update(closure)
    for key in regions:
        out[key].update(case)
    if grid:
        grid_counts[str(grid)].update(case)
    if unit is not None:
        dept = out[(K.DEPARTMENT, unit)]
        dept.update(unit_counts)
        dept.update(closure)

    for e in events:
        if not in_period(e) or e.role.value not in POST_ROLES:
            continue
        post = out[(POST_ROLES[e.role.value], e.actor)]
        t = e.type.value
        ok = _on_time(e)
        if t == "reported":
            post[C.REPORTED] += 1
            post[C.REPORTED_VALID] += filed is not None
        elif t == "verified":
            post[C.VERIFIED] += 1
            post[C.VERIFIED_ON_TIME] += ok
        elif t in ("filed", "rejected"):
            post[C.ACCEPTED] += 1
            post[C.ACCEPTED_ON_TIME] += ok
            if t == "filed":
                post[C.FILED] += 1
                post[C.FILED_ON_TIME] += ok
                post[C.FILED_CANCELLED] += cancelled
        elif t == "dispatched":
            post[C.DISPATCHED] += 1
            post[C.DISPATCH_DUE] += 1
            post[C.DISPATCHED_ON_TIME] += ok
            post[C.DISPATCHED_WRONG] += e.seq < return_seq
        elif t == "check_requested":
            post[C.CHECK_SENT] += 1
            post[C.CHECK_SENT_ON_TIME] += ok
        elif t in ("reworked", "closed"):
            post[C.CHECKED] += 1
            post[C.CHECKED_ON_TIME] += ok
            if t == "closed":
                post[C.CLOSE_STEPS] += 1
                post[C.CLOSE_STEPS_ON_TIME] += ok
        if e.role.value == "inspector" and t in INSPECTOR_WORK and grid:
            worked[e.actor].add(str(grid))
