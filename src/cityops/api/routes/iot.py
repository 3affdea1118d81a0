"""IoT monitoring (物联感知): readings in from gateways and platforms (role system), devices
registered by administrators, and for staff the figures, the devices for the map, one device
with its readings and alarms, and the open alarms."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from cityops.api.deps import RT, Admin, Staff, require_roles
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.iot import (
    AlarmOut,
    DeviceDetailOut,
    DeviceOut,
    DevicesIn,
    IngestOut,
    KindFiguresOut,
    KindOut,
    OpenAlarmOut,
    ReadingOut,
    ReadingsIn,
    RegisteredOut,
    RejectedReadingOut,
)
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.services.iot import devices as dev
from cityops.services.iot import figures
from cityops.services.iot.ingest import ReadingIn, ingest_readings

router = APIRouter(prefix="/iot", tags=["iot 物联感知"], responses=ERROR_RESPONSES)

Feeder = Annotated[User, Depends(require_roles(Role.SYSTEM, Role.ADMIN))]
Code = Annotated[str, Path(min_length=1, max_length=32, examples=["37010201037000001"])]


def device_out(d: dev.Device) -> DeviceOut:
    return DeviceOut(
        code=d.code,
        kind=d.kind,
        name=d.name,
        lon=d.lon,
        lat=d.lat,
        grid_code=d.grid_code,
        street_code=d.street_code,
        district_code=d.district_code,
        unit_code=d.unit_code,
        level=d.level,
        level_since=d.level_since,
        last_seen_at=d.last_seen_at,
        last_value=d.last_value,
        last_status=d.last_status,
    )


@router.post(
    "/readings",
    summary="上传读数 Readings from devices (gateways, platforms)",
    description="Each reading is checked on its own: a bad one is refused with its code and "
    "reason in `rejected`, the others are kept. An alarm confirmed by these readings reports "
    "a case on the 物联感知 channel (ids in `cases`).",
    response_model=IngestOut,
)
def post_readings(rt: RT, user: Feeder, body: ReadingsIn) -> IngestOut:
    result = ingest_readings(
        rt, [ReadingIn(r.device, r.at, r.value, r.status) for r in body.readings]
    )
    return IngestOut(
        accepted=result.accepted,
        late=result.late,
        rejected=[RejectedReadingOut(**r) for r in result.rejected],
        alarms_opened=result.alarms_opened,
        alarms_cleared=result.alarms_cleared,
        cases=result.cases,
    )


@router.post(
    "/devices",
    status_code=status.HTTP_201_CREATED,
    summary="登记设备 Register devices (all or nothing)",
    response_model=RegisteredOut,
)
def register(rt: RT, admin: Admin, body: DevicesIn) -> RegisteredOut:
    n = dev.register_devices(
        rt,
        [dev.DeviceIn(d.code, d.kind, d.name, d.lon, d.lat, d.unit_code) for d in body.devices],
    )
    return RegisteredOut(registered=n)


@router.get("/kinds", summary="设备类型与阈值 Sensor kinds", response_model=list[KindOut])
def list_kinds(rt: RT, user: Staff) -> list[KindOut]:
    return [
        KindOut(**{**asdict(k), "direction": k.direction.value if k.direction else None})
        for k in dev.kinds(rt).values()
    ]


@router.get("/figures", summary="监测指标 Figures by kind", response_model=list[KindFiguresOut])
def get_figures(
    rt: RT, user: Staff, district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None
) -> list[KindFiguresOut]:
    return [KindFiguresOut(**asdict(f)) for f in figures.iot_figures(rt, district)]


@router.get("/devices", summary="设备 Devices (for the map)", response_model=list[DeviceOut])
def list_devices(
    rt: RT,
    user: Staff,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    level: Annotated[str | None, Query(pattern="^(normal|warning|alarm|offline)$")] = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    limit: Annotated[int, Query(ge=1, le=20000)] = 5000,
) -> list[DeviceOut]:
    found = dev.list_devices(rt, kind=kind, level=level, district=district, limit=limit)
    return [device_out(d) for d in found]


@router.get("/devices/{code}", summary="设备详情 One device", response_model=DeviceDetailOut)
def get_device(rt: RT, user: Staff, code: Code) -> DeviceDetailOut:
    d = dev.get_device(rt, code)
    return DeviceDetailOut(
        **device_out(d).model_dump(),
        readings=[ReadingOut(**r) for r in dev.recent_readings(rt, d.id)],
        alarms=[
            AlarmOut(**{k: a[k] for k in AlarmOut.model_fields})
            for a in dev.device_alarms(rt, d.id)
        ],
    )


@router.get("/alarms", summary="当前告警 Open alarms", response_model=list[OpenAlarmOut])
def open_alarms(rt: RT, user: Staff) -> list[OpenAlarmOut]:
    return [
        OpenAlarmOut(
            id=a["id"],
            level=a["level"],
            started_at=a["started_at"],
            peak_value=a["peak_value"],
            case_id=a["case_id"],
            report_error=a["report_error"],
            device=a["code"],
            kind=a["kind"],
            name=a["name"],
            lon=a["lon"],
            lat=a["lat"],
            district_code=a["district_code"],
            last_value=a["last_value"],
        )
        for a in figures.open_alarms(rt)
    ]
