"""The closed loop through the service layer, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cityops.adapters.db.case_repository import CaseRepository
from cityops.adapters.db.tables.cases import attachments, case_attachments, case_events, outbox
from cityops.domain.cases import machine
from cityops.domain.cases.vocabulary import CaseState, Channel, RejectReason
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.geo.model import CoordSystem
from cityops.errors import AttachmentError, ConflictError, NotFoundError, ValidationError
from cityops.services import cases as svc
from cityops.services.cases import Upload
from tests.fakes import (
    ACCEPTOR,
    DISPATCHER,
    INSPECTOR,
    JPEG,
    PNG,
    PUBLIC,
    SHIFT_LEADER,
    STREET_HANDLER,
    SquareLocator,
)
from tests.integration.helpers import report


def test_a_case_goes_round_the_loop_and_the_log_replays_to_the_projection(rt, clock, engine):
    res = report(rt)
    case = res.case
    assert case.state == CaseState.REPORTED and case.grid_code == "370102001001005"
    assert case.case_no == f"20251020{case.id:07d}"
    clock.tick()
    svc.file_case(rt, ACCEPTOR, case.id, class_code="06010", condition_code="06010-01")
    clock.tick()
    case = svc.dispatch_case(rt, DISPATCHER, case.id)  # routing suggestion: @street
    assert case.assigned_unit == "street.370102001"
    clock.tick(60)
    svc.handle_case(
        rt, STREET_HANDLER, case.id, opinion="已清理", photos=[Upload(PNG, "after.png")]
    )
    clock.tick()
    case = svc.request_check(rt, ACCEPTOR, case.id)
    assert case.checker == "inspector.370102001"
    clock.tick(20)
    case = svc.close_case(rt, INSPECTOR, case.id)
    assert case.state == CaseState.CLOSED
    events = svc.case_events(rt, case.id)
    assert [e.type.value for e in events] == [
        "reported",
        "filed",
        "dispatched",
        "handled",
        "check_requested",
        "closed",
    ]
    assert machine.same_history(machine.replay(events), svc.get_case(rt, case.id))
    with engine.connect() as conn:
        kinds = sorted(r.kind for r in conn.execute(select(case_attachments.c.kind)))
        assert kinds == ["after", "before"]
        assert conn.execute(select(func.count()).select_from(attachments)).scalar_one() == 2
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 6


def test_public_report_is_verified_by_the_grid_inspector_and_phone_is_masked(rt):
    res = report(
        rt,
        actor=PUBLIC,
        channel=Channel.PUBLIC,
        reporter_phone="13812345678",
        reporter_name="王小明",
    )
    c = res.case
    assert c.state == CaseState.VERIFYING and c.verifier == "inspector.370102001"
    assert c.reporter_phone == "138****5678" and c.reporter_name == "王**"
    assert c.tracking_code and len(c.tracking_code) == 10


def test_the_routing_override_sends_the_scenic_street_to_sanitation(rt):
    c = report(rt, lon=117.015).case
    svc.file_case(rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01")
    assert svc.dispatch_case(rt, DISPATCHER, c.id).assigned_unit == "dept.sanitation"


def test_a_second_report_nearby_is_offered_as_duplicate_and_can_be_rejected_as_such(rt):
    first = report(rt).case
    second = report(rt, lon=117.0052)
    assert [d["case_id"] for d in second.duplicates] == [first.id]
    assert second.duplicates[0]["distance_m"] < 50
    far = report(rt, lon=117.009)
    assert far.duplicates == []
    c = svc.reject_case(
        rt,
        ACCEPTOR,
        second.case.id,
        reason_code=RejectReason.DUPLICATE,
        reason="重复",
        duplicate_of=first.id,
    )
    assert c.state == CaseState.REJECTED and c.duplicate_of == first.id
    with pytest.raises(NotFoundError):
        svc.reject_case(
            rt,
            ACCEPTOR,
            far.case.id,
            reason_code=RejectReason.DUPLICATE,
            reason="x",
            duplicate_of=999,
        )


def test_idempotency_key_returns_the_same_case_and_refuses_a_different_body(rt, engine):
    a = report(rt, idempotency_key="phone-1-abc")
    b = report(rt, idempotency_key="phone-1-abc")
    assert a.created and not b.created and a.case.id == b.case.id
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(case_events)).scalar_one() == 1
    with pytest.raises(ConflictError) as e:
        report(rt, idempotency_key="phone-1-abc", description="另一件事")
    assert e.value.code == "intake.idempotency_key_reused"


def test_outside_the_city_is_refused_and_nothing_is_stored(rt, engine):
    with pytest.raises(ValidationError) as e:
        report(rt, lon=118.5)
    assert e.value.code == "location.outside_city"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(case_events)).scalar_one() == 0


def test_gcj02_coordinates_are_passed_to_the_locator(rt):
    seen = {}

    class Spy(SquareLocator):
        def locate(self, lon, lat, crs=CoordSystem.WGS84):
            seen["crs"] = crs
            return super().locate(lon, lat, crs)

    rt.locator_override = Spy()
    report(rt, crs=CoordSystem.GCJ02)
    assert seen["crs"] == CoordSystem.GCJ02


def test_wrong_file_type_is_refused_before_anything_is_stored(rt, engine):
    with pytest.raises(AttachmentError) as e:
        report(rt, photos=[Upload(b"GIF89a" + b"\0" * 10, "x.gif")])
    assert e.value.code == "attachment.type_not_allowed"
    with pytest.raises(AttachmentError) as e:
        report(rt, photos=[Upload(b"", "empty.jpg")])
    assert e.value.code == "attachment.empty"
    assert not any(Path(rt.blobs.root).rglob("*")) if Path(rt.blobs.root).exists() else True
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(case_events)).scalar_one() == 0


def test_stale_expected_version_is_a_conflict_and_loses_nothing(rt):
    c = report(rt).case
    svc.file_case(
        rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01", expected_version=1
    )
    with pytest.raises(ConflictError) as e:
        svc.cancel_case(rt, SHIFT_LEADER, c.id, reason="作废", expected_version=1)
    assert e.value.code == "case.stale_version"
    assert svc.get_case(rt, c.id).state == CaseState.FILED


def test_two_commands_racing_on_one_case_one_wins_the_other_conflicts(rt, monkeypatch):
    c = report(rt).case
    svc.file_case(rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01")
    both_read = threading.Barrier(2)
    original_get = CaseRepository.get

    def get_then_wait(self, case_id):
        case = original_get(self, case_id)
        # Both commands hold version 2 before either writes. On SQLite the second writer
        # waits for the first one's transaction instead, and the barrier times out.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=3)
        return case

    monkeypatch.setattr(CaseRepository, "get", get_then_wait)
    results: dict[str, object] = {}

    def run(name, fn):
        try:
            results[name] = fn()
        except Exception as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=run, args=("a", lambda: svc.dispatch_case(rt, DISPATCHER, c.id))),
        threading.Thread(
            target=run,
            args=("b", lambda: svc.dispatch_case(rt, DISPATCHER, c.id, unit="dept.sanitation")),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    monkeypatch.undo()
    kinds = sorted(type(v).__name__ for v in results.values())
    events = svc.case_events(rt, c.id)
    # Exactly one dispatch landed. On PostgreSQL both read version 2 and the loser's guarded
    # update finds version 3: a conflict. SQLite serialises writers (BEGIN IMMEDIATE), so the
    # loser reads the winner's state and is refused as an invalid transition. Nothing is lost.
    assert len(events) == 3
    assert kinds in (["Case", "ConflictError"], ["Case", "InvalidTransitionError"]), results
    assert machine.same_history(machine.replay(events), svc.get_case(rt, c.id))


def test_two_clients_holding_the_same_version_one_wins_the_other_conflicts(rt):
    c = report(rt).case
    svc.file_case(rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01")
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name, fn):
        start.wait()
        try:
            results[name] = fn()
        except Exception as exc:
            results[name] = exc

    threads = [
        threading.Thread(
            target=run,
            args=("dispatch", lambda: svc.dispatch_case(rt, DISPATCHER, c.id, expected_version=2)),
        ),
        threading.Thread(
            target=run,
            args=(
                "cancel",
                lambda: svc.cancel_case(rt, SHIFT_LEADER, c.id, reason="无效", expected_version=2),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    kinds = sorted(type(v).__name__ for v in results.values())
    assert kinds == ["Case", "ConflictError"], results
    loser = next(v for v in results.values() if isinstance(v, ConflictError))
    assert loser.code in ("case.stale_version", "case.conflict")
    events = svc.case_events(rt, c.id)
    assert len(events) == 3
    assert machine.same_history(machine.replay(events), svc.get_case(rt, c.id))


def test_extension_suspension_and_rework_through_services(rt, clock):
    c = report(rt).case
    svc.file_case(rt, ACCEPTOR, c.id, class_code="06010", condition_code="06010-01")
    svc.dispatch_case(rt, DISPATCHER, c.id, unit="street.370102001")
    clock.tick(30)
    svc.request_extension(
        rt, STREET_HANDLER, c.id, amount=TimeLimit(2, LimitUnit.WORKING_HOURS), reason="等材料"
    )
    svc.decide_extension(rt, DISPATCHER, c.id, approved=True)
    svc.suspend_case(rt, DISPATCHER, c.id, reason="汛期暂停")
    clock.tick(600)
    svc.resume_case(rt, DISPATCHER, c.id)
    svc.handle_case(rt, STREET_HANDLER, c.id, opinion="ok", photos=[Upload(JPEG, "a.jpg")])
    svc.request_check(rt, ACCEPTOR, c.id, inspector="inspector-9")
    c = svc.rework_case(rt, INSPECTOR, c.id, reason="不合格")
    assert (c.state, c.rework_count, c.extension_count, c.suspension_count) == (
        CaseState.DISPATCHED,
        1,
        1,
        1,
    )
    svc.return_case(rt, STREET_HANDLER, c.id, reason="不属于本单位")
    c = svc.cancel_case(rt, SHIFT_LEADER, c.id, reason="无效案卷")
    assert c.state == CaseState.CANCELLED
    assert machine.same_history(machine.replay(svc.case_events(rt, c.id)), svc.get_case(rt, c.id))


def test_the_relay_publishes_after_commit_and_forgets_old_published_messages(rt, clock):
    """Messages are published once, to the subscribers of their topic; a failing subscriber
    leaves its message for the next run; published messages older than the retention are
    deleted, the event log keeps everything."""
    from datetime import timedelta

    from cityops.services.outbox import KEEP_PUBLISHED, OutboxRelay

    relay = OutboxRelay(rt)
    seen: list[tuple[str, int]] = []
    relay.subscribe("case.", lambda topic, payload: seen.append((topic, payload["seq"])))
    report(rt)
    assert relay.relay_once() == 1 and seen == [("case.reported", 1)]
    assert relay.relay_once() == 0  # nothing twice

    broken = OutboxRelay(rt)
    broken.subscribe("case.", lambda topic, payload: 1 / 0)
    report(rt)
    assert broken.relay_once() == 0
    assert relay.relay_once() == 1  # the failure left it pending

    with rt.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 2
    real_now = rt.now
    rt.now = lambda: real_now() + KEEP_PUBLISHED + timedelta(minutes=1)
    try:
        report(rt)
        assert relay.relay_once() == 1
    finally:
        rt.now = real_now
    with rt.engine.connect() as conn:
        left = conn.execute(select(outbox.c.published_at)).scalars().all()
        events = conn.execute(select(func.count()).select_from(case_events)).scalar_one()
    assert len(left) == 1 and events == 3
