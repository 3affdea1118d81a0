"""The demo city's sensors: devices placed in its grids, and the readings their gateways
would send, so that 物联感知 shows a city at work. For demonstrations and training only.

Every reading goes through ``ingest_readings``, the path of real gateways: alarms open,
confirm and report cases on the sensor channel exactly as they would in production.

The signal is a pure function of (device, 15-minute slot), so a history written by
``cityops demo`` and the readings sent later by a live demo server agree: on a few days a
device has one fault episode (a warning slot, then alarm slots), on a few others it is
silent all day (it goes offline), otherwise it reads normal values with some noise.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from cityops.adapters.db.tables.iot import iot_devices
from cityops.domain.iot.kinds import Direction, SensorKind
from cityops.services.iot.devices import DeviceIn, count_devices, kinds, register_devices
from cityops.services.iot.ingest import IngestResult, ReadingIn, ingest_all
from cityops.services.runtime import Runtime
from cityops.services.simulation.world import World

SLOT = timedelta(minutes=15)
HISTORY = timedelta(hours=24)  # at most this much history is written at once
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
CODE_PREFIX = "JN-"  # demo devices only: readings are never made up for a real device


@dataclass(frozen=True)
class DemoKind:
    prefix: str  # device codes: <CODE_PREFIX><prefix>-00001
    count: int
    unit_code: str | None  # 养护单位
    label: str  # the device's name after its address
    episode_per_day: float  # chance of one fault episode on a day
    silent_per_day: float  # chance of sending nothing all day


DEMO_KINDS = {
    "street_light": DemoKind("SL", 240, "dept.lighting", "路灯", 0.03, 0.004),
    "manhole": DemoKind("MH", 80, "dept.drainage", "井盖", 0.012, 0.004),
    "waterlogging": DemoKind("WL", 24, "dept.drainage", "积水监测点", 0.04, 0.004),
    "gas": DemoKind("GS", 30, None, "燃气监测点", 0.006, 0.002),
    "bridge": DemoKind("BR", 12, "dept.roads", "桥梁监测点", 0.01, 0.002),
}
OTHER = DemoKind("DV", 10, None, "监测点", 0.01, 0.004)


def _u(*parts: object) -> float:
    """A uniform number in [0, 1) fixed by ``parts``."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def install_demo_devices(rt: Runtime, world: World, *, seed: int = 2026) -> int:
    """Place the demo devices in the city's grids, unless devices are registered already.
    Returns how many were registered."""
    if count_devices(rt):
        return 0
    rng = random.Random(seed)
    units = rt.policy.profile.units
    devices: list[DeviceIn] = []
    for code in kinds(rt):
        demo = DEMO_KINDS.get(code, OTHER)
        unit = demo.unit_code if demo.unit_code in units else None
        for i in range(1, demo.count + 1):
            grid = world.pick_grid(rng)
            lon, lat = world.point_in(grid, rng)
            place = world.address(grid, rng).removesuffix("附近")
            devices.append(
                DeviceIn(
                    f"{CODE_PREFIX}{demo.prefix}-{i:05d}",
                    code,
                    f"{place}{demo.label}",
                    lon,
                    lat,
                    unit,
                )
            )
    return register_devices(rt, devices) if devices else 0


def signal(kind: SensorKind, code: str, at: datetime, tz: ZoneInfo) -> ReadingIn | None:
    """The reading device ``code`` sends for the slot starting at ``at`` (None: silent)."""
    demo = DEMO_KINDS.get(kind.code, OTHER)
    local = at.astimezone(tz)
    day = local.date().toordinal()
    if _u(code, day, "silent") < demo.silent_per_day:
        return None
    slot = (local.hour * 60 + local.minute) // 15
    phase = "normal"
    if _u(code, day, "episode") < demo.episode_per_day:
        start = int(_u(code, day, "start") * 90)
        length = kind.confirm + 1 + int(_u(code, day, "length") * 8)
        if slot == start - 1:
            phase = "warning"
        elif start <= slot < start + length:
            phase = "alarm"
    jitter = timedelta(seconds=int(_u(code, at.timestamp(), "jitter") * 600))
    noise = _u(code, at.timestamp(), "noise")
    taken = at + jitter
    if kind.direction is None:  # a status-only device (street lights): lit at night
        lit = 1.0 if local.hour >= 18 or local.hour < 6 else 0.0
        if phase == "alarm":
            return ReadingIn(code, taken, 0.0, "fault")
        return ReadingIn(code, taken, lit, "ok")
    value = _value(kind, phase, noise)
    status = "fault" if phase == "alarm" and kind.fault_alarm and noise < 0.15 else "ok"
    return ReadingIn(code, taken, value, status)


def _value(kind: SensorKind, phase: str, noise: float) -> float:
    warn = kind.warn if kind.warn is not None else kind.alarm or 1.0
    alarm = kind.alarm if kind.alarm is not None else warn
    if kind.direction == Direction.BELOW:  # lower is worse: normal readings sit well above
        if phase == "alarm":
            return round(alarm * (0.5 + 0.4 * noise), 2)
        if phase == "warning":
            return round((warn + alarm) / 2, 2)
        return round(warn * (1.5 + noise), 2)
    if phase == "alarm":
        return round(alarm * (1.1 + 0.6 * noise), 2)
    if phase == "warning":
        return round(warn + (alarm - warn) * (0.2 + 0.6 * noise), 2)
    return round(warn * 0.5 * noise, 2)


def feed_demo_readings(rt: Runtime, now: datetime | None = None) -> IngestResult:
    """Send each active demo device's readings for the slots since its last reading (at most
    ``HISTORY`` back) up to ``now``, in order, through the gateways' path."""
    now = now or rt.now()
    tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
    known = kinds(rt)
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(iot_devices.c.code, iot_devices.c.kind, iot_devices.c.last_seen_at).where(
                iot_devices.c.active.is_(True), iot_devices.c.code.startswith(CODE_PREFIX)
            )
        ).all()
    earliest = now - HISTORY
    by_slot: dict[datetime, list[ReadingIn]] = {}
    for code, kind_code, last_seen in rows:
        kind = known.get(kind_code)
        if kind is None:
            continue
        begin = max(last_seen or earliest, earliest)
        at = _next_slot(begin)
        while at + SLOT <= now:
            reading = signal(kind, code, at, tz)
            if reading is not None and reading.at <= now:
                by_slot.setdefault(at, []).append(reading)
            at += SLOT
    # oldest first, so that each device's state follows its readings
    return ingest_all(rt, [r for at in sorted(by_slot) for r in by_slot[at]])


def _next_slot(after: datetime) -> datetime:
    """The first slot boundary strictly after ``after`` (slots start at :00, :15, :30, :45)."""
    seconds = (after - EPOCH).total_seconds()
    step = SLOT.total_seconds()
    return EPOCH + timedelta(seconds=(int(seconds // step) + 1) * step)
