"""The monitoring figures by device kind read from the devices (the formulas are the
domain's, ``cityops.domain.iot.figures``) and the open alarms."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from cityops.adapters.db.tables.iot import iot_alarms, iot_devices
from cityops.domain.iot.figures import ALARM_LIST_ORDER, KindFigures, LevelCounts, kind_figures
from cityops.services.iot.devices import kinds
from cityops.services.runtime import Runtime


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
    by_level: dict[str, dict[str, int]] = defaultdict(dict)
    never: dict[str, int] = defaultdict(int)
    for kind, level, never_seen, n in rows:
        if never_seen:
            never[kind] += int(n)
        else:
            by_level[kind][level] = by_level[kind].get(level, 0) + int(n)
    return [
        kind_figures(k, LevelCounts.of(by_level.get(code, {}), never.get(code, 0)))
        for code, k in kinds(rt).items()
    ]


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
    return sorted((dict(r) for r in rows), key=lambda r: ALARM_LIST_ORDER.get(r["level"], 9))
