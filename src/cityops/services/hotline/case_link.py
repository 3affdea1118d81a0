"""Orders that are city-management matters become cases of the closed loop, linked both ways:
the case carries the order number (``source_ref``, channel ``hotline``, ``extra.hotline_order_id``)
and the order carries the case id. The case is reported and the order updated in ONE database
transaction (the case service runs as a savepoint inside it).

The order's reply follows the case's outcome by **reading the case** (pull), not by an outbox
subscription: ``conclude_from_case`` turns an ended case (closed, rejected, cancelled — following
a duplicate to the case it was merged into) into the order's reply, and ``sync_case_outcomes``
does it for every waiting order. It runs from ``cityops hotline sync`` (a timer, every few
minutes) and from the desk's "answer from the case" action. Reading is robust where a
subscription is not: it needs no relay running with the hotline subscribed, it is idempotent,
and it never writes while the relay holds its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.hotline import hotline_orders
from cityops.adapters.db.unit_of_work import SharedTransaction
from cityops.domain.cases.model import Actor, Case
from cityops.domain.cases.vocabulary import CaseState, Channel, Role
from cityops.domain.geo.model import CoordSystem
from cityops.domain.hotline import machine
from cityops.domain.hotline.model import Order
from cityops.domain.hotline.vocabulary import OrderState
from cityops.errors import ValidationError
from cityops.services import cases as case_svc
from cityops.services.hotline.commands import _apply, apply_in
from cityops.services.hotline.store import OrderStore
from cityops.services.runtime import Runtime

SYNC_ACTOR = Actor("system.hotline", Role.SYSTEM, None, "热线案卷同步")
ENDED = (CaseState.CLOSED.value, CaseState.REJECTED.value, CaseState.CANCELLED.value)


@dataclass(frozen=True)
class CaseOpened:
    order: Order
    case: Case


def open_case(
    rt: Runtime,
    actor: Actor,
    order_id: int,
    *,
    lon: float | None = None,
    lat: float | None = None,
    crs: CoordSystem = CoordSystem.WGS84,
    class_code: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> CaseOpened:
    """转案卷: report a case (channel hotline, ``source_ref`` = the order number) for the
    order and move the order to ``in_case`` — in one transaction."""
    when = at or rt.now()
    with rt.uow(readonly=True) as uow:
        order = OrderStore(uow.conn).get(order_id)
    if lon is None or lat is None:
        if (
            order.placement.grid_code is None
            or order.placement.lon is None
            or order.placement.lat is None
        ):
            raise ValidationError(
                "hotline.position_required",
                "工单地址未能定位到单元网格，转案卷须指定坐标",
                order_id=order_id,
                level=order.placement.level,
            )
        lon, lat, crs = order.placement.lon, order.placement.lat, CoordSystem.WGS84
    cls = class_code or order.class_code
    if cls is not None and cls not in rt.policy.profile.classes:
        cls = None
    shared = SharedTransaction(rt.engine)
    inner = replace(rt, shared=shared)
    try:
        result = case_svc.report_case(
            inner,
            actor,
            channel=Channel.HOTLINE,
            description=description or order.content,
            lon=lon,
            lat=lat,
            crs=crs,
            address=order.address,
            class_code=cls,
            urgency=order.urgency,
            source_ref=order.order_no,
            extra={"hotline_order_id": order.id},
            at=when,
        )
        case = result.case
        with inner.uow() as uow:
            updated = apply_in(
                uow,
                inner,
                order_id,
                [
                    lambda r, o, t: machine.open_case(
                        r, o, actor, t, case_id=case.id, case_no=case.case_no
                    )
                ],
                at=when,
                expected_version=expected_version,
            )
            uow.commit()
    except BaseException:
        shared.conn.rollback()
        shared.conn.close()
        raise
    shared.close()
    return CaseOpened(updated, case)


_REPLIES = {
    ("closed", "fixed"): ("您反映的问题已由承办单位处置完毕，经现场核查确认已解决。", True),
    ("closed", "no_longer_present"): ("经现场核查，您反映的问题现场已不存在。", True),
    ("closed", "not_fixable"): (
        "您反映的问题经核查暂不具备处置条件，相关部门已作说明并将持续关注。",
        False,
    ),
    ("rejected", "not_found"): ("经现场核实，未发现您反映的问题。", False),
    ("rejected", "out_of_scope"): (
        "经核实，您反映的问题不属于城市管理受理范围，已转告相关部门。",
        False,
    ),
    ("rejected", "no_condition"): ("经核实，您反映的情况未达到立案处置条件，已做解释说明。", False),
    ("rejected", "other"): ("经核实，您反映的问题不予立案，已做解释说明。", False),
    ("cancelled", None): ("该案卷经审核作废，已做解释说明。", False),
}


def reply_for(state: str, outcome: str | None) -> tuple[str, bool]:
    key = (state, outcome if state != "cancelled" else None)
    return _REPLIES.get(key, ("您反映的问题已办理完毕。", state == "closed"))


def _effective_case(conn: Any, case_id: int) -> Any:
    """The case whose outcome counts: a case rejected as a duplicate follows the original."""
    seen = set()
    row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
    while (
        row is not None
        and row["state"] == CaseState.REJECTED.value
        and row["outcome"] == "duplicate"
        and row["duplicate_of"] is not None
        and row["id"] not in seen
    ):
        seen.add(row["id"])
        row = (
            conn.execute(select(cases).where(cases.c.id == row["duplicate_of"])).mappings().first()
        )
    return row


def conclude_from_case(rt: Runtime, order_id: int, actor: Actor = SYNC_ACTOR) -> Order | None:
    """If the order's case has ended, record its outcome as the order's reply; None if the
    order is not waiting for a case or the case is still open."""
    with rt.uow(readonly=True) as uow:
        order = OrderStore(uow.conn).get(order_id)
        if order.state != OrderState.IN_CASE or order.case_id is None:
            return None
        row = _effective_case(uow.conn, order.case_id)
        events = OrderStore(uow.conn).events(order_id)
    if row is None or row["state"] not in ENDED:
        return None
    text, resolved = reply_for(row["state"], row["outcome"])
    ended = row["ended_at"] or rt.now()
    at = max(ended, events[-1].at)
    case_id = order.case_id
    return _apply(
        rt,
        order_id,
        lambda r, o, t: machine.case_concluded(
            r,
            o,
            actor,
            t,
            case_id=case_id,
            case_state=row["state"],
            outcome=row["outcome"],
            text=text,
            resolved=resolved,
            unit=row["assigned_unit"],
        ),
        at=at,
    )


def waiting_orders(rt: Runtime, limit: int = 1000) -> list[int]:
    """Orders in the case loop whose case (or the case it was merged into) has ended."""
    o = hotline_orders
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(o.c.id, cases.c.state, cases.c.outcome)
            .join(cases, cases.c.id == o.c.case_id)
            .where(and_(o.c.state == OrderState.IN_CASE.value, cases.c.state.in_(ENDED)))
            .order_by(o.c.id)
            .limit(limit)
        ).all()
    return [int(r.id) for r in rows]


def sync_case_outcomes(rt: Runtime, limit: int = 1000) -> int:
    """Answer every order whose case has ended; returns how many were answered."""
    done = 0
    for order_id in waiting_orders(rt, limit):
        if conclude_from_case(rt, order_id) is not None:
            done += 1
    return done
