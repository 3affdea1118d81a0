"""Readings in: each reading is checked, stored and moves its device's state (one transaction
for a batch); an alarm opens, worsens and clears with the readings; a confirmed alarm reports
a case on the 物联感知 channel — once per alarm, after the readings are committed, under the
kind's filing condition — and the alarm keeps the case's id.

A batch from a gateway is taken reading by reading: what is wrong with one reading (an unknown
device, a time without a zone or in the future, a value that is not a number) refuses that
reading with its reason and keeps the others. Readings older than the device's last one are
stored but move nothing (late deliveries over a weak network).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from cityops.adapters.db.tables.iot import iot_alarms, iot_devices, iot_readings
from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Channel, Role
from cityops.domain.catalog.model import Urgency
from cityops.domain.iot.kinds import Level, SensorKind, Status
from cityops.domain.iot.state import (
    Change,
    DeviceState,
    after_reading,
    after_silence,
    severity,
)
from cityops.errors import CityopsError
from cityops.services.iot.devices import kinds
from cityops.services.runtime import Runtime

SENSOR = Actor("system.sensor", Role.SYSTEM, None, "物联感知")
FUTURE_SLACK = timedelta(minutes=5)
MAX_BATCH = 5_000
KEEP_READINGS = timedelta(days=90)


@dataclass(frozen=True)
class ReadingIn:
    device: str  # the device code
    at: datetime
    value: float | None = None
    status: str = "ok"


@dataclass
class Confirmed:
    """A confirmed alarm waiting for its case."""

    alarm_id: int
    device: dict[str, Any]
    kind: SensorKind
    level: Level
    value: float | None
    status: str


@dataclass
class IngestResult:
    accepted: int = 0
    late: int = 0  # stored, older than the device's last reading: its state did not move
    rejected: list[dict[str, Any]] = field(default_factory=list)
    alarms_opened: int = 0
    alarms_cleared: int = 0
    cases: list[int] = field(default_factory=list)

    def add(self, other: IngestResult, offset: int = 0) -> None:
        """Count ``other`` in; its rejected readings' indexes are shifted by ``offset``."""
        self.accepted += other.accepted
        self.late += other.late
        self.rejected.extend({**r, "index": r["index"] + offset} for r in other.rejected)
        self.alarms_opened += other.alarms_opened
        self.alarms_cleared += other.alarms_cleared
        self.cases.extend(other.cases)


def ingest_all(rt: Runtime, readings: Sequence[ReadingIn]) -> IngestResult:
    """Ingest any number of readings, ``MAX_BATCH`` at a time, in the order given."""
    total = IngestResult()
    for start in range(0, len(readings), MAX_BATCH):
        total.add(ingest_readings(rt, readings[start : start + MAX_BATCH]), start)
    return total


def ingest_readings(rt: Runtime, readings: Sequence[ReadingIn]) -> IngestResult:
    if len(readings) > MAX_BATCH:
        raise CityopsError("iot.batch_too_large", f"一次最多提交{MAX_BATCH}条读数", max=MAX_BATCH)
    result = IngestResult()
    known = kinds(rt)
    now = rt.now()
    valid: list[tuple[int, ReadingIn]] = []
    for i, r in enumerate(readings):
        reason = _problem(r, now)
        if reason is not None:
            result.rejected.append({"index": i, "device": r.device, **reason})
        else:
            valid.append((i, r))
    confirmed: list[Confirmed] = []
    with rt.uow() as uow:
        codes = sorted({r.device for _, r in valid})
        devices = (
            {
                row["code"]: dict(row)
                for row in uow.conn.execute(
                    select(iot_devices).where(iot_devices.c.code.in_(codes))
                ).mappings()
            }
            if codes
            else {}
        )
        by_device: dict[str, list[ReadingIn]] = defaultdict(list)
        rows = []
        for i, r in valid:
            d = devices.get(r.device)
            if d is None or not d["active"] or d["kind"] not in known:
                why = (
                    ("iot.device_unknown", f"设备“{r.device}”未登记")
                    if d is None
                    else ("iot.device_inactive", f"设备“{r.device}”已停用")
                    if not d["active"]
                    else (
                        "iot.kind_unknown",
                        f"设备“{r.device}”的类型“{d['kind']}”已不在城市配置中",
                    )
                )
                result.rejected.append(
                    {"index": i, "device": r.device, "code": why[0], "message": why[1]}
                )
                continue
            by_device[r.device].append(r)
            rows.append(
                {
                    "device_id": d["id"],
                    "at": r.at,
                    "value": r.value,
                    "status": r.status,
                    "received_at": now,
                }
            )
        if rows:
            uow.conn.execute(insert(iot_readings), rows)
        result.accepted = len(rows)
        for code, items in by_device.items():
            _advance(
                uow.conn, devices[code], known[devices[code]["kind"]], items, result, confirmed
            )
        uow.commit()
    result.rejected.sort(key=lambda r: r["index"])
    for c in confirmed:
        case_id = report_alarm(rt, c)
        if case_id is not None:
            result.cases.append(case_id)
    return result


def _problem(r: ReadingIn, now: datetime) -> dict[str, str] | None:
    if r.at.tzinfo is None:
        return {
            "code": "iot.time_naive",
            "message": "读数时间须带时区，例如 2026-06-01T08:00:00+08:00",
        }
    if r.at > now + FUTURE_SLACK:
        return {"code": "iot.time_future", "message": "读数时间晚于当前时间，请校准设备时钟"}
    if r.value is not None and not math.isfinite(r.value):
        return {"code": "iot.value_invalid", "message": "读数不是有限的数字"}
    if r.status not in {s.value for s in Status}:
        return {"code": "iot.status_invalid", "message": f"状态“{r.status}”无效，可用：ok、fault"}
    return None


def _state(d: dict[str, Any]) -> DeviceState:
    return DeviceState(
        level=Level(d["level"]),
        since=d["level_since"],
        streak=int(d["streak"]),
        reported=bool(d["reported"]),
        last_seen=d["last_seen_at"],
        last_value=d["last_value"],
    )


def _advance(
    conn: Any,
    d: dict[str, Any],
    kind: SensorKind,
    items: list[ReadingIn],
    result: IngestResult,
    confirmed: list[Confirmed],
) -> None:
    state = _state(d)
    alarm_id = d["alarm_id"]
    last_status = d["last_status"]
    for r in sorted(items, key=lambda x: x.at):
        new, changes = after_reading(kind, state, r.value, Status(r.status), r.at)
        if new is state:
            result.late += 1
            continue
        if Change.CLEARED in changes and alarm_id is not None:
            conn.execute(
                update(iot_alarms).where(iot_alarms.c.id == alarm_id).values(ended_at=r.at)
            )
            alarm_id = None
            result.alarms_cleared += 1
        if new.level in (Level.WARNING, Level.ALARM):
            if alarm_id is None:
                alarm_id = _new_id(
                    conn.execute(
                        insert(iot_alarms).values(
                            device_id=d["id"],
                            level=new.level.value,
                            started_at=r.at,
                            peak_value=r.value,
                        )
                    )
                )
                result.alarms_opened += 1
            else:
                _worsen(conn, alarm_id, kind, new.level, r.value)
        if Change.CONFIRMED in changes and alarm_id is not None:
            confirmed.append(Confirmed(int(alarm_id), d, kind, new.level, r.value, r.status))
        state, last_status = new, r.status
    conn.execute(
        update(iot_devices)
        .where(iot_devices.c.id == d["id"])
        .values(
            level=state.level.value,
            level_since=state.since,
            streak=state.streak,
            reported=state.reported,
            last_seen_at=state.last_seen,
            last_value=state.last_value,
            last_status=last_status,
            alarm_id=alarm_id,
        )
    )


def _worsen(conn: Any, alarm_id: int, kind: SensorKind, level: Level, value: float | None) -> None:
    row = conn.execute(
        select(iot_alarms.c.level, iot_alarms.c.peak_value).where(iot_alarms.c.id == alarm_id)
    ).one()
    values: dict[str, Any] = {}
    if severity(level) > severity(Level(row.level)):
        values["level"] = level.value
    if kind.worse_peak(value, row.peak_value):
        values["peak_value"] = value
    if values:
        conn.execute(update(iot_alarms).where(iot_alarms.c.id == alarm_id).values(**values))


def report_alarm(rt: Runtime, c: Confirmed) -> int | None:
    """Report the case of a confirmed alarm (idempotent by the alarm's id) and keep its id on
    the alarm; a refusal is kept on the alarm as its reason."""
    from cityops.services.cases import report_case

    d, kind = c.device, c.kind
    cond = rt.policy.profile.conditions.get(kind.condition_code)
    if c.level == Level.OFFLINE:
        what = "设备离线，无法监测"
    elif c.status == Status.FAULT and (c.value is None or kind.direction is None):
        what = "设备报告故障"
    else:
        what = f"{kind.measure}{_fmt(c.value)}{kind.unit}，超过报警值{_fmt(kind.alarm)}{kind.unit}"
    description = f"{kind.name}“{d['name']}”（{d['code']}）{c.level.label_zh}：{what}"
    try:
        res = report_case(
            rt,
            SENSOR,
            channel=Channel.SENSOR,
            description=description,
            lon=float(d["lon"]),
            lat=float(d["lat"]),
            class_code=cond.class_code if cond else None,
            urgency=cond.urgency if cond else Urgency.NORMAL,
            source_ref=f"iot:{d['code']}"[:64],
            idempotency_key=f"iot-alarm-{c.alarm_id}",
            extra={
                "iot": {
                    "device": d["code"],
                    "kind": kind.code,
                    "alarm_id": c.alarm_id,
                    "level": c.level.value,
                    "value": c.value,
                    "condition": kind.condition_code,
                }
            },
        )
    except CityopsError as exc:
        with rt.uow() as uow:
            uow.conn.execute(
                update(iot_alarms)
                .where(iot_alarms.c.id == c.alarm_id)
                .values(report_error=f"{exc.code}: {exc.message}"[:500])
            )
            uow.commit()
        return None
    with rt.uow() as uow:
        uow.conn.execute(
            update(iot_alarms).where(iot_alarms.c.id == c.alarm_id).values(case_id=res.case.id)
        )
        uow.commit()
    return res.case.id


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:g}"


def sweep_offline(rt: Runtime) -> int:
    """Devices silent for longer than their kind allows go offline (and report a case when the
    kind says so); readings older than ``KEEP_READINGS`` are deleted a batch at a time.
    Returns how many devices went offline."""
    known = kinds(rt)
    now = rt.now()
    went = 0
    confirmed: list[Confirmed] = []
    with rt.uow() as uow:
        for kind in known.values():
            cutoff = now - timedelta(minutes=kind.offline_minutes)
            silent = (
                uow.conn.execute(
                    select(iot_devices).where(
                        and_(
                            iot_devices.c.kind == kind.code,
                            iot_devices.c.active.is_(True),
                            iot_devices.c.level != Level.OFFLINE.value,
                            iot_devices.c.last_seen_at < cutoff,
                        )
                    )
                )
                .mappings()
                .all()
            )
            for row in silent:
                d = dict(row)
                new, changes = after_silence(kind, _state(d), now)
                if Change.OFFLINE not in changes:
                    continue
                went += 1
                alarm_id = d["alarm_id"]
                if alarm_id is None:
                    alarm_id = _new_id(
                        uow.conn.execute(
                            insert(iot_alarms).values(
                                device_id=d["id"], level=Level.OFFLINE.value, started_at=now
                            )
                        )
                    )
                if Change.CONFIRMED in changes:
                    confirmed.append(Confirmed(int(alarm_id), d, kind, Level.OFFLINE, None, "ok"))
                uow.conn.execute(
                    update(iot_devices)
                    .where(iot_devices.c.id == d["id"])
                    .values(
                        level=new.level.value,
                        level_since=new.since,
                        streak=0,
                        reported=new.reported,
                        alarm_id=alarm_id,
                    )
                )
        old = select(iot_readings.c.id).where(iot_readings.c.at < now - KEEP_READINGS).limit(10_000)
        uow.conn.execute(delete(iot_readings).where(iot_readings.c.id.in_(old.scalar_subquery())))
        uow.commit()
    for c in confirmed:
        report_alarm(rt, c)
    return went
