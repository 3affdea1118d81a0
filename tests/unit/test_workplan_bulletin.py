"""The monthly bulletin's tables: every row written once, with the words and fonts of each
cell, without rebuilding a table's cell grid for each cell (which made a bulletin take
seconds)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table

from cityops.domain.workplan.ledger import LedgerPlan, LedgerTask, LedgerUnit, Supervision
from cityops.domain.workplan.model import Level, OutlineNode
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.status import ProgressPoint, StatusResult, TaskStatus
from cityops.reports.workplan_bulletin import PART_TABLE_HEADER, write_bulletin_docx

JUNE = Month(2025, 6)


STATUSES = (TaskStatus.ON_TRACK, TaskStatus.AT_RISK, TaskStatus.OVERDUE, TaskStatus.DONE)


def sample_ledger(n: int, parts: int) -> LedgerPlan:
    """A plan of ``n`` tasks in ``parts`` parts, each with a report for June; statuses in
    turn (on track, at risk, overdue, done), every fifth task supervised. Also the workload
    of ``bench/workplan_bulletin.py``."""
    at = datetime(2025, 6, 20, 2, tzinfo=UTC)
    tasks = []
    for i in range(1, n + 1):
        part_no = 1 + (i - 1) * parts // n
        percent = 10 * (i % 10)
        report = ProgressPoint(JUNE, percent, at, "市容管理科", f"第{i}项进展：已设置潮汐摊区。")
        tasks.append(
            LedgerTask(
                id=i,
                seq=i,
                number=i,
                label=f"{i}.",
                outline=(OutlineNode(Level.PART, part_no, "一、", f"第{part_no}部分"),),
                title=f"任务{i}。",
                text=f"任务{i}。6月底前至少设置100处。（牵头单位：市容管理科）",
                units=(LedgerUnit("市容管理科", "U-SR", "lead"),),
                targets=(),
                deadlines=(),
                due=date(2025, 12, 31),
                reports=(report,),
                supervisions=(Supervision(i, i, "局领导", "月底前完成", at),) if i % 5 == 0 else (),
                status=StatusResult(STATUSES[(i - 1) % len(STATUSES)], percent, 40, report),
            )
        )
    return LedgerPlan(1, "某市城市管理局", 2025, "2025年工作要点", date(2025, 6, 30), tuple(tasks))


def test_a_table_cell_grid_is_built_at_most_once_per_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = 0
    grid = Table._cells

    def counting(self: Table) -> object:
        nonlocal built
        built += 1
        return grid.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(Table, "_cells", property(counting))
    write_bulletin_docx(sample_ledger(60, 3), JUNE, io.BytesIO())
    assert built <= 1 + 3  # the summary table and one table per part, if any at all


def test_every_row_and_cell_is_written_with_its_font_and_width() -> None:
    buf = io.BytesIO()
    write_bulletin_docx(sample_ledger(12, 2), JUNE, buf)
    doc = Document(io.BytesIO(buf.getvalue()))
    summary, *parts = doc.tables
    assert [c.text for c in summary.rows[0].cells] == ["状态", "任务数", "占比"]
    assert [[c.text for c in row.cells] for row in summary.rows[1:]] == [
        ["正常推进", "3", "25.0%"],
        ["进度滞后", "3", "25.0%"],
        ["逾期未完成", "3", "25.0%"],
        ["已完成", "3", "25.0%"],
    ]
    assert len(parts) == 2 and [len(t.rows) for t in parts] == [7, 7]
    header, first = parts[0].rows[0], parts[0].rows[1]
    assert tuple(c.text for c in header.cells) == PART_TABLE_HEADER
    assert [c.text for c in first.cells] == [
        "1",
        "任务1。",
        "市容管理科",
        "正常推进",
        "10%",
        "市容管理科：第1项进展：已设置潮汐摊区。",
    ]
    assert parts[1].rows[-1].cells[0].text == "12"
    for bold, cell in [(True, c) for c in header.cells] + [(False, c) for c in first.cells]:
        [paragraph] = cell.paragraphs
        [run] = paragraph.runs  # one run: no empty run left before the words
        assert run.font.name == "仿宋" and run.font.size.pt == 10.5
        assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
        assert run.font.bold is bold
    assert [round(c.width.cm, 1) for c in first.cells] == [1.2, 6.5, 3.0, 2.2, 1.5, 9.5]
