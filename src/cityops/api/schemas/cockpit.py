"""The cockpit's (驾驶舱) summary and the messages of its live stream. Times are ISO 8601 in
the city's time zone; rates are percentages with two decimals, ``null`` when the
denominator is 0. Definitions: ``docs/cockpit.md``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChannelCountOut(BaseModel):
    channel: str = Field(examples=["hotline"])
    label_zh: str = Field(examples=["12345热线"])
    count: int


class HourCountOut(BaseModel):
    hour: str = Field(description="Local hour", examples=["08:00"])
    start: str = Field(examples=["2025-10-21T08:00:00+08:00"])
    count: int


class TodayOut(BaseModel):
    date: str = Field(examples=["2025-10-21"])
    intake: int = Field(description="Cases reported today until now (上报数)")
    by_channel: list[ChannelCountOut] = Field(description="Every channel, zeros included")
    by_hour: list[HourCountOut] = Field(description="Every hour of the local day")


class StateCountOut(BaseModel):
    state: str = Field(examples=["dispatched"])
    label_zh: str = Field(examples=["处置中"])
    count: int


class OpenOut(BaseModel):
    total: int = Field(description="Open cases (not rejected, closed or cancelled)")
    by_state: list[StateCountOut]
    red: int = Field(description="Open cases whose current stage is overdue (红灯)")
    yellow: int = Field(description="Open cases past 80 % of their limit (黄灯)")
    green: int
    suspended: int = Field(description="Open cases whose handling clock is stopped (挂账)")


class RatesOut(BaseModel):
    period: str = Field(description="The days, as an evaluation period", examples=["2025-10-21"])
    closure_due: int = Field(description="应结案数: filed cases open now + cases closed in it")
    closed: int = Field(description="结案数")
    closed_on_time: int = Field(description="按期结案数")
    closure_rate: float | None = Field(description="结案率 (%), as the evaluation's")
    on_time_closure_rate: float | None = Field(description="按期结案率 (%), as the evaluation's")
    handled: int = Field(description="Handlings reported in the period (处置反馈)")
    handled_on_time: int
    on_time_handling_share: float | None = Field(
        description="Of the handlings reported, the share within the limit (%)"
    )
    dispatched: int = Field(description="Dispatches in the period (派遣)")
    dispatched_on_time: int
    on_time_dispatch_share: float | None = Field(
        description="Of the dispatches, the share within the dispatch stage limit (%)"
    )


class PeriodRatesOut(BaseModel):
    today: RatesOut
    month: RatesOut = Field(description="From the first of the month until now")


class UnitOverdueOut(BaseModel):
    unit: str = Field(examples=["street.370102001"])
    name: str | None = Field(examples=["解放路街道办事处"])
    red: int
    yellow: int
    open: int = Field(description="Cases the unit holds now")


class UnitClosureOut(BaseModel):
    unit: str
    name: str | None
    closure_due: int
    closed: int
    closed_on_time: int
    closure_rate: float | None
    on_time_closure_rate: float | None


class UnitsOut(BaseModel):
    by_overdue: list[UnitOverdueOut] = Field(description="Most overdue cases first")
    by_closure: list[UnitClosureOut] = Field(description="This month's best closure rates")
    lowest_closure: list[UnitClosureOut] = Field(description="This month's lowest closure rates")


class TrendDayOut(BaseModel):
    date: str
    intake: int = Field(description="Cases reported that day")
    closed: int = Field(description="Cases closed that day")


class HeatCellOut(BaseModel):
    code: str | None = Field(description="Grid code, or h<q>_<r> for a hexagon")
    name: str | None
    lon: float | None = Field(description="WGS84; null for a grid without geometry")
    lat: float | None
    count: int


class HeatOut(BaseModel):
    mode: str = Field(examples=["grid"])
    days: int
    since: str
    hex_m: float | None
    total: int
    max: int
    cells: list[HeatCellOut] = Field(description="Most reports first")


class CockpitEventOut(BaseModel):
    """One case event: also the ``data`` of a ``case_event`` message of the stream."""

    id: int = Field(description="The event's id in the log (the stream's event id)")
    case_id: int
    case_no: str | None
    seq: int
    type: str = Field(examples=["dispatched"])
    type_zh: str = Field(examples=["派遣"])
    at: str
    role: str
    role_zh: str
    actor: str = Field(description="Login of the staff member; 市民 for a citizen")
    from_state: str | None
    to_state: str
    to_state_zh: str
    district_code: str | None
    grid_code: str | None
    class_code: str | None
    class_name: str | None
    unit: str | None = Field(description="The case's responsible unit now")
    unit_name: str | None
    light: str | None


class CockpitOut(BaseModel):
    computed_at: str
    now: str
    time_zone: str
    city: str
    district: str | None = Field(description="The district this summary is limited to")
    district_name: str | None
    last_event_id: int = Field(description="Open the stream from here (Last-Event-ID)")
    today: TodayOut
    open: OpenOut
    rates: PeriodRatesOut
    units: UnitsOut
    trend_7d: list[TrendDayOut]
    trend_30d: list[TrendDayOut]
    heat: HeatOut
    events: list[CockpitEventOut] = Field(description="The latest events, newest first")
