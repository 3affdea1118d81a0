"""Orders in the database: the event log (append-only) and the projection row, written together
under the version the command read (optimistic lock), like the cases'."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.hotline import hotline_order_events, hotline_orders
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import Urgency
from cityops.domain.hotline.model import Order, OrderEvent, Placement
from cityops.domain.hotline.vocabulary import (
    OrderChannel,
    OrderEventType,
    OrderKind,
    OrderState,
    Satisfaction,
)
from cityops.errors import ConflictError, NotFoundError

_INSERT_ORDER = insert(hotline_orders)
_INSERT_EVENT = insert(hotline_order_events)
_UPDATE_ORDER = update(hotline_orders).where(
    and_(
        hotline_orders.c.id == bindparam("b_id"),
        hotline_orders.c.version == bindparam("b_expected"),
    )
)


def order_to_row(o: Order, now: datetime) -> dict[str, Any]:
    p = o.placement
    return {
        "id": o.id,
        "order_no": o.order_no,
        "version": o.version,
        "state": o.state.value,
        "kind": o.kind.value,
        "channel": o.channel.value,
        "urgency": o.urgency.value,
        "received_at": o.received_at,
        "received_by": o.received_by,
        "content": o.content,
        "address": o.address,
        "lon": p.lon,
        "lat": p.lat,
        "grid_code": p.grid_code,
        "community_code": p.community_code,
        "street_code": p.street_code,
        "district_code": p.district_code,
        "location_level": p.level,
        "location_confidence": p.confidence,
        "location_matched": list(p.matched),
        "caller_name": o.caller_name,
        "caller_phone": o.caller_phone,
        "caller_key": o.caller_key,
        "external_no": o.external_no,
        "class_code": o.class_code,
        "class_source": o.class_source,
        "suggestion": dict(o.suggestion) if o.suggestion else None,
        "revisit_required": o.revisit_required,
        "unit": o.unit,
        "dispatched_at": o.dispatched_at,
        "sign_deadline": o.sign_deadline,
        "signed_at": o.signed_at,
        "handling_limit": o.handling_limit,
        "handling_deadline": o.handling_deadline,
        "pending_extension": dict(o.pending_extension) if o.pending_extension else None,
        "first_dispatched_at": o.first_dispatched_at,
        "replied_at": o.replied_at,
        "replied_by_unit": o.replied_by_unit,
        "reply": o.reply,
        "resolved": o.resolved,
        "replied_on_time": o.replied_on_time,
        "revisited_at": o.revisited_at,
        "satisfaction": o.satisfaction.value if o.satisfaction else None,
        "revisit_attempts": o.revisit_attempts,
        "closed_at": o.closed_at,
        "closed_resolved": o.closed_resolved,
        "reexamined_at": o.reexamined_at,
        "reexam_finding": o.reexam_finding,
        "case_id": o.case_id,
        "duplicate_of": o.duplicate_of,
        "dispatch_count": o.dispatch_count,
        "transfer_count": o.transfer_count,
        "return_count": o.return_count,
        "reopen_count": o.reopen_count,
        "extension_count": o.extension_count,
        "units_seen": list(o.units_seen),
        "extra": dict(o.extra) if o.extra else None,
        "updated_at": now,
    }


def row_to_order(r: Mapping[Any, Any]) -> Order:
    return Order(
        id=int(r["id"]),
        order_no=r["order_no"],
        version=int(r["version"]),
        state=OrderState(r["state"]),
        kind=OrderKind(r["kind"]),
        channel=OrderChannel(r["channel"]),
        urgency=Urgency(r["urgency"]),
        received_at=r["received_at"],
        received_by=r["received_by"],
        content=r["content"],
        address=r["address"] or "",
        placement=Placement(
            r["lon"],
            r["lat"],
            r["grid_code"],
            r["community_code"],
            r["street_code"],
            r["district_code"],
            r["location_level"],
            float(r["location_confidence"] or 0.0),
            tuple(r["location_matched"] or ()),
        ),
        caller_name=r["caller_name"],
        caller_phone=r["caller_phone"],
        caller_key=r["caller_key"],
        external_no=r["external_no"],
        class_code=r["class_code"],
        class_source=r["class_source"],
        suggestion=r["suggestion"],
        revisit_required=bool(r["revisit_required"]),
        unit=r["unit"],
        dispatched_at=r["dispatched_at"],
        sign_deadline=r["sign_deadline"],
        signed_at=r["signed_at"],
        handling_limit=r["handling_limit"],
        handling_deadline=r["handling_deadline"],
        pending_extension=r["pending_extension"],
        first_dispatched_at=r["first_dispatched_at"],
        replied_at=r["replied_at"],
        replied_by_unit=r["replied_by_unit"],
        reply=r["reply"],
        resolved=r["resolved"],
        replied_on_time=r["replied_on_time"],
        revisited_at=r["revisited_at"],
        satisfaction=Satisfaction(r["satisfaction"]) if r["satisfaction"] else None,
        revisit_attempts=int(r["revisit_attempts"] or 0),
        closed_at=r["closed_at"],
        closed_resolved=r["closed_resolved"],
        reexamined_at=r["reexamined_at"],
        reexam_finding=r["reexam_finding"],
        case_id=int(r["case_id"]) if r["case_id"] is not None else None,
        duplicate_of=int(r["duplicate_of"]) if r["duplicate_of"] is not None else None,
        dispatch_count=int(r["dispatch_count"]),
        transfer_count=int(r["transfer_count"]),
        return_count=int(r["return_count"]),
        reopen_count=int(r["reopen_count"]),
        extension_count=int(r["extension_count"]),
        units_seen=tuple(r["units_seen"] or ()),
        extra=r["extra"] or {},
    )


def event_to_row(e: OrderEvent, now: datetime) -> dict[str, Any]:
    return {
        "order_id": e.order_id,
        "seq": e.seq,
        "type": e.type.value,
        "at": e.at,
        "actor": e.actor,
        "role": e.role.value,
        "unit": e.unit,
        "from_state": e.from_state.value if e.from_state else None,
        "to_state": e.to_state.value,
        "data": dict(e.data),
        "schema_version": e.schema_version,
        "recorded_at": now,
    }


def row_to_event(r: Mapping[Any, Any]) -> OrderEvent:
    return OrderEvent(
        order_id=int(r["order_id"]),
        seq=int(r["seq"]),
        type=OrderEventType(r["type"]),
        at=r["at"],
        actor=r["actor"],
        role=Role(r["role"]),
        unit=r["unit"],
        from_state=OrderState(r["from_state"]) if r["from_state"] else None,
        to_state=OrderState(r["to_state"]),
        data=r["data"],
        schema_version=int(r["schema_version"]),
    )


class OrderStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, order_id: int) -> Order:
        row = (
            self.conn.execute(select(hotline_orders).where(hotline_orders.c.id == order_id))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFoundError("hotline.not_found", f"工单{order_id}不存在", order_id=order_id)
        return row_to_order(row)

    def find_by_no(self, order_no: str) -> Order | None:
        row = (
            self.conn.execute(select(hotline_orders).where(hotline_orders.c.order_no == order_no))
            .mappings()
            .first()
        )
        return row_to_order(row) if row else None

    def find_by_external(self, external_no: str) -> Order | None:
        row = (
            self.conn.execute(
                select(hotline_orders).where(hotline_orders.c.external_no == external_no).limit(1)
            )
            .mappings()
            .first()
        )
        return row_to_order(row) if row else None

    def events(self, order_id: int) -> list[OrderEvent]:
        rows = self.conn.execute(
            select(hotline_order_events)
            .where(hotline_order_events.c.order_id == order_id)
            .order_by(hotline_order_events.c.seq)
        ).mappings()
        return [row_to_event(r) for r in rows]

    def add(self, order: Order, events: list[OrderEvent], now: datetime) -> None:
        self.conn.execute(_INSERT_ORDER, order_to_row(order, now))
        self.conn.execute(_INSERT_EVENT, [event_to_row(e, now) for e in events])

    def save(
        self, order: Order, events: list[OrderEvent], expected_version: int, now: datetime
    ) -> None:
        row = order_to_row(order, now)
        row.pop("id")
        row["b_id"] = order.id
        row["b_expected"] = expected_version
        if self.conn.execute(_UPDATE_ORDER, row).rowcount != 1:
            raise ConflictError(
                "hotline.conflict",
                "工单已被他人更新，请刷新后重试",
                order_id=order.id,
                expected_version=expected_version,
            )
        try:
            self.conn.execute(_INSERT_EVENT, [event_to_row(e, now) for e in events])
        except IntegrityError as exc:
            raise ConflictError(
                "hotline.conflict", "工单已被他人更新，请刷新后重试", order_id=order.id
            ) from exc
