"""Reminders (提醒) for the people who chase a plan: what is overdue, what falls due soon,
which tasks have no report this month, and what leaders supervise.

* **overdue** — the task's status is overdue;
* **due_soon** — not done, and its next dated deadline (a milestone such as 6月底前, or the
  due date) is today or within ``soon_days``;
* **no_report** — not done, and no unit has reported on it for the current month;
* **supervised** — a leader's supervision (督办) is open; past its own due date it says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cityops.domain.workplan.ledger import LedgerPlan, LedgerTask
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.status import DEFAULT_RULES, StatusRules, TaskStatus


class ReminderKind(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NO_REPORT = "no_report"
    SUPERVISED = "supervised"

    @property
    def label_zh(self) -> str:
        return {
            ReminderKind.OVERDUE: "逾期",
            ReminderKind.DUE_SOON: "即将到期",
            ReminderKind.NO_REPORT: "本月未报送",
            ReminderKind.SUPERVISED: "领导督办",
        }[self]


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: ReminderKind
    task_id: int
    task_label: str
    message: str
    due: date | None
    units: tuple[str, ...]  # who should act: the lead units, else the responsible ones


def _who(task: LedgerTask) -> tuple[str, ...]:
    return task.lead_units or task.responsible_units


def _name(task: LedgerTask) -> str:
    return f"任务{task.label.strip('.、．')}“{task.heading}”"


def next_deadline(task: LedgerTask, as_of: date) -> date | None:
    dates = sorted({d.due for d in task.deadlines if d.due is not None} | {task.due})
    return next((d for d in dates if d >= as_of), None)


def reminders(plan: LedgerPlan, as_of: date, rules: StatusRules = DEFAULT_RULES) -> list[Reminder]:
    out: list[Reminder] = []
    month = Month.of(as_of)
    for task in plan.tasks:
        status = task.status.status
        done = status is TaskStatus.DONE
        who = _who(task)
        if status is TaskStatus.OVERDUE:
            message = f"{_name(task)}已逾期（完成时限{task.due}，进度{task.status.percent}%）"
            out.append(Reminder(ReminderKind.OVERDUE, task.id, task.label, message, task.due, who))
        elif not done:
            upcoming = next_deadline(task, as_of)
            if upcoming is not None and (upcoming - as_of).days <= rules.soon_days:
                days = (upcoming - as_of).days
                message = f"{_name(task)}将于{upcoming}到期（{days}天后）"
                out.append(
                    Reminder(ReminderKind.DUE_SOON, task.id, task.label, message, upcoming, who)
                )
        if not done and not any(r.month == month for r in task.reports):
            message = f"{_name(task)}尚未报送{month.label_zh}进展"
            out.append(Reminder(ReminderKind.NO_REPORT, task.id, task.label, message, None, who))
        for sup in task.supervisions:
            if not sup.open:
                continue
            when = ""
            if sup.due is not None:
                when = f"，督办期限{sup.due}" + ("，已超期" if sup.due < as_of else "")
            message = f"{_name(task)}由{sup.leader}督办{when}：{sup.note}"
            out.append(
                Reminder(ReminderKind.SUPERVISED, task.id, task.label, message, sup.due, who)
            )
    order = list(ReminderKind)
    out.sort(key=lambda r: (order.index(r.kind), r.due or date.max, r.task_id))
    return out
