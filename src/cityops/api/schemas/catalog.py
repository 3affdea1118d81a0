"""Catalog browsing: classes, filing conditions, the legacy mapping, units."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LimitOut(BaseModel):
    value: float = Field(examples=[4])
    unit: str = Field(examples=["working_hours"])
    label: str = Field(examples=["4工作时"])


class ClassOut(BaseModel):
    code: str = Field(examples=["06010"])
    kind: str = Field(examples=["matter"])
    major_code: str = Field(examples=["06"])
    major_name: str = Field(examples=["市容环境"])
    name: str = Field(examples=["暴露垃圾"])
    standard: str = Field(examples=["GB/T 47678.5-2026"])
    aliases: list[str] = Field(default_factory=list)
    condition_count: int = Field(default=0, description="Filing conditions (matters only)")


class MajorOut(BaseModel):
    kind: str = Field(examples=["matter"])
    code: str = Field(examples=["06"])
    name: str = Field(examples=["市容环境"])
    class_count: int = Field(examples=[41])


class ConditionOut(BaseModel):
    code: str = Field(examples=["06010-01"])
    class_code: str = Field(examples=["06010"])
    class_name: str | None = Field(default=None, examples=["暴露垃圾"])
    text: str = Field(examples=["道路、广场等公共区域有暴露垃圾"])
    limit: LimitOut
    urgency: str = Field(examples=["normal"])
    closure_condition: str = Field(examples=["垃圾清理干净，无残留"])
    default_unit: str | None = Field(default=None, examples=["@street"])


class RoutingRuleOut(BaseModel):
    class_pattern: str = Field(examples=["06*"])
    area_code: str = Field(examples=["*"])
    unit_code: str = Field(examples=["@street"])
    note: str = ""


class LegacyMappingOut(BaseModel):
    kind: str = Field(examples=["matter"])
    legacy_code: str = Field(examples=["0101"])
    legacy_name: str = Field(examples=["私搭乱建"])
    national_code: str | None = Field(default=None, examples=["08001"])
    national_name: str | None = None
    method: str = Field(examples=["exact"], description="exact, normalised, manual or unmapped")
    note: str = ""


class ClassDetailOut(ClassOut):
    conditions: list[ConditionOut] = Field(default_factory=list)
    routing: list[RoutingRuleOut] = Field(
        default_factory=list, description="Routing rules that name this class or its major"
    )
    legacy: list[LegacyMappingOut] = Field(
        default_factory=list, description="Legacy (CJ/T 214-2007) classes mapped to this one"
    )


class UnitOut(BaseModel):
    code: str = Field(examples=["street.370102001"])
    name: str = Field(examples=["解放路街道办事处"])
    kind: str = Field(examples=["street"])
    parent: str | None = Field(default=None, examples=["district.370102"])
    region_code: str | None = Field(default=None, examples=["370102001"])
