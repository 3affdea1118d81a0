"""A hotline work order (工单) as a value, and the events it is made of.

The caller's name and phone appear here only masked; the full number lives in a separate,
protected store (see ``docs/hotline.md``) and never in an order, an event or a log line.
``caller_key`` is a keyed hash of the number, so repeat callers can be counted without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import Urgency
from cityops.domain.hotline.vocabulary import (
    OrderChannel,
    OrderEventType,
    OrderKind,
    OrderState,
    Satisfaction,
)

ORDER_EVENT_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One append-only record of an order's history; (order_id, seq) is unique."""

    order_id: int
    seq: int
    type: OrderEventType
    at: datetime
    actor: str
    role: Role
    unit: str | None
    from_state: OrderState | None
    to_state: OrderState
    data: Mapping[str, Any]
    schema_version: int = ORDER_EVENT_SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the order is: the matched position and areas, and how it was found."""

    lon: float | None = None
    lat: float | None = None
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    district_code: str | None = None
    level: str = "none"  # point | place | crossing | road | community | street | district | none
    confidence: float = 0.0
    matched: tuple[str, ...] = ()  # the names found in the address text

    def to_dict(self) -> dict[str, Any]:
        return {
            "lon": self.lon,
            "lat": self.lat,
            "grid_code": self.grid_code,
            "community_code": self.community_code,
            "street_code": self.street_code,
            "district_code": self.district_code,
            "level": self.level,
            "confidence": self.confidence,
            "matched": list(self.matched),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Placement:
        return cls(
            d.get("lon"),
            d.get("lat"),
            d.get("grid_code"),
            d.get("community_code"),
            d.get("street_code"),
            d.get("district_code"),
            str(d.get("level") or "none"),
            float(d.get("confidence") or 0.0),
            tuple(d.get("matched") or ()),
        )


@dataclass(frozen=True)
class Order:
    id: int
    order_no: str
    version: int  # seq of the last event
    state: OrderState
    kind: OrderKind
    channel: OrderChannel
    urgency: Urgency
    received_at: datetime
    received_by: str
    content: str
    address: str
    placement: Placement = field(default_factory=Placement)
    caller_name: str | None = None  # masked
    caller_phone: str | None = None  # masked
    caller_key: str | None = None  # keyed hash of the full number (repeat callers)
    external_no: str | None = None  # the number in the city's 12345 platform, if any
    class_code: str | None = None
    class_source: str | None = None  # intake | classifier | dispatcher | case
    suggestion: Mapping[str, Any] | None = None  # the classifier's suggestion at intake
    revisit_required: bool = True
    # the current assignment (派单)
    unit: str | None = None
    dispatched_at: datetime | None = None
    sign_deadline: datetime | None = None
    signed_at: datetime | None = None
    handling_limit: str | None = None
    handling_deadline: datetime | None = None
    pending_extension: Mapping[str, Any] | None = None
    first_dispatched_at: datetime | None = None
    # reply, revisit, closure
    replied_at: datetime | None = None
    replied_by_unit: str | None = None
    reply: str | None = None
    resolved: bool | None = None  # the unit's (or the case's) word on the reply
    replied_on_time: bool | None = None
    revisited_at: datetime | None = None
    satisfaction: Satisfaction | None = None
    revisit_attempts: int = 0
    closed_at: datetime | None = None
    closed_resolved: bool | None = None
    reexamined_at: datetime | None = None
    reexam_finding: str | None = None
    case_id: int | None = None
    duplicate_of: int | None = None
    # counters
    dispatch_count: int = 0
    transfer_count: int = 0
    return_count: int = 0
    reopen_count: int = 0
    extension_count: int = 0
    units_seen: tuple[str, ...] = ()  # every unit that held the order, in order
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state not in (OrderState.CLOSED, OrderState.VOIDED)

    def current_deadline(self) -> datetime | None:
        if self.state == OrderState.DISPATCHED:
            return self.sign_deadline
        if self.state == OrderState.SIGNED:
            return self.handling_deadline
        return None
