"""The city's catalog as Open311 services.

A service is a matter class (事件/事项类别) the city actually files: one with at least one filing
condition (立案条件) in the active profile. A class without conditions cannot be filed under,
so offering it to citizens would only produce rejections.

Attributes stay few and honest:

- ``condition`` (optional, when the class has more than one filing condition): which condition's
  wording fits best. It is a hint for the acceptor, who files the case; it does not decide.
- ``urgent`` (optional, when one of the class's conditions is urgent): the citizen sees a danger
  (a missing manhole cover …). An urgent report gets the shorter first-stage limits; choosing
  an urgent condition counts as saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cityops.domain.catalog.model import CatalogClass, CityProfile, FilingCondition, Urgency
from cityops.errors import NotFoundError, ValidationError

ATTR_CONDITION = "condition"
ATTR_URGENT = "urgent"
YES, NO = "yes", "no"


@dataclass(frozen=True, slots=True)
class Attribute:
    code: str
    description: str
    values: tuple[tuple[str, str], ...]  # (key, name)
    order: int
    required: bool = False
    datatype: str = "singlevaluelist"
    variable: bool = True

    def to_doc(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": "从 values 中选择一个 key / one key of values",
            "order": self.order,
            "description": self.description,
            "values": [{"key": k, "name": n} for k, n in self.values],
        }


@dataclass(frozen=True, slots=True)
class Service:
    cls: CatalogClass
    conditions: tuple[FilingCondition, ...]
    attributes: tuple[Attribute, ...]

    @property
    def code(self) -> str:
        return self.cls.code

    def description(self) -> str:
        wording = "；".join(c.text for c in self.conditions)
        return f"{self.cls.major_name}／{self.cls.name}。受理情形：{wording}"

    def to_doc(self) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "service_name": self.cls.name,
            "description": self.description(),
            "metadata": bool(self.attributes),
            "type": "realtime",
            "keywords": ",".join(self.cls.aliases),
            "group": self.cls.major_name,
        }

    def definition_doc(self) -> dict[str, Any]:
        return {
            "service_code": self.code,
            "attributes": [a.to_doc() for a in self.attributes],
        }


@dataclass(frozen=True, slots=True)
class ChosenAttributes:
    condition: str | None = None
    urgent: bool = False

    def to_doc(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.condition is not None:
            out[ATTR_CONDITION] = self.condition
        if self.urgent:
            out[ATTR_URGENT] = YES
        return out


def _attributes(conditions: tuple[FilingCondition, ...]) -> tuple[Attribute, ...]:
    attrs: list[Attribute] = []
    if len(conditions) > 1:
        attrs.append(
            Attribute(
                ATTR_CONDITION,
                "哪种情形最符合（供受理员参考，立案以现场核实为准）/ "
                "Which description fits best (a hint for the acceptor)",
                tuple((c.code, c.text) for c in conditions),
                order=len(attrs) + 1,
            )
        )
    if any(c.urgency == Urgency.URGENT for c in conditions):
        attrs.append(
            Attribute(
                ATTR_URGENT,
                "是否存在安全隐患、需要紧急处置 / Is there a danger that needs urgent action?",
                ((YES, "是，紧急 / yes, urgent"), (NO, "否 / no")),
                order=len(attrs) + 1,
            )
        )
    return tuple(attrs)


def offered_services(profile: CityProfile) -> list[Service]:
    """Every matter class with at least one filing condition, by code."""
    by_class: dict[str, list[FilingCondition]] = {}
    for cond in profile.conditions.values():
        by_class.setdefault(cond.class_code, []).append(cond)
    out = []
    for code in sorted(by_class):
        cls = profile.classes.get(code)
        if cls is None:
            continue
        conds = tuple(sorted(by_class[code], key=lambda c: c.code))
        out.append(Service(cls, conds, _attributes(conds)))
    return out


def find_service(profile: CityProfile, code: str | None) -> Service:
    if not code:
        raise ValidationError("open311.service_code_missing", "缺少 service_code")
    for service in offered_services(profile):
        if service.code == code:
            return service
    raise NotFoundError(
        "open311.service_unknown", f"服务代码“{code}”不存在或本市不受理", service_code=code
    )


def read_attributes(service: Service, raw: Mapping[str, str]) -> ChosenAttributes:
    """Check ``attribute[code]=key`` values against the service definition."""
    known = {a.code: a for a in service.attributes}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValidationError(
            "open311.attribute_unknown",
            f"服务“{service.code}”没有属性：{'、'.join(unknown)}",
            unknown=unknown,
            allowed=sorted(known),
        )
    chosen: dict[str, str] = {}
    for code, attr in known.items():
        value = (raw.get(code) or "").strip()
        if not value:
            if attr.required:
                raise ValidationError(
                    "open311.attribute_required", f"缺少必填属性 attribute[{code}]", attribute=code
                )
            continue
        keys = [k for k, _ in attr.values]
        if value not in keys:
            raise ValidationError(
                "open311.attribute_invalid",
                f"attribute[{code}] 的取值“{value}”无效，可选：{'、'.join(keys)}",
                attribute=code,
                value=value,
                allowed=keys,
            )
        chosen[code] = value
    condition = chosen.get(ATTR_CONDITION)
    urgent = chosen.get(ATTR_URGENT) == YES or any(
        c.code == condition and c.urgency == Urgency.URGENT for c in service.conditions
    )
    return ChosenAttributes(condition, urgent)
