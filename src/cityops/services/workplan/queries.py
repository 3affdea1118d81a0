"""Reading the ledger: the plans, and one plan's tasks with status on a given day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.workplan import (
    workplan_deadlines,
    workplan_measurements,
    workplan_report_files,
    workplan_reports,
    workplan_supervisions,
    workplan_targets,
    workplan_task_units,
    workplan_tasks,
    workplans,
)
from cityops.domain.workplan.ledger import (
    LedgerPlan,
    LedgerTarget,
    LedgerTask,
    LedgerUnit,
    Supervision,
)
from cityops.domain.workplan.model import Comparator, Deadline, Level, OutlineNode, Recurrence
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.reminders import Reminder, reminders
from cityops.domain.workplan.status import DEFAULT_RULES, ProgressPoint, StatusRules, task_status
from cityops.errors import NotFoundError


@dataclass(frozen=True)
class PlanSummary:
    id: int
    issuer: str | None
    year: int
    title: str | None
    source_name: str
    tasks: int
    unparsed: int
    imported_at: datetime


def list_plans(engine: Engine) -> list[PlanSummary]:
    counts = (
        select(workplan_tasks.c.plan_id, func.count().label("n"))
        .group_by(workplan_tasks.c.plan_id)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplans, counts.c.n)
            .join(counts, counts.c.plan_id == workplans.c.id, isouter=True)
            .order_by(workplans.c.id)
        ).all()
    return [
        PlanSummary(
            int(r.id),
            r.issuer,
            int(r.year),
            r.title,
            r.source_name,
            int(r.n or 0),
            len(r.unparsed or []),
            r.imported_at,
        )
        for r in rows
    ]


def plan_unparsed(engine: Engine, plan_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        row = conn.execute(select(workplans.c.unparsed).where(workplans.c.id == plan_id)).first()
    if row is None:
        raise NotFoundError(
            "workplan.plan_not_found", f"没有编号为{plan_id}的计划", plan_id=plan_id
        )
    return list(row[0] or [])


def load_ledger(
    engine: Engine, plan_id: int, as_of: date, rules: StatusRules = DEFAULT_RULES
) -> LedgerPlan:
    """The plan on day ``as_of``: every task with its status by the rules of
    :mod:`cityops.domain.workplan.status` (reports for months after ``as_of`` do not count)."""
    with engine.connect() as conn:
        plan = conn.execute(select(workplans).where(workplans.c.id == plan_id)).first()
        if plan is None:
            raise NotFoundError(
                "workplan.plan_not_found", f"没有编号为{plan_id}的计划", plan_id=plan_id
            )
        tasks = conn.execute(
            select(workplan_tasks)
            .where(workplan_tasks.c.plan_id == plan_id)
            .order_by(workplan_tasks.c.seq)
        ).all()
        ids = [int(t.id) for t in tasks]
        units = _grouped(
            conn.execute(
                select(workplan_task_units)
                .where(workplan_task_units.c.task_id.in_(ids))
                .order_by(workplan_task_units.c.position, workplan_task_units.c.id)
            ).all()
        )
        targets = _grouped(
            conn.execute(
                select(workplan_targets)
                .where(workplan_targets.c.task_id.in_(ids))
                .order_by(workplan_targets.c.position)
            ).all()
        )
        deadlines = _grouped(
            conn.execute(
                select(workplan_deadlines)
                .where(workplan_deadlines.c.task_id.in_(ids))
                .order_by(workplan_deadlines.c.position)
            ).all()
        )
        reports = _grouped(
            conn.execute(
                select(workplan_reports)
                .where(workplan_reports.c.task_id.in_(ids))
                .order_by(workplan_reports.c.id)
            ).all()
        )
        sups = _grouped(
            conn.execute(
                select(workplan_supervisions)
                .where(workplan_supervisions.c.task_id.in_(ids))
                .order_by(workplan_supervisions.c.id)
            ).all()
        )
        target_ids = [int(t.id) for rows in targets.values() for t in rows]
        measured: dict[int, Any] = {}
        for m in conn.execute(
            select(workplan_measurements)
            .where(workplan_measurements.c.target_id.in_(target_ids))
            .order_by(workplan_measurements.c.period_end, workplan_measurements.c.id)
        ).all():
            if m.period_start <= as_of:
                measured[int(m.target_id)] = m
    start = date(int(plan.year), 1, 1)
    ledger_tasks = []
    for t in tasks:
        tid = int(t.id)
        points = tuple(
            ProgressPoint(Month.parse(r.month), int(r.percent), r.reported_at, r.unit, r.text)
            for r in reports.get(tid, [])
        )
        status = task_status(start=start, due=t.due, reports=points, as_of=as_of, rules=rules)
        ledger_tasks.append(
            LedgerTask(
                id=tid,
                seq=int(t.seq),
                number=int(t.number),
                label=t.label,
                outline=tuple(
                    OutlineNode(Level(n["level"]), int(n["number"]), n["label"], n["heading"])
                    for n in (t.outline or [])
                ),
                title=t.title,
                text=t.text,
                units=tuple(LedgerUnit(u.name, u.unit_code, u.role) for u in units.get(tid, [])),
                targets=tuple(_target(g, measured.get(int(g.id))) for g in targets.get(tid, [])),
                deadlines=tuple(
                    Deadline(d.text, d.due, Recurrence(d.recurrence) if d.recurrence else None)
                    for d in deadlines.get(tid, [])
                ),
                due=t.due,
                reports=points,
                supervisions=tuple(
                    Supervision(
                        int(s.id),
                        tid,
                        s.leader,
                        s.note,
                        s.opened_at,
                        s.due,
                        s.closed_at,
                        s.closed_by,
                    )
                    for s in sups.get(tid, [])
                ),
                status=status,
            )
        )
    return LedgerPlan(
        int(plan.id), plan.issuer, int(plan.year), plan.title, as_of, tuple(ledger_tasks)
    )


def _grouped(rows: Any) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        out[int(r.task_id)].append(r)
    return out


def _target(row: Any, measurement: Any) -> LedgerTarget:
    return LedgerTarget(
        id=int(row.id),
        subject=row.subject,
        comparator=Comparator(row.comparator),
        value=Decimal(row.value),
        unit=row.unit,
        figure=row.figure,
        measured=Decimal(measurement.value) if measurement is not None else None,
        measured_period=measurement.period if measurement is not None else None,
    )


def plan_reminders(
    engine: Engine, plan_id: int, as_of: date, rules: StatusRules = DEFAULT_RULES
) -> list[Reminder]:
    return reminders(load_ledger(engine, plan_id, as_of, rules), as_of, rules)


def report_files(engine: Engine, report_id: int) -> list[tuple[str, str]]:
    """(filename, sha256) of a report's evidence files."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplan_report_files.c.filename, workplan_report_files.c.sha256)
            .where(workplan_report_files.c.report_id == report_id)
            .order_by(workplan_report_files.c.id)
        ).all()
    return [(r.filename, r.sha256) for r in rows]
