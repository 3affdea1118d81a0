"""`cityops iot …` on both databases: devices registered from a CSV file (GCJ-02 coordinates
stored as WGS84, a bad file refused with its rows), readings sent from a dump, the figures
and the open alarms printed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine
from typer.testing import CliRunner

from cityops.cli import iot as iot_cli
from cityops.cli.main import app
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.geo.coords import wgs84_to_gcj02
from cityops.services.iot import devices as dev
from cityops.services.runtime import Runtime
from tests.fakes import AlwaysWorking, make_profile
from tests.integration.helpers import StepClock, make_rt
from tests.integration.test_iot import IOT

runner = CliRunner()


@pytest.fixture
def cli_rt(
    engine: Engine, tmp_path: Path, clock: StepClock, monkeypatch: pytest.MonkeyPatch
) -> Runtime:
    rt = make_rt(engine, tmp_path, clock)
    rt.policy_override = CasePolicy(replace(make_profile(), iot=IOT), AlwaysWorking())
    monkeypatch.setattr(iot_cli, "runtime", lambda: rt)
    monkeypatch.setattr(iot_cli, "console", Console(width=200))
    return rt


def test_devices_from_a_file_readings_from_a_dump_figures_and_alarms(
    cli_rt: Runtime, tmp_path: Path
) -> None:
    lon, lat = wgs84_to_gcj02(117.0051, 36.6051)
    lon2, lat2 = wgs84_to_gcj02(117.0052, 36.6052)
    devices = tmp_path / "devices.csv"
    devices.write_text(
        "code,kind,name,lon,lat\n"
        f"JN-MH-1,manhole,解放路1号井盖,{lon:.7f},{lat:.7f}\n"
        f"JN-SL-1,street_light,解放路1号灯,{lon2:.7f},{lat2:.7f}\n",
        encoding="utf-8",
    )
    out = runner.invoke(
        app, ["iot", "import-devices", str(devices), "--crs", "gcj02"], terminal_width=200
    )
    assert out.exit_code == 0, out.output
    assert "已登记设备 2 台" in out.output
    assert dev.count_devices(cli_rt) == 2
    stored = dev.get_device(cli_rt, "JN-MH-1")
    assert abs(stored.lon - 117.0051) < 1e-5 and abs(stored.lat - 36.6051) < 1e-5

    bad = tmp_path / "bad.csv"
    bad.write_text("code,kind,name,lon,lat\nJN-MH-2,manhole,井盖,东经117,36.6\n", encoding="utf-8")
    out = runner.invoke(app, ["iot", "import-devices", str(bad)], terminal_width=200)
    assert out.exit_code == 2
    assert "iot.file_invalid" in out.output and "第2行" in out.output
    assert "iot.position_invalid" in out.output
    assert dev.count_devices(cli_rt) == 2

    t = cli_rt.now()
    readings = tmp_path / "readings.csv"
    readings.write_text(
        "device,at,value,status\n"
        f"JN-MH-1,{t.isoformat()},30,ok\n"
        f"JN-MH-1,{t.replace(microsecond=1).isoformat()},35,ok\n"
        f"JN-NOPE,{t.isoformat()},1,ok\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["iot", "send-readings", str(readings)], terminal_width=200)
    assert out.exit_code == 1, out.output  # one reading refused, the others kept
    assert "接收 2 条" in out.output and "拒收 1 条" in out.output
    assert "iot.device_unknown" in out.output and "上报案卷 1 件" in out.output

    out = runner.invoke(app, ["iot", "figures"], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "智能井盖" in out.output and "智慧路灯" in out.output
    out = runner.invoke(app, ["iot", "alarms"], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "报警" in out.output and "JN-MH-1" in out.output and "35" in out.output

    undated = tmp_path / "undated.csv"
    undated.write_text("device,at,value\nJN-MH-1,昨天,3\n", encoding="utf-8")
    out = runner.invoke(app, ["iot", "send-readings", str(undated)], terminal_width=200)
    assert out.exit_code == 2 and "iot.time_invalid" in out.output
    out = runner.invoke(app, ["iot", "send-readings", str(tmp_path / "none.csv")])
    assert out.exit_code == 2 and "iot.file_unreadable" in out.output
