"""``regions.csv``, ``classes.csv`` and ``units.csv``: the city's districts, its own classes
and its organisation units."""

from __future__ import annotations

import re

from cityops.domain.catalog.catalogs import national_major_names
from cityops.domain.catalog.local_codes import NATIONAL_MAJORS, local_code_problem
from cityops.domain.catalog.model import (
    AreaClass,
    CatalogClass,
    ClassKind,
    RegionInfo,
    Unit,
    UnitKind,
)
from cityops.domain.catalog.profile_files import Row

REGION_COLUMNS = ("code", "name", "area_class")
CLASS_COLUMNS = ("code", "kind", "major_code", "major_name", "name")
CLASS_OPTIONAL = ("aliases",)
UNIT_COLUMNS = ("code", "name", "kind")
UNIT_OPTIONAL = ("parent_code", "region_code")

AREA_ALIASES = {"城区": AreaClass.URBAN, "农村": AreaClass.RURAL, "县域": AreaClass.RURAL}
KIND_ALIASES = {
    "event": ClassKind.MATTER,
    "部件": ClassKind.COMPONENT,
    "事件": ClassKind.MATTER,
    "事项": ClassKind.MATTER,
}
UNIT_KIND_ALIASES = {
    "中心": UnitKind.CENTER,
    "部门": UnitKind.DEPARTMENT,
    "区县": UnitKind.DISTRICT,
    "街道": UnitKind.STREET,
    "乡镇": UnitKind.STREET,
    "社区": UnitKind.COMMUNITY,
    "企业": UnitKind.COMPANY,
}
ALIAS_SEPARATOR = "|"
_KIND_ZH = {ClassKind.COMPONENT: "部件", ClassKind.MATTER: "事项"}
# Required region_code length of an office, by unit kind (district 6, street 9, community 12).
OFFICE_CODE_LENGTH = {UnitKind.DISTRICT: 6, UnitKind.STREET: 9, UnitKind.COMMUNITY: 12}
_DIGITS = re.compile(r"[0-9]+")
_UNIT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def parse_regions(rows: list[Row], city_code: str) -> dict[str, RegionInfo]:
    out: dict[str, RegionInfo] = {}
    for row in rows:
        code = row.require("code", "区县代码")
        name = row.require("name", "区县名称")
        area = row.choice("area_class", AreaClass, "区域类别", aliases=AREA_ALIASES)
        if code is None:
            continue
        if not (_DIGITS.fullmatch(code) and len(code) == 6):
            row.problem("code", "profile.region_code_invalid", f"区县代码“{code}”必须为6位数字")
            continue
        if len(city_code) == 6 and not code.startswith(city_code[:4]):
            row.problem(
                "code", "profile.region_outside_city", f"区县“{code}”不属于本市（{city_code}）"
            )
        if code in out:
            row.problem("code", "profile.code_duplicate", f"区县代码“{code}”重复")
            continue
        if name is not None and area is not None:
            out[code] = RegionInfo(code=code, area_class=area, name=name)
    return out


def parse_local_classes(rows: list[Row]) -> list[CatalogClass]:
    out: list[CatalogClass] = []
    seen: set[tuple[ClassKind, str]] = set()
    major_names: dict[tuple[ClassKind, str], str] = {}
    for row in rows:
        code = row.require("code", "类别编码")
        kind = row.choice("kind", ClassKind, "类别种类", aliases=KIND_ALIASES)
        major_code = row.require("major_code", "大类编码")
        major_name = row.require("major_name", "大类名称")
        name = row.require("name", "类别名称")
        if code is None or kind is None:
            continue
        reason = local_code_problem(code)
        if reason:
            row.problem("code", "profile.local_code_out_of_range", reason)
            continue
        if (kind, code) in seen:
            row.problem("code", "profile.code_duplicate", f"类别编码“{code}”重复")
            continue
        seen.add((kind, code))
        if major_code is not None and major_code != code[:2]:
            row.problem(
                "major_code",
                "profile.major_code_mismatch",
                f"大类编码“{major_code}”与类别编码“{code}”的前两位不一致",
            )
            continue
        if major_name is not None and int(code[:2]) in NATIONAL_MAJORS:
            national = national_major_names(kind).get(code[:2])
            if national is None:
                row.problem(
                    "major_code",
                    "profile.major_kind_mismatch",
                    f"国标大类“{code[:2]}”下没有{_KIND_ZH[kind]}",
                )
                continue
            if major_name != national:
                row.problem(
                    "major_name",
                    "profile.major_name_mismatch",
                    f"国标大类“{code[:2]}”的名称是“{national}”，不是“{major_name}”",
                )
        elif major_name is not None:
            first = major_names.setdefault((kind, code[:2]), major_name)
            if first != major_name:
                row.problem(
                    "major_name",
                    "profile.major_name_inconsistent",
                    f"大类“{code[:2]}”前文名称为“{first}”，此处为“{major_name}”",
                )
        if major_name is None or name is None:
            continue
        aliases = tuple(a.strip() for a in row.text("aliases").split(ALIAS_SEPARATOR) if a.strip())
        out.append(CatalogClass(code, kind, code[:2], major_name, name, "local", aliases))
    return out


def parse_units(rows: list[Row], regions: dict[str, RegionInfo], city_code: str) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    unit_rows: dict[str, Row] = {}
    for row in rows:
        code = row.require("code", "单位编码")
        name = row.require("name", "单位名称")
        kind = row.choice("kind", UnitKind, "单位类型", aliases=UNIT_KIND_ALIASES)
        if code is None:
            continue
        if not _UNIT_CODE.fullmatch(code):
            row.problem(
                "code",
                "profile.unit_code_invalid",
                f"单位编码“{code}”只能含字母、数字、点、下划线和连字符（@开头的编码为保留字）",
            )
            continue
        if code in units or code in unit_rows:
            row.problem("code", "profile.code_duplicate", f"单位编码“{code}”重复")
            continue
        unit_rows[code] = row
        region = row.text("region_code") or None
        if kind is not None and region is not None:
            _check_region(row, kind, region, regions, city_code)
        elif kind in OFFICE_CODE_LENGTH:
            row.problem(
                "region_code", "profile.value_required", f"{kind.value}类单位必须填写所辖区划代码"
            )
        if name is not None and kind is not None:
            units[code] = Unit(code, name, kind, row.text("parent_code") or None, region)
    _check_parents(units, unit_rows)
    _check_offices(units, unit_rows)
    return units


def _check_region(
    row: Row, kind: UnitKind, region: str, regions: dict[str, RegionInfo], city_code: str
) -> None:
    length = OFFICE_CODE_LENGTH.get(kind)
    if not _DIGITS.fullmatch(region) or (length is not None and len(region) != length):
        want = f"{length}位数字" if length else "6、9或12位数字"
        row.problem("region_code", "profile.region_code_invalid", f"区划代码“{region}”必须为{want}")
        return
    if region == city_code:
        return
    if region[:6] not in regions:
        row.problem(
            "region_code",
            "profile.region_unknown",
            f"区划代码“{region}”不在regions.csv所列区县内",
        )


def _check_parents(units: dict[str, Unit], rows: dict[str, Row]) -> None:
    for code, unit in units.items():
        parent = unit.parent_code
        if parent is None:
            continue
        if parent not in rows:
            rows[code].problem("parent_code", "profile.parent_missing", f"上级单位“{parent}”不存在")
            continue
        seen = {code}
        while parent is not None and parent in units:
            if parent in seen:
                rows[code].problem(
                    "parent_code", "profile.parent_cycle", f"单位“{code}”的上级关系形成循环"
                )
                break
            seen.add(parent)
            parent = units[parent].parent_code


def _check_offices(units: dict[str, Unit], rows: dict[str, Row]) -> None:
    """Each district/street/community has at most one office (``@street`` must be unique)."""
    owner: dict[str, str] = {}
    for code, unit in units.items():
        if unit.kind not in OFFICE_CODE_LENGTH or unit.region_code is None:
            continue
        first = owner.setdefault(unit.region_code, code)
        if first != code:
            rows[code].problem(
                "region_code",
                "profile.unit_region_duplicate",
                f"区划“{unit.region_code}”已有单位“{first}”负责",
            )
