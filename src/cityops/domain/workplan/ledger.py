"""The responsibility ledger as read: a plan's tasks with their units, targets, deadlines,
reports, supervision and status on a given day. Filled by the services, printed by the
reports (.xlsx list, .docx bulletin) and the command line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cityops.domain.workplan.model import Comparator, Deadline, OutlineNode, number_json
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.status import ProgressPoint, StatusResult, TaskStatus, latest_report
from cityops.domain.workplan.units import find_unit_clause


@dataclass(frozen=True, slots=True)
class LedgerTarget:
    id: int
    subject: str
    comparator: Comparator
    value: Decimal
    unit: str
    figure: str | None = None  # a platform figure that measures it (see figures registry)
    measured: Decimal | None = None  # the latest measured value, if any
    measured_period: str | None = None

    @property
    def text_zh(self) -> str:
        words = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "约"}[self.comparator.value]
        return f"{self.subject}{words}{number_json(self.value)}{self.unit}"

    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return target_met(self.comparator, self.value, self.measured)


def target_met(comparator: Comparator, goal: Decimal, value: Decimal) -> bool:
    if comparator is Comparator.AT_LEAST:
        return value >= goal
    if comparator is Comparator.AT_MOST:
        return value <= goal
    if comparator is Comparator.MORE_THAN:
        return value > goal
    if comparator is Comparator.LESS_THAN:
        return value < goal
    return abs(value - goal) <= abs(goal) * Decimal("0.05")


@dataclass(frozen=True, slots=True)
class Supervision:
    """督办: a leader flags a task for close follow-up (挂旗督办) until it is lifted."""

    id: int
    task_id: int
    leader: str
    note: str
    opened_at: datetime
    due: date | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class LedgerUnit:
    name: str  # as written in the plan
    code: str | None  # the platform unit it was matched to
    role: str  # "lead" / "responsible"


@dataclass(frozen=True)
class LedgerTask:
    id: int
    seq: int
    number: int
    label: str
    outline: tuple[OutlineNode, ...]
    title: str | None
    text: str
    units: tuple[LedgerUnit, ...]
    targets: tuple[LedgerTarget, ...]
    deadlines: tuple[Deadline, ...]
    due: date
    reports: tuple[ProgressPoint, ...]
    supervisions: tuple[Supervision, ...]
    status: StatusResult

    @property
    def lead_units(self) -> tuple[str, ...]:
        """Lead units' names as written, each once (a group assigned to several platform
        units has a row per unit)."""
        return tuple(dict.fromkeys(u.name for u in self.units if u.role == "lead"))

    @property
    def responsible_units(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.name for u in self.units if u.role == "responsible"))

    @property
    def supervised(self) -> bool:
        return any(s.open for s in self.supervisions)

    @property
    def part(self) -> OutlineNode | None:
        return self.outline[0] if self.outline else None

    @property
    def heading(self) -> str:
        return self.title or self.text[:30]

    @property
    def work_text(self) -> str:
        """The task's words without its unit clause (the units have their own columns)."""
        clause = find_unit_clause(self.text)
        if clause is None:
            return self.text
        return (self.text[: clause.start] + self.text[clause.end :]).strip()

    def latest_report_in(self, month: Month) -> ProgressPoint | None:
        return latest_report([r for r in self.reports if r.month == month])

    def deadline_text(self) -> str:
        """ "6月底前、年底前" as written; the default year end when the plan names none."""
        words = [d.text for d in self.deadlines]
        return "、".join(dict.fromkeys(words)) if words else f"{self.due.year}年底前（默认）"


@dataclass(frozen=True)
class LedgerPlan:
    id: int
    issuer: str | None
    year: int
    title: str | None
    as_of: date
    tasks: tuple[LedgerTask, ...]

    def counts(self) -> dict[TaskStatus, int]:
        counter = Counter(t.status.status for t in self.tasks)
        return {s: counter.get(s, 0) for s in TaskStatus}

    def parts(self) -> list[tuple[OutlineNode | None, list[LedgerTask]]]:
        """Tasks grouped by their outermost heading, in document order."""
        groups: list[tuple[OutlineNode | None, list[LedgerTask]]] = []
        for task in self.tasks:
            if groups and groups[-1][0] == task.part:
                groups[-1][1].append(task)
            else:
                groups.append((task.part, [task]))
        return groups

    def with_status(self, status: TaskStatus) -> list[LedgerTask]:
        return [t for t in self.tasks if t.status.status is status]
