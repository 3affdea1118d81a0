"""`cityops` commands of the geo area.

* ``cityops geo import-regions FILE --level district|street|community [--crs] [--tolerance]
  [--layer]`` — import a city's own administrative regions, one level per file (all or nothing);
* ``cityops import-grids FILE [--crs wgs84|gcj02|bd09] [--tolerance] [--layer]`` (also
  ``cityops geo import-grids``) — import unit grids (all or nothing);
* ``cityops geo export grids|regions|roads|places|areas FILE [--format geojson|gpkg]``;
* ``cityops geo locate LON LAT [--crs]`` — which grid, community, street, district;
* ``cityops geo demo`` — install the generated demo geography of 济南;
* ``cityops geo regions [--level] [--parent]`` — list districts, streets, communities.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cityops.domain.geo.model import DEFAULT_TOLERANCE_M, CoordSystem, RegionLevel
from cityops.errors import CityopsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

geo_app = typer.Typer(
    name="geo",
    help="地理：单元网格、行政区划、道路与地名 (grids, regions, roads and places)",
    no_args_is_help=True,
)
_console: Console | None = None
MAX_PROBLEMS_SHOWN = 200


def _out() -> Console:
    global _console
    if _console is None:
        probe = Console()
        _console = probe if probe.is_terminal else Console(width=max(probe.width, 200))
    return _console


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("import-grids")(import_grids)
    geo_app.command("import-grids")(import_grids)
    app.add_typer(geo_app, name="geo")


def _fail(exc: CityopsError) -> NoReturn:
    out = _out()
    out.print(f"[bold red]错误 error[/] {escape(f'[{exc.code}]')} {escape(exc.message)}")
    problems = exc.details.get("problems")
    if isinstance(problems, list) and problems:
        table = Table(title=f"问题 problems（{len(problems)}）")
        for col in ("要素 feature", "代码 code", "问题 problem", "说明 reason"):
            table.add_column(col, overflow="fold")
        for p in problems[:MAX_PROBLEMS_SHOWN]:
            table.add_row(str(p["index"]), p["code"] or "", p["problem"], escape(p["reason"]))
        out.print(table)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            out.print(f"…… 另有 {len(problems) - MAX_PROBLEMS_SHOWN} 处问题未显示")
    raise typer.Exit(1)


def _engine() -> Engine:
    """The deployment's database, refusing one that has no geography tables yet."""
    from cityops.adapters.db.engine import make_engine
    from cityops.adapters.db.migrate import current_revision
    from cityops.config import get_settings

    engine = make_engine(get_settings().resolved_database_url())
    if current_revision(engine) is None:
        engine.dispose()
        _fail(CityopsError("geo.database_empty", "数据库尚未初始化，请先运行“cityops init”"))
    return engine


def _crs(value: str) -> CoordSystem:
    from cityops.domain.geo.coords import parse_coord_system

    try:
        return parse_coord_system(value)
    except CityopsError as exc:
        _fail(exc)


def _crs_or_file(value: str | None) -> CoordSystem | None:
    return None if value is None else _crs(value)


CrsOption = Annotated[
    str, typer.Option("--crs", help="坐标系 coordinate system: wgs84 | gcj02 | bd09")
]
ImportCrsOption = Annotated[
    str | None,
    typer.Option(
        "--crs",
        help="文件中经纬度的坐标系 wgs84 | gcj02 | bd09（默认按文件声明，否则 wgs84）",
    ),
]
ToleranceOption = Annotated[
    float,
    typer.Option(
        "--tolerance",
        min=0.0,
        help="容差（米）：允许超出上级边界或相互重叠的宽度 tolerance in metres",
    ),
]
LayerOption = Annotated[
    str | None, typer.Option("--layer", help="GeoPackage 中的图层名 layer of a GeoPackage")
]


def import_grids(
    file: Annotated[Path, typer.Argument(help="GeoJSON（或 .gpkg / .shp）单元网格文件")],
    crs: ImportCrsOption = None,
    tolerance: ToleranceOption = DEFAULT_TOLERANCE_M,
    layer: LayerOption = None,
) -> None:
    """导入单元网格（全部通过才写入） Import unit grids; all or nothing."""
    from cityops.services import geography

    engine = _engine()
    with _out().status("正在检查并导入单元网格 importing grids…"):
        try:
            summary = geography.import_grids(
                engine, file, _crs_or_file(crs), tolerance_m=tolerance, layer=layer
            )
        except CityopsError as exc:
            _fail(exc)
    _out().print(
        f"[green]完成 ok[/] {summary.features} 个要素：新增 {summary.inserted}，"
        f"更新 {summary.updated}"
    )


@geo_app.command("import-regions")
def import_regions(
    file: Annotated[Path, typer.Argument(help="GeoJSON（或 .gpkg / .shp）行政区划文件")],
    level: Annotated[
        str, typer.Option("--level", help="层级 level: district | street | community (city)")
    ],
    crs: ImportCrsOption = None,
    tolerance: ToleranceOption = DEFAULT_TOLERANCE_M,
    layer: LayerOption = None,
) -> None:
    """导入行政区划（区县、街道、社区；全部通过才写入） Import one level of regions."""
    from cityops.services import geography

    engine = _engine()
    with _out().status("正在检查并导入行政区划 importing regions…"):
        try:
            summary = geography.import_regions(
                engine, file, level.lower(), _crs_or_file(crs), tolerance_m=tolerance, layer=layer
            )
        except CityopsError as exc:
            _fail(exc)
    _out().print(
        f"[green]完成 ok[/] {summary.level.value}：{summary.features} 个要素：新增 "
        f"{summary.inserted}，更新 {summary.updated}"
    )
    stray = summary.children_outside
    if stray:
        shown = "、".join(stray[:20]) + ("……" if len(stray) > 20 else "")
        _out().print(
            f"[yellow]注意 warning[/] {len(stray)} 个已有下级区划或网格超出了更新后的边界"
            f"（超过容差 {tolerance:g} 米），请重新导入它们：{shown}"
        )


@geo_app.command("export")
def export(
    layer: Annotated[str, typer.Argument(help="grids | regions | roads | places | areas")],
    file: Annotated[Path, typer.Argument(help="输出文件 output file")],
    fmt: Annotated[str, typer.Option("--format", help="geojson | gpkg")] = "geojson",
    crs: CrsOption = "wgs84",
) -> None:
    """导出图层 Export a layer as GeoJSON or GeoPackage."""
    from cityops.services import geography

    engine = _engine()
    try:
        n = geography.export_layer(engine, layer, file, fmt.lower(), _crs(crs))
    except CityopsError as exc:
        _fail(exc)
    _out().print(f"[green]完成 ok[/] {layer}: {n} 个要素 → {escape(str(file))}")


@geo_app.command("locate")
def locate(
    lon: Annotated[float, typer.Argument(help="经度 longitude")],
    lat: Annotated[float, typer.Argument(help="纬度 latitude")],
    crs: CrsOption = "wgs84",
) -> None:
    """查询坐标所在的单元网格及社区、街道、区县 Which grid is this point in."""
    from cityops.services import geography

    engine = _engine()
    try:
        loc = geography.get_locator(engine).locate(lon, lat, _crs(crs))
    except CityopsError as exc:
        _fail(exc)
    table = Table(show_header=False)
    table.add_row("WGS84", f"{loc.lon:.7f}, {loc.lat:.7f}")
    if loc.grid_code is None:
        table.add_row("单元网格 grid", "（不在任何单元网格内 outside every grid）")
    for label, code in (
        ("单元网格 grid", loc.grid_code),
        ("社区 community", loc.community_code),
        ("街道 street", loc.street_code),
        ("区县 district", loc.district_code),
    ):
        if code:
            table.add_row(label, f"{code}  {geography.region_name(engine, code) or ''}")
    _out().print(table)


@geo_app.command("demo")
def demo(
    seed: Annotated[int, typer.Option(help="随机种子 seed of the generator")] = 20260701,
) -> None:
    """安装生成的示范城市地理（济南） Install the generated demo geography."""
    from cityops.services import geography

    engine = _engine()
    with _out().status("正在生成并写入示范城市地理 generating the demo city…"):
        try:
            summary = geography.install_demo_geography(engine, seed)
        except CityopsError as exc:
            _fail(exc)
    _out().print(f"[green]完成 ok[/] {summary}")


@geo_app.command("regions")
def regions(
    level: Annotated[str | None, typer.Option(help="city | district | street | community")] = None,
    parent: Annotated[str | None, typer.Option(help="上级代码 parent code")] = None,
) -> None:
    """列出行政区划 List districts, streets or communities."""
    from cityops.services import geography

    engine = _engine()
    try:
        chosen = RegionLevel(level) if level else None
    except ValueError:
        _fail(CityopsError("geo.level_unknown", f"没有层级“{level}”"))
    if chosen is None and parent is None:
        chosen = RegionLevel.DISTRICT
    found = geography.list_regions(engine, chosen, parent)
    table = Table(title=f"行政区划 regions（{len(found)}）")
    for col in ("代码 code", "名称 name", "层级 level", "上级 parent", "生成 generated"):
        table.add_column(col)
    for r in found:
        table.add_row(
            r.code, r.name, r.level.value, r.parent_code or "", "是" if r.generated else ""
        )
    _out().print(table)
