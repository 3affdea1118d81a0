"""District comprehensive assessment (综合考评): configurable items from platform figures,
manual entries and third-party survey scores, weighted into one score per district and
ranked within its peer group (同序列) and overall.

Every item is on a 0–100 scale (platform rates are percentages; manual and survey items are
entered as scores). An item marked ``lower_is_better`` scores 100 − value. A district without
a value for an item scores 0 on it, and the item is listed as missing: an official ranking
never silently rescales weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from cityops.domain.evaluation.scoring import competition_ranks
from cityops.errors import ValidationError


class ItemSource(StrEnum):
    PLATFORM = "platform"  # 平台指标 (an indicator of the registry)
    MANUAL = "manual"  # 人工考核 (on-site inspection scores, …)
    SURVEY = "survey"  # 第三方测评 (public satisfaction survey)

    @property
    def label_zh(self) -> str:
        return {"platform": "平台指标", "manual": "人工考核", "survey": "第三方测评"}[self.value]


@dataclass(frozen=True, slots=True)
class AssessmentItem:
    code: str
    name: str
    source: ItemSource
    weight: float
    indicator: str | None = None  # for platform items
    lower_is_better: bool = False


@dataclass(frozen=True)
class DistrictResult:
    district_code: str
    group: str
    score: float
    rank_in_group: int
    rank_overall: int
    items: dict[str, dict[str, float | None]] = field(default_factory=dict)  # code → value, score
    missing: tuple[str, ...] = ()


def check_items(items: Sequence[AssessmentItem]) -> None:
    if not items:
        raise ValidationError("assessment.no_items", "考评方案至少需要一个考评项")
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        raise ValidationError("assessment.item_duplicate", "考评项代码重复", codes=codes)
    for item in items:
        if not item.weight > 0:
            raise ValidationError(
                "assessment.weight_invalid", f"考评项“{item.name}”的权重必须大于0", item=item.code
            )
        if item.source == ItemSource.PLATFORM and not item.indicator:
            raise ValidationError(
                "assessment.indicator_required",
                f"平台指标考评项“{item.name}”必须指定指标",
                item=item.code,
            )


def item_score(item: AssessmentItem, value: float | None) -> float:
    if value is None:
        return 0.0
    v = min(100.0, max(0.0, float(value)))
    return 100.0 - v if item.lower_is_better else v


def assess(
    items: Sequence[AssessmentItem],
    values: Mapping[str, Mapping[str, float | None]],
    groups: Mapping[str, str],
    districts: Sequence[str],
) -> list[DistrictResult]:
    """``values``: district → item code → value (None or absent: missing). ``groups``:
    district → peer group (districts without one form the group “全市”)."""
    check_items(items)
    total_weight = sum(i.weight for i in items)
    scored: dict[str, tuple[float, dict[str, dict[str, float | None]], tuple[str, ...]]] = {}
    for district in districts:
        row = values.get(district, {})
        detail: dict[str, dict[str, float | None]] = {}
        missing: list[str] = []
        total = 0.0
        for item in items:
            value = row.get(item.code)
            if value is None:
                missing.append(item.code)
            s = item_score(item, value)
            detail[item.code] = {"value": value, "score": round(s, 2), "weight": item.weight}
            total += item.weight * s
        scored[district] = (round(total / total_weight, 2), detail, tuple(missing))
    overall = competition_ranks({d: s[0] for d, s in scored.items()})
    by_group: dict[str, dict[str, float | None]] = {}
    for d, (score, _, _) in scored.items():
        by_group.setdefault(groups.get(d, "全市"), {})[d] = score
    in_group: dict[str, int] = {}
    for members in by_group.values():
        in_group.update(competition_ranks(members))
    out = [
        DistrictResult(d, groups.get(d, "全市"), s, in_group[d], overall[d], detail, missing)
        for d, (s, detail, missing) in scored.items()
    ]
    return sorted(out, key=lambda r: (r.group, r.rank_in_group, r.district_code))
