"""The petition ledger: limits, the first-handling unit, links to orders and cases, and
long-standing cases (积案)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityops.domain.hotline.petitions import (
    PetitionChannel,
    PetitionPolicy,
    PetitionState,
    long_standing_reasons,
)
from cityops.errors import ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError
from cityops.services.hotline import commands as cmd
from cityops.services.hotline import petitions as svc
from cityops.services.runtime import Runtime
from tests.fakes import ACCEPTOR, DISPATCHER, OTHER_HANDLER, STREET_HANDLER, T0
from tests.integration.helpers import StepClock


def _register(rt: Runtime, **kw):
    args = {
        "channel": PetitionChannel.VISIT,
        "category": "市容环境",
        "subject": "小区门口长期占道经营",
        "content": "多次反映小区门口夜市占道经营、油烟扰民，未得到解决",
        "petitioner_name": "李四",
        "petitioner_phone": "13900001111",
    }
    args.update(kw)
    return svc.register_petition(rt, ACCEPTOR, **args)


def test_a_petition_goes_from_registration_to_closure_within_its_limits(
    rt: Runtime, clock: StepClock
):
    order = cmd.receive_order(rt, ACCEPTOR, content="泉城公寓门口占道经营").order
    reg = _register(rt, order_id=order.id)
    p = reg.petition
    assert p.state == PetitionState.REGISTERED and p.petitioner_name == "李*"
    assert p.accept_deadline == T0 + timedelta(days=15) and p.links == (("order", order.id),)
    assert reg.long_standing == []
    clock.tick(60 * 24 * 3)
    p = svc.accept_petition(rt, ACCEPTOR, p.id, first_unit="street.370102001")
    assert p.answer_deadline == clock.t + timedelta(days=60)
    with pytest.raises(ForbiddenError):
        svc.answer_petition(rt, OTHER_HANDLER, p.id, text="x", resolved=True)
    p = svc.extend_petition(rt, ACCEPTOR, p.id, days=30, reason="涉及多部门")
    assert p.answer_deadline == clock.t + timedelta(days=90)
    with pytest.raises(InvalidTransitionError):
        svc.extend_petition(rt, ACCEPTOR, p.id, days=5, reason="再延")
    p = svc.answer_petition(rt, STREET_HANDLER, p.id, text="已规划临时疏导点", resolved=True)
    p = svc.request_review(rt, ACCEPTOR, p.id, reason="信访人不服")
    assert p.state == PetitionState.REVIEWING
    p = svc.review_petition(rt, ACCEPTOR, p.id, text="维持原处理意见", resolved=True)
    p = svc.close_petition(rt, ACCEPTOR, p.id)
    assert p.state == PetitionState.CLOSED
    history = [h["type"] for h in svc.petition_history(rt, p.id)]
    assert history == [
        "registered",
        "linked",
        "accepted",
        "extended",
        "answered",
        "review_requested",
        "reviewed",
        "closed",
    ]
    assert [x.id for x in svc.petitions_linked_to(rt, "order", order.id)] == [p.id]


def test_repeat_petitions_and_old_open_ones_are_long_standing(rt: Runtime, clock: StepClock):
    for _ in range(2):
        _register(rt)
    third = _register(rt)
    assert third.petition.repeat_count == 3 and third.long_standing == ["repeated"]
    other = _register(rt, petitioner_phone="13700002222").petition
    clock.tick(60 * 24 * 100)
    rows = {r.petition.id: r for r in svc.ledger(rt, long_standing_only=True)}
    assert set(rows[other.id].long_standing) == {"open_too_long", "answer_overdue"}
    assert rows[other.id].overdue is True
    assert "repeated" in rows[third.petition.id].long_standing


def test_bad_links_and_units_are_refused(rt: Runtime):
    with pytest.raises(NotFoundError):
        _register(rt, case_id=999)
    p = _register(rt).petition
    with pytest.raises(ValidationError):
        svc.accept_petition(rt, ACCEPTOR, p.id, first_unit="no.such.unit")
    with pytest.raises(ForbiddenError):
        svc.accept_petition(rt, DISPATCHER, p.id, first_unit="street.370102001")
    with pytest.raises(ValidationError):
        svc.link_petition(rt, ACCEPTOR, p.id, kind="letter", ref_id=1)


def test_long_standing_rule_by_hand():
    from datetime import UTC, datetime

    from cityops.domain.hotline.petitions import Petition

    now = datetime(2025, 6, 1, tzinfo=UTC)
    p = Petition(
        1,
        "XF1",
        1,
        PetitionState.CLOSED,
        PetitionChannel.LETTER,
        "c",
        "s",
        "x",
        now - timedelta(days=400),
    )
    assert long_standing_reasons(p, now, PetitionPolicy()) == []
    p2 = Petition(
        2,
        "XF2",
        1,
        PetitionState.ACCEPTED,
        PetitionChannel.LETTER,
        "c",
        "s",
        "x",
        now - timedelta(days=91),
    )
    assert long_standing_reasons(p2, now, PetitionPolicy()) == ["open_too_long"]
