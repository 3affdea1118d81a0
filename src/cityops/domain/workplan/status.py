"""A task's status, computed from its dates and its progress reports.

Rules (``docs/workplan.md`` states them for people):

* **done** (已完成) — the latest report (by month, then time of report) says 100 %.
* **overdue** (逾期) — not done, and the day of reckoning is after the task's due date
  (its latest dated deadline, else 31 December of the plan year).
* **at risk** (滞后) — not done, not overdue, and the reported percentage (0 without a report)
  is more than ``tolerance`` points below the expected one. Expected progress grows linearly
  from 0 % on the start date (1 January of the plan year) to 100 % on the due date.
* **on track** (正常) — everything else.

Only reports for months up to the reckoning month count, so a bulletin for June says the same
thing whenever it is printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cityops.domain.workplan.progress import Month


class TaskStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    DONE = "done"

    @property
    def label_zh(self) -> str:
        return STATUS_LABELS_ZH[self]


STATUS_LABELS_ZH = {
    TaskStatus.ON_TRACK: "正常推进",
    TaskStatus.AT_RISK: "进度滞后",
    TaskStatus.OVERDUE: "逾期未完成",
    TaskStatus.DONE: "已完成",
}


@dataclass(frozen=True, slots=True)
class StatusRules:
    tolerance: int = 20  # percentage points behind the expected progress before "at risk"
    soon_days: int = 15  # a deadline this close raises a "due soon" reminder


DEFAULT_RULES = StatusRules()


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    month: Month
    percent: int
    reported_at: datetime
    unit: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class StatusResult:
    status: TaskStatus
    percent: int  # the latest reported percentage, 0 without a report
    expected: int  # the expected percentage on the day of reckoning
    latest: ProgressPoint | None
    late: bool = False  # done, but reported done after the due month

    @property
    def reason_zh(self) -> str:
        if self.status is TaskStatus.DONE:
            return "已报完成" + ("（逾期完成）" if self.late else "")
        if self.status is TaskStatus.OVERDUE:
            return f"已过完成时限，进度{self.percent}%"
        if self.status is TaskStatus.AT_RISK:
            return f"进度{self.percent}%，低于应达进度{self.expected}%"
        return f"进度{self.percent}%，应达进度{self.expected}%"


def expected_percent(start: date, due: date, as_of: date) -> int:
    if as_of <= start:
        return 0
    if as_of >= due or due <= start:
        return 100
    return round(100 * (as_of - start).days / (due - start).days)


def latest_report(
    reports: Sequence[ProgressPoint], upto: Month | None = None
) -> ProgressPoint | None:
    """The report that counts: the latest month, then the latest time; on a tie the one given
    last (reports are kept in the order they were received)."""
    counted = [(i, r) for i, r in enumerate(reports) if upto is None or r.month <= upto]
    if not counted:
        return None
    return max(counted, key=lambda pair: (pair[1].month, pair[1].reported_at, pair[0]))[1]


def task_status(
    *,
    start: date,
    due: date,
    reports: Sequence[ProgressPoint],
    as_of: date,
    rules: StatusRules = DEFAULT_RULES,
) -> StatusResult:
    latest = latest_report(reports, Month.of(as_of))
    percent = latest.percent if latest else 0
    expected = expected_percent(start, due, as_of)
    if latest is not None and latest.percent == 100:
        late = latest.month > Month.of(due)
        return StatusResult(TaskStatus.DONE, 100, expected, latest, late)
    if as_of > due:
        return StatusResult(TaskStatus.OVERDUE, percent, expected, latest)
    if expected - percent > rules.tolerance:
        return StatusResult(TaskStatus.AT_RISK, percent, expected, latest)
    return StatusResult(TaskStatus.ON_TRACK, percent, expected, latest)
