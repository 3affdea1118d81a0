"""District comprehensive assessment (综合考评): schemes with their items and peer groups,
manual and survey entries, and runs whose results are kept per period (a rerun adds a new
version; earlier versions stay). One transaction per command."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from cityops.adapters.db.tables.evaluation import (
    assessment_entries,
    assessment_groups,
    assessment_items,
    assessment_results,
    assessment_schemes,
)
from cityops.domain.evaluation.assessment import (
    AssessmentItem,
    DistrictResult,
    ItemSource,
    assess,
    check_items,
)
from cityops.domain.evaluation.definitions import RATES, ObjectKind
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.errors import NotFoundError, ValidationError
from cityops.services.evaluation.engine import engine_counts
from cityops.services.evaluation.evaluate import inspector_assignment, period_of
from cityops.services.evaluation.facts import refresh_facts
from cityops.services.evaluation.indicators import indicator
from cityops.services.profile import active_profile

AREA_GROUPS = {"urban": "城区", "rural": "县域"}


@dataclass(frozen=True)
class Scheme:
    id: int
    name: str
    items: tuple[AssessmentItem, ...]
    groups: dict[str, str]


def create_scheme(
    engine: Engine,
    name: str,
    items: Sequence[AssessmentItem],
    groups: Mapping[str, str] | None = None,
    *,
    note: str = "",
    actor: str = "system",
    now: datetime | None = None,
) -> Scheme:
    check_items(items)
    for item in items:
        if item.indicator:
            indicator(item.indicator)  # refuses unknown names
    at = now or datetime.now(UTC)
    with engine.begin() as conn:
        if conn.execute(
            select(assessment_schemes.c.id).where(assessment_schemes.c.name == name)
        ).first():
            raise ValidationError("assessment.scheme_exists", f"考评方案“{name}”已存在", name=name)
        result = conn.execute(
            insert(assessment_schemes).values(name=name, note=note, created_at=at, created_by=actor)
        )
        key = result.inserted_primary_key
        assert key is not None
        sid = int(key[0])
        conn.execute(
            insert(assessment_items),
            [
                {
                    "scheme_id": sid,
                    "code": i.code,
                    "name": i.name,
                    "source": i.source.value,
                    "indicator": i.indicator,
                    "weight": i.weight,
                    "lower_is_better": int(i.lower_is_better),
                    "position": n,
                }
                for n, i in enumerate(items, start=1)
            ],
        )
        if groups:
            conn.execute(
                insert(assessment_groups),
                [
                    {"scheme_id": sid, "district_code": d, "group_name": g}
                    for d, g in groups.items()
                ],
            )
        return _scheme(conn, sid)


def get_scheme(engine: Engine, name: str) -> Scheme:
    with engine.connect() as conn:
        sid = conn.execute(
            select(assessment_schemes.c.id).where(assessment_schemes.c.name == name)
        ).scalar()
        if sid is None:
            raise NotFoundError(
                "assessment.scheme_unknown", f"没有名为“{name}”的考评方案", name=name
            )
        return _scheme(conn, int(sid))


def _scheme(conn: Connection, sid: int) -> Scheme:
    name = conn.execute(
        select(assessment_schemes.c.name).where(assessment_schemes.c.id == sid)
    ).scalar_one()
    items = tuple(
        AssessmentItem(
            code=r.code,
            name=r.name,
            source=ItemSource(r.source),
            weight=float(r.weight),
            indicator=r.indicator,
            lower_is_better=bool(r.lower_is_better),
        )
        for r in conn.execute(
            select(assessment_items)
            .where(assessment_items.c.scheme_id == sid)
            .order_by(assessment_items.c.position)
        )
    )
    groups = {
        r.district_code: r.group_name
        for r in conn.execute(select(assessment_groups).where(assessment_groups.c.scheme_id == sid))
    }
    return Scheme(sid, name, items, groups)


def enter_values(
    engine: Engine,
    scheme_name: str,
    period: EvalPeriod | str,
    item_code: str,
    values: Mapping[str, float],
    *,
    source_note: str = "",
    actor: str = "system",
    now: datetime | None = None,
) -> int:
    """Record manual or survey values of one item (district → value, 0–100). Entries are
    appended; the latest entry of a district counts."""
    scheme = get_scheme(engine, scheme_name)
    item = next((i for i in scheme.items if i.code == item_code), None)
    if item is None:
        raise NotFoundError(
            "assessment.item_unknown", f"考评方案中没有考评项“{item_code}”", item=item_code
        )
    if item.source == ItemSource.PLATFORM:
        raise ValidationError(
            "assessment.item_is_platform",
            f"“{item.name}”取自平台指标，不能人工录入",
            item=item_code,
        )
    bad = {d: v for d, v in values.items() if not 0 <= float(v) <= 100}
    if bad:
        raise ValidationError("assessment.value_out_of_range", "考评分值应在0–100之间", values=bad)
    p = period_of(engine, period)
    at = now or datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(assessment_entries),
            [
                {
                    "scheme_id": scheme.id,
                    "item_code": item_code,
                    "period": p.label,
                    "district_code": d,
                    "value": float(v),
                    "source_note": source_note,
                    "entered_at": at,
                    "entered_by": actor,
                }
                for d, v in values.items()
            ],
        )
    return len(values)


def run_assessment(
    engine: Engine,
    scheme_name: str,
    period: EvalPeriod | str,
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> list[DistrictResult]:
    """Score and rank every district of the city profile for a period and keep the result
    (a new version of the period)."""
    scheme = get_scheme(engine, scheme_name)
    profile = active_profile(engine)
    p = period_of(engine, period, profile)
    lo, hi = p.utc_bounds()
    values: dict[str, dict[str, float | None]] = defaultdict(dict)
    refresh_facts(engine)
    with engine.connect() as conn:
        assignment = inspector_assignment(conn)
        by_channels: dict[frozenset[str] | None, Any] = {}
        for item in scheme.items:
            if item.source != ItemSource.PLATFORM or item.indicator is None:
                continue
            ind = indicator(item.indicator)
            if ind.channels not in by_channels:
                by_channels[ind.channels] = engine_counts(conn, lo, hi, assignment, ind.channels)
            counts = by_channels[ind.channels]
            for (kind, code), c in counts.items():
                if kind != ObjectKind.DISTRICT:
                    continue
                if ind.rate is not None:
                    values[code][item.code] = RATES[ind.rate].value(c)
                elif ind.count is not None:
                    values[code][item.code] = float(c.get(ind.count, 0))
        latest = (
            select(
                assessment_entries.c.item_code,
                assessment_entries.c.district_code,
                assessment_entries.c.value,
            )
            .where(
                assessment_entries.c.scheme_id == scheme.id, assessment_entries.c.period == p.label
            )
            .order_by(assessment_entries.c.id)
        )
        for item_code, district, value in conn.execute(latest):
            values[district][item_code] = float(value)
    districts = sorted(set(profile.regions) | set(values) | set(scheme.groups))
    groups = {
        d: scheme.groups.get(d) or AREA_GROUPS.get(profile.area_class(d).value, "全市")
        for d in districts
    }
    results = assess(scheme.items, values, groups, districts)
    at = now or datetime.now(UTC)
    with engine.begin() as conn:
        r = assessment_results
        version = (
            conn.execute(
                select(func.max(r.c.version)).where(
                    r.c.scheme_id == scheme.id, r.c.period == p.label
                )
            ).scalar()
            or 0
        ) + 1
        conn.execute(
            insert(r),
            [
                {
                    "scheme_id": scheme.id,
                    "period": p.label,
                    "district_code": x.district_code,
                    "group_name": x.group,
                    "score": x.score,
                    "rank_in_group": x.rank_in_group,
                    "rank_overall": x.rank_overall,
                    "details": {"items": x.items, "missing": list(x.missing)},
                    "computed_at": at,
                    "computed_by": actor,
                    "version": version,
                }
                for x in results
            ],
        )
    return results


def history(engine: Engine, scheme_name: str, district: str | None = None) -> list[dict[str, Any]]:
    """The latest result of every period (and district), oldest period first."""
    scheme = get_scheme(engine, scheme_name)
    r = assessment_results
    newest = (
        select(r.c.period, func.max(r.c.version).label("v"))
        .where(r.c.scheme_id == scheme.id)
        .group_by(r.c.period)
        .subquery()
    )
    stmt = (
        select(r)
        .join(newest, (newest.c.period == r.c.period) & (newest.c.v == r.c.version))
        .where(r.c.scheme_id == scheme.id)
        .order_by(r.c.period, r.c.group_name, r.c.rank_in_group, r.c.district_code)
    )
    if district is not None:
        stmt = stmt.where(r.c.district_code == district)
    with engine.connect() as conn:
        return [
            {
                "period": row.period,
                "district_code": row.district_code,
                "group": row.group_name,
                "score": row.score,
                "rank_in_group": row.rank_in_group,
                "rank_overall": row.rank_overall,
                "version": row.version,
                "details": row.details,
            }
            for row in conn.execute(stmt)
        ]


def scheme_from_document(
    doc: Mapping[str, Any],
) -> tuple[str, list[AssessmentItem], dict[str, str]]:
    """A scheme written as TOML/JSON: ``name``, ``[[items]]`` (code, name, source, weight,
    indicator, lower_is_better) and ``[groups]`` (district code → peer group)."""
    try:
        name = str(doc["name"])
        items = [
            AssessmentItem(
                code=str(i["code"]),
                name=str(i.get("name") or i["code"]),
                source=ItemSource(str(i.get("source", "manual"))),
                weight=float(i["weight"]),
                indicator=i.get("indicator"),
                lower_is_better=bool(i.get("lower_is_better", False)),
            )
            for i in doc["items"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            "assessment.scheme_invalid",
            "考评方案格式有误：需要 name 和 items（code、weight、source）",
            error=str(exc),
        ) from None
    groups = {str(k): str(v) for k, v in (doc.get("groups") or {}).items()}
    return name, items, groups


def period_label(engine: Engine, period: EvalPeriod | str) -> str:
    return period_of(engine, period).label
