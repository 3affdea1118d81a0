"""Case lists with filters, for ledgers and exports (CSV or Excel): any selection of cases
by period, region, unit, class, channel, state or light, with Chinese column names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Engine, Select, bindparam, select

from cityops.adapters.db.tables.cases import cases
from cityops.domain.cases.vocabulary import CHANNEL_LABELS_ZH, STATE_LABELS_ZH, CaseState, Channel
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.errors import ValidationError
from cityops.services.evaluation.engine import overdue_case_ids, reading
from cityops.services.evaluation.evaluate import period_of
from cityops.services.evaluation.facts import refresh_facts
from cityops.services.profile import active_profile

MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class CaseFilter:
    """Every field narrows the list; None leaves it open. ``period`` selects the cases
    reported in it; ``overdue_at_end`` (with a period) those counted as 超期待处置 at its end."""

    period: EvalPeriod | str | None = None
    district: str | None = None
    street: str | None = None
    community: str | None = None
    grid: str | None = None
    unit: str | None = None
    class_code: str | None = None
    channels: Sequence[str] | None = None
    states: Sequence[str] | None = None
    light: str | None = None
    overdue_at_end: bool = False
    limit: int | None = None


# (column, Chinese header, width in characters)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("case_no", "案卷编号", 20),
    ("reported_at", "上报时间", 18),
    ("channel", "来源渠道", 12),
    ("class_code", "案件类别", 10),
    ("description", "问题描述", 40),
    ("address", "地址", 30),
    ("district_code", "区县", 8),
    ("street_code", "街道", 11),
    ("community_code", "社区", 14),
    ("grid_code", "单元网格", 17),
    ("state", "状态", 8),
    ("assigned_unit", "处置单位", 22),
    ("filed_at", "立案时间", 18),
    ("dispatched_at", "派遣时间", 18),
    ("handling_deadline", "处置时限", 18),
    ("handled_at", "处置时间", 18),
    ("handled_on_time", "按期处置", 8),
    ("closed_at", "结案时间", 18),
    ("rework_count", "返工次数", 8),
    ("return_count", "回退次数", 8),
    ("extension_count", "延期次数", 8),
    ("suspended", "挂账", 6),
    ("light", "亮灯", 6),
)
LIGHTS_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "—"}


def _query(engine: Engine, f: CaseFilter) -> tuple[Select[Any], str]:
    c = cases.c
    stmt = select(*[c[name] for name, _, _ in COLUMNS]).order_by(c.reported_at, c.id)
    zone = active_profile(engine).calendar.time_zone
    if f.period is not None:
        p = period_of(engine, f.period)
        lo, hi = p.utc_bounds()
        if f.overdue_at_end:
            refresh_facts(engine)
            with reading(engine) as conn:
                ids = overdue_case_ids(conn, lo, hi)
            # Inline literals: an overdue list may outgrow SQLite's limit on bound variables.
            listed: BindParameter[list[int]] = bindparam(
                "overdue_ids", ids or [-1], expanding=True, literal_execute=True
            )
            stmt = stmt.where(c.id.in_(listed))
        else:
            stmt = stmt.where(c.reported_at >= lo, c.reported_at < hi)
    elif f.overdue_at_end:
        raise ValidationError("evaluation.period_required", "超期待处置清单需要指定期间")
    for value, column in (
        (f.district, c.district_code),
        (f.street, c.street_code),
        (f.community, c.community_code),
        (f.grid, c.grid_code),
        (f.unit, c.assigned_unit),
        (f.class_code, c.class_code),
        (f.light, c.light),
    ):
        if value:
            stmt = stmt.where(column == value)
    if f.channels:
        unknown = set(f.channels) - {ch.value for ch in Channel}
        if unknown:
            raise ValidationError(
                "evaluation.channel_unknown", "未知的上报渠道", channels=sorted(unknown)
            )
        stmt = stmt.where(c.channel.in_(list(f.channels)))
    if f.states:
        unknown = set(f.states) - {s.value for s in CaseState}
        if unknown:
            raise ValidationError(
                "evaluation.state_unknown", "未知的案卷状态", states=sorted(unknown)
            )
        stmt = stmt.where(c.state.in_(list(f.states)))
    stmt = stmt.limit(min(f.limit or MAX_ROWS, MAX_ROWS))
    return stmt, zone


def case_rows(engine: Engine, f: CaseFilter | None = None) -> list[dict[str, Any]]:
    """The selected cases as plain dicts (times in the city's zone, labels in Chinese)."""
    stmt, zone = _query(engine, f or CaseFilter())
    tz = ZoneInfo(zone)
    with engine.connect() as conn:
        return [_display(dict(r._mapping), tz) for r in conn.execute(stmt)]


def _display(row: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    for key, value in row.items():
        if isinstance(value, datetime):
            row[key] = value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    row["channel"] = CHANNEL_LABELS_ZH.get(Channel(row["channel"]), row["channel"])
    row["state"] = STATE_LABELS_ZH.get(CaseState(row["state"]), row["state"])
    row["light"] = LIGHTS_ZH.get(row["light"], row["light"])
    for key in ("handled_on_time", "suspended"):
        if row[key] is not None:
            row[key] = "是" if row[key] else "否"
    return row


def header() -> list[str]:
    return [zh for _, zh, _ in COLUMNS]


def column_widths() -> list[tuple[str, int]]:
    return [(zh, width) for _, zh, width in COLUMNS]


def as_table(rows: Iterable[dict[str, Any]]) -> list[list[Any]]:
    return [[r.get(name) for name, _, _ in COLUMNS] for r in rows]


def write_csv(rows: Iterable[dict[str, Any]], out: Path | io.TextIOBase) -> None:
    """CSV with a BOM so that Excel opens the Chinese headers correctly."""
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            write_csv(rows, fh)
        return
    writer = csv.writer(out)
    writer.writerow(header())
    writer.writerows(as_table(rows))


def export_cases(engine: Engine, path: Path, f: CaseFilter | None = None) -> int:
    """Write the selected cases to ``path`` (.csv or .xlsx); returns the number of rows."""
    rows = case_rows(engine, f)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(rows, path)
    elif suffix == ".xlsx":
        from cityops.reports.evaluation_xlsx import case_workbook

        case_workbook(as_table(rows), column_widths(), "案件清单").save(path)
    else:
        raise ValidationError(
            "evaluation.export_format", "导出格式应为 .csv 或 .xlsx", path=str(path)
        )
    return len(rows)
