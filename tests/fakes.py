"""Small, explicit stand-ins for tests of the case core: a city profile with a handful of
classes, a calendar in which every second is working time, and a locator over a square city."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cityops.domain.cases.model import Actor
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import (
    AreaClass,
    AttachmentPolicy,
    CatalogClass,
    CityProfile,
    ClassKind,
    FilingCondition,
    RegionInfo,
    RoutingRule,
    Stage,
    StageLimit,
    Unit,
    UnitKind,
    Urgency,
)
from cityops.domain.clock.limits import LimitUnit, TimeLimit
from cityops.domain.clock.settings import CalendarSettings
from cityops.domain.geo.model import CoordSystem, Location

T0 = datetime(2025, 10, 20, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


class AlwaysWorking:
    """Every second is working time; one working day is 8 hours."""

    day_seconds = 8 * 3600

    def advance(self, start: datetime, seconds: int, working: bool) -> datetime:
        return start + timedelta(seconds=seconds)

    def elapsed(self, start: datetime, end: datetime, working: bool) -> int:
        return max(0, int((end - start).total_seconds()))

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime:
        return self.advance(start, limit.seconds(self.day_seconds), limit.unit.is_working)


def _cls(code: str, name: str, kind: ClassKind = ClassKind.MATTER) -> CatalogClass:
    return CatalogClass(code, kind, code[:2], "test", name, "GB/T 47678.5-2026")


def make_profile(handled_requires_photo: bool = True) -> CityProfile:
    classes = {
        c.code: c
        for c in (
            _cls("06010", "暴露垃圾"),
            _cls("07001", "非法小广告"),
            _cls("01001", "供水井盖异常"),
        )
    }
    conditions = {
        c.code: c
        for c in (
            FilingCondition(
                "06010-01",
                "06010",
                "道路、广场有暴露垃圾",
                TimeLimit(4, LimitUnit.WORKING_HOURS),
                Urgency.NORMAL,
                "垃圾清理干净",
                "@street",
            ),
            FilingCondition(
                "07001-01",
                "07001",
                "张贴小广告",
                TimeLimit(1, LimitUnit.WORKING_DAYS),
                Urgency.NORMAL,
                "小广告清除",
                "@street",
            ),
            FilingCondition(
                "01001-01",
                "01001",
                "井盖缺失",
                TimeLimit(2, LimitUnit.HOURS),
                Urgency.URGENT,
                "井盖恢复",
                "company.water",
            ),
        )
    }
    units = {
        u.code: u
        for u in (
            Unit("center", "监督指挥中心", UnitKind.CENTER),
            Unit("district.370102", "历下区城市管理局", UnitKind.DISTRICT, None, "370102"),
            Unit(
                "street.370102001",
                "解放路街道办事处",
                UnitKind.STREET,
                "district.370102",
                "370102001",
            ),
            Unit(
                "street.370102002",
                "千佛山街道办事处",
                UnitKind.STREET,
                "district.370102",
                "370102002",
            ),
            Unit("company.water", "供水公司", UnitKind.COMPANY),
            Unit("dept.sanitation", "环卫中心", UnitKind.DEPARTMENT),
        )
    }
    stage_limits = (
        StageLimit(Stage.VERIFY, TimeLimit(1, LimitUnit.WORKING_HOURS), None, AreaClass.URBAN),
        StageLimit(Stage.VERIFY, TimeLimit(2, LimitUnit.WORKING_HOURS), None, AreaClass.RURAL),
        StageLimit(Stage.FILE, TimeLimit(30, LimitUnit.MINUTES)),
        StageLimit(Stage.FILE, TimeLimit(10, LimitUnit.MINUTES), Urgency.URGENT),
        StageLimit(Stage.DISPATCH, TimeLimit(30, LimitUnit.MINUTES)),
        StageLimit(Stage.DISPATCH, TimeLimit(10, LimitUnit.MINUTES), Urgency.URGENT),
        StageLimit(Stage.CHECK_DISPATCH, TimeLimit(30, LimitUnit.MINUTES)),
        StageLimit(Stage.CHECK, TimeLimit(1, LimitUnit.WORKING_HOURS)),
    )
    routing = (
        RoutingRule("06*", "*", "@street"),
        RoutingRule("06010", "370102002", "dept.sanitation", "千佛山景区由环卫中心负责"),
        RoutingRule("01*", "*", "company.water"),
    )
    return CityProfile(
        city_code="370100",
        city_name="测试市",
        version="test",
        calendar=CalendarSettings(),
        classes=classes,
        conditions=conditions,
        stage_limits=stage_limits,
        routing=routing,
        units=units,
        regions={"370102": RegionInfo("370102", AreaClass.URBAN)},
        attachments=AttachmentPolicy(handled_requires_photo=handled_requires_photo),
    )


def make_policy(**kwargs: bool) -> CasePolicy:
    return CasePolicy(make_profile(**kwargs), AlwaysWorking())


@dataclass
class SquareLocator:
    """Two streets side by side: lon 117.00–117.01 is street 001, 117.01–117.02 street 002;
    each split into 0.001° grid cells numbered by column."""

    def locate(self, lon: float, lat: float, crs: CoordSystem = CoordSystem.WGS84) -> Location:
        if not (117.0 <= lon < 117.02 and 36.6 <= lat < 36.61):
            return Location(lon, lat)
        street = "370102001" if lon < 117.01 else "370102002"
        col = int(round((lon - 117.0) * 1000, 6)) % 10
        return Location.from_grid(lon, lat, f"{street}001{col:03d}")


def actor(role: Role, ident: str | None = None, unit: str | None = None) -> Actor:
    return Actor(ident or f"{role.value}-1", role, unit)


INSPECTOR = actor(Role.INSPECTOR)
ACCEPTOR = actor(Role.ACCEPTOR)
SHIFT_LEADER = actor(Role.SHIFT_LEADER)
DISPATCHER = actor(Role.DISPATCHER)
PUBLIC = actor(Role.PUBLIC, "citizen-1")
STREET_HANDLER = actor(Role.HANDLER, "handler-1", "street.370102001")
OTHER_HANDLER = actor(Role.HANDLER, "handler-2", "street.370102002")

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
