"""Pure rules of the hotline, hand-worked: the state machine, the policy document, the rates
and the negative list at moments within a period, and placing address texts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import LineString, Point, box

from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.domain.hotline import machine
from cityops.domain.hotline.address import Gazetteer, NamedFeature
from cityops.domain.hotline.facts import order_facts
from cityops.domain.hotline.machine import HotlineRules
from cityops.domain.hotline.negative_list import negative_list
from cityops.domain.hotline.policy import HotlinePolicy, policy_from_mapping
from cityops.domain.hotline.rates import compute_rates
from cityops.domain.hotline.vocabulary import (
    NegativeKind,
    OrderChannel,
    OrderKind,
    OrderState,
    ReopenReason,
    Satisfaction,
)
from cityops.errors import ForbiddenError, InvalidTransitionError, ValidationError
from tests.fakes import ACCEPTOR, DISPATCHER, STREET_HANDLER, T0, AlwaysWorking, make_profile

RULES = HotlineRules(HotlinePolicy(), AlwaysWorking(), make_profile())
H = timedelta(hours=1)
SYSTEM = Actor("system.hotline", Role.SYSTEM)


def new_order(order_id: int = 1, kind: OrderKind = OrderKind.COMPLAINT):
    e = machine.receive(
        RULES,
        order_id=order_id,
        order_no=f"RX{order_id}",
        actor=ACCEPTOR,
        at=T0,
        kind=kind,
        channel=OrderChannel.PHONE,
        content="路边垃圾",
        class_code="06010",
    )
    return machine.evolve(None, e), [e]


def step(order, events, fn, *args, **kw):
    e = fn(RULES, order, *args, **kw)
    events.append(e)
    return machine.evolve(order, e)


def test_deadlines_come_from_the_policy_and_the_log_replays_to_the_order():
    o, ev = new_order()
    o = step(o, ev, machine.dispatch, DISPATCHER, T0 + H, unit="street.370102001")
    assert o.sign_deadline == T0 + 3 * H  # 2 working hours
    assert o.handling_deadline == T0 + H + 40 * H  # 5 working days of 8 hours
    o = step(o, ev, machine.sign, STREET_HANDLER, T0 + 2 * H)
    o = step(o, ev, machine.reply, STREET_HANDLER, T0 + 5 * H, text="已清理", resolved=True)
    o = step(
        o,
        ev,
        machine.revisit,
        ACCEPTOR,
        T0 + 6 * H,
        satisfaction=Satisfaction.UNSATISFIED,
        note="没清干净",
    )
    o = step(
        o,
        ev,
        machine.reopen,
        ACCEPTOR,
        T0 + 7 * H,
        reason_code=ReopenReason.UNSATISFIED,
        reason="重办",
    )
    assert o.state == OrderState.DISPATCHED and o.unit == "street.370102001"
    assert o.units_seen == ("street.370102001",) and o.dispatch_count == 2
    assert machine.replay(ev) == o


def test_guards_refuse_the_wrong_role_state_or_unit():
    o, _ = new_order()
    with pytest.raises(ForbiddenError):
        machine.dispatch(RULES, o, STREET_HANDLER, T0, unit="street.370102001")
    with pytest.raises(InvalidTransitionError):
        machine.sign(RULES, o, STREET_HANDLER, T0)
    with pytest.raises(ValidationError):
        machine.dispatch(RULES, o, DISPATCHER, T0, unit="no.such.unit")
    o = machine.evolve(o, machine.dispatch(RULES, o, DISPATCHER, T0, unit="street.370102002"))
    with pytest.raises(ForbiddenError):
        machine.sign(RULES, o, STREET_HANDLER, T0)
    with pytest.raises(ValidationError):
        machine.dispatch(
            RULES, o, DISPATCHER, T0, unit="dept.sanitation"
        )  # a transfer needs a reason


def test_an_order_back_from_a_case_is_reopened_to_the_desk_not_to_a_unit():
    o, ev = new_order()
    o = step(o, ev, machine.open_case, ACCEPTOR, T0, case_id=7, case_no="C7")
    o = step(
        o,
        ev,
        machine.case_concluded,
        SYSTEM,
        T0 + H,
        case_id=7,
        case_state="closed",
        outcome="fixed",
        text="已处置",
        resolved=True,
        unit="street.370102001",
    )
    o = step(
        o,
        ev,
        machine.revisit,
        ACCEPTOR,
        T0 + 2 * H,
        satisfaction=Satisfaction.UNSATISFIED,
        note="x",
    )
    o = step(
        o,
        ev,
        machine.reopen,
        ACCEPTOR,
        T0 + 3 * H,
        reason_code=ReopenReason.RECURRED,
        reason="又有了",
    )
    assert o.state == OrderState.RECEIVED and o.unit is None and o.case_id == 7


def test_policy_documents_are_checked_and_merged():
    p = policy_from_mapping(
        {"sign_limit": "1 working_hours", "handling_limits": {"consult": "2 days"}}
    )
    assert str(p.sign_limit) == "1 working_hours"
    assert str(p.handling_limits["consult"]) == "2 days"
    assert str(p.handling_limits["complaint"]) == "5 working_days"
    with pytest.raises(ValidationError) as exc:
        policy_from_mapping(
            {"sign_limt": "1 hours", "passed_around_returns": 0, "satisfied": ["great"]}
        )
    assert len(exc.value.details["problems"]) == 3
    assert policy_from_mapping(p.to_dict()) == p


def test_rates_and_the_negative_list_as_they_stand_at_a_moment():
    """Three dispatches at T0: A signed in time and replied late, B never signed, C returned
    within its sign-for limit. Seen at T0+2h, at T0+4h and at T0+3 days."""
    histories = []
    a, ev = new_order(1)
    a = step(a, ev, machine.dispatch, DISPATCHER, T0, unit="street.370102001")
    a = step(a, ev, machine.sign, STREET_HANDLER, T0 + H)
    a = step(a, ev, machine.reply, STREET_HANDLER, T0 + 45 * H, text="已处理", resolved=True)
    histories.append(ev)
    b, ev = new_order(2)
    b = step(b, ev, machine.dispatch, DISPATCHER, T0, unit="street.370102001")
    histories.append(ev)
    c, ev = new_order(3)
    c = step(c, ev, machine.dispatch, DISPATCHER, T0, unit="street.370102001")
    c = step(c, ev, machine.return_order, STREET_HANDLER, T0 + H, reason="非本辖区")
    histories.append(ev)
    end = T0 + timedelta(days=30)

    def seen(at):
        facts = [order_facts(h, at) for h in histories]
        rates = compute_rates(facts, T0, end, at, HotlinePolicy().satisfied)["city"]
        neg = negative_list(facts, T0, end, at, HotlinePolicy(), RULES.calendar.advance, 8 * 3600)
        return rates, sorted((e.kind.value, e.order_id) for e in neg)

    r, neg = seen(T0 + 2 * H)
    assert (r.sign_on_time.numerator, r.sign_on_time.denominator) == (1, 1)  # B still in time
    assert r.reply_on_time.denominator == 0 and neg == []
    r, neg = seen(T0 + 4 * H)
    assert (r.sign_on_time.numerator, r.sign_on_time.denominator) == (1, 2)  # B now late
    assert neg == []  # not yet a working day past its deadline
    r, neg = seen(T0 + timedelta(days=3))
    assert (r.reply_on_time.numerator, r.reply_on_time.denominator) == (0, 2)  # A late, B open
    assert neg == [("not_acted", 2), ("overdue", 1), ("overdue", 2)]
    assert r.closure.denominator == 3 and r.closure.numerator == 0


def test_a_third_unit_makes_an_order_passed_around():
    o, ev = new_order()
    for unit in ("street.370102002", "dept.sanitation"):
        o = step(o, ev, machine.dispatch, DISPATCHER, T0, unit=unit, opinion="转办")
    facts = [order_facts(ev)]
    policy = HotlinePolicy()
    neg = negative_list(
        facts, T0, T0 + timedelta(days=1), T0 + H, policy, RULES.calendar.advance, 8 * 3600
    )
    assert [e.kind for e in neg] == []
    o = step(o, ev, machine.dispatch, DISPATCHER, T0, unit="street.370102001", opinion="属地")
    neg = negative_list(
        [order_facts(ev)],
        T0,
        T0 + timedelta(days=1),
        T0 + H,
        policy,
        RULES.calendar.advance,
        8 * 3600,
    )
    assert [e.kind for e in neg] == [NegativeKind.PASSED_AROUND]
    assert neg[0].details["units_in_turn"] == [
        "street.370102002",
        "dept.sanitation",
        "street.370102001",
    ]


def gazetteer() -> Gazetteer:
    d1, d2 = box(117.0, 36.6, 117.01, 36.61), box(117.01, 36.6, 117.02, 36.61)
    return Gazetteer(
        [
            NamedFeature("历下区", "district", d1, "370102"),
            NamedFeature("市中区", "district", d2, "370103"),
            NamedFeature("解放路街道", "street", d1, "370102001"),
            NamedFeature(
                "和平社区", "community", box(117.0, 36.6, 117.005, 36.605), "370102001001"
            ),
            NamedFeature(
                "解放路", "road", LineString([(117.0, 36.602), (117.01, 36.602)]), None, "370102"
            ),
            NamedFeature(
                "经十路", "road", LineString([(117.0, 36.605), (117.01, 36.605)]), None, "370102"
            ),
            NamedFeature(
                "经十路", "road", LineString([(117.01, 36.605), (117.02, 36.605)]), None, "370103"
            ),
            NamedFeature(
                "历山路", "road", LineString([(117.004, 36.6), (117.004, 36.61)]), None, "370102"
            ),
            NamedFeature(
                "泉城公寓", "place", Point(117.003, 36.603), None, None, "370102001001002"
            ),
        ],
        ["济南市"],
    )


def grid_of(x: float, y: float) -> str | None:
    return f"G{int((x - 117.0) * 1000):02d}{int((y - 36.6) * 1000):02d}"


@pytest.mark.parametrize(
    ("text", "level", "confidence", "where"),
    [
        ("济南市历下区泉城公寓东门", "place", 0.9, (117.003, 36.603)),
        ("经十路与历山路交叉口", "crossing", 0.85, (117.004, 36.605)),
        ("市中区经十路", "road", 0.6, (117.015, 36.605)),
        ("经十路", "road", 0.4, None),
        ("和平社区", "community", 0.5, None),
        ("解放路街道办事处门口", "street", 0.3, None),
        ("不知道在哪里", "none", 0.0, None),
    ],
)
def test_address_texts_are_placed_at_the_most_specific_thing_named(text, level, confidence, where):
    p = gazetteer().match(text, grid_of)
    assert (p.level, p.confidence) == (level, confidence)
    if where is not None:
        assert (p.lon, p.lat) == pytest.approx(where, abs=1e-6)
    if level in ("street", "district", "none"):
        assert p.grid_code is None
    else:
        assert p.grid_code is not None
    if level == "street":
        assert (p.street_code, p.district_code) == ("370102001", "370102")
