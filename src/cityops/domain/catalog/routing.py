"""Routing suggestion: class × area → responsible unit (派遣建议).

Rules come from the city profile (``routing.csv``). The most specific rule wins: first by area
(grid > community > street > district > whole city), then by class (exact code > major prefix >
any). ``@street`` and ``@district`` name the office of the case's street or district. When no
rule matches, the filing condition's default unit is the suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityops.domain.catalog.model import CityProfile, RoutingRule, UnitKind
from cityops.domain.geo.model import Location


@dataclass(frozen=True, slots=True)
class RoutingSuggestion:
    unit_code: str
    source: str  # "rule" | "condition_default"
    rule: RoutingRule | None = None

    def explain_zh(self) -> str:
        if self.rule is None:
            return "按立案条件的默认责任单位"
        area = "全市" if self.rule.area_code == "*" else f"区域{self.rule.area_code}"
        cls = "所有类别" if self.rule.class_pattern == "*" else f"类别{self.rule.class_pattern}"
        return f"按派遣规则：{area}、{cls}" + (f"（{self.rule.note}）" if self.rule.note else "")


def _class_score(pattern: str, class_code: str) -> int | None:
    if pattern == "*":
        return 0
    if pattern.endswith("*"):
        return 1 if class_code.startswith(pattern[:-1]) else None
    return 2 if pattern == class_code else None


def _area_score(area_code: str, location: Location) -> int | None:
    if area_code == "*":
        return 0
    codes = location.area_codes()  # grid, community, street, district: most specific first
    if area_code in codes:
        return len(area_code)  # 15 grid, 12 community, 9 street, 6 district
    return None


def resolve_unit(profile: CityProfile, unit_code: str, location: Location) -> str | None:
    """Turn ``@street``/``@district`` into the office unit of the location, if there is one."""
    if unit_code == "@street":
        return _office(profile, UnitKind.STREET, location.street_code)
    if unit_code == "@district":
        return _office(profile, UnitKind.DISTRICT, location.district_code)
    return unit_code if unit_code in profile.units else None


def _office(profile: CityProfile, kind: UnitKind, region_code: str | None) -> str | None:
    if not region_code:
        return None
    for unit in profile.units.values():
        if unit.kind == kind and unit.region_code == region_code:
            return unit.code
    return None


def suggest_unit(
    profile: CityProfile,
    class_code: str,
    location: Location,
    condition_code: str | None = None,
) -> RoutingSuggestion | None:
    ranked: list[tuple[int, int, int, RoutingRule]] = []
    for order, rule in enumerate(profile.routing):
        cs = _class_score(rule.class_pattern, class_code)
        if cs is None:
            continue
        ar = _area_score(rule.area_code, location)
        if ar is None:
            continue
        ranked.append((ar, cs, -order, rule))
    ranked.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    for _, _, _, rule in ranked:
        unit = resolve_unit(profile, rule.unit_code, location)
        if unit is not None:
            return RoutingSuggestion(unit, "rule", rule)
    if condition_code:
        cond = profile.conditions.get(condition_code)
        if cond and cond.default_unit:
            unit = resolve_unit(profile, cond.default_unit, location)
            if unit is not None:
                return RoutingSuggestion(unit, "condition_default")
    return None
