"""Hand-worked evaluation of ten cases whose every figure is counted by hand from the
definitions in docs/evaluation.md; the reference must give exactly these numbers (and the
SQL engine too: tests/integration/test_evaluation_engine.py stores the same stories)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cityops.domain.cases import machine
from cityops.domain.cases.model import Actor, Attachment, Case, Event
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.cases.vocabulary import Channel, RejectReason, Role
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.evaluation.definitions import Count, ObjectKind
from cityops.domain.evaluation.reference import reference_counts
from cityops.domain.geo.model import Location
from tests.fakes import ACCEPTOR, DISPATCHER, SHIFT_LEADER, STREET_HANDLER, T0, make_policy

C = Count
K = ObjectKind
LO = T0 + timedelta(days=1)
HI = LO + timedelta(days=1)
G1 = "370102001001001"
G2 = "370102001001002"
INSPECTOR_X = Actor("inspector.x", Role.INSPECTOR)
INSPECTOR_Y = Actor("inspector.y", Role.INSPECTOR)
PUBLIC = Actor("citizen.1", Role.PUBLIC)
OTHER = Actor("handler.other", Role.HANDLER, "street.370102002")
AFTER = [Attachment("a" * 64, "image/jpeg", 10, "after")]


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


class Story:
    """One case built with the real state machine (so the events have their real shape)."""

    def __init__(self, policy: CasePolicy, case_id: int) -> None:
        self.policy = policy
        self.case_id = case_id
        self.case: Case | None = None
        self.events: list[Event] = []

    def report(self, at: datetime, actor: Actor, channel: Channel, grid: str = G1) -> Story:
        e = machine.report(
            self.policy,
            case_id=self.case_id,
            case_no=f"T{self.case_id:06d}",
            actor=actor,
            at=at,
            channel=channel,
            description="道路上有暴露垃圾",
            address="解放路",
            location=Location.from_grid(117.0, 36.6, grid),
            class_code="06010",
        )
        return self._add(e)

    def _add(self, e: Event) -> Story:
        self.events.append(e)
        self.case = machine.evolve(self.case, e)
        return self

    def do(self, command: Callable[..., Event], actor: Actor, at: datetime, **kw: Any) -> Story:
        assert self.case is not None
        return self._add(command(self.policy, self.case, actor, at, **kw))

    def file(self, at: datetime, actor: Actor = ACCEPTOR) -> Story:
        return self.do(machine.file, actor, at, class_code="06010", condition_code="06010-01")

    def dispatch(self, at: datetime, unit: str = "street.370102001") -> Story:
        return self.do(machine.dispatch, DISPATCHER, at, unit=unit)

    def handle(self, at: datetime, actor: Actor = STREET_HANDLER) -> Story:
        return self.do(machine.handle, actor, at, opinion="已处置", attachments=AFTER)

    def check(self, at: datetime) -> Story:
        return self.do(machine.request_check, ACCEPTOR, at, inspector=INSPECTOR_X.id)


def stories() -> list[Story]:
    """The ten cases of the hand-worked period [LO, HI) (the fake calendar: every second is
    working time; the condition's handling limit is 4 h; desk stages 30 min, checks 1 h)."""
    p = make_policy()
    out: list[Story] = []

    def new() -> Story:
        s = Story(p, len(out) + 1)
        out.append(s)
        return s

    # A: the whole loop inside the period, every stage in time.
    a = (
        new()
        .report(LO + h(1), INSPECTOR_X, Channel.INSPECTOR)
        .file(LO + h(1.1))
        .dispatch(LO + h(1.3))
    )
    a.handle(LO + h(3)).check(LO + h(3.1)).do(machine.close, INSPECTOR_X, LO + h(3.6))
    # B: dispatched before the period, never handled: overdue at the end.
    new().report(LO - h(10), INSPECTOR_X, Channel.INSPECTOR).file(LO - h(9.9)).dispatch(LO - h(9.8))
    # C: a public report verified late, dispatched late to the wrong unit, returned,
    # dispatched again, extended by 2 h, handled late, reworked: overdue again at the end.
    c = new().report(LO + h(2), PUBLIC, Channel.PUBLIC)
    c.do(machine.verify, INSPECTOR_X, LO + h(3.5), found=True).file(LO + h(3.6))
    c.dispatch(LO + h(4.5), "street.370102002").do(
        machine.return_case, OTHER, LO + h(5), reason="非本单位"
    )
    c.dispatch(LO + h(5.1))
    c.do(
        machine.request_extension,
        STREET_HANDLER,
        LO + h(6),
        amount=TimeLimit(2, LimitUnit.WORKING_HOURS),
        reason="协调",
    )
    c.do(machine.decide_extension, DISPATCHER, LO + h(6.2), approved=True)
    c.handle(LO + h(12)).check(LO + h(12.1)).do(
        machine.rework, INSPECTOR_X, LO + h(12.5), reason="未清理干净"
    )
    # D: filed, then cancelled by the shift leader.
    d = new().report(LO + h(6), INSPECTOR_X, Channel.INSPECTOR).file(LO + h(6.3))
    d.do(machine.cancel, SHIFT_LEADER, LO + h(7), reason="信息有误")
    # E: a hotline report not found on site, rejected.
    e = new().report(LO + h(8), ACCEPTOR, Channel.HOTLINE)
    e.do(machine.verify, INSPECTOR_X, LO + h(8.5), found=False, opinion="现场未发现")
    e.do(
        machine.reject,
        ACCEPTOR,
        LO + h(8.6),
        reason_code=RejectReason.NOT_FOUND,
        reason="核实不属实",
    )
    # F: reported ten minutes before the end, filed after it (in grid G2).
    new().report(HI - h(1 / 6), INSPECTOR_Y, Channel.INSPECTOR, G2).file(HI + h(1 / 12))
    # G: filed 1 h 50 min before the end and still waiting for a dispatch (overdue at 30 min).
    new().report(HI - h(2), INSPECTOR_Y, Channel.INSPECTOR, G2).file(HI - h(11 / 6))
    # H: handled in time before the period, closed late in it.
    hh = (
        new()
        .report(LO - h(20), INSPECTOR_X, Channel.INSPECTOR)
        .file(LO - h(19.9))
        .dispatch(LO - h(19.5))
    )
    hh.handle(LO - h(17)).check(LO - h(16.8)).do(machine.close, INSPECTOR_X, LO + h(1))
    # I: suspended after 1 h of its 4 h: not overdue while suspended.
    i = (
        new()
        .report(LO - h(30), INSPECTOR_X, Channel.INSPECTOR)
        .file(LO - h(29.9))
        .dispatch(LO - h(29))
    )
    i.do(machine.suspend, DISPATCHER, LO - h(28), reason="季节性施工")
    # J: suspended after 9 h of its 4 h: overdue (it was when the clock stopped).
    j = (
        new()
        .report(LO - h(30), INSPECTOR_X, Channel.INSPECTOR)
        .file(LO - h(29.9))
        .dispatch(LO - h(29))
    )
    j.do(machine.suspend, DISPATCHER, LO - h(20), reason="季节性施工")
    return out


def expected_city() -> dict[str, int]:
    return {
        C.REPORTED: 6,  # A C D E F G
        C.REPORTED_VALID: 4,  # A C D G (F is filed only after the end, E rejected)
        C.REPORTED_PUBLIC: 2,  # C E
        C.FILED: 4,  # A C D G
        C.FILED_ON_TIME: 4,
        C.FILED_PUBLIC: 1,  # C
        C.FILED_CANCELLED: 1,  # D
        C.DISPATCHED: 3,  # A, C twice
        C.DISPATCHED_ON_TIME: 2,  # A, C's second
        C.DISPATCHED_WRONG: 1,  # C's first
        C.DISPATCH_DUE: 4,  # the three dispatches + G waiting past its limit
        C.RECEIVED: 2,  # A C
        C.HANDLING_DUE: 5,  # A B C I J (H was handled before the period)
        C.HANDLED: 1,  # A (C was handled but reworked)
        C.HANDLED_ON_TIME: 1,
        C.EXTENDED: 1,  # C
        C.OVERDUE: 3,  # B C J
        C.CLOSURE_DUE: 7,  # A B C G H I J
        C.CLOSED: 2,  # A H
        C.CLOSED_ON_TIME: 2,  # both handled in time
        C.REWORKED: 1,  # C
    }


def counts() -> dict[tuple[str, str], dict[str, int]]:
    from cityops.domain.evaluation.definitions import normalized

    return normalized(reference_counts([s.events for s in stories()], LO, HI))


def test_the_city_figures_are_the_hand_counted_ones():
    got = counts()[("city", "*")]
    assert got == {str(k): v for k, v in expected_city().items()}


def test_every_case_is_located_in_its_grid_and_street():
    got = counts()
    g2 = got[("grid", G2)]
    assert g2 == {
        "reported": 2,
        "reported_valid": 1,
        "filed": 1,
        "filed_on_time": 1,
        "dispatch_due": 1,
        "closure_due": 1,
    }
    assert got[("street", "370102001")] == got[("city", "*")]


def test_the_responsible_unit_is_the_last_dispatch_not_returned():
    got = counts()
    assert got[("department", "street.370102001")] == {
        "received": 2,
        "handling_due": 5,
        "handled": 1,
        "handled_on_time": 1,
        "extended": 1,
        "overdue": 3,
        "closure_due": 6,  # A B C H I J (G has no unit yet)
        "closed": 2,
        "closed_on_time": 2,
        "reworked": 1,
    }
    assert ("department", "street.370102002") not in got  # the wrong dispatch counts nowhere


def test_posts_are_credited_by_the_actor_of_each_event():
    got = counts()
    x = got[("inspector", "inspector.x")]
    assert x["reported"] == 2 and x["reported_valid"] == 2  # A D
    assert x["verified"] == 2 and x["verified_on_time"] == 1  # C late, E in time
    assert x["checked"] == 3 and x["checked_on_time"] == 2  # A closed, C reworked in time; H late
    assert x["close_steps"] == 2 and x["close_steps_on_time"] == 1
    # Grids worked in: G1 only. Its filings: A C D (G is in G2); C came from the public.
    assert x["grid_filed"] == 3 and x["missed"] == 1
    y = got[("inspector", "inspector.y")]
    assert y == {"reported": 2, "reported_valid": 1, "grid_filed": 1}
    assert got[("dispatcher", DISPATCHER.id)] == {
        "dispatched": 3,
        "dispatch_due": 3,
        "dispatched_on_time": 2,
        "dispatched_wrong": 1,
    }
    acc = got[("acceptor", ACCEPTOR.id)]
    assert acc["accepted"] == 5 and acc["filed"] == 4 and acc["filed_cancelled"] == 1
    assert acc["check_sent"] == 2 and acc["check_sent_on_time"] == 2  # A and C


def test_an_explicit_grid_assignment_replaces_the_grids_worked_in():
    from cityops.domain.evaluation.definitions import normalized

    got = normalized(reference_counts([s.events for s in stories()], LO, HI, {"inspector.x": {G2}}))
    x = got[("inspector", "inspector.x")]
    assert x["grid_filed"] == 1 and "missed" not in x


def test_only_events_before_the_end_count():
    evs = [s.events for s in stories()]
    later = reference_counts([[*e] for e in evs], LO, HI)
    cut = reference_counts([[x for x in e if x.at < HI] for e in evs], LO, HI)
    assert later == cut


def test_a_period_before_everything_is_empty():
    got = reference_counts([s.events for s in stories()], LO - h(100), LO - h(50))
    assert all(not any(v for v in c.values()) for c in got.values())
