"""Device lists and reading dumps as CSV files (what a vendor's platform exports): parsed row
by row, every problem reported with its row, nothing half-read.

Devices: ``code,kind,name,lon,lat[,unit_code]``, coordinates in the declared system (WGS84,
GCJ-02 or BD-09), stored as WGS84. Readings: ``device,at,value[,status]``, ``at`` in ISO-8601
with an offset.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from typing import Any

from cityops.domain.geo.coords import to_wgs84_many
from cityops.domain.geo.model import CoordSystem
from cityops.errors import ValidationError
from cityops.services.iot.devices import DeviceIn
from cityops.services.iot.ingest import ReadingIn

DEVICE_COLUMNS = ("code", "kind", "name", "lon", "lat")
READING_COLUMNS = ("device", "at", "value")
MAX_PROBLEMS = 200


def _rows(text: str, required: tuple[str, ...], what: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(
            "iot.file_columns",
            f"{what}文件缺少列：{'、'.join(missing)}（须有 {','.join(required)}）",
            missing=missing,
        )
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _fail(what: str, problems: list[dict[str, Any]]) -> ValidationError:
    first = problems[0]
    return ValidationError(
        "iot.file_invalid",
        f"{what}文件有{len(problems)}处问题，未导入任何一行；第{first['row']}行：{first['message']}",
        problems=problems[:MAX_PROBLEMS],
    )


def _number(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_devices_csv(text: str, crs: CoordSystem = CoordSystem.WGS84) -> list[DeviceIn]:
    rows = _rows(text, DEVICE_COLUMNS, "设备")
    problems: list[dict[str, Any]] = []
    parsed: list[tuple[dict[str, str], float, float]] = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        lon, lat = _number(row["lon"]), _number(row["lat"])
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(
                {"row": n, "code": "iot.position_invalid", "message": "经纬度须为有效数字"}
            )
            continue
        parsed.append((row, lon, lat))
    if problems:
        raise _fail("设备", problems)
    lons, lats = to_wgs84_many([p[1] for p in parsed], [p[2] for p in parsed], crs)
    return [
        DeviceIn(
            row["code"],
            row["kind"],
            row["name"],
            round(float(x), 7),
            round(float(y), 7),
            row.get("unit_code") or None,
        )
        for (row, _, _), x, y in zip(parsed, lons, lats, strict=True)
    ]


def parse_readings_csv(text: str) -> list[ReadingIn]:
    rows = _rows(text, READING_COLUMNS, "读数")
    problems: list[dict[str, Any]] = []
    out: list[ReadingIn] = []
    for n, row in enumerate(rows, start=2):
        try:
            at = datetime.fromisoformat(row["at"])
        except ValueError:
            problems.append(
                {
                    "row": n,
                    "code": "iot.time_invalid",
                    "message": f"时间“{row['at']}”须为 ISO-8601，例如 2026-06-01T08:00:00+08:00",
                }
            )
            continue
        value = None
        if row["value"]:
            value = _number(row["value"])
            if value is None:
                problems.append(
                    {
                        "row": n,
                        "code": "iot.value_invalid",
                        "message": f"读数“{row['value']}”不是数字",
                    }
                )
                continue
        out.append(ReadingIn(row["device"], at, value, row.get("status") or "ok"))
    if problems:
        raise _fail("读数", problems)
    return out
