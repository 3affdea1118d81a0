"""Suggestions before a command: which unit a (class, point) goes to (派遣建议), and which open
cases a new report of (class, point, time) may duplicate (重复案卷)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cityops.api.deps import RT, require_roles
from cityops.api.routes.geo import locate_out
from cityops.api.schemas.catalog import RoutingRuleOut
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.suggest import DuplicateOut, DuplicatesOut, RoutingOut
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.routing import suggest_unit
from cityops.domain.geo.model import CoordSystem, Location
from cityops.errors import ValidationError
from cityops.services import case_queries as q
from cityops.services.cases import duplicate_candidates
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/suggest", tags=["suggest 建议"], responses=ERROR_RESPONSES)

Suggester = Annotated[
    User,
    Depends(
        require_roles(
            Role.INSPECTOR, Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.LEADER
        )
    ),
]
ClassQuery = Annotated[str, Query(min_length=1, max_length=16, examples=["06010"])]
Lon = Annotated[float, Query(ge=-180, le=180, examples=[117.0137])]
Lat = Annotated[float, Query(ge=-90, le=90, examples=[36.6617])]


def _known_class(rt: Runtime, class_code: str) -> None:
    if class_code not in rt.policy.profile.classes:
        raise ValidationError(
            "catalog.class_unknown", f"分类“{class_code}”不在本市目录中", class_code=class_code
        )


@router.get(
    "/routing",
    summary="派遣建议 Which unit a class at a point goes to",
    response_model=RoutingOut,
)
def routing(
    rt: RT,
    user: Suggester,
    class_code: ClassQuery,
    lon: Lon,
    lat: Lat,
    crs: Annotated[CoordSystem, Query()] = CoordSystem.WGS84,
    condition_code: Annotated[str | None, Query(max_length=32, examples=["06010-01"])] = None,
) -> RoutingOut:
    _known_class(rt, class_code)
    profile = rt.policy.profile
    if condition_code and profile.conditions.get(condition_code) is None:
        raise ValidationError(
            "catalog.condition_unknown",
            f"立案条件“{condition_code}”不存在",
            condition_code=condition_code,
        )
    where = locate_out(rt, lon, lat, crs)
    loc = Location.from_grid(where.lon, where.lat, where.grid_code)
    s = suggest_unit(profile, class_code, loc, condition_code)
    if s is None:
        return RoutingOut(location=where, unit=None, explanation="没有适用的派遣规则，请人工指定")
    unit = profile.units.get(s.unit_code)
    rule = s.rule
    return RoutingOut(
        location=where,
        unit=s.unit_code,
        unit_name=unit.name if unit else None,
        source=s.source,
        explanation=s.explain_zh(),
        rule=RoutingRuleOut(
            class_pattern=rule.class_pattern,
            area_code=rule.area_code,
            unit_code=rule.unit_code,
            note=rule.note,
        )
        if rule
        else None,
    )


@router.get(
    "/duplicates",
    summary="重复案卷 Open cases a new report may duplicate",
    description="Open cases of the same class within the city's radius (default 50 m) reported "
    "in the window (default 72 h) before `at`, nearest first; only cases the user may see.",
    response_model=DuplicatesOut,
)
def duplicates(
    rt: RT,
    user: Suggester,
    class_code: ClassQuery,
    lon: Lon,
    lat: Lat,
    crs: Annotated[CoordSystem, Query()] = CoordSystem.WGS84,
    at: Annotated[datetime | None, Query(description="Default: now")] = None,
) -> DuplicatesOut:
    _known_class(rt, class_code)
    if at is not None and at.tzinfo is None:
        raise ValidationError(
            "query.time_naive", "at 须带时区，例如 2025-10-01T08:30:00+08:00", field="at"
        )
    where = locate_out(rt, lon, lat, crs)
    loc = Location.from_grid(where.lon, where.lat, where.grid_code)
    with rt.uow(readonly=True) as uow:
        found = duplicate_candidates(uow, rt, class_code, loc, at or rt.now())
    visible = q.visible_case_ids(rt, user, [int(c["case_id"]) for c in found])
    dup = rt.policy.profile.duplicates
    return DuplicatesOut(
        location=where,
        radius_m=dup.radius_m,
        window_hours=dup.window_hours,
        candidates=[DuplicateOut(**c) for c in found if int(c["case_id"]) in visible],
    )
