"""The monitoring figures by device kind: how many devices, at which level, online; the
intact rate (完好率) and, for street lights, the lighting rate (亮灯率); the open alarms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from cityops.adapters.db.tables.iot import iot_alarms, iot_devices
from cityops.services.iot.devices import kinds
from cityops.services.runtime import Runtime

LIGHTING_KIND = "street_light"


@dataclass(frozen=True)
class KindFigures:
    kind: str
    name: str
    total: int
    normal: int
    warning: int
    alarm: int
    offline: int
    never_seen: int
    online_rate: float | None  # (total − offline − never seen) / total, percent
    intact_rate: float | None  # devices working normally (no alarm, online) / total, percent
    lighting_rate: float | None  # street lights: lit (online, no fault) / total, percent


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 2) if d else None


def iot_figures(rt: Runtime, district: str | None = None) -> list[KindFigures]:
    where: list[ColumnElement[bool]] = [iot_devices.c.active.is_(True)]
    if district:
        where.append(iot_devices.c.district_code == district)
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(
                iot_devices.c.kind,
                iot_devices.c.level,
                iot_devices.c.last_seen_at.is_(None).label("never"),
                func.count(),
            )
            .where(and_(*where))
            .group_by(iot_devices.c.kind, iot_devices.c.level, iot_devices.c.last_seen_at.is_(None))
        ).all()
    counts: dict[str, dict[str, int]] = {}
    for kind, level, never, n in rows:
        c = counts.setdefault(
            kind, {"normal": 0, "warning": 0, "alarm": 0, "offline": 0, "never": 0}
        )
        if never:
            c["never"] += int(n)
        else:
            c[level] = c.get(level, 0) + int(n)
    out = []
    for code, k in kinds(rt).items():
        c = counts.get(code, {"normal": 0, "warning": 0, "alarm": 0, "offline": 0, "never": 0})
        total = sum(c.values())
        working = c["normal"] + c["warning"]
        out.append(
            KindFigures(
                kind=code,
                name=k.name,
                total=total,
                normal=c["normal"],
                warning=c["warning"],
                alarm=c["alarm"],
                offline=c["offline"],
                never_seen=c["never"],
                online_rate=_pct(total - c["offline"] - c["never"], total),
                intact_rate=_pct(working, total),
                lighting_rate=_pct(working, total) if code == LIGHTING_KIND else None,
            )
        )
    return out


def open_alarms(rt: Runtime, limit: int = 200) -> list[dict[str, Any]]:
    """The alarms not yet ended, worst and oldest first, with their device."""
    with rt.uow(readonly=True) as uow:
        rows = (
            uow.conn.execute(
                select(
                    iot_alarms.c.id,
                    iot_alarms.c.level,
                    iot_alarms.c.started_at,
                    iot_alarms.c.peak_value,
                    iot_alarms.c.case_id,
                    iot_alarms.c.report_error,
                    iot_devices.c.code,
                    iot_devices.c.kind,
                    iot_devices.c.name,
                    iot_devices.c.lon,
                    iot_devices.c.lat,
                    iot_devices.c.district_code,
                    iot_devices.c.last_value,
                )
                .join(iot_devices, iot_devices.c.id == iot_alarms.c.device_id)
                .where(iot_alarms.c.ended_at.is_(None))
                .order_by(iot_alarms.c.started_at)
                .limit(limit)
            )
            .mappings()
            .all()
        )
    order = {"alarm": 0, "offline": 1, "warning": 2}
    return sorted((dict(r) for r in rows), key=lambda r: order.get(r["level"], 9))
