"""Benchmark: writing the monthly work-plan bulletin (.docx).

    .venv/bin/python bench/workplan_bulletin.py [N] [--parts P] [--runs R]

Writes the bulletin of a ledger of N tasks in P parts (each task with a report for the month,
statuses in turn, one in five supervised: ``sample_ledger`` of the bulletin's tests) R times
into memory with ``write_bulletin_docx``. The peer, in the same run, is the same bulletin with
every table cell reached through ``Table.cell(row, col)``, which rebuilds the table's whole
cell grid on each call, and the widths set column by column (how the bulletin filled its
tables before). Prints a Markdown block for BENCHMARKS.md.
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
from pathlib import Path

from docx.shared import Cm
from docx.table import Table

from cityops.domain.workplan.ledger import LedgerPlan
from cityops.domain.workplan.progress import Month
from cityops.reports import workplan_bulletin

JUNE = Month(2025, 6)


def _fill_cell_by_cell(
    table: Table,
    rows: Sequence[Sequence[str]],
    *,
    bold_first: bool = True,
    widths_cm: Sequence[float] = (),
) -> None:
    """The peer: every cell through ``Table.cell`` and the widths column by column."""
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            workplan_bulletin.write_cell(table.cell(r, c), value, bold=bold_first and r == 0)
    for c, width in enumerate(widths_cm):
        for cell in table.columns[c].cells:
            cell.width = Cm(width)


def timed(plan: LedgerPlan, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        workplan_bulletin.write_bulletin_docx(plan, JUNE, io.BytesIO())
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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=38, help="tasks (Jining's plan: 38)")
    parser.add_argument("--parts", type=int, default=7, help="parts (Jining's plan: 7)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' sample ledger
    from tests.unit.test_workplan_bulletin import sample_ledger

    plan = sample_ledger(args.n, args.parts)
    timed(plan, 1)  # warm-up: imports, the default template
    ours = timed(plan, args.runs)
    peer = with_fill(_fill_cell_by_cell, lambda: timed(plan, args.runs))
    print(f"### Monthly bulletin, {args.n} tasks in {args.parts} parts ({args.runs} runs)\n")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPU, Python {sys.version.split()[0]}\n")
    print("| writer | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, times in (("row by row (write_bulletin_docx)", ours), ("cell by cell (peer)", peer)):
        median, low, high = statistics.median(times), min(times), max(times)
        print(f"| {name} | {median:.3f} | {low:.3f} | {high:.3f} |")
    print(f"\nSpeed-up: {statistics.median(peer) / statistics.median(ours):.1f}x")


if __name__ == "__main__":
    main()
