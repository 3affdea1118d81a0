"""Catalog browsing: the classes of the active profile by kind, major and standard, one class
with its filing conditions, the filing conditions, the legacy mapping and the units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from cityops.api.deps import RT, CurrentUser, Staff
from cityops.api.schemas.catalog import (
    ClassDetailOut,
    ClassOut,
    ConditionOut,
    LegacyMappingOut,
    LimitOut,
    MajorOut,
    RoutingRuleOut,
    UnitOut,
)
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.domain.catalog.legacy_mapping import LegacyMapping, MappingMethod, legacy_mapping
from cityops.domain.catalog.model import (
    CatalogClass,
    CityProfile,
    ClassKind,
    FilingCondition,
    UnitKind,
    Urgency,
)
from cityops.errors import NotFoundError

router = APIRouter(prefix="/catalog", tags=["catalog 目录"], responses=ERROR_RESPONSES)

ClassCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z_.\-]{1,16}$", examples=["06010"])]


def _classes(profile: CityProfile, kind: ClassKind) -> dict[str, CatalogClass]:
    return profile.classes if kind == ClassKind.MATTER else profile.components


def _matches(c: CatalogClass, text: str) -> bool:
    return text in c.name or c.code.startswith(text) or any(text in a for a in c.aliases)


def _class_out(profile: CityProfile, c: CatalogClass) -> ClassOut:
    count = len(profile.conditions_for(c.code)) if c.kind == ClassKind.MATTER else 0
    return ClassOut(
        code=c.code,
        kind=c.kind.value,
        major_code=c.major_code,
        major_name=c.major_name,
        name=c.name,
        standard=c.standard,
        aliases=list(c.aliases),
        condition_count=count,
    )


def condition_out(profile: CityProfile, c: FilingCondition) -> ConditionOut:
    cls = profile.classes.get(c.class_code)
    return ConditionOut(
        code=c.code,
        class_code=c.class_code,
        class_name=cls.name if cls else None,
        text=c.text,
        limit=LimitOut(value=c.limit.value, unit=c.limit.unit.value, label=c.limit.label_zh()),
        urgency=c.urgency.value,
        closure_condition=c.closure_condition,
        default_unit=c.default_unit,
    )


def _mapping_out(m: LegacyMapping) -> LegacyMappingOut:
    return LegacyMappingOut(
        kind=m.kind.value,
        legacy_code=m.legacy_code,
        legacy_name=m.legacy_name,
        national_code=m.national_code,
        national_name=m.national_name,
        method=m.method.value,
        note=m.note,
    )


@router.get(
    "/classes",
    summary="分类列表 Classes by kind, major and standard",
    response_model=list[ClassOut],
)
def classes(
    rt: RT,
    user: CurrentUser,
    kind: Annotated[ClassKind, Query(description="matter (事件) or component (部件)")] = (
        ClassKind.MATTER
    ),
    major: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z]{1,4}$", examples=["06"])] = None,
    standard: Annotated[
        str | None, Query(max_length=32, examples=["GB/T 47678.5-2026", "local"])
    ] = None,
    q: Annotated[str | None, Query(max_length=32, description="Part of the name or code")] = None,
) -> list[ClassOut]:
    profile = rt.policy.profile
    out = []
    for c in _classes(profile, kind).values():
        if major and c.major_code != major:
            continue
        if standard and c.standard != standard:
            continue
        if q and not _matches(c, q):
            continue
        out.append(_class_out(profile, c))
    return out


@router.get("/majors", summary="大类 Major classes", response_model=list[MajorOut])
def majors(
    rt: RT, user: CurrentUser, kind: Annotated[ClassKind, Query()] = ClassKind.MATTER
) -> list[MajorOut]:
    found: dict[str, MajorOut] = {}
    for c in _classes(rt.policy.profile, kind).values():
        m = found.get(c.major_code)
        if m is None:
            m = found[c.major_code] = MajorOut(
                kind=kind.value, code=c.major_code, name=c.major_name, class_count=0
            )
        m.class_count += 1
    return sorted(found.values(), key=lambda m: m.code)


@router.get(
    "/classes/{code}",
    summary="分类详情 One class with its filing conditions, routing rules and legacy classes",
    response_model=ClassDetailOut,
)
def one_class(
    rt: RT,
    user: CurrentUser,
    code: ClassCode,
    kind: Annotated[ClassKind, Query()] = ClassKind.MATTER,
) -> ClassDetailOut:
    profile = rt.policy.profile
    c = _classes(profile, kind).get(code)
    if c is None:
        raise NotFoundError("catalog.class_not_found", f"分类“{code}”不存在", class_code=code)
    base = _class_out(profile, c)
    rules = [
        RoutingRuleOut(
            class_pattern=r.class_pattern, area_code=r.area_code, unit_code=r.unit_code, note=r.note
        )
        for r in profile.routing
        if r.class_pattern == code
        or (r.class_pattern.endswith("*") and code.startswith(r.class_pattern[:-1]))
    ]
    legacy = [
        _mapping_out(m) for m in legacy_mapping() if m.kind == kind and m.national_code == code
    ]
    return ClassDetailOut(
        **base.model_dump(),
        conditions=[condition_out(profile, x) for x in profile.conditions_for(code)],
        routing=rules,
        legacy=legacy,
    )


@router.get(
    "/conditions",
    summary="立案条件 Filing conditions (with time limit and closure condition)",
    response_model=list[ConditionOut],
)
def conditions(
    rt: RT,
    user: CurrentUser,
    class_code: Annotated[str | None, Query(max_length=16, examples=["06010"])] = None,
    urgency: Annotated[Urgency | None, Query()] = None,
) -> list[ConditionOut]:
    profile = rt.policy.profile
    return [
        condition_out(profile, c)
        for c in profile.conditions.values()
        if (class_code is None or c.class_code == class_code)
        and (urgency is None or c.urgency == urgency)
    ]


@router.get(
    "/conditions/{code}", summary="一条立案条件 One filing condition", response_model=ConditionOut
)
def one_condition(
    rt: RT,
    user: CurrentUser,
    code: Annotated[str, Path(max_length=32, examples=["06010-01"])],
) -> ConditionOut:
    profile = rt.policy.profile
    c = profile.conditions.get(code)
    if c is None:
        raise NotFoundError(
            "catalog.condition_not_found", f"立案条件“{code}”不存在", condition_code=code
        )
    return condition_out(profile, c)


@router.get(
    "/legacy-mapping",
    summary="新旧分类对照 Legacy (CJ/T 214-2007) → national (GB/T 47678.5-2026)",
    response_model=list[LegacyMappingOut],
)
def mapping(
    user: CurrentUser,
    kind: Annotated[ClassKind | None, Query()] = None,
    method: Annotated[MappingMethod | None, Query()] = None,
    legacy_code: Annotated[str | None, Query(max_length=8, examples=["0101"])] = None,
    national_code: Annotated[str | None, Query(max_length=8, examples=["08001"])] = None,
) -> list[LegacyMappingOut]:
    return [
        _mapping_out(m)
        for m in legacy_mapping()
        if (kind is None or m.kind == kind)
        and (method is None or m.method == method)
        and (legacy_code is None or m.legacy_code == legacy_code)
        and (national_code is None or m.national_code == national_code)
    ]


@router.get("/units", summary="单位 Units (departments, districts, streets…)")
def units(rt: RT, user: Staff, kind: Annotated[UnitKind | None, Query()] = None) -> list[UnitOut]:
    return [
        UnitOut(
            code=u.code,
            name=u.name,
            kind=u.kind.value,
            parent=u.parent_code,
            region_code=u.region_code,
        )
        for u in rt.policy.profile.units.values()
        if kind is None or u.kind == kind
    ]
