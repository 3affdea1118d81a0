"""Request and response models of the exchange with other platforms."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from cityops.api.schemas.common import Strict
from cityops.domain.cases.vocabulary import EventType


class ExchangeTargetOut(Strict):
    name: str = Field(examples=["province"])
    url: str = Field(examples=["https://sjjh.example.gov.cn/cityops/events"])
    event_types: list[EventType] | None = Field(description="null: every event type")
    active: bool
    delivered: int = Field(description="Records delivered so far")
    behind: int = Field(description="Events of the log not yet delivered (0: caught up)")
    failures: int = Field(description="Consecutive failed deliveries")
    last_error: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    next_attempt_at: datetime | None = Field(description="After failures: not tried before")
    created_at: datetime
    created_by: str


class ExchangeTargetIn(Strict):
    name: str = Field(min_length=2, max_length=64, examples=["province"])
    url: str = Field(min_length=8, max_length=500, examples=["https://sjjh.example.gov.cn/in"])
    secret: str | None = Field(
        default=None, min_length=16, max_length=200, description="Default: generated"
    )
    event_types: list[EventType] | None = Field(default=None, description="Default: every type")
    from_start: bool = Field(default=True, description="False: only events from now on")


class ExchangeTargetCreated(ExchangeTargetOut):
    secret: str = Field(description="The signing secret: shown this once, give it to the receiver")


class ExchangeTargetPatch(Strict):
    active: bool | None = None
    url: str | None = Field(default=None, min_length=8, max_length=500)
    event_types: list[EventType] | None = Field(
        default=None, description="The types sent; an empty list: every type"
    )


class PushOut(Strict):
    target: str
    sent: int
    cursor: int
    error: str | None
