"""The closed loop as a pure state machine: every path, every guard, and replay == projection."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cityops.domain.cases import machine
from cityops.domain.cases.model import Attachment, Case, Event
from cityops.domain.cases.vocabulary import (
    CaseState,
    Channel,
    CloseOutcome,
    EventType,
    Light,
    RejectReason,
    Role,
)
from cityops.domain.catalog.model import Stage
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.geo.model import Location
from cityops.errors import ForbiddenError, InvalidTransitionError, ValidationError
from tests.fakes import (
    ACCEPTOR,
    DISPATCHER,
    INSPECTOR,
    OTHER_HANDLER,
    PUBLIC,
    SHIFT_LEADER,
    STREET_HANDLER,
    T0,
    actor,
    make_policy,
)

POLICY = make_policy()
LOC = Location.from_grid(117.005, 36.605, "370102001001005")
AFTER = Attachment("a" * 64, "image/jpeg", 100, "after")
M = timedelta(minutes=1)


class Log:
    """Drives a case through commands and keeps its events, as the service layer would."""

    def __init__(self, channel: Channel = Channel.INSPECTOR, reporter=INSPECTOR, **kw) -> None:
        ev = machine.report(
            POLICY,
            case_id=7,
            case_no="202510200000007",
            actor=reporter,
            at=T0,
            channel=channel,
            description="路边有暴露垃圾",
            address="解放路1号",
            location=LOC,
            class_code="06010",
            **kw,
        )
        self.events: list[Event] = [ev]
        self.case: Case = machine.evolve(None, ev)
        self.t = T0

    def do(self, command, who, minutes: float = 5, **kw) -> Case:
        self.t = self.t + timedelta(minutes=minutes)
        ev = command(POLICY, self.case, who, self.t, **kw)
        self.events.append(ev)
        self.case = machine.evolve(self.case, ev)
        return self.case

    def to_dispatched(self) -> Case:
        self.do(machine.file, ACCEPTOR, class_code="06010", condition_code="06010-01")
        return self.do(machine.dispatch, DISPATCHER, unit="street.370102001")


def test_inspector_report_waits_for_filing_with_file_stage_clock():
    log = Log()
    c = log.case
    assert c.state == CaseState.REPORTED
    assert c.stage_clock.stage == Stage.FILE
    assert c.stage_clock.deadline == T0 + 30 * M
    assert c.stage_clock.yellow_at == T0 + 24 * M
    assert c.street_code == "370102001" and c.district_code == "370102"


def test_public_report_goes_to_verification_first_with_an_assigned_inspector():
    log = Log(Channel.PUBLIC, PUBLIC, verifier="inspector-7", reporter_phone="138****1234")
    assert log.case.state == CaseState.VERIFYING
    assert log.case.verifier == "inspector-7"
    assert log.case.stage_clock.stage == Stage.VERIFY
    assert log.case.stage_clock.deadline == T0 + 60 * M  # 1 working hour, urban
    log.do(machine.verify, INSPECTOR, found=True, opinion="属实")
    assert log.case.state == CaseState.REPORTED
    assert log.events[-1].data["on_time"] is True


def test_verification_not_found_needs_an_opinion_and_leads_to_rejection():
    log = Log(Channel.PUBLIC, PUBLIC)
    with pytest.raises(ValidationError) as e:
        log.do(machine.verify, INSPECTOR, found=False)
    assert e.value.code == "case.opinion_required"
    log.do(machine.verify, INSPECTOR, found=False, opinion="现场未发现")
    log.do(machine.reject, ACCEPTOR, reason_code=RejectReason.NOT_FOUND, reason="核实不属实")
    assert log.case.state == CaseState.REJECTED and log.case.outcome == "not_found"
    assert log.case.light == Light.NONE


def test_the_full_loop_with_return_extension_suspension_rework_closes():
    log = Log()
    log.do(machine.file, ACCEPTOR, class_code="06010", condition_code="06010-01")
    assert log.case.handling_limit == "4 working_hours"
    log.do(machine.dispatch, DISPATCHER, unit="street.370102002")
    log.do(machine.return_case, OTHER_HANDLER, reason="不属于本街道")
    assert log.case.state == CaseState.FILED and log.case.return_count == 1
    c = log.do(machine.dispatch, DISPATCHER, unit="street.370102001")
    assert log.events[-1].data["redispatch"] is True
    assert c.handling_deadline == log.t + timedelta(hours=4)
    log.do(
        machine.request_extension,
        STREET_HANDLER,
        amount=TimeLimit(2, LimitUnit.WORKING_HOURS),
        reason="需协调",
    )
    before = log.case.handling_deadline
    log.do(machine.decide_extension, DISPATCHER, approved=True)
    assert log.case.handling_deadline == before + timedelta(hours=2)
    assert log.case.extension_count == 1 and log.case.pending_extension is None
    log.do(machine.suspend, DISPATCHER, reason="冬季施工暂停")
    assert log.case.suspended and log.case.handling.running_since is None
    used = log.case.handling.used_seconds
    log.do(machine.resume, DISPATCHER, minutes=600)
    assert log.case.handling_deadline == log.t + timedelta(seconds=6 * 3600 - used)
    log.do(machine.handle, STREET_HANDLER, opinion="已清理", attachments=[AFTER])
    assert log.case.state == CaseState.HANDLED and log.case.handled_on_time is True
    log.do(machine.request_check, ACCEPTOR, inspector="inspector-1")
    log.do(machine.rework, INSPECTOR, reason="仍有残留")
    assert log.case.state == CaseState.DISPATCHED and log.case.rework_count == 1
    log.do(machine.handle, STREET_HANDLER, opinion="再次清理", attachments=[AFTER])
    log.do(machine.request_check, ACCEPTOR, inspector="inspector-1")
    log.do(machine.close, INSPECTOR)
    assert log.case.state == CaseState.CLOSED and log.case.outcome == "fixed"
    assert [e.seq for e in log.events] == list(range(1, len(log.events) + 1))
    assert machine.same_history(machine.replay(log.events), log.case)


def test_time_between_handling_report_and_failed_check_is_not_charged_to_the_unit():
    log = Log()
    log.to_dispatched()
    log.do(machine.handle, STREET_HANDLER, minutes=60, opinion="已清理", attachments=[AFTER])
    log.do(machine.request_check, ACCEPTOR, minutes=300, inspector="inspector-1")
    log.do(machine.rework, INSPECTOR, minutes=300, reason="未清理干净")
    assert log.case.handling.used_seconds == 3600
    assert log.case.handling_deadline == log.t + timedelta(hours=3)


def test_refused_extension_needs_a_reason_and_leaves_the_deadline():
    log = Log()
    log.to_dispatched()
    log.do(
        machine.request_extension,
        STREET_HANDLER,
        amount=TimeLimit(1, LimitUnit.WORKING_DAYS),
        reason="材料未到",
    )
    before = log.case.handling_deadline
    with pytest.raises(ValidationError):
        log.do(machine.decide_extension, DISPATCHER, approved=False)
    log.do(machine.decide_extension, DISPATCHER, approved=False, opinion="时限充足")
    assert log.case.handling_deadline == before and log.case.extension_count == 0


def test_extension_in_natural_time_for_a_working_time_limit_is_refused():
    log = Log()
    log.to_dispatched()
    with pytest.raises(ValidationError) as e:
        log.do(
            machine.request_extension,
            STREET_HANDLER,
            amount=TimeLimit(1, LimitUnit.DAYS),
            reason="x",
        )
    assert e.value.code == "case.extension_unit_mismatch"


def test_second_extension_request_while_one_is_pending_is_refused():
    log = Log()
    log.to_dispatched()
    log.do(
        machine.request_extension,
        STREET_HANDLER,
        amount=TimeLimit(1, LimitUnit.WORKING_HOURS),
        reason="a",
    )
    with pytest.raises(InvalidTransitionError) as e:
        log.do(
            machine.request_extension,
            STREET_HANDLER,
            amount=TimeLimit(1, LimitUnit.WORKING_HOURS),
            reason="b",
        )
    assert e.value.code == "case.extension_pending"


def test_cancel_is_for_the_shift_leader_only_and_needs_a_reason():
    log = Log()
    log.to_dispatched()
    with pytest.raises(ForbiddenError):
        log.do(machine.cancel, ACCEPTOR, reason="无效")
    with pytest.raises(ValidationError):
        log.do(machine.cancel, SHIFT_LEADER, reason="  ")
    log.do(machine.cancel, SHIFT_LEADER, reason="重复立案")
    assert log.case.state == CaseState.CANCELLED and log.case.outcome == "cancelled"


@pytest.mark.parametrize(
    ("command", "who", "kwargs"),
    [
        (machine.file, DISPATCHER, {"class_code": "06010", "condition_code": "06010-01"}),
        (machine.reject, INSPECTOR, {"reason_code": RejectReason.OTHER, "reason": "x"}),
        (machine.dispatch, ACCEPTOR, {"unit": "street.370102001"}),
    ],
)
def test_roles_that_may_not_act_are_refused(command, who, kwargs):
    log = Log()
    if command is machine.dispatch:
        log.do(machine.file, ACCEPTOR, class_code="06010", condition_code="06010-01")
    with pytest.raises(ForbiddenError) as e:
        log.do(command, who, **kwargs)
    assert e.value.code == "case.role_forbidden"


def test_a_handler_of_another_unit_cannot_act_on_the_case():
    log = Log()
    log.to_dispatched()
    with pytest.raises(ForbiddenError) as e:
        log.do(machine.handle, OTHER_HANDLER, opinion="x", attachments=[AFTER])
    assert e.value.code == "case.not_your_unit"


def test_commands_out_of_order_are_invalid_transitions():
    log = Log()
    with pytest.raises(InvalidTransitionError):
        log.do(machine.dispatch, DISPATCHER, unit="street.370102001")
    with pytest.raises(InvalidTransitionError):
        log.do(machine.close, INSPECTOR)
    with pytest.raises(InvalidTransitionError):
        log.do(machine.verify, INSPECTOR, found=True)


def test_filing_checks_class_and_condition():
    log = Log()
    with pytest.raises(ValidationError) as e:
        log.do(machine.file, ACCEPTOR, class_code="99999", condition_code="06010-01")
    assert e.value.code == "case.class_unknown"
    with pytest.raises(ValidationError) as e:
        log.do(machine.file, ACCEPTOR, class_code="07001", condition_code="06010-01")
    assert e.value.code == "case.condition_class_mismatch"


def test_urgent_condition_uses_urgent_stage_limits():
    log = Log()
    log.do(machine.file, ACCEPTOR, class_code="01001", condition_code="01001-01")
    assert log.case.urgency.value == "urgent"
    assert log.case.stage_clock.deadline == log.t + 10 * M


def test_handled_requires_an_after_photo_when_the_city_says_so():
    log = Log()
    log.to_dispatched()
    with pytest.raises(ValidationError) as e:
        log.do(machine.handle, STREET_HANDLER, opinion="已处理")
    assert e.value.code == "case.after_photo_required"


def test_suspended_case_cannot_be_handled_until_resumed():
    log = Log()
    log.to_dispatched()
    log.do(machine.suspend, DISPATCHER, reason="季节性")
    with pytest.raises(InvalidTransitionError):
        log.do(machine.handle, STREET_HANDLER, opinion="x", attachments=[AFTER])
    with pytest.raises(InvalidTransitionError):
        log.do(machine.suspend, DISPATCHER, reason="again")


def test_closing_not_fixed_is_a_shift_leader_decision_with_reason():
    log = Log()
    log.to_dispatched()
    log.do(machine.handle, STREET_HANDLER, opinion="x", attachments=[AFTER])
    log.do(machine.request_check, ACCEPTOR, inspector="inspector-1")
    with pytest.raises(ForbiddenError):
        log.do(machine.close, INSPECTOR, outcome=CloseOutcome.NOT_FIXABLE, opinion="x")
    log.do(
        machine.close,
        SHIFT_LEADER,
        outcome=CloseOutcome.NOT_FIXABLE,
        opinion="产权纠纷，暂不具备条件",
    )
    assert log.case.outcome == "not_fixable"


def test_duplicate_rejection_names_the_original():
    log = Log()
    with pytest.raises(ValidationError):
        log.do(machine.reject, ACCEPTOR, reason_code=RejectReason.DUPLICATE, reason="重复")
    log.do(
        machine.reject, ACCEPTOR, reason_code=RejectReason.DUPLICATE, reason="重复", duplicate_of=3
    )
    assert log.case.duplicate_of == 3


def test_overdue_handling_is_red_and_on_time_flag_false():
    log = Log()
    log.to_dispatched()
    assert (
        machine.light_now(log.case, log.t + timedelta(hours=3, minutes=11), POLICY) == Light.GREEN
    )
    assert (
        machine.light_now(log.case, log.t + timedelta(hours=3, minutes=12), POLICY) == Light.YELLOW
    )
    assert machine.light_now(log.case, log.t + timedelta(hours=5), POLICY) == Light.RED
    log.do(machine.handle, STREET_HANDLER, minutes=300, opinion="x", attachments=[AFTER])
    assert log.events[-1].data["on_time"] is False


def test_stage_lights_follow_the_stage_clock():
    log = Log()
    assert machine.light_now(log.case, T0 + 10 * M, POLICY) == Light.GREEN
    assert machine.light_now(log.case, T0 + 25 * M, POLICY) == Light.YELLOW
    assert machine.light_now(log.case, T0 + 31 * M, POLICY) == Light.RED


def test_next_light_change_points_at_yellow_then_deadline():
    log = Log()
    assert log.case.next_light_change() == T0 + 24 * M
    yellow = replace(log.case, light=Light.YELLOW)
    assert yellow.next_light_change() == T0 + 30 * M
    assert replace(log.case, light=Light.RED).next_light_change() is None


def test_every_event_type_records_actor_role_and_states():
    log = Log()
    log.to_dispatched()
    e = log.events[-1]
    assert (e.type, e.actor, e.role, e.from_state, e.to_state) == (
        EventType.DISPATCHED,
        DISPATCHER.id,
        Role.DISPATCHER,
        CaseState.FILED,
        CaseState.DISPATCHED,
    )


def test_report_by_a_role_that_may_not_report_is_refused():
    with pytest.raises(ForbiddenError):
        machine.report(
            POLICY,
            case_id=1,
            case_no="1",
            actor=actor(Role.EVALUATOR),
            at=T0,
            channel=Channel.INSPECTOR,
            description="x",
            address="",
            location=LOC,
        )


def test_report_needs_a_description():
    with pytest.raises(ValidationError) as e:
        machine.report(
            POLICY,
            case_id=1,
            case_no="1",
            actor=INSPECTOR,
            at=T0,
            channel=Channel.INSPECTOR,
            description="   ",
            address="",
            location=LOC,
        )
    assert e.value.code == "case.description_required"


def test_allowed_actions_match_what_the_machine_accepts():
    log = Log()
    log.to_dispatched()
    assert machine.allowed_actions(log.case, STREET_HANDLER) == [
        EventType.RETURNED,
        EventType.EXTENSION_REQUESTED,
        EventType.HANDLED,
    ]
    assert machine.allowed_actions(log.case, OTHER_HANDLER) == []
    assert EventType.SUSPENDED in machine.allowed_actions(log.case, DISPATCHER)
    assert EventType.RESUMED not in machine.allowed_actions(log.case, DISPATCHER)
    assert machine.allowed_actions(log.case, SHIFT_LEADER) == [
        EventType.SUSPENDED,
        EventType.CANCELLED,
    ]
    log.do(machine.suspend, DISPATCHER, reason="季节性")
    assert machine.allowed_actions(log.case, STREET_HANDLER) == []
    assert EventType.RESUMED in machine.allowed_actions(log.case, DISPATCHER)
