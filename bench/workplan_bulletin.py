"""Benchmark: writing the monthly work-plan bulletin (.docx).

    .venv/bin/python bench/workplan_bulletin.py [N] [--runs R]

Builds a ledger of N tasks in parts of ten (each with a report for the month, one in five
supervised) and writes its bulletin R times into memory with ``write_bulletin_docx``. The peer,
in the same run, is the same bulletin with every table cell reached through
``Table.cell(row, col)``, which rebuilds the table's whole cell grid on each call (how the
bulletin filled its tables before). Prints a Markdown block for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from docx.shared import Cm
from docx.table import Table

from cityops.domain.workplan.ledger import LedgerPlan, LedgerTask, LedgerUnit, Supervision
from cityops.domain.workplan.model import Level, OutlineNode
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.status import ProgressPoint, StatusResult, TaskStatus
from cityops.reports import workplan_bulletin

MONTH = Month(2025, 6)
STATUSES = (TaskStatus.ON_TRACK, TaskStatus.AT_RISK, TaskStatus.OVERDUE, TaskStatus.DONE)


def ledger(n: int) -> LedgerPlan:
    at = datetime(2025, 6, 20, 2, tzinfo=UTC)
    tasks = []
    for i in range(1, n + 1):
        part = OutlineNode(Level.PART, (i - 1) // 10 + 1, "一、", f"第{(i - 1) // 10 + 1}部分")
        report = ProgressPoint(MONTH, 60, at, "市容管理科", "已设置潮汐摊区60处，" * 4)
        status = STATUSES[i % len(STATUSES)]
        tasks.append(
            LedgerTask(
                id=i,
                seq=i,
                number=i,
                label=f"{i}.",
                outline=(part,),
                title=f"规范潮汐摊区设置{i}。",
                text=f"规范潮汐摊区设置{i}。6月底前至少设置100处。（牵头单位：市容管理科）",
                units=(LedgerUnit("市容管理科", "U-SR", "lead"),),
                targets=(),
                deadlines=(),
                due=date(2025, 12, 31),
                reports=(report,),
                supervisions=(Supervision(i, i, "局领导", "月底前完成", at),) if i % 5 == 0 else (),
                status=StatusResult(status, 60, 50, report),
            )
        )
    return LedgerPlan(
        1, "济宁市城市管理局", 2025, "2025年工作要点", date(2025, 6, 30), tuple(tasks)
    )


def _fill_cell_by_cell(
    table: Table,
    rows: Sequence[Sequence[str]],
    *,
    bold_first: bool = True,
    widths_cm: Sequence[float] = (),
) -> None:
    """The peer: every cell through ``Table.cell`` and the widths column by column, as the
    bulletin did before."""
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            workplan_bulletin.write_cell(cell, value, bold=bold_first and r == 0)
    for c, width in enumerate(widths_cm):
        for cell in table.columns[c].cells:
            cell.width = Cm(width)


def timed(plan: LedgerPlan, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        workplan_bulletin.write_bulletin_docx(plan, MONTH, io.BytesIO())
        out.append(time.perf_counter() - start)
    return out


def with_fill(fill: Callable[..., None], fn: Callable[[], list[float]]) -> list[float]:
    saved = workplan_bulletin.fill_table
    workplan_bulletin.fill_table = fill  # type: ignore[assignment]
    try:
        return fn()
    finally:
        workplan_bulletin.fill_table = saved  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=38, help="tasks (Jining's plan: 38)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    plan = ledger(args.n)
    timed(plan, 1)  # warm-up: imports, the default template
    ours = timed(plan, args.runs)
    peer = with_fill(_fill_cell_by_cell, lambda: timed(plan, args.runs))
    cpus = os.cpu_count()
    print(f"### Monthly bulletin, {args.n} tasks ({args.runs} runs, median)\n")
    print(f"Machine: {platform.machine()}, {cpus} CPU, Python {sys.version.split()[0]}\n")
    print("| writer | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, times in (("row by row (write_bulletin_docx)", ours), ("cell by cell (peer)", peer)):
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    print(f"\nSpeed-up: {statistics.median(peer) / statistics.median(ours):.1f}x")


if __name__ == "__main__":
    main()
