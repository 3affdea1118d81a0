"""The catalog (部件/事件 classes) and a city's profile: the data that makes one city differ
from another. Plain frozen values; loading and validation live in ``profile_loader``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cityops.domain.clock.limits import TimeLimit
from cityops.domain.clock.settings import CalendarSettings


class ClassKind(StrEnum):
    COMPONENT = "component"  # 部件
    MATTER = "matter"  # 事件 / 事项


class Urgency(StrEnum):
    NORMAL = "normal"  # 一般
    URGENT = "urgent"  # 紧急


class AreaClass(StrEnum):
    """Region class: drives stage limits (city 1 h vs rural 2 h verification) and the
    evaluation step tables."""

    URBAN = "urban"  # 城区
    RURAL = "rural"  # 农村 / 县域


class UnitKind(StrEnum):
    CENTER = "center"  # 监督指挥中心
    DEPARTMENT = "department"  # 专业部门 (city level)
    DISTRICT = "district"  # 区县
    STREET = "street"  # 街道 / 乡镇
    COMMUNITY = "community"  # 社区 / 村
    COMPANY = "company"  # 权属 / 养护单位 (utility, maintenance contractor)


class Stage(StrEnum):
    """Stages with their own time limit (DOMAIN.md §3)."""

    VERIFY = "verify"  # 核实 (inspector on site)
    FILE = "file"  # 受理立案 (acceptor)
    DISPATCH = "dispatch"  # 派遣 (dispatcher)
    HANDLE = "handle"  # 处置 (limit from the filing condition)
    CHECK_DISPATCH = "check_dispatch"  # 核查派发 (acceptor sends the check to an inspector)
    CHECK = "check"  # 核查 (inspector on site)


@dataclass(frozen=True, slots=True)
class CatalogClass:
    code: str  # national: 5 digits (2 major + 3 minor); legacy: 4 digits; local: see profile
    kind: ClassKind
    major_code: str
    major_name: str
    name: str
    standard: str  # "GB/T 47678.5-2026", "CJ/T 214-2007", or "local"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FilingCondition:
    """立案条件: when a problem of a class is filed, and how long the unit has to fix it."""

    code: str  # unique in the profile, e.g. "06010-01"
    class_code: str
    text: str  # 立案条件
    limit: TimeLimit  # 处置时限
    urgency: Urgency
    closure_condition: str  # 结案条件
    default_unit: str | None = None  # unit code, or "@street" / "@district" of the location
    weight: float = 1.0  # relative frequency among all conditions (simulation, statistics)


@dataclass(frozen=True, slots=True)
class StageLimit:
    stage: Stage
    limit: TimeLimit
    urgency: Urgency | None = None  # None: any
    area_class: AreaClass | None = None  # None: any


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """class × area → responsible unit. ``class_pattern``: exact code, a major prefix ending
    in ``*`` ("06*"), or "*". ``area_code``: a region or grid code, or "*" for the whole city.
    ``unit_code`` may be ``@street``/``@district``: the office of the case's street/district."""

    class_pattern: str
    area_code: str
    unit_code: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None = None
    region_code: str | None = None  # for district/street/community offices


@dataclass(frozen=True, slots=True)
class DuplicatePolicy:
    radius_m: float = 50.0
    window_hours: float = 72.0


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    handled_requires_photo: bool = True
    max_bytes: int = 10 * 1024 * 1024
    allowed_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp")


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """Profile facts about a district (区县): its class for stage limits and evaluation."""

    code: str
    area_class: AreaClass
    name: str = ""


@dataclass(frozen=True)
class CityProfile:
    city_code: str  # 6-digit administrative code, e.g. "370100"
    city_name: str
    version: str  # the city's own version label, e.g. "2026.1"
    calendar: CalendarSettings
    classes: dict[str, CatalogClass]  # matter classes (cases are filed under these), by code
    conditions: dict[str, FilingCondition]  # by condition code
    stage_limits: tuple[StageLimit, ...]
    routing: tuple[RoutingRule, ...]
    units: dict[str, Unit]
    regions: dict[str, RegionInfo] = field(default_factory=dict)  # district code → info
    duplicates: DuplicatePolicy = DuplicatePolicy()
    attachments: AttachmentPolicy = AttachmentPolicy()
    class_weights: dict[str, float] = field(
        default_factory=dict
    )  # relative frequency (simulation, stats)
    evaluation: dict[str, Any] = field(default_factory=dict)  # weights, step tables, grade bands
    iot: dict[str, Any] = field(default_factory=dict)  # sensor kinds (iot.toml), may be empty
    content_hash: str = ""
    # Component (部件) classes by code. National component and matter codes coincide (matter
    # majors 01-05 are "<component>异常"), so components are kept apart from ``classes``.
    components: dict[str, CatalogClass] = field(default_factory=dict)
    # Report channels whose reports are verified on site before filing (``Channel`` values).
    verification_channels: tuple[str, ...] = ("public", "hotline", "media")
    legacy_catalog: bool = False  # the CJ/T 214-2007 classes are enabled besides the national ones

    def catalog_class(self, code: str, kind: ClassKind = ClassKind.MATTER) -> CatalogClass | None:
        """The class of ``kind`` with ``code`` (a matter by default), or None."""
        return (self.classes if kind == ClassKind.MATTER else self.components).get(code)

    def conditions_for(self, class_code: str) -> list[FilingCondition]:
        return [c for c in self.conditions.values() if c.class_code == class_code]

    def area_class(self, district_code: str | None) -> AreaClass:
        info = self.regions.get(district_code or "")
        return info.area_class if info else AreaClass.URBAN

    def stage_limit(
        self,
        stage: Stage,
        urgency: Urgency = Urgency.NORMAL,
        area_class: AreaClass = AreaClass.URBAN,
    ) -> TimeLimit | None:
        """The most specific matching stage limit: a row naming both the urgency and the area
        class beats one naming one of them, and of those a row naming the urgency beats one
        naming the area (an urgent case's shorter limit applies wherever it is); a row naming
        neither comes last. Among equals the first row in the file wins."""
        best: tuple[int, TimeLimit] | None = None
        for s in self.stage_limits:
            if s.stage != stage:
                continue
            if s.urgency is not None and s.urgency != urgency:
                continue
            if s.area_class is not None and s.area_class != area_class:
                continue
            score = 2 * (s.urgency is not None) + (s.area_class is not None)
            if best is None or score > best[0]:
                best = (score, s.limit)
        return best[1] if best else None
