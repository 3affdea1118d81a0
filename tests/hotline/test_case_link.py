"""Orders that become cases of the closed loop, and replies that follow the case's outcome."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.cases import cases
from cityops.domain.cases.vocabulary import CaseState, Channel, RejectReason
from cityops.domain.hotline.vocabulary import OrderState, Satisfaction
from cityops.errors import ConflictError, ValidationError
from cityops.services import cases as case_svc
from cityops.services.cases import Upload
from cityops.services.hotline import case_link, queries
from cityops.services.hotline import commands as cmd
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR, DISPATCHER, INSPECTOR, JPEG, STREET_HANDLER
from tests.integration.helpers import StepClock, file_and_close, report


def _order(rt: Runtime, **kw):
    args = {"content": "和平路泉城公寓门口暴露垃圾", "address": "泉城公寓", "class_code": "06010"}
    args.update(kw)
    return cmd.receive_order(rt, ACCEPTOR, **args).order


def _close_case(rt: Runtime, clock: StepClock, case_id: int) -> None:
    case_svc.verify_case(rt, INSPECTOR, case_id, found=True)
    file_and_close(rt, clock, case_id)


def test_an_order_becomes_a_case_linked_both_ways_and_its_reply_follows_the_case(
    rt: Runtime, clock: StepClock, engine: Engine
):
    order = _order(rt)
    clock.tick(5)
    opened = case_link.open_case(rt, ACCEPTOR, order.id)
    case = opened.case
    assert opened.order.state == OrderState.IN_CASE and opened.order.case_id == case.id
    assert case.channel == Channel.HOTLINE and case.source_ref == order.order_no
    assert case.extra["hotline_order_id"] == order.id and case.state == CaseState.VERIFYING
    assert case.grid_code == order.placement.grid_code
    assert case_link.sync_case_outcomes(rt) == 0  # the case is still open
    _close_case(rt, clock, case.id)
    assert case_link.waiting_orders(rt) == [order.id]
    acceptor_queue = queries.queue(rt, _desk())
    assert order.id in [o.id for o in acceptor_queue.items]
    assert case_link.sync_case_outcomes(rt) == 1
    assert case_link.sync_case_outcomes(rt) == 0  # idempotent
    order = queries.get_visible_order(rt, _desk(), order.id)
    assert order.state == OrderState.REPLIED and order.resolved is True
    assert order.replied_by_unit == "street.370102001" and "已解决" in (order.reply or "")
    cmd.revisit_order(rt, ACCEPTOR, order.id, satisfaction=Satisfaction.SATISFIED)
    assert cmd.close_order(rt, ACCEPTOR, order.id).state == OrderState.CLOSED


def test_a_case_merged_as_duplicate_answers_when_the_original_ends(rt: Runtime, clock: StepClock):
    original = report(rt).case  # an inspector's case at the same spot
    order = _order(rt)
    case = case_link.open_case(rt, ACCEPTOR, order.id).case
    case_svc.reject_case(
        rt,
        ACCEPTOR,
        case.id,
        reason_code=RejectReason.DUPLICATE,
        reason="与已上报案卷重复",
        duplicate_of=original.id,
    )
    assert case_link.conclude_from_case(rt, order.id) is None  # waits for the original
    case_svc.file_case(rt, ACCEPTOR, original.id, class_code="06010", condition_code="06010-01")
    case_svc.dispatch_case(rt, DISPATCHER, original.id)
    case_svc.handle_case(rt, STREET_HANDLER, original.id, opinion="已清理", photos=[Upload(JPEG)])
    case_svc.request_check(rt, ACCEPTOR, original.id)
    case_svc.close_case(rt, INSPECTOR, original.id)
    answered = case_link.conclude_from_case(rt, order.id)
    assert answered is not None and answered.resolved is True


def test_an_order_without_a_grid_needs_coordinates_and_a_failure_changes_nothing(
    rt: Runtime, engine: Engine
):
    order = _order(rt, address="", content="某处有垃圾")
    assert order.placement.level == "none"
    with pytest.raises(ValidationError) as exc:
        case_link.open_case(rt, ACCEPTOR, order.id)
    assert exc.value.code == "hotline.position_required"
    with pytest.raises(ConflictError):
        case_link.open_case(
            rt, ACCEPTOR, order.id, lon=117.005, lat=36.605, expected_version=order.version + 5
        )
    with engine.connect() as conn:  # the case report was rolled back with the order's update
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 0
    opened = case_link.open_case(rt, ACCEPTOR, order.id, lon=117.005, lat=36.605)
    assert opened.case.grid_code == "370102001001005"


def _desk():
    from cityops.domain.access import User
    from cityops.domain.cases.vocabulary import Role

    return User("acceptor-1", "受理员", Role.ACCEPTOR)
