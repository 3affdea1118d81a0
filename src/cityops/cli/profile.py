"""`cityops profile …` (check, load, show the city profile) and `cityops catalog …` (list
the standard catalogs and the legacy mapping)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from cityops.domain.catalog.model import CatalogClass, ClassKind
from cityops.domain.catalog.problems import Problem
from cityops.errors import CityopsError, ProfileError

profile_app = typer.Typer(
    name="profile",
    help="城市配置：检查、载入、查看 (check, install and show the city profile)",
    no_args_is_help=True,
)
catalog_app = typer.Typer(
    name="catalog",
    help="部件事件分类目录与新旧编码对照 (standard catalogs and the legacy mapping)",
    no_args_is_help=True,
)
STANDARDS = {"national": "GB/T 47678.5-2026", "legacy": "CJ/T 214-2007", "local": "local"}

PIPE_WIDTH = 200  # tables written to a file or a pipe are not cut to 80 columns


class _LazyConsole:
    """Built on first use (not at import), wide when the output is not a terminal."""

    _console: Console | None = None

    def print(self, *objects: object) -> None:
        if self._console is None:
            probe = Console()
            self._console = (
                probe if probe.is_terminal else Console(width=max(probe.width, PIPE_WIDTH))
            )
        self._console.print(*objects)


console = _LazyConsole()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(profile_app, name="profile")
    app.add_typer(catalog_app, name="catalog")


def _engine(*, migrated: bool = False) -> Engine:
    """The deployment's database; with ``migrated``, fail clearly if it has no schema yet."""
    from cityops.adapters.db.engine import make_engine
    from cityops.adapters.db.migrate import current_revision
    from cityops.config import get_settings

    engine = make_engine(get_settings().resolved_database_url())
    if migrated and current_revision(engine) is None:
        engine.dispose()
        _fail(
            CityopsError(
                "profile.none_installed",
                "数据库尚未初始化，也没有载入城市配置，请先运行“cityops profile load”",
            )
        )
    return engine


def _fail(exc: CityopsError) -> NoReturn:
    console.print(f"[red]错误 error[/red] {escape(f'[{exc.code}]')} {escape(exc.message)}")
    raise typer.Exit(1)


def _print_problems(problems: list[Problem]) -> None:
    table = Table(title=f"城市配置问题 {len(problems)} 处 (profile problems)", show_lines=False)
    for col in ("文件 file", "行 row", "列 column", "代码 code", "说明 message"):
        table.add_column(col, overflow="fold")
    for p in problems:
        table.add_row(
            p.file, "" if p.row is None else str(p.row), p.column or "", p.code, p.message
        )
    console.print(table)


# --- profile ---------------------------------------------------------------------------------


@profile_app.command("check")
def check(
    directory: Annotated[Path, typer.Argument(help="城市配置目录 (profile directory)")],
) -> None:
    """检查城市配置目录，列出全部问题；有问题时退出码为1 (validate; exit 1 on problems)."""
    from cityops.domain.catalog.profile_loader import check_profile, load_profile

    problems = check_profile(directory)
    if problems:
        _print_problems(problems)
        raise typer.Exit(1)
    profile = load_profile(directory)
    console.print(
        f"[green]通过 ok[/green] {profile.city_name}（{profile.city_code}）版本 {profile.version}："
        f"{len(profile.classes)} 个事项类别、{len(profile.components)} 个部件类别、"
        f"{len(profile.conditions)} 条立案条件、{len(profile.units)} 个单位、"
        f"{len(profile.routing)} 条派遣规则；内容哈希 {profile.content_hash[:12]}"
    )


@profile_app.command("load")
def load(
    directory: Annotated[
        Path | None,
        typer.Argument(help="城市配置目录；默认为 CITYOPS_PROFILE_DIR 或内置的济南示例"),
    ] = None,
) -> None:
    """校验并载入城市配置，成为当前生效版本 (validate and install as the active version)."""
    from cityops.adapters.db.migrate import is_up_to_date, upgrade
    from cityops.config import get_settings
    from cityops.services.profile import demo_profile_path, install_profile

    path = directory or get_settings().profile_dir or demo_profile_path()
    engine = _engine()
    try:
        if not is_up_to_date(engine):
            upgrade(engine)
        version = install_profile(engine, path)
    except ProfileError as exc:
        problems = exc.details.get("problems")
        if problems:
            _print_problems([Problem(**p) for p in problems])
        _fail(exc)
    except CityopsError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    state = "已载入 installed" if version.created else "内容未变，沿用 unchanged"
    console.print(
        f"[green]{state}[/green] {version.city_name}（{version.city_code}）版本 {version.version}，"
        f"编号 #{version.id}，内容哈希 {version.content_hash[:12]}"
    )


@profile_app.command("show")
def show() -> None:
    """显示当前生效的城市配置版本及其数量统计 (the active version and its counts)."""
    from cityops.services.profile import active_version, list_versions, version_counts

    engine = _engine(migrated=True)
    try:
        current = active_version(engine)
        if current is None:
            _fail(
                CityopsError(
                    "profile.none_installed", "尚未载入城市配置，请先运行“cityops profile load”"
                )
            )
        counts = version_counts(engine, current.id)
        history = list_versions(engine)
    finally:
        engine.dispose()
    console.print(
        f"当前版本 active: {current.city_name}（{current.city_code}）{current.version} "
        f"#{current.id}，载入于 {current.loaded_at:%Y-%m-%d %H:%M} UTC，"
        f"哈希 {current.content_hash[:12]}"
    )
    table = Table(title="内容 (contents)")
    table.add_column("项目 item")
    table.add_column("数量 count", justify="right")
    for key in sorted(counts):
        table.add_row(key, str(counts[key]))
    console.print(table)
    if len(history) > 1:
        past = Table(title="历史版本 (history)")
        for col in ("#", "版本 version", "载入 loaded (UTC)", "哈希 hash", "生效 active"):
            past.add_column(col)
        for v in history:
            past.add_row(
                str(v.id),
                v.version,
                f"{v.loaded_at:%Y-%m-%d %H:%M}",
                v.content_hash[:12],
                "✓" if v.active else "",
            )
        console.print(past)


# --- catalog ---------------------------------------------------------------------------------


def _classes(standard: str) -> list[CatalogClass]:
    from cityops.domain.catalog.catalogs import load_legacy_catalog, load_national_catalog

    if standard == "national":
        return list(load_national_catalog())
    if standard == "legacy":
        return list(load_legacy_catalog())
    from cityops.services.profile import active_profile

    engine = _engine(migrated=True)
    try:
        profile = active_profile(engine)
    except CityopsError as exc:
        _fail(exc)
    finally:
        engine.dispose()
    everything = [*profile.components.values(), *profile.classes.values()]
    if standard == "local":
        return [c for c in everything if c.standard == "local"]
    return everything


@catalog_app.command("list")
def list_classes(
    kind: Annotated[ClassKind | None, typer.Option(help="component 部件 / matter 事项")] = None,
    major: Annotated[str | None, typer.Option(help="大类编码，如 06 (major code)")] = None,
    standard: Annotated[
        str,
        typer.Option(help="national 国标 / legacy 旧标准 / local 本市扩展 / city 当前城市全部"),
    ] = "national",
) -> None:
    """列出分类目录 (list catalog classes)."""
    if standard not in (*STANDARDS, "city"):
        _fail(
            CityopsError(
                "catalog.standard_unknown",
                f"未知的目录“{standard}”，可用：national、legacy、local、city",
            )
        )
    rows = [
        c
        for c in _classes(standard)
        if (kind is None or c.kind == kind) and (major is None or c.major_code == major)
    ]
    table = Table(title=f"分类目录 {standard}：{len(rows)} 类")
    for col in ("种类 kind", "大类 major", "编码 code", "名称 name", "标准 standard"):
        table.add_column(col)
    for c in rows:
        major = escape(f"{c.major_code} {c.major_name}")
        table.add_row(c.kind.value, major, c.code, escape(c.name), c.standard)
    console.print(table)


@catalog_app.command("mapping")
def mapping(
    method: Annotated[
        str | None, typer.Option(help="只列某种对应方式：exact / normalised / manual / unmapped")
    ] = None,
) -> None:
    """列出旧标准（CJ/T 214-2007）到国标（GB/T 47678.5-2026）的编码对照 (legacy → national)."""
    from cityops.domain.catalog.legacy_mapping import MappingMethod, legacy_mapping

    allowed = [m.value for m in MappingMethod]
    if method is not None and method not in allowed:
        _fail(
            CityopsError(
                "catalog.method_unknown", f"未知的对应方式“{method}”，可用：{'、'.join(allowed)}"
            )
        )
    rows = [m for m in legacy_mapping() if method is None or m.method.value == method]
    counts = Counter(m.method.value for m in legacy_mapping())
    table = Table(title="CJ/T 214-2007 → GB/T 47678.5-2026")
    for col in ("种类 kind", "旧编码", "旧名称", "新编码", "新名称", "方式 method", "说明 note"):
        table.add_column(col, overflow="fold")
    for m in rows:
        table.add_row(
            m.kind.value,
            m.legacy_code,
            escape(m.legacy_name),
            m.national_code or "—",
            escape(m.national_name or ""),
            m.method.value,
            escape(m.note),
        )
    console.print(table)
    console.print("合计 total: " + "，".join(f"{k} {counts.get(k, 0)}" for k in allowed))
