"""``conditions.csv``, ``stage_limits.csv`` and ``routing.csv``: filing conditions with their
handling limits, the limits of the other stages, and who handles which class where."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from cityops.domain.catalog.model import (
    AreaClass,
    FilingCondition,
    RegionInfo,
    RoutingRule,
    Stage,
    StageLimit,
    Unit,
    UnitKind,
    Urgency,
)
from cityops.domain.catalog.problems import ProblemLog
from cityops.domain.catalog.profile_files import Row
from cityops.domain.catalog.profile_tables import AREA_ALIASES
from cityops.domain.clock.limits import LimitUnit, TimeLimit, parse_unit
from cityops.errors import ValidationError

CONDITION_COLUMNS = (
    "code",
    "class_code",
    "text",
    "limit_value",
    "limit_unit",
    "urgency",
    "closure_condition",
)
CONDITION_OPTIONAL = ("default_unit", "weight")
STAGE_COLUMNS = ("stage", "urgency", "area_class", "limit_value", "limit_unit")
ROUTING_COLUMNS = ("class_pattern", "area_code", "unit_code")
ROUTING_OPTIONAL = ("note",)

STREET, DISTRICT = "@street", "@district"
PLACEHOLDER_UNITS = (STREET, DISTRICT)
URGENCY_ALIASES = {"一般": Urgency.NORMAL, "紧急": Urgency.URGENT}
ANY = ("", "*")
# Stages whose limit comes from stage_limits.csv (the handling limit comes from the condition).
TIMED_STAGES = (Stage.VERIFY, Stage.FILE, Stage.DISPATCH, Stage.CHECK_DISPATCH, Stage.CHECK)
AREA_CODE_LENGTHS = (6, 9, 12, 14, 15)  # district, street, community, grid (old 14, new 15)
_PATTERN = re.compile(r"[0-9]{1,4}\*")
_DIGITS = re.compile(r"[0-9]+")


def _limit(row: Row) -> TimeLimit | None:
    value = row.number_value("limit_value", "时限数值")
    raw_unit = row.require("limit_unit", "时限单位")
    unit: LimitUnit | None = None
    if raw_unit is not None:
        try:
            unit = parse_unit(raw_unit)
        except ValidationError as exc:
            row.problem("limit_unit", "profile.limit_unit_unknown", exc.message)
    if value is None or unit is None:
        return None
    return TimeLimit(value, unit)


def _unit_ref(row: Row, column: str, value: str, units: Collection[str]) -> bool:
    if value in PLACEHOLDER_UNITS or value in units:
        return True
    row.problem(
        column, "profile.unit_unknown", f"单位“{value}”不在units.csv中（或用@street、@district）"
    )
    return False


def parse_conditions(
    rows: list[Row],
    class_codes: Collection[str],
    component_codes: Collection[str],
    unit_codes: Collection[str],
) -> dict[str, FilingCondition]:
    """Codes are those *declared* (even on rows with their own problems), so one bad row in
    units.csv or classes.csv does not cascade into problems here."""
    out: dict[str, FilingCondition] = {}
    for row in rows:
        code = row.require("code", "立案条件编码")
        class_code = row.require("class_code", "类别编码")
        text = row.require("text", "立案条件")
        closure = row.require("closure_condition", "结案条件")
        limit = _limit(row)
        urgency = row.choice("urgency", Urgency, "紧急程度", aliases=URGENCY_ALIASES)
        default_unit = row.text("default_unit") or None
        unit_ok = default_unit is None or _unit_ref(row, "default_unit", default_unit, unit_codes)
        weight = 1.0
        if row.text("weight"):
            parsed = row.parse_number("weight", row.text("weight"), "权重", positive=False)
            weight = parsed if parsed is not None else weight
        if class_code is not None and class_code not in class_codes:
            hint = "（这是部件编码，立案须用事项类别）" if class_code in component_codes else ""
            row.problem(
                "class_code", "profile.class_unknown", f"类别“{class_code}”不在本市目录中{hint}"
            )
            class_code = None
        if code is not None and code in out:
            row.problem("code", "profile.code_duplicate", f"立案条件编码“{code}”重复")
            continue
        if code and class_code and text and closure and limit and urgency and unit_ok:
            out[code] = FilingCondition(
                code, class_code, text, limit, urgency, closure, default_unit, weight
            )
    return out


def parse_stage_limits(log: ProblemLog, file: str, rows: list[Row]) -> tuple[StageLimit, ...]:
    out: list[StageLimit] = []
    seen: set[tuple[Stage, Urgency | None, AreaClass | None]] = set()
    for row in rows:
        stage = row.choice("stage", Stage, "环节")
        urgency = (
            None
            if row.text("urgency") in ANY
            else row.choice("urgency", Urgency, "紧急程度", aliases=URGENCY_ALIASES)
        )
        area = (
            None
            if row.text("area_class") in ANY
            else row.choice("area_class", AreaClass, "区域类别", aliases=AREA_ALIASES)
        )
        limit = _limit(row)
        if stage == Stage.HANDLE:
            row.problem(
                "stage", "profile.stage_handle_not_allowed", "处置时限由立案条件规定，不在此表设置"
            )
            continue
        if stage is None or limit is None:
            continue
        if (row.text("urgency") not in ANY and urgency is None) or (
            row.text("area_class") not in ANY and area is None
        ):
            continue
        key = (stage, urgency, area)
        if key in seen:
            row.problem("stage", "profile.code_duplicate", "同一环节、紧急程度和区域类别的时限重复")
            continue
        seen.add(key)
        out.append(StageLimit(stage, limit, urgency, area))
    for stage in TIMED_STAGES:
        for urgency in Urgency:
            for area in AreaClass:
                if not any(_covers(s, stage, urgency, area) for s in out):
                    log.add(
                        file,
                        None,
                        "stage",
                        "profile.stage_limit_missing",
                        f"缺少环节“{stage.value}”在{urgency.value}/{area.value}情形下的时限",
                    )
    return tuple(out)


def _covers(s: StageLimit, stage: Stage, urgency: Urgency, area: AreaClass) -> bool:
    return (
        s.stage == stage
        and (s.urgency is None or s.urgency == urgency)
        and (s.area_class is None or s.area_class == area)
    )


def parse_routing(
    rows: list[Row],
    class_codes: Collection[str],
    unit_codes: Collection[str],
    regions: Mapping[str, RegionInfo],
    city_code: str,
) -> tuple[RoutingRule, ...]:
    out: list[RoutingRule] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        pattern = row.require("class_pattern", "类别")
        area = row.require("area_code", "区域")
        unit = row.require("unit_code", "处置单位")
        ok = pattern is not None and _pattern_ok(row, pattern, class_codes)
        ok = area is not None and _area_ok(row, area, regions, city_code) and ok
        ok = unit is not None and _unit_ref(row, "unit_code", unit, unit_codes) and ok
        if not (ok and pattern and area and unit):
            continue
        if (pattern, area) in seen:
            row.problem(
                "class_pattern",
                "profile.routing_duplicate",
                f"类别“{pattern}”在区域“{area}”的规则重复",
            )
            continue
        seen.add((pattern, area))
        out.append(RoutingRule(pattern, area, unit, row.text("note")))
    return tuple(out)


def pattern_matches(pattern: str, class_code: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return class_code.startswith(pattern[:-1])
    return class_code == pattern


def _pattern_ok(row: Row, pattern: str, class_codes: Collection[str]) -> bool:
    if pattern == "*" or pattern in class_codes:
        return True
    if _PATTERN.fullmatch(pattern):
        if any(pattern_matches(pattern, c) for c in class_codes):
            return True
        row.problem("class_pattern", "profile.class_unknown", f"没有以“{pattern[:-1]}”开头的类别")
        return False
    if _DIGITS.fullmatch(pattern):
        row.problem("class_pattern", "profile.class_unknown", f"类别“{pattern}”不在本市目录中")
    else:
        row.problem(
            "class_pattern",
            "profile.class_pattern_invalid",
            f"类别“{pattern}”无效：用完整编码、大类前缀加*（如06*）或*",
        )
    return False


def _area_ok(row: Row, area: str, regions: Mapping[str, RegionInfo], city_code: str) -> bool:
    if area == "*" or area == city_code:
        return True
    if not (_DIGITS.fullmatch(area) and len(area) in AREA_CODE_LENGTHS):
        row.problem(
            "area_code",
            "profile.area_code_invalid",
            f"区域“{area}”无效：用*、6位区县、9位街道、12位社区或14/15位网格编码",
        )
        return False
    if area[:6] not in regions:
        row.problem("area_code", "profile.area_unknown", f"区域“{area}”不在regions.csv所列区县内")
        return False
    return True


def check_coverage(
    log: ProblemLog,
    conditions: Mapping[str, FilingCondition],
    routing: tuple[RoutingRule, ...],
    units: Mapping[str, Unit],
    regions: Mapping[str, RegionInfo],
    city_code: str,
) -> None:
    """Every class with a filing condition reaches a unit city-wide, and ``@district`` has a
    district office in every district."""
    citywide = [r for r in routing if r.area_code in ("*", city_code)]
    missing = sorted(
        {
            c.class_code
            for c in conditions.values()
            if c.default_unit is None
            and not any(pattern_matches(r.class_pattern, c.class_code) for r in citywide)
        }
    )
    for code in missing:
        log.add(
            "routing.csv",
            None,
            "class_pattern",
            "profile.routing_missing",
            f"类别“{code}”有立案条件，但没有全市范围（area_code为*）的派遣规则",
        )
    uses_district = any(r.unit_code == DISTRICT for r in routing) or any(
        c.default_unit == DISTRICT for c in conditions.values()
    )
    if uses_district:
        offices = {u.region_code for u in units.values() if u.kind == UnitKind.DISTRICT}
        for code in sorted(set(regions) - offices):
            log.add(
                "units.csv",
                None,
                "region_code",
                "profile.district_office_missing",
                f"规则使用了@district，但区县“{code}”没有district类单位",
            )
