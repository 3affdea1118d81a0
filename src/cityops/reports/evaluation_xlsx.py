"""Evaluation ledgers as .xlsx: the objects' tables (districts, streets, departments,
inspectors, …) with counts, rates, scores, grades, ranks and month-on-month changes, the case
ledger of the period and the overdue list. Chinese headers, sensible widths, frozen header
rows. Large sheets are written in openpyxl's streaming mode."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cityops.domain.evaluation.definitions import COUNTS_OF, RATES, RATES_OF, ObjectKind
from cityops.domain.evaluation.results import Evaluation, ObjectResult

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

SHEETS: tuple[tuple[ObjectKind, str], ...] = (
    (ObjectKind.DISTRICT, "区县排名"),
    (ObjectKind.STREET, "街道排名"),
    (ObjectKind.DEPARTMENT, "处置单位"),
    (ObjectKind.INSPECTOR, "监督员"),
    (ObjectKind.ACCEPTOR, "受理员"),
    (ObjectKind.SHIFT_LEADER, "值班长"),
    (ObjectKind.DISPATCHER, "派遣员"),
    (ObjectKind.COMMUNITY, "社区"),
)


def _header_cells(ws: Worksheet, titles: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cells.append(cell)
    return cells


def _sheet(
    wb: Workbook, title: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]
) -> int:
    ws = wb.create_sheet(title)
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, [c for c, _ in columns]))
    n = 0
    for row in rows:
        ws.append(list(row))
        n += 1
    return n


def object_columns(kind: ObjectKind) -> list[tuple[str, int]]:
    cols = [("排名", 6), ("名称", 24), ("代码", 18)]
    cols += [(c.label_zh, max(8, len(c.label_zh) * 2 + 2)) for c in COUNTS_OF[kind]]
    cols += [
        (RATES[r].label_zh + "(%)", max(10, len(RATES[r].label_zh) * 2 + 5)) for r in RATES_OF[kind]
    ]
    cols += [("综合得分", 10), ("等级", 6), ("环比得分变化", 12), ("同比得分变化", 12)]
    return cols


def object_row(o: ObjectResult) -> list[Any]:
    row: list[Any] = [o.rank, o.name, o.code]
    row += [o.count(c) for c in COUNTS_OF[o.kind]]
    row += [_pct(o.rate(r)) for r in RATES_OF[o.kind]]
    row += [o.score, o.grade, o.score_delta(o.mom), o.score_delta(o.yoy)]
    return row


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def evaluation_workbook(
    evaluation: Evaluation,
    *,
    case_rows: Sequence[Sequence[Any]] = (),
    case_header: Sequence[tuple[str, int]] = (),
    overdue_rows: Sequence[Sequence[Any]] = (),
) -> Workbook:
    """The period's ledgers: object tables, the case ledger and the overdue list."""
    wb = Workbook(write_only=True)
    p = evaluation.period
    summary = [("项目", 24), ("数值", 16)]
    city = evaluation.city
    lines: list[tuple[str, Any]] = [
        ("城市", evaluation.city_name),
        ("评价期间", p.label_zh),
        ("起止日期", f"{p.start.isoformat()} 至 {p.end.isoformat()}"),
        ("时区", p.time_zone),
    ]
    if city is not None:
        lines += [(c.label_zh, city.count(c)) for c in COUNTS_OF[ObjectKind.CITY]]
        lines += [
            (RATES[r].label_zh + "(%)", _pct(city.rate(r))) for r in RATES_OF[ObjectKind.CITY]
        ]
    _sheet(wb, "全市汇总", summary, lines)
    for kind, title in SHEETS:
        objs = evaluation.of(kind)
        if objs:
            _sheet(wb, title, object_columns(kind), (object_row(o) for o in objs))
    if case_header:
        _sheet(wb, "案件台账", case_header, case_rows)
        _sheet(wb, "超期待处置清单", case_header, overdue_rows)
    return wb


def case_workbook(
    rows: Iterable[Sequence[Any]], columns: Sequence[tuple[str, int]], title: str = "案件清单"
) -> Workbook:
    """Any case list as a one-sheet workbook: ``columns`` are (Chinese header, width)."""
    wb = Workbook(write_only=True)
    _sheet(wb, title, columns, rows)
    return wb
