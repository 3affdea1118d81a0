"""A ``CityProfile`` as a JSON document and back, so a stored profile version rebuilds
exactly, whatever the package data or the profile directory say later.

The calendar is written in the form of the ``[calendar]`` table of ``city.toml`` and read
back with ``calendar_settings_from_dict``, so there is one parser for it.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from cityops.domain.catalog.model import (
    AreaClass,
    AttachmentPolicy,
    CatalogClass,
    CityProfile,
    ClassKind,
    DuplicatePolicy,
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
from cityops.domain.clock.settings import CalendarSettings, calendar_settings_from_dict

DOCUMENT_FORMAT = 1


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


def _intervals(ivs: tuple[tuple[time, time], ...]) -> list[str]:
    return [f"{_hhmm(s)}-{_hhmm(e)}" for s, e in ivs]


def calendar_to_dict(cal: CalendarSettings) -> dict[str, Any]:
    """The ``[calendar]`` table that ``calendar_settings_from_dict`` turns back into ``cal``."""
    out: dict[str, Any] = {"time_zone": cal.time_zone, "official_holidays": cal.official_holidays}
    if cal.working_day_seconds is not None:
        out["working_day_hours"] = cal.working_day_seconds / 3600
    tables = []
    for t in cal.timetables:
        table: dict[str, Any] = {"name": t.name, "intervals": _intervals(t.intervals)}
        if t.start is not None and t.end is not None:
            table["from"] = f"{t.start[0]:02d}-{t.start[1]:02d}"
            table["to"] = f"{t.end[0]:02d}-{t.end[1]:02d}"
        tables.append(table)
    out["timetables"] = tables
    overrides = []
    for o in cal.overrides:
        item: dict[str, Any] = {"date": o.day.isoformat(), "working": o.working, "note": o.note}
        if o.intervals is not None:
            item["intervals"] = _intervals(o.intervals)
        overrides.append(item)
    if overrides:
        out["overrides"] = overrides
    return out


def _limit(limit: TimeLimit) -> dict[str, Any]:
    return {"value": limit.value, "unit": limit.unit.value}


def _class(c: CatalogClass) -> dict[str, Any]:
    return {
        "code": c.code,
        "kind": c.kind.value,
        "major_code": c.major_code,
        "major_name": c.major_name,
        "name": c.name,
        "standard": c.standard,
        "aliases": list(c.aliases),
    }


def profile_to_document(p: CityProfile) -> dict[str, Any]:
    return {
        "format": DOCUMENT_FORMAT,
        "city_code": p.city_code,
        "city_name": p.city_name,
        "version": p.version,
        "content_hash": p.content_hash,
        "calendar": calendar_to_dict(p.calendar),
        "duplicates": {
            "radius_m": p.duplicates.radius_m,
            "window_hours": p.duplicates.window_hours,
        },
        "attachments": {
            "handled_requires_photo": p.attachments.handled_requires_photo,
            "max_bytes": p.attachments.max_bytes,
            "allowed_types": list(p.attachments.allowed_types),
        },
        "verification_channels": list(p.verification_channels),
        "legacy_catalog": p.legacy_catalog,
        "classes": [_class(c) for c in p.classes.values()],
        "components": [_class(c) for c in p.components.values()],
        "conditions": [
            {
                "code": c.code,
                "class_code": c.class_code,
                "text": c.text,
                "limit": _limit(c.limit),
                "urgency": c.urgency.value,
                "closure_condition": c.closure_condition,
                "default_unit": c.default_unit,
                "weight": c.weight,
            }
            for c in p.conditions.values()
        ],
        "stage_limits": [
            {
                "stage": s.stage.value,
                "limit": _limit(s.limit),
                "urgency": s.urgency.value if s.urgency else None,
                "area_class": s.area_class.value if s.area_class else None,
            }
            for s in p.stage_limits
        ],
        "routing": [
            {
                "class_pattern": r.class_pattern,
                "area_code": r.area_code,
                "unit_code": r.unit_code,
                "note": r.note,
            }
            for r in p.routing
        ],
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind.value,
                "parent_code": u.parent_code,
                "region_code": u.region_code,
            }
            for u in p.units.values()
        ],
        "regions": [
            {"code": r.code, "name": r.name, "area_class": r.area_class.value}
            for r in p.regions.values()
        ],
        "class_weights": dict(p.class_weights),
        "evaluation": p.evaluation,
        "iot": p.iot,
    }


def _read_limit(d: dict[str, Any]) -> TimeLimit:
    return TimeLimit(float(d["value"]), LimitUnit(d["unit"]))


def _read_class(d: dict[str, Any]) -> CatalogClass:
    return CatalogClass(
        code=d["code"],
        kind=ClassKind(d["kind"]),
        major_code=d["major_code"],
        major_name=d["major_name"],
        name=d["name"],
        standard=d["standard"],
        aliases=tuple(d.get("aliases") or ()),
    )


def profile_from_document(d: dict[str, Any]) -> CityProfile:
    """Rebuild the profile stored by ``profile_to_document`` (raises ``ValueError`` on a
    document of an unknown format)."""
    if d.get("format") != DOCUMENT_FORMAT:
        raise ValueError(f"unknown profile document format {d.get('format')!r}")
    dup, att = d["duplicates"], d["attachments"]
    return CityProfile(
        city_code=d["city_code"],
        city_name=d["city_name"],
        version=d["version"],
        calendar=calendar_settings_from_dict(d["calendar"]),
        classes={c["code"]: _read_class(c) for c in d["classes"]},
        conditions={
            c["code"]: FilingCondition(
                code=c["code"],
                class_code=c["class_code"],
                text=c["text"],
                limit=_read_limit(c["limit"]),
                urgency=Urgency(c["urgency"]),
                closure_condition=c["closure_condition"],
                default_unit=c["default_unit"],
                weight=float(c["weight"]),
            )
            for c in d["conditions"]
        },
        stage_limits=tuple(
            StageLimit(
                Stage(s["stage"]),
                _read_limit(s["limit"]),
                Urgency(s["urgency"]) if s["urgency"] else None,
                AreaClass(s["area_class"]) if s["area_class"] else None,
            )
            for s in d["stage_limits"]
        ),
        routing=tuple(
            RoutingRule(r["class_pattern"], r["area_code"], r["unit_code"], r["note"])
            for r in d["routing"]
        ),
        units={
            u["code"]: Unit(
                u["code"], u["name"], UnitKind(u["kind"]), u["parent_code"], u["region_code"]
            )
            for u in d["units"]
        },
        regions={
            r["code"]: RegionInfo(r["code"], AreaClass(r["area_class"]), r["name"])
            for r in d["regions"]
        },
        duplicates=DuplicatePolicy(float(dup["radius_m"]), float(dup["window_hours"])),
        attachments=AttachmentPolicy(
            bool(att["handled_requires_photo"]), int(att["max_bytes"]), tuple(att["allowed_types"])
        ),
        class_weights={k: float(v) for k, v in d["class_weights"].items()},
        evaluation=d["evaluation"],
        iot=d.get("iot", {}),
        content_hash=d["content_hash"],
        components={c["code"]: _read_class(c) for c in d["components"]},
        verification_channels=tuple(d["verification_channels"]),
        legacy_catalog=bool(d["legacy_catalog"]),
    )
