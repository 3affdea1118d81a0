"""The monthly progress bulletin (工作要点推进情况月报) as a .docx: title, summary counts by
status, a table per part of the plan, then the overdue, at-risk and supervised tasks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import deepcopy
from functools import cache
from pathlib import Path
from typing import BinaryIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.run import Run

from cityops.domain.workplan.ledger import LedgerPlan, LedgerTask
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.status import TaskStatus

PART_TABLE_HEADER = ("序号", "工作任务", "牵头单位", "状态", "进度", "本月进展")
_WIDTHS_CM = (1.2, 6.5, 3.0, 2.2, 1.5, 9.5)
_BODY_FONT = "仿宋"
_HEADING_FONT = "黑体"
_SECTION_NUMBERS = "一二三四五六七八九十"


def _chinese(n: int) -> str:
    if 1 <= n <= 10:
        return _SECTION_NUMBERS[n - 1]
    if n < 20:
        return "十" + (_SECTION_NUMBERS[n - 11] if n > 10 else "")
    return str(n)


def bulletin_title(plan: LedgerPlan, month: Month) -> str:
    return f"{plan.issuer or ''}{plan.year}年工作要点推进情况月报（{month.label_zh}）"


@cache
def _run_properties(name: str, size: float, bold: bool) -> BaseOxmlElement:
    """The ``<w:rPr>`` of a run in ``name`` (Latin and Chinese), ``size`` points, bold or not:
    built once through python-docx, then copied into each run (setting the properties run by
    run walks the XML schema for every child and was most of a bulletin's time)."""
    run = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return rpr


def _font(run: Run, name: str, size: float, bold: bool = False) -> None:
    run._element.insert(0, deepcopy(_run_properties(name, size, bold)))


def _paragraph(
    doc: DocxDocument,
    text: str,
    *,
    size: float = 12,
    bold: bool = False,
    font: str = _BODY_FONT,
    center: bool = False,
) -> None:
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), font, size, bold)


def write_cell(cell: _Cell, text: str, bold: bool = False) -> None:
    """The words of a new (empty) cell, in the body font."""
    _font(cell.paragraphs[0].add_run(text), _BODY_FONT, 10.5, bold)


def fill_table(
    table: Table,
    rows: Iterable[Sequence[str]],
    *,
    bold_first: bool = True,
    widths_cm: Sequence[float] = (),
) -> None:
    """Write a new table's rows, the first one bold (the header). Each row's cells are read
    once: ``Table.cell(row, col)`` rebuilds the table's whole cell grid on every call, which
    made a bulletin take seconds."""
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            write_cell(cell, value, bold=bold_first and r == 0)
            if widths_cm:
                cell.width = Cm(widths_cm[c])


def month_progress(task: LedgerTask, month: Month) -> str:
    report = task.latest_report_in(month)
    if report is None:
        return "本月未报送"
    return f"{report.unit}：{report.text}" if report.unit else report.text


def summary_sentence(plan: LedgerPlan) -> str:
    counts = plan.counts()
    supervised = sum(1 for t in plan.tasks if t.supervised)
    return (
        f"{plan.year}年工作要点共{len(plan.tasks)}项任务。截至{plan.as_of.isoformat()}，"
        f"已完成{counts[TaskStatus.DONE]}项，正常推进{counts[TaskStatus.ON_TRACK]}项，"
        f"进度滞后{counts[TaskStatus.AT_RISK]}项，逾期未完成{counts[TaskStatus.OVERDUE]}项；"
        f"领导督办{supervised}项。"
    )


def _task_line(i: int, task: LedgerTask) -> str:
    lead = "、".join(task.lead_units) or "未明确"
    return (
        f"{i}. 任务{task.label.strip('.、．')} {task.heading}（牵头单位：{lead}；"
        f"完成时限：{task.deadline_text()}，{task.due.isoformat()}；进度{task.status.percent}%，"
        f"{task.status.reason_zh}）"
    )


def write_bulletin_docx(plan: LedgerPlan, month: Month, out: Path | BinaryIO) -> None:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    _paragraph(
        doc, bulletin_title(plan, month), size=18, bold=True, font=_HEADING_FONT, center=True
    )
    _paragraph(doc, f"统计截至{plan.as_of.isoformat()}", size=11, center=True)

    heading = iter(_SECTION_NUMBERS)
    _paragraph(doc, f"{next(heading)}、总体情况", size=14, bold=True, font=_HEADING_FONT)
    _paragraph(doc, summary_sentence(plan))
    counts = plan.counts()
    table = doc.add_table(rows=1 + len(counts), cols=3)
    table.style = "Table Grid"
    total = max(1, len(plan.tasks))
    fill_table(
        table,
        [
            ("状态", "任务数", "占比"),
            *((s.label_zh, str(n), f"{100 * n / total:.1f}%") for s, n in counts.items()),
        ],
    )

    _paragraph(doc, f"{next(heading)}、分项推进情况", size=14, bold=True, font=_HEADING_FONT)
    for part, tasks in plan.parts():
        name = f"（{_chinese(part.number)}）{part.heading}" if part else "全部任务"
        _paragraph(doc, name, size=12, bold=True)
        _part_table(doc, tasks, month)

    for status, title in (
        (TaskStatus.OVERDUE, "逾期未完成任务"),
        (TaskStatus.AT_RISK, "进度滞后任务"),
    ):
        _paragraph(doc, f"{next(heading)}、{title}", size=14, bold=True, font=_HEADING_FONT)
        listed = plan.with_status(status)
        if not listed:
            _paragraph(doc, "无。")
        for i, task in enumerate(listed, start=1):
            _paragraph(doc, _task_line(i, task))

    _paragraph(doc, f"{next(heading)}、领导督办事项", size=14, bold=True, font=_HEADING_FONT)
    supervised = [(t, s) for t in plan.tasks for s in t.supervisions if s.open]
    if not supervised:
        _paragraph(doc, "无。")
    for i, (task, sup) in enumerate(supervised, start=1):
        due = f"，督办期限{sup.due.isoformat()}" if sup.due else ""
        _paragraph(
            doc,
            f"{i}. 任务{task.label.strip('.、．')} {task.heading}：{sup.leader}督办{due}，"
            f"要求：{sup.note}；当前{task.status.status.label_zh}，进度{task.status.percent}%。",
        )
    doc.core_properties.title = bulletin_title(plan, month)
    doc.save(out)  # type: ignore[arg-type]


def _part_table(doc: DocxDocument, tasks: list[LedgerTask], month: Month) -> None:
    table = doc.add_table(rows=1 + len(tasks), cols=len(PART_TABLE_HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [
        (
            str(task.number),
            task.heading,
            "、".join(task.lead_units) or "—",
            task.status.status.label_zh + ("（督办）" if task.supervised else ""),
            f"{task.status.percent}%",
            month_progress(task, month),
        )
        for task in tasks
    ]
    fill_table(table, [PART_TABLE_HEADER, *rows], widths_cm=_WIDTHS_CM)
