"""`cityops iot …`: sensors (物联感知) — register devices from a file, send readings from a
dump, and read the figures and the open alarms."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cityops.cli.core import runtime
from cityops.domain.geo.model import CoordSystem
from cityops.errors import CityopsError

console = Console()
iot_app = typer.Typer(
    name="iot",
    help="物联感知：设备登记、读数导入、监测指标与告警 (sensors)",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(iot_app, name="iot")


def _fail(exc: CityopsError) -> None:
    console.print(f"[bold red]错误[/] {exc.code}: {exc.message}", markup=True, highlight=False)
    for p in (exc.details or {}).get("problems", [])[:20]:
        where = f"第{p['row']}行" if "row" in p else f"第{p.get('index', 0) + 2}行"
        console.print(f"  {where} {p['code']}: {p['message']}", markup=False, highlight=False)
    raise typer.Exit(2)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        console.print(f"[bold red]错误[/] iot.file_unreadable: 无法读取 {path}：{exc}")
        raise typer.Exit(2) from exc


@iot_app.command("import-devices")
def import_devices(
    file: Annotated[Path, typer.Argument(help="CSV：code,kind,name,lon,lat[,unit_code]")],
    crs: Annotated[
        CoordSystem, typer.Option(help="文件中坐标的坐标系（入库统一为 WGS84）")
    ] = CoordSystem.WGS84,
) -> None:
    """登记设备 Register the devices of a CSV file (all or nothing)."""
    from cityops.services.iot.devices import register_devices
    from cityops.services.iot.files import parse_devices_csv

    try:
        devices = parse_devices_csv(_read(file), crs)
        n = register_devices(runtime(), devices)
    except CityopsError as exc:
        _fail(exc)
        return
    console.print(f"已登记设备 {n} 台")


@iot_app.command("send-readings")
def send_readings(
    file: Annotated[Path, typer.Argument(help="CSV：device,at,value[,status]")],
) -> None:
    """导入读数 Send the readings of a CSV dump through the gateways' path."""
    from cityops.services.iot.files import parse_readings_csv
    from cityops.services.iot.ingest import ingest_all

    try:
        readings = sorted(parse_readings_csv(_read(file)), key=lambda r: r.at)
        result = ingest_all(runtime(), readings)
    except CityopsError as exc:
        _fail(exc)
        return
    refused = len(result.rejected)
    console.print(
        f"读数：接收 {result.accepted} 条（迟到 {result.late} 条），拒收 {refused} 条；"
        f"新告警 {result.alarms_opened} 次，上报案卷 {len(result.cases)} 件"
    )
    for r in result.rejected[:20]:
        console.print(f"  拒收 {r['device']}: {r['code']} {r['message']}", markup=False)
    if result.rejected:
        raise typer.Exit(1)


@iot_app.command("figures")
def figures_cmd(
    district: Annotated[str | None, typer.Option(help="区县代码（6位）")] = None,
) -> None:
    """监测指标 Devices by kind and level, online, intact and lighting rates."""
    from cityops.services.iot.figures import iot_figures

    table = Table(
        "类型",
        "设备",
        "正常",
        "预警",
        "报警",
        "离线",
        "未上线",
        "在线率",
        "完好率",
        "亮灯率",
        title="物联感知 监测指标",
    )

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}%"

    for f in iot_figures(runtime(), district):
        table.add_row(
            f.name, str(f.total), str(f.normal), str(f.warning), str(f.alarm), str(f.offline),
            str(f.never_seen), pct(f.online_rate), pct(f.intact_rate), pct(f.lighting_rate),
        )  # fmt: skip
    console.print(table)


@iot_app.command("alarms")
def alarms_cmd() -> None:
    """当前告警 Open alarms, worst and oldest first, with the case each reported."""
    from cityops.services.iot.figures import open_alarms

    labels = {"alarm": "报警", "warning": "预警", "offline": "离线"}
    table = Table("级别", "设备", "名称", "开始", "峰值", "案卷", title="当前告警")
    for a in open_alarms(runtime()):
        table.add_row(
            labels.get(a["level"], a["level"]),
            a["code"],
            a["name"],
            f"{a['started_at']:%Y-%m-%d %H:%M}",
            "—" if a["peak_value"] is None else f"{a['peak_value']:g}",
            str(a["case_id"] or a["report_error"] or "—"),
        )
    console.print(table)
