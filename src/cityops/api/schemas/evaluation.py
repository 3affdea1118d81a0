"""Resources of the evaluation API (综合评价, 指标目标, 综合考评) and the bodies of its
commands, with the functions that build them from the evaluation services' values.

Rates are percentages (two decimals), ``null`` when their denominator is 0; changes of rates
(环比/同比) are in percentage points, changes of counts in percent. Definitions of every
figure: ``docs/evaluation.md``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from cityops.api.schemas.common import Strict
from cityops.domain.evaluation.assessment import DistrictResult, ItemSource
from cityops.domain.evaluation.definitions import COUNTS_OF, RATES, Count
from cityops.domain.evaluation.results import Change, Evaluation, ObjectResult
from cityops.services.evaluation.assessment import Scheme
from cityops.services.evaluation.indicators import Indicator
from cityops.services.evaluation.targets import Target

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(max_length=128, pattern=NO_CONTROL)]
LongText = Annotated[str, StringConstraints(max_length=2000, pattern=NO_CONTROL)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[\w.\-]+$")]
Period = Annotated[
    str,
    StringConstraints(min_length=4, max_length=32, pattern=NO_CONTROL),
]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Score = Annotated[float, Field(ge=0, le=100)]


# ----------------------------------------------------------------------------- evaluation


class ChangeOut(BaseModel):
    """The same object in a comparison period: the period before (环比) or a year before (同比)."""

    period: str = Field(examples=["2025-09"])
    score: float | None
    score_delta: float | None = Field(description="This score minus that score")
    counts: dict[str, int] = Field(description="That period's counts")
    count_changes: dict[str, float | None] = Field(description="Change of each count, in %")
    rates: dict[str, float | None] = Field(description="That period's rates")
    rate_deltas: dict[str, float | None] = Field(
        description="Change of each rate, in percentage points"
    )


class ObjectOut(BaseModel):
    kind: str = Field(examples=["district"])
    kind_zh: str = Field(examples=["区县"])
    code: str = Field(examples=["370102"], description="Region code, unit code or login; * city")
    name: str = Field(examples=["历下区"])
    parent: str | None = Field(description="The enclosing region (a street's district, …)")
    counts: dict[str, int] = Field(description="The kind's counts (docs/evaluation.md)")
    rates: dict[str, float | None]
    score: float | None = Field(description="Composite score 0–100; null without data")
    grade: str | None = Field(examples=["B"])
    rank: int | None = Field(description="Among the objects of the same kind (1, 2, 2, 4)")
    ranked: int = Field(description="How many objects of this kind have a rank")
    items: dict[str, float | None] = Field(description="Composite score items (weighted)")
    mom: ChangeOut | None = Field(description="环比 (null when not compared)")
    yoy: ChangeOut | None = Field(description="同比 (null when not compared)")


class EvaluationOut(BaseModel):
    period: str = Field(examples=["2025-10"])
    period_zh: str = Field(examples=["2025年10月"])
    period_kind: str = Field(examples=["month"])
    start: str = Field(examples=["2025-10-01"])
    end: str = Field(examples=["2025-10-31"], description="Last day, inclusive")
    time_zone: str
    utc_bounds: list[str] = Field(description="[lo, hi) of the events that count, in UTC")
    computed_at: str
    city: str
    previous_period: str | None
    year_ago_period: str | None
    rate_labels: dict[str, str] = Field(description="Rate key → Chinese name")
    count_labels: dict[str, str] = Field(description="Count key → Chinese name")
    objects: list[ObjectOut] = Field(description="By kind, then by rank")
    total: int = Field(description="Objects listed (before `limit`)")


def _change(change: Change | None, o: ObjectResult) -> ChangeOut | None:
    if change is None:
        return None
    return ChangeOut(
        period=change.period,
        score=change.score,
        score_delta=o.score_delta(change),
        counts=dict(change.counts),
        count_changes={k: change.count_change(k, v) for k, v in o.counts.items()},
        rates={k: _r(v) for k, v in change.rates.items()},
        rate_deltas={k: change.rate_delta(k, v) for k, v in o.rates.items()},
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def object_out(o: ObjectResult, ranked: int) -> ObjectOut:
    return ObjectOut(
        kind=o.kind.value,
        kind_zh=o.kind.label_zh,
        code=o.code,
        name=o.name,
        parent=o.parent,
        counts={c.value: o.count(c) for c in COUNTS_OF[o.kind]},
        rates={k: _r(v) for k, v in o.rates.items()},
        score=o.score,
        grade=o.grade,
        rank=o.rank,
        ranked=ranked,
        items={k: _r(v) for k, v in o.items.items()},
        mom=_change(o.mom, o),
        yoy=_change(o.yoy, o),
    )


def evaluation_out(
    ev: Evaluation, objects: list[ObjectResult], limit: int | None = None
) -> EvaluationOut:
    ranked = {k: sum(1 for o in objs if o.rank is not None) for k, objs in ev.objects.items()}
    head = ev.to_dict()
    return EvaluationOut(
        period=head["period"],
        period_zh=head["period_zh"],
        period_kind=head["kind"],
        start=head["start"],
        end=head["end"],
        time_zone=head["time_zone"],
        utc_bounds=head["utc_bounds"],
        computed_at=head["computed_at"],
        city=head["city"],
        previous_period=head["previous_period"],
        year_ago_period=head["year_ago_period"],
        rate_labels={k: r.label_zh for k, r in RATES.items()},
        count_labels={c.value: c.label_zh for c in Count},
        objects=[object_out(o, ranked.get(o.kind, 0)) for o in objects[:limit]],
        total=len(objects),
    )


class ObjectEvaluationOut(BaseModel):
    period: str
    period_zh: str
    computed_at: str
    object: ObjectOut


# ----------------------------------------------------------------------------- indicators


class IndicatorOut(BaseModel):
    name: str = Field(examples=["closure_rate"], description="The registry key")
    label_zh: str = Field(examples=["结案率"])
    unit: str = Field(examples=["%"], description="% for a rate, 件 for a count")
    channels: list[str] | None = Field(description="Only cases of these channels (hotline.*)")


def indicator_out(i: Indicator) -> IndicatorOut:
    return IndicatorOut(
        name=i.name,
        label_zh=i.label_zh,
        unit=i.unit,
        channels=sorted(i.channels) if i.channels else None,
    )


class MeasureOut(BaseModel):
    indicator: str
    label_zh: str
    unit: str
    period: str
    object: str = Field(examples=["district:370102"])
    value: float | None = Field(description="null: a rate without data in the period")


# ----------------------------------------------------------------------------- targets


class TargetIn(Strict):
    indicator: Text = Field(examples=["结案率"], description="Registry key or Chinese name")
    period: Period = Field(examples=["2025-10"])
    comparator: Literal[">=", "<=", ">", "<", "=", "≥", "≤"] = ">="
    target: float = Field(ge=-1e12, le=1e12, examples=[95])
    object: Text | None = Field(
        default=None, examples=["district:370102"], description="kind:code; omitted: the city"
    )
    note: LongText = ""


class TargetOut(BaseModel):
    id: int
    indicator: str
    indicator_zh: str
    object: str = Field(examples=["city:*"])
    period: str
    comparator: str
    target: float
    measured: float | None
    status: str | None = Field(description="met | not_met | no_data; null until measured")
    status_zh: str | None
    measured_at: datetime | None
    note: str


def target_out(t: Target) -> TargetOut:
    d = t.to_dict()
    return TargetOut(**d, measured_at=t.measured_at)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- assessment


class SchemeItemIn(Strict):
    code: Code = Field(examples=["closure"])
    name: Text = Field(default="", examples=["结案率"])
    source: ItemSource = Field(description="platform | manual | survey")
    weight: float = Field(gt=0, le=1000, examples=[40])
    indicator: Text | None = Field(default=None, description="For platform items")
    lower_is_better: bool = False


class SchemeIn(Strict):
    name: Text = Field(min_length=1, examples=["城市管理综合考评"])
    items: list[SchemeItemIn] = Field(min_length=1, max_length=50)
    groups: dict[DistrictCode, Text] = Field(
        default_factory=dict, description="District → peer group (同序列)"
    )
    note: LongText = ""

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "items": [
                {**i.model_dump(), "source": i.source.value, "name": i.name or i.code}
                for i in self.items
            ],
            "groups": dict(self.groups),
        }


class SchemeItemOut(BaseModel):
    code: str
    name: str
    source: str
    source_zh: str
    weight: float
    indicator: str | None
    lower_is_better: bool


class SchemeOut(BaseModel):
    id: int
    name: str
    items: list[SchemeItemOut]
    groups: dict[str, str]


def scheme_out(s: Scheme) -> SchemeOut:
    return SchemeOut(
        id=s.id,
        name=s.name,
        items=[
            SchemeItemOut(
                code=i.code,
                name=i.name,
                source=i.source.value,
                source_zh=i.source.label_zh,
                weight=i.weight,
                indicator=i.indicator,
                lower_is_better=i.lower_is_better,
            )
            for i in s.items
        ],
        groups=dict(s.groups),
    )


class SchemeSummaryOut(BaseModel):
    id: int
    name: str
    note: str
    items: int
    created_at: datetime
    created_by: str


class EntriesIn(Strict):
    period: Period = Field(examples=["2025-10"])
    item: Code = Field(examples=["survey"])
    values: dict[DistrictCode, Score] = Field(
        min_length=1, max_length=500, examples=[{"370102": 88.5, "370103": 91}]
    )
    source: Text = Field(default="", description="Who measured it, e.g. the survey company")


class EntriesOut(BaseModel):
    scheme: str
    period: str
    item: str
    entered: int


class RunIn(Strict):
    period: Period = Field(examples=["2025-10"])


class ItemScoreOut(BaseModel):
    value: float | None
    score: float | None
    weight: float | None


class DistrictResultOut(BaseModel):
    district_code: str
    district_name: str
    group: str = Field(examples=["城区"], description="Peer group (同序列)")
    score: float
    rank_in_group: int
    rank_overall: int
    items: dict[str, ItemScoreOut]
    missing: list[str] = Field(description="Items without a value (scored 0)")


def result_out(r: DistrictResult, name: str) -> DistrictResultOut:
    return DistrictResultOut(
        district_code=r.district_code,
        district_name=name,
        group=r.group,
        score=r.score,
        rank_in_group=r.rank_in_group,
        rank_overall=r.rank_overall,
        items={k: ItemScoreOut(**v) for k, v in r.items.items()},
        missing=list(r.missing),
    )


class RunOut(BaseModel):
    scheme: str
    period: str
    results: list[DistrictResultOut] = Field(description="By peer group, then rank")


class HistoryRowOut(BaseModel):
    period: str
    district_code: str
    district_name: str
    group: str
    score: float
    rank_in_group: int
    rank_overall: int
    version: int = Field(description="Runs of the period so far; this is the latest")
    items: dict[str, ItemScoreOut]
    missing: list[str]


def history_out(row: dict[str, Any], name: str) -> HistoryRowOut:
    details = row.get("details") or {}
    return HistoryRowOut(
        period=row["period"],
        district_code=row["district_code"],
        district_name=name,
        group=row["group"],
        score=row["score"],
        rank_in_group=row["rank_in_group"],
        rank_overall=row["rank_overall"],
        version=row["version"],
        items={k: ItemScoreOut(**v) for k, v in (details.get("items") or {}).items()},
        missing=list(details.get("missing") or []),
    )
