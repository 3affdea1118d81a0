"""The responsibility list (工作要点责任清单) as an .xlsx workbook: one row per task with
序号, 工作任务, 牵头单位, 责任单位, 目标, 完成时限, 进展, grouped under the plan's parts and
sections; a proper header, widths, wrapped text, frozen header and print setup. A second
sheet lists what the parser could not read, so nobody mistakes a gap for a fact."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from cityops.domain.workplan.ledger import LedgerPlan, LedgerTask

COLUMNS = (
    ("序号", 7),
    ("工作任务", 62),
    ("牵头单位", 16),
    ("责任单位", 24),
    ("目标", 28),
    ("完成时限", 14),
    ("进展", 36),
)
HEADER_ROW = 3
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_PART_FILL = PatternFill("solid", fgColor="F2F2F2")
_FONT = "宋体"


def ledger_title(plan: LedgerPlan) -> str:
    return f"{plan.issuer or ''}{plan.year}年工作要点责任清单"


def progress_text(task: LedgerTask) -> str:
    status = task.status
    lines = [f"{status.status.label_zh}（进度{status.percent}%）"]
    if status.latest is not None:
        lines.append(f"{status.latest.month.label_zh} {status.latest.unit}：{status.latest.text}")
    if task.supervised:
        lines.append(
            "【督办】" + "；".join(f"{s.leader}：{s.note}" for s in task.supervisions if s.open)
        )
    return "\n".join(lines)


def task_row(task: LedgerTask) -> list[Any]:
    targets = "\n".join(t.text_zh for t in task.targets)
    return [
        task.number,
        task.work_text,
        "、".join(task.lead_units),
        "、".join(task.responsible_units),
        targets,
        f"{task.deadline_text()}\n（{task.due.isoformat()}）",
        progress_text(task),
    ]


def write_ledger_xlsx(
    plan: LedgerPlan, out: Path | BinaryIO, unparsed: Sequence[Mapping[str, Any]] = ()
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "责任清单"
    _title_rows(ws, plan)
    for col, (name, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(name=_FONT, bold=True, size=11)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
        ws.column_dimensions[cell.column_letter].width = width
    row = HEADER_ROW + 1
    seen: set[tuple[str, int]] = set()
    for task in plan.tasks:
        for node in task.outline:
            key = (node.level.value + node.heading, node.number)
            if key in seen:
                continue
            seen.add(key)
            ws.cell(row=row, column=1, value=f"{node.label}{node.heading}")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
            head = ws.cell(row=row, column=1)
            head.font = Font(name=_FONT, bold=True, size=11)
            head.fill = _PART_FILL
            head.alignment = Alignment(vertical="center")
            for col in range(1, len(COLUMNS) + 1):
                ws.cell(row=row, column=col).border = _BORDER
            row += 1
        for col, value in enumerate(task_row(task), start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font = Font(name=_FONT, size=10)
            cell.alignment = _CENTER if col == 1 else _WRAP_TOP
            cell.border = _BORDER
        ws.row_dimensions[row].height = _row_height(task)
        row += 1
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.auto_filter.ref = (
        f"A{HEADER_ROW}:{ws.cell(row=HEADER_ROW, column=len(COLUMNS)).column_letter}{row - 1}"
    )
    _print_setup(ws)
    _unparsed_sheet(wb, unparsed)
    wb.properties.title = ledger_title(plan)
    wb.save(out)


def _title_rows(ws: Worksheet, plan: LedgerPlan) -> None:
    last = len(COLUMNS)
    ws.cell(row=1, column=1, value=ledger_title(plan)).font = Font(name="黑体", bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(row=1, column=1).alignment = _CENTER
    ws.row_dimensions[1].height = 30
    counts = plan.counts()
    summary = "，".join(f"{s.label_zh}{n}项" for s, n in counts.items())
    note = f"截至{plan.as_of.isoformat()}　共{len(plan.tasks)}项任务：{summary}"
    ws.cell(row=2, column=1, value=note).font = Font(name=_FONT, size=10)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.cell(row=2, column=1).alignment = Alignment(horizontal="right")


def _row_height(task: LedgerTask) -> float:
    """Enough height for the longest cell: a 10-pt Chinese character takes about 1.9 units
    of column width, a line about 14 points."""
    values = task_row(task)
    lines = 1
    for (_, width), value in zip(COLUMNS, values, strict=True):
        text = str(value)
        per_line = max(1, int(width / 1.9))
        lines = max(lines, sum(1 + len(part) // per_line for part in text.split("\n")))
    return min(409.0, 14.0 * lines + 4)


def _print_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _unparsed_sheet(wb: Workbook, unparsed: Sequence[Mapping[str, Any]]) -> None:
    ws = wb.create_sheet("未识别内容")
    headers = (("任务序号", 10), ("类别", 12), ("原文", 80), ("说明", 30))
    for col, (name, width) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        ws.column_dimensions[cell.column_letter].width = width
    if not unparsed:
        ws.cell(row=2, column=1, value="（无）")
    for row, item in enumerate(unparsed, start=2):
        values = (item.get("task"), item.get("kind"), item.get("text"), item.get("note"))
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment = _WRAP_TOP
            cell.border = _BORDER
    ws.freeze_panes = "A2"


__all__ = [
    "COLUMNS",
    "ledger_title",
    "progress_text",
    "task_row",
    "write_ledger_xlsx",
]
