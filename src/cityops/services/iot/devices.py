"""The device registry: devices registered (all or nothing, every problem listed), listed and
read with their recent readings and alarms."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, select

from cityops.adapters.db.tables.iot import iot_alarms, iot_devices, iot_readings
from cityops.domain.iot.kinds import SensorKind, sensor_kinds
from cityops.errors import NotFoundError, ValidationError
from cityops.services.runtime import Runtime

CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{3,31}$")
MAX_BATCH = 10_000


@dataclass(frozen=True)
class DeviceIn:
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    unit_code: str | None = None


@dataclass(frozen=True)
class Device:
    id: int
    code: str
    kind: str
    name: str
    lon: float
    lat: float
    grid_code: str | None
    street_code: str | None
    district_code: str | None
    unit_code: str | None
    active: bool
    level: str
    level_since: datetime | None
    last_seen_at: datetime | None
    last_value: float | None
    last_status: str | None
    alarm_id: int | None
    extra: dict[str, Any] = field(default_factory=dict)


_kinds_of: list[tuple[object, Mapping[str, SensorKind]]] = []  # (profile, its kinds): the last one


def kinds(rt: Runtime) -> Mapping[str, SensorKind]:
    """The sensor kinds of the active city profile (read from it once per profile)."""
    profile = rt.policy.profile
    last = _kinds_of[-1] if _kinds_of else None
    if last is not None and last[0] is profile:
        return last[1]
    found = sensor_kinds(profile.iot)
    _kinds_of[:] = [(profile, found)]
    return found


def device_of(row: Any) -> Device:
    return Device(
        id=int(row.id),
        code=row.code,
        kind=row.kind,
        name=row.name,
        lon=float(row.lon),
        lat=float(row.lat),
        grid_code=row.grid_code,
        street_code=row.street_code,
        district_code=row.district_code,
        unit_code=row.unit_code,
        active=bool(row.active),
        level=row.level,
        level_since=row.level_since,
        last_seen_at=row.last_seen_at,
        last_value=row.last_value,
        last_status=row.last_status,
        alarm_id=int(row.alarm_id) if row.alarm_id is not None else None,
    )


def register_devices(rt: Runtime, devices: Sequence[DeviceIn]) -> int:
    """Register devices; any problem (unknown kind or unit, a code taken or repeated, a point
    outside the city's grids) refuses the whole batch with every problem listed. Returns how
    many were registered."""
    if len(devices) > MAX_BATCH:
        raise ValidationError(
            "iot.batch_too_large", f"一次最多登记{MAX_BATCH}台设备", max=MAX_BATCH
        )
    known = kinds(rt)
    units = rt.policy.profile.units
    problems: list[dict[str, Any]] = []

    def bad(i: int, d: DeviceIn, code: str, message: str) -> None:
        problems.append({"index": i, "code_of_device": d.code, "code": code, "message": message})

    seen: set[str] = set()
    finite = [math.isfinite(d.lon) and math.isfinite(d.lat) for d in devices]
    for i, d in enumerate(devices):
        if not CODE.fullmatch(d.code or ""):
            bad(i, d, "iot.device_code_invalid", f"设备编码“{d.code}”须为4至32位字母、数字或 _ . -")
        elif d.code in seen:
            bad(i, d, "iot.device_code_repeated", f"设备编码“{d.code}”在本批中重复")
        seen.add(d.code)
        if d.kind not in known:
            allowed = "、".join(known) or "（城市配置中没有设备类型）"
            bad(i, d, "iot.kind_unknown", f"设备类型“{d.kind}”未在城市配置中定义，可用：{allowed}")
        if not (d.name or "").strip():
            bad(i, d, "iot.name_required", "设备名称不能为空")
        if d.unit_code and d.unit_code not in units:
            bad(i, d, "iot.unit_unknown", f"养护单位“{d.unit_code}”不存在")
        if not finite[i]:
            bad(i, d, "iot.position_invalid", "坐标无效")
    # a point that is not a number is listed above, not located (locating would raise)
    locs = [
        rt.locator.locate(d.lon, d.lat) if ok else None
        for d, ok in zip(devices, finite, strict=True)
    ]
    for i, (d, loc) in enumerate(zip(devices, locs, strict=True)):
        if loc is not None and loc.grid_code is None:
            bad(i, d, "iot.outside_city", f"设备“{d.code}”的位置不在本市任何单元网格内")
    with rt.uow() as uow:
        taken = (
            set(
                uow.conn.execute(
                    select(iot_devices.c.code).where(iot_devices.c.code.in_(sorted(seen)))
                ).scalars()
            )
            if seen
            else set()
        )
        for i, d in enumerate(devices):
            if d.code in taken:
                bad(i, d, "iot.device_code_taken", f"设备编码“{d.code}”已登记")
        if problems:
            raise ValidationError(
                "iot.devices_invalid",
                f"设备登记未通过（共{len(problems)}处问题）：{problems[0]['message']}",
                problems=problems[:200],
            )
        now = rt.now()
        rows = [
            {
                "code": d.code,
                "kind": d.kind,
                "name": d.name.strip(),
                "lon": loc.lon,
                "lat": loc.lat,
                "grid_code": loc.grid_code,
                "community_code": loc.community_code,
                "street_code": loc.street_code,
                "district_code": loc.district_code,
                "unit_code": d.unit_code or None,
                "active": True,
                "level": "normal",
                "streak": 0,
                "reported": False,
                "created_at": now,
            }
            for d, loc in zip(devices, locs, strict=True)
            if loc is not None  # every point is located once no problem is left
        ]
        if rows:
            uow.conn.execute(insert(iot_devices), rows)
        uow.commit()
    return len(devices)


def get_device(rt: Runtime, code: str) -> Device:
    with rt.uow(readonly=True) as uow:
        row = uow.conn.execute(select(iot_devices).where(iot_devices.c.code == code)).first()
    if row is None:
        raise NotFoundError("iot.device_not_found", f"设备“{code}”不存在", device=code)
    return device_of(row)


def recent_readings(rt: Runtime, device_id: int, limit: int = 100) -> list[dict[str, Any]]:
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(iot_readings.c.at, iot_readings.c.value, iot_readings.c.status)
            .where(iot_readings.c.device_id == device_id)
            .order_by(iot_readings.c.at.desc())
            .limit(limit)
        ).all()
    return [{"at": r.at, "value": r.value, "status": r.status} for r in rows]


def device_alarms(rt: Runtime, device_id: int, limit: int = 20) -> list[dict[str, Any]]:
    with rt.uow(readonly=True) as uow:
        rows = (
            uow.conn.execute(
                select(iot_alarms)
                .where(iot_alarms.c.device_id == device_id)
                .order_by(iot_alarms.c.started_at.desc())
                .limit(limit)
            )
            .mappings()
            .all()
        )
    return [dict(r) for r in rows]


def list_devices(
    rt: Runtime,
    *,
    kind: str | None = None,
    level: str | None = None,
    district: str | None = None,
    limit: int = 5000,
) -> list[Device]:
    where: list[ColumnElement[bool]] = [iot_devices.c.active.is_(True)]
    if kind:
        where.append(iot_devices.c.kind == kind)
    if level:
        where.append(iot_devices.c.level == level)
    if district:
        where.append(iot_devices.c.district_code == district)
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(iot_devices).where(and_(*where)).order_by(iot_devices.c.code).limit(limit)
        ).all()
    return [device_of(r) for r in rows]


def count_devices(rt: Runtime) -> int:
    with rt.uow(readonly=True) as uow:
        return int(uow.conn.execute(select(func.count()).select_from(iot_devices)).scalar_one())
