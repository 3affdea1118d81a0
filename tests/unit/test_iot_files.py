"""Device lists and reading dumps read from CSV: columns checked, every bad row reported,
coordinates converted to WGS84, nothing half-read."""

from __future__ import annotations

import pytest

from cityops.domain.geo.coords import wgs84_to_bd09
from cityops.domain.geo.model import CoordSystem
from cityops.errors import ValidationError
from cityops.services.iot.files import parse_devices_csv, parse_readings_csv


def test_a_device_file_with_a_bom_and_baidu_coordinates_is_read_as_wgs84() -> None:
    lon, lat = wgs84_to_bd09(117.0, 36.65)
    text = f"\ufeffcode,kind,name,lon,lat,unit_code\nA-0001,gas,燃气点, {lon} ,{lat},\n"
    (d,) = parse_devices_csv(text, CoordSystem.BD09)
    assert d.code == "A-0001" and d.kind == "gas" and d.unit_code is None
    assert abs(d.lon - 117.0) < 1e-5 and abs(d.lat - 36.65) < 1e-5


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_devices_csv("code,name,lon\nA-1,x,117\n")
    assert caught.value.code == "iot.file_columns"
    assert caught.value.details["missing"] == ["kind", "lat"]


def test_every_bad_row_is_reported_and_none_is_kept() -> None:
    t = "2026-06-01T08:00:00+08:00"
    text = f"device,at,value\nA,{t},1\nB,tomorrow,1\nC,{t},x\n"
    with pytest.raises(ValidationError) as caught:
        parse_readings_csv(text)
    problems = caught.value.details["problems"]
    assert [(p["row"], p["code"]) for p in problems] == [
        (3, "iot.time_invalid"),
        (4, "iot.value_invalid"),
    ]
    (r,) = parse_readings_csv("device,at,value,status\nA,2026-06-01T08:00:00+08:00,,fault\n")
    assert r.value is None and r.status == "fault"
