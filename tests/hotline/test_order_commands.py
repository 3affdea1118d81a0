"""Hotline orders through the service layer, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.cases import outbox
from cityops.adapters.db.tables.hotline import (
    hotline_contact_reveals,
    hotline_contacts,
    hotline_order_events,
    hotline_orders,
)
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.hotline import machine
from cityops.domain.hotline.vocabulary import (
    OrderKind,
    OrderState,
    ReexamFinding,
    ReopenReason,
    Satisfaction,
)
from cityops.errors import ConflictError, ForbiddenError, InvalidTransitionError, ValidationError
from cityops.services.hotline import commands as cmd
from cityops.services.hotline import contacts, queries
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR, DISPATCHER, OTHER_HANDLER, SHIFT_LEADER, STREET_HANDLER, T0
from tests.integration.helpers import StepClock

PHONE = "13812345678"


def take(rt: Runtime, **kw):
    args = {
        "content": "和平路泉城公寓门口垃圾堆了好几天没人清运",
        "address": "历下区和平路泉城公寓",
        "caller_name": "张三",
        "caller_phone": PHONE,
        "class_code": "06010",
    }
    args.update(kw)
    return cmd.receive_order(rt, ACCEPTOR, **args).order


def test_an_order_is_taken_placed_dispatched_signed_replied_revisited_and_closed(
    rt: Runtime, clock: StepClock, engine: Engine
):
    order = take(rt)
    assert order.state == OrderState.RECEIVED
    assert order.order_no == f"RX20251020{order.id:07d}"
    assert (order.placement.level, order.placement.grid_code) == ("place", "370102001001003")
    assert order.caller_phone == "138****5678" and order.caller_name == "张*"
    clock.tick(10)
    order = cmd.dispatch_order(rt, DISPATCHER, order.id)  # routing: 06* → @street
    assert order.unit == "street.370102001" and order.state == OrderState.DISPATCHED
    assert order.sign_deadline == T0 + timedelta(minutes=10, hours=2)
    assert order.handling_deadline == T0 + timedelta(minutes=10, hours=40)
    clock.tick(30)
    order = cmd.sign_order(rt, STREET_HANDLER, order.id)
    clock.tick(60)
    cmd.record_progress(rt, STREET_HANDLER, order.id, note="已安排环卫工人前往")
    clock.tick(60)
    order = cmd.reply_order(rt, STREET_HANDLER, order.id, text="垃圾已清运", resolved=True)
    assert order.state == OrderState.REPLIED and order.replied_on_time is True
    with pytest.raises(InvalidTransitionError) as exc:
        cmd.close_order(rt, ACCEPTOR, order.id)
    assert exc.value.code == "hotline.revisit_required"
    clock.tick(60)
    order = cmd.revisit_order(rt, ACCEPTOR, order.id, satisfaction=Satisfaction.SATISFIED)
    order = cmd.close_order(rt, ACCEPTOR, order.id)
    assert order.state == OrderState.CLOSED and order.closed_resolved is True
    events = queries.order_events(rt, order.id)
    assert [e.type.value for e in events] == [
        "received",
        "dispatched",
        "signed",
        "progressed",
        "replied",
        "revisited",
        "closed",
    ]
    assert machine.replay(events) == queries.get_visible_order(rt, user("acceptor-1"), order.id)
    with engine.connect() as conn:
        topics = [r.topic for r in conn.execute(select(outbox.c.topic).order_by(outbox.c.id))]
        assert topics[0] == "hotline.received" and len(topics) == 7
        payloads = [r.payload for r in conn.execute(select(outbox.c.payload))]
    assert all(PHONE not in str(p) for p in payloads)


def user(ident: str, role: Role = Role.ACCEPTOR, unit: str | None = None) -> User:
    return User(ident, ident, role, unit)


def test_the_full_number_is_kept_apart_and_revealed_only_to_the_desk_with_a_record(
    rt: Runtime, engine: Engine
):
    order = take(rt)
    with engine.connect() as conn:
        row = conn.execute(select(hotline_orders).where(hotline_orders.c.id == order.id)).one()
        assert PHONE not in str(tuple(row))
        events = conn.execute(select(hotline_order_events.c.data)).scalars().all()
        assert all(PHONE not in str(e) for e in events)
        assert conn.execute(select(hotline_contacts.c.caller_phone)).scalar_one() == PHONE
    with pytest.raises(ForbiddenError):
        contacts.reveal_contact(rt, user("h", Role.HANDLER, "street.370102001"), order.id, "回访")
    with pytest.raises(ValidationError):
        contacts.reveal_contact(rt, user("acceptor-1"), order.id, " ")
    shown = contacts.reveal_contact(rt, user("acceptor-1"), order.id, "回访")
    assert shown.phone == PHONE and PHONE not in repr(shown)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(hotline_contact_reveals)).scalar() == 1
    assert contacts.reveals(rt, order.id)[0]["purpose"] == "回访"


def test_returns_and_transfers_are_counted_and_the_right_unit_must_act(
    rt: Runtime, clock: StepClock
):
    order = take(rt)
    order = cmd.dispatch_order(rt, DISPATCHER, order.id, unit="street.370102002")
    with pytest.raises(ForbiddenError) as exc:
        cmd.sign_order(rt, STREET_HANDLER, order.id)
    assert exc.value.code == "hotline.not_your_unit"
    clock.tick(20)
    order = cmd.return_order(rt, OTHER_HANDLER, order.id, reason="不在本街道辖区")
    assert order.state == OrderState.RECEIVED and order.return_count == 1 and order.unit is None
    order = cmd.dispatch_order(rt, DISPATCHER, order.id, unit="dept.sanitation")
    with pytest.raises(ValidationError):
        cmd.dispatch_order(rt, DISPATCHER, order.id, unit="dept.sanitation", opinion="x")
    order = cmd.dispatch_order(rt, DISPATCHER, order.id, unit="street.370102001", opinion="属地")
    assert order.transfer_count == 1 and order.dispatch_count == 3
    assert order.units_seen == ("street.370102002", "dept.sanitation", "street.370102001")


def test_unsatisfied_callers_get_the_order_reopened_to_the_same_unit(rt: Runtime, clock: StepClock):
    order = take(rt)
    cmd.dispatch_order(rt, DISPATCHER, order.id)
    cmd.sign_order(rt, STREET_HANDLER, order.id)
    cmd.reply_order(rt, STREET_HANDLER, order.id, text="已处理", resolved=True)
    with pytest.raises(ValidationError):
        cmd.revisit_order(rt, ACCEPTOR, order.id, satisfaction=Satisfaction.UNSATISFIED)
    order = cmd.revisit_order(
        rt, ACCEPTOR, order.id, satisfaction=Satisfaction.UNSATISFIED, note="垃圾还在"
    )
    clock.tick(30)
    order = cmd.reopen_order(
        rt, ACCEPTOR, order.id, reason_code=ReopenReason.UNSATISFIED, reason="回访不满意"
    )
    assert order.state == OrderState.DISPATCHED and order.unit == "street.370102001"
    assert order.reopen_count == 1 and order.reply is None
    assert order.sign_deadline == clock.t + timedelta(hours=2)


def test_closing_an_unreached_order_needs_the_attempts_and_a_note(rt: Runtime):
    order = take(rt)
    cmd.dispatch_order(rt, DISPATCHER, order.id)
    cmd.sign_order(rt, STREET_HANDLER, order.id)
    cmd.reply_order(rt, STREET_HANDLER, order.id, text="已处理", resolved=True)
    for _ in range(2):
        cmd.revisit_order(rt, ACCEPTOR, order.id, satisfaction=Satisfaction.UNREACHED)
    with pytest.raises(InvalidTransitionError) as exc:
        cmd.close_order(rt, ACCEPTOR, order.id, note="多次未接通")
    assert exc.value.code == "hotline.revisit_incomplete"
    cmd.revisit_order(rt, ACCEPTOR, order.id, satisfaction=Satisfaction.UNREACHED)
    with pytest.raises(ValidationError):
        cmd.close_order(rt, ACCEPTOR, order.id)
    order = cmd.close_order(rt, ACCEPTOR, order.id, note="三次回访未接通")
    assert order.state == OrderState.CLOSED and order.revisit_attempts == 3


def test_reexamination_that_finds_the_problem_reopens_the_order_in_one_step(rt: Runtime):
    order = take(rt)
    cmd.dispatch_order(rt, DISPATCHER, order.id)
    cmd.sign_order(rt, STREET_HANDLER, order.id)
    cmd.reply_order(rt, STREET_HANDLER, order.id, text="已处理", resolved=False)
    cmd.revisit_order(rt, ACCEPTOR, order.id, satisfaction=Satisfaction.BASIC)
    order = cmd.close_order(rt, ACCEPTOR, order.id, resolved=False, note="需协调")
    assert order.closed_resolved is False
    order = cmd.reexamine_order(
        rt, SHIFT_LEADER, order.id, finding=ReexamFinding.UNRESOLVED, note="回头看仍有垃圾"
    )
    assert order.state == OrderState.DISPATCHED and order.reexam_finding == "unresolved"
    types = [e.type.value for e in queries.order_events(rt, order.id)]
    assert types[-2:] == ["reexamined", "reopened"]


def test_a_consultation_answered_at_once_goes_straight_to_revisit(rt: Runtime):
    order = cmd.receive_order(
        rt,
        ACCEPTOR,
        content="咨询占道经营审批需要哪些材料",
        kind=OrderKind.CONSULT,
        answer="需携带身份证和营业执照到街道办理",
    ).order
    assert order.state == OrderState.REPLIED and order.replied_by_unit is None
    assert order.placement.level == "none"


def test_external_numbers_make_imports_idempotent_and_versions_are_checked(rt: Runtime):
    first = cmd.receive_order(rt, ACCEPTOR, content="路灯不亮", external_no="JN123").order
    again = cmd.receive_order(rt, ACCEPTOR, content="路灯不亮", external_no="JN123")
    assert again.created is False and again.order.id == first.id
    with pytest.raises(ConflictError):
        cmd.dispatch_order(
            rt, DISPATCHER, first.id, unit="street.370102001", expected_version=first.version + 1
        )


def test_only_the_shift_leader_voids_and_voided_orders_stay_voided(rt: Runtime):
    order = take(rt)
    with pytest.raises(ForbiddenError):
        cmd.void_order(rt, ACCEPTOR, order.id, reason="重复")
    order = cmd.void_order(rt, SHIFT_LEADER, order.id, reason="恶意骚扰电话")
    assert order.state == OrderState.VOIDED
    with pytest.raises(InvalidTransitionError):
        cmd.dispatch_order(rt, DISPATCHER, order.id, unit="street.370102001")


def test_extensions_move_the_handling_deadline(rt: Runtime, clock: StepClock):
    order = take(rt)
    cmd.dispatch_order(rt, DISPATCHER, order.id)
    order = cmd.sign_order(rt, STREET_HANDLER, order.id)
    before = order.handling_deadline
    from cityops.domain.clock.limits import TimeLimit

    cmd.request_extension(
        rt, STREET_HANDLER, order.id, amount=TimeLimit.parse("1 working_days"), reason="需协调物业"
    )
    order = cmd.decide_extension(rt, DISPATCHER, order.id, approved=True)
    assert order.handling_deadline == before + timedelta(hours=8)
    assert order.extension_count == 1 and order.pending_extension is None
