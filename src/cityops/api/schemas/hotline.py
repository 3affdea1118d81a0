"""Hotline order and petition resources, command bodies and statistics answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from cityops.api.schemas.cases import LimitIn
from cityops.api.schemas.common import Strict
from cityops.domain.catalog.model import Urgency
from cityops.domain.geo.model import CoordSystem
from cityops.domain.hotline.petitions import PetitionChannel
from cityops.domain.hotline.vocabulary import (
    OrderChannel,
    OrderKind,
    ReexamFinding,
    ReopenReason,
    Satisfaction,
)

MAX_ID = 2**62  # ids beyond 64-bit integers are refused before they reach the database


class Versioned(Strict):
    expected_version: int | None = Field(
        default=None,
        ge=1,
        description="The order version the client saw; if newer, 409 hotline.stale_version",
    )


class OrderIn(Strict):
    content: str = Field(
        min_length=1, max_length=4000, examples=["和平路泉城公寓门口垃圾堆了好几天没人清运"]
    )
    kind: OrderKind = OrderKind.COMPLAINT
    channel: OrderChannel = OrderChannel.PHONE
    urgency: Urgency = Urgency.NORMAL
    address: str = Field(default="", max_length=500, examples=["历下区和平路泉城公寓"])
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: CoordSystem = CoordSystem.WGS84
    caller_name: str | None = Field(default=None, max_length=64)
    caller_phone: str | None = Field(default=None, max_length=32, pattern=r"^[0-9+\- ]*$")
    external_no: str | None = Field(
        default=None, max_length=64, description="The number in the city's 12345 platform"
    )
    class_code: str | None = Field(default=None, max_length=16)
    revisit_required: bool = Field(default=True, description="False: the caller declined a revisit")
    answer: str | None = Field(
        default=None, max_length=4000, description="Answered on the phone at once (直接答复)"
    )


class LocateIn(Strict):
    text: str = Field(min_length=1, max_length=4000, examples=["历下区经十路与历山路路口"])


class SuggestIn(Strict):
    content: str = Field(min_length=1, max_length=4000)
    address: str = Field(default="", max_length=500)


class ClassifyIn(Versioned):
    class_code: str = Field(min_length=1, max_length=16, examples=["06010"])
    note: str = Field(default="", max_length=4000)


class DispatchIn(Versioned):
    unit: str | None = Field(default=None, max_length=64, description="Default: the suggestion")
    opinion: str = Field(default="", max_length=4000, description="Required for a transfer")


class ReasonIn(Versioned):
    reason: str = Field(min_length=1, max_length=4000)


class NoteIn(Versioned):
    note: str = Field(min_length=1, max_length=4000)


class ExtensionIn(Versioned):
    amount: LimitIn
    reason: str = Field(min_length=1, max_length=4000)


class ExtensionDecisionIn(Versioned):
    approved: bool
    opinion: str = Field(default="", max_length=4000)
    granted: LimitIn | None = None


class ReplyIn(Versioned):
    text: str = Field(min_length=1, max_length=4000, examples=["垃圾已清运完毕"])
    resolved: bool = True
    contacted: bool = Field(default=True, description="The unit spoke with the caller")


class CaseIn(Versioned):
    lon: float | None = Field(
        default=None, ge=-180, le=180, description="Default: the order's place"
    )
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: CoordSystem = CoordSystem.WGS84
    class_code: str | None = Field(default=None, max_length=16)
    description: str | None = Field(default=None, max_length=4000)


class RevisitIn(Versioned):
    satisfaction: Satisfaction
    note: str = Field(default="", max_length=4000, description="Required when unsatisfied")


class CloseIn(Versioned):
    resolved: bool | None = Field(default=None, description="Default: from the reply and revisit")
    note: str = Field(default="", max_length=4000)


class ReopenIn(Versioned):
    reason_code: ReopenReason
    reason: str = Field(min_length=1, max_length=4000)
    unit: str | None = Field(default=None, max_length=64, description="Default: the last unit")


class ReexamineIn(Versioned):
    finding: ReexamFinding
    note: str = Field(min_length=1, max_length=4000)
    reopen_unit: str | None = Field(default=None, max_length=64)


class VoidIn(Versioned):
    reason: str = Field(min_length=1, max_length=4000)
    duplicate_of: int | None = Field(default=None, ge=1, le=MAX_ID)


class ContactIn(Strict):
    purpose: str = Field(min_length=1, max_length=200, examples=["回访"])


class ContactOut(BaseModel):
    order_id: int
    name: str | None
    phone: str | None


class PlacementOut(BaseModel):
    lon: float | None
    lat: float | None
    grid_code: str | None
    community_code: str | None
    street_code: str | None
    district_code: str | None
    level: str
    confidence: float
    matched: list[str]


class OrderOut(BaseModel):
    id: int
    order_no: str
    version: int
    state: str
    state_label: str
    kind: str
    kind_label: str
    channel: str
    urgency: str
    received_at: datetime
    received_by: str
    content: str
    address: str
    placement: PlacementOut
    caller_name: str | None = None
    caller_phone: str | None = None
    external_no: str | None
    class_code: str | None
    class_name: str | None
    class_source: str | None
    suggestion: dict[str, Any] | None
    revisit_required: bool
    unit: str | None
    unit_name: str | None
    dispatched_at: datetime | None
    sign_deadline: datetime | None
    signed_at: datetime | None
    handling_limit: str | None
    handling_deadline: datetime | None
    pending_extension: dict[str, Any] | None
    replied_at: datetime | None
    replied_by_unit: str | None
    reply: str | None
    resolved: bool | None
    replied_on_time: bool | None
    revisited_at: datetime | None
    satisfaction: str | None
    revisit_attempts: int
    closed_at: datetime | None
    closed_resolved: bool | None
    reexam_finding: str | None
    case_id: int | None
    case: dict[str, Any] | None = None
    duplicate_of: int | None
    dispatch_count: int
    transfer_count: int
    return_count: int
    reopen_count: int
    extension_count: int
    units_seen: list[str]
    overdue: bool


class IntakeOut(BaseModel):
    order: OrderOut
    created: bool


class CaseOpenedOut(BaseModel):
    order: OrderOut
    case_id: int
    case_no: str


class OrderEventOut(BaseModel):
    seq: int
    type: str
    type_label: str
    at: datetime
    actor: str
    role: str
    unit: str | None
    from_state: str | None
    to_state: str
    data: dict[str, Any]


class RatioOut(BaseModel):
    numerator: int
    denominator: int
    value: float | None


class RatesOut(BaseModel):
    key: str
    name: str | None = None
    received: int
    sign_on_time: RatioOut = Field(description="及时签收率")
    reply_on_time: RatioOut = Field(description="按时办结率")
    satisfaction: RatioOut = Field(description="回访满意率")
    closure: RatioOut = Field(description="办结率")


class RatesPageOut(BaseModel):
    period: str
    by: str
    as_of: datetime
    rows: list[RatesOut]


class TrainOut(BaseModel):
    model_id: int
    examples: int
    corrections: int
    classes: int
    units: int
    seconds: float


class PetitionIn(Strict):
    channel: PetitionChannel
    category: str = Field(min_length=1, max_length=64, examples=["市容环境"])
    subject: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=8000)
    petitioner_name: str | None = Field(default=None, max_length=64)
    petitioner_phone: str | None = Field(default=None, max_length=32, pattern=r"^[0-9+\- ]*$")
    people: int = Field(default=1, ge=1, le=10000)
    order_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    case_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PetitionAcceptIn(Strict):
    first_unit: str = Field(min_length=1, max_length=64)
    opinion: str = Field(default="", max_length=4000)


class PetitionExtendIn(Strict):
    days: int = Field(ge=1, le=365)
    reason: str = Field(min_length=1, max_length=4000)


class PetitionAnswerIn(Strict):
    text: str = Field(min_length=1, max_length=8000)
    resolved: bool


class PetitionReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=4000)


class PetitionNoteIn(Strict):
    note: str = Field(default="", max_length=4000)


class PetitionLinkIn(Strict):
    kind: str = Field(pattern=r"^(order|case)$")
    ref_id: int = Field(ge=1, le=MAX_ID)


class PetitionOut(BaseModel):
    id: int
    petition_no: str
    version: int
    state: str
    state_label: str
    channel: str
    category: str
    subject: str
    content: str
    received_at: datetime
    petitioner_name: str | None
    people: int
    repeat_count: int
    first_unit: str | None
    accept_deadline: datetime | None
    accepted_at: datetime | None
    answer_deadline: datetime | None
    extended_days: int
    answered_at: datetime | None
    answer: str | None
    resolved: bool | None
    review_deadline: datetime | None
    closed_at: datetime | None
    links: list[dict[str, Any]]
    long_standing: list[str]
    long_standing_labels: list[str]
    overdue: bool
