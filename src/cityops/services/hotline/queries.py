"""Reading orders: one order with its history, lists with filters within the user's scope, and
each role's work queue. Reads never change anything and run in read-only units of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.sql import Select

from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.hotline import hotline_orders
from cityops.domain.access import CENTRE_ROLES, User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.hotline.access import can_see_order, user_units
from cityops.domain.hotline.model import Order, OrderEvent
from cityops.domain.hotline.vocabulary import OrderState
from cityops.errors import NotFoundError, ValidationError
from cityops.services.hotline.store import OrderStore, row_to_order
from cityops.services.runtime import Runtime

COUNT_CAP = 10_000
o = hotline_orders

SORTS = {
    "received_at": o.c.received_at,
    "deadline": func.coalesce(o.c.sign_deadline, o.c.handling_deadline),
    "updated_at": o.c.updated_at,
    "order_no": o.c.order_no,
}


@dataclass(frozen=True)
class OrderFilter:
    states: tuple[OrderState, ...] = ()
    kinds: tuple[str, ...] = ()
    class_code: str | None = None  # exact, or a major prefix ending in "*"
    area: str | None = None  # district (6), street (9), community (12) or grid (15) code
    unit: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    text: str | None = None  # words in content or address, or an order number
    overdue: bool = False  # past the sign-for or handling deadline now
    case_id: int | None = None


@dataclass
class Page:
    items: list[Order]
    total: int
    total_is_lower_bound: bool
    page: int
    page_size: int


def scope_clause(user: User) -> ColumnElement[bool]:
    if user.role in CENTRE_ROLES:
        return o.c.district_code == user.district if user.district else true()
    if user.role == Role.HANDLER:
        units = sorted(user_units(user))
        return or_(o.c.unit.in_(units), o.c.replied_by_unit.in_(units))
    return false()


def _area(code: str) -> ColumnElement[bool]:
    column = {6: o.c.district_code, 9: o.c.street_code, 12: o.c.community_code, 15: o.c.grid_code}
    if len(code) not in column or not code.isdigit():
        raise ValidationError(
            "query.area_invalid", "区域代码应为6、9、12位数字或15位网格代码", area=code
        )
    return column[len(code)] == code


def apply_filter(q: Select[Any], f: OrderFilter, now: datetime) -> Select[Any]:
    if f.states:
        q = q.where(o.c.state.in_([s.value for s in f.states]))
    if f.kinds:
        q = q.where(o.c.kind.in_(list(f.kinds)))
    if f.class_code:
        if f.class_code.endswith("*"):
            q = q.where(o.c.class_code.like(f.class_code[:-1] + "%"))
        else:
            q = q.where(o.c.class_code == f.class_code)
    if f.area:
        q = q.where(_area(f.area))
    if f.unit:
        q = q.where(o.c.unit == f.unit)
    if f.received_from is not None:
        q = q.where(o.c.received_at >= f.received_from)
    if f.received_to is not None:
        q = q.where(o.c.received_at < f.received_to)
    if f.case_id is not None:
        q = q.where(o.c.case_id == f.case_id)
    if f.text:
        words = [w for w in f.text.split() if w][:5]
        for w in words:
            like = f"%{w}%"
            q = q.where(
                or_(
                    o.c.content.like(like),
                    o.c.address.like(like),
                    o.c.order_no == w,
                    o.c.external_no == w,
                )
            )
    if f.overdue:
        q = q.where(
            or_(
                and_(o.c.state == OrderState.DISPATCHED.value, o.c.sign_deadline < now),
                and_(
                    o.c.state.in_([OrderState.SIGNED.value, OrderState.DISPATCHED.value]),
                    o.c.handling_deadline < now,
                ),
            )
        )
    return q


def list_orders(
    rt: Runtime,
    user: User,
    f: OrderFilter,
    *,
    page: int = 1,
    page_size: int = 20,
    sort: str = "-received_at",
) -> Page:
    key = sort.lstrip("-")
    if key not in SORTS:
        raise ValidationError("query.sort_invalid", f"不支持按“{sort}”排序", sort=sort)
    column = SORTS[key]
    order_by = column.desc() if sort.startswith("-") else column.asc()
    base = apply_filter(select(o).where(scope_clause(user)), f, rt.now())
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            base.order_by(order_by, o.c.id.desc()).limit(page_size).offset((page - 1) * page_size)
        ).mappings()
        items = [row_to_order(r) for r in rows]
        counted = uow.conn.execute(
            select(func.count()).select_from(
                base.with_only_columns(o.c.id).limit(COUNT_CAP + 1).subquery()
            )
        ).scalar_one()
    return Page(items, min(int(counted), COUNT_CAP), int(counted) > COUNT_CAP, page, page_size)


def get_visible_order(rt: Runtime, user: User, order_id: int) -> Order:
    with rt.uow(readonly=True) as uow:
        order = OrderStore(uow.conn).get(order_id)
    if not can_see_order(user, order):
        raise NotFoundError("hotline.not_found", f"工单{order_id}不存在", order_id=order_id)
    return order


def order_events(rt: Runtime, order_id: int) -> list[OrderEvent]:
    with rt.uow(readonly=True) as uow:
        return OrderStore(uow.conn).events(order_id)


def get_order_by_no(rt: Runtime, user: User, order_no: str) -> Order:
    with rt.uow(readonly=True) as uow:
        order = OrderStore(uow.conn).find_by_no(order_no)
    if order is None or not can_see_order(user, order):
        raise NotFoundError("hotline.not_found", f"工单{order_no}不存在", order_no=order_no)
    return order


def linked_case(rt: Runtime, case_id: int | None) -> dict[str, Any] | None:
    """The linked case as the order's reader needs it (state, outcome, unit, times)."""
    if case_id is None:
        return None
    with rt.uow(readonly=True) as uow:
        row = (
            uow.conn.execute(
                select(
                    cases.c.id,
                    cases.c.case_no,
                    cases.c.state,
                    cases.c.outcome,
                    cases.c.assigned_unit,
                    cases.c.closed_at,
                    cases.c.ended_at,
                    cases.c.duplicate_of,
                ).where(cases.c.id == case_id)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def queue(rt: Runtime, user: User, *, page: int = 1, page_size: int = 50) -> Page:
    """What the user has to do next, most urgent first: a unit signs and replies; the desk
    dispatches, revisits and closes (including orders whose case has ended)."""
    if user.role == Role.HANDLER:
        units = sorted(user_units(user))
        cond: ColumnElement[bool] = and_(
            o.c.unit.in_(units),
            o.c.state.in_([OrderState.DISPATCHED.value, OrderState.SIGNED.value]),
        )
        order_by = [func.coalesce(o.c.sign_deadline, o.c.handling_deadline).asc()]
    elif user.role in (Role.ACCEPTOR, Role.SHIFT_LEADER):
        ended = select(cases.c.id).where(cases.c.state.in_(["closed", "rejected", "cancelled"]))
        cond = or_(
            o.c.state.in_(
                [OrderState.RECEIVED.value, OrderState.REPLIED.value, OrderState.REVISITED.value]
            ),
            and_(o.c.state == OrderState.IN_CASE.value, o.c.case_id.in_(ended)),
        )
        order_by = [o.c.updated_at.asc()]
    elif user.role == Role.DISPATCHER:
        cond = o.c.state == OrderState.RECEIVED.value
        order_by = [o.c.received_at.asc()]
    else:
        cond = false()
        order_by = [o.c.received_at.asc()]
    q = select(o).where(and_(cond, scope_clause(user)))
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            q.order_by(*order_by, o.c.id).limit(page_size).offset((page - 1) * page_size)
        ).mappings()
        items = [row_to_order(r) for r in rows]
        total = uow.conn.execute(
            select(func.count()).select_from(
                q.with_only_columns(o.c.id).limit(COUNT_CAP + 1).subquery()
            )
        ).scalar_one()
    return Page(items, min(int(total), COUNT_CAP), int(total) > COUNT_CAP, page, page_size)
