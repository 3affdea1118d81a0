"""Commands on an imported plan, one transaction each: a unit's monthly progress report,
a leader's supervision (督办) and its lifting, linking a target to a platform figure, and
measuring the linked targets. Every command appends a ``workplan_events`` row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, select, update

from cityops.adapters.db.tables.workplan import (
    workplan_files,
    workplan_measurements,
    workplan_report_files,
    workplan_reports,
    workplan_supervisions,
    workplan_targets,
    workplan_tasks,
    workplans,
)
from cityops.domain.workplan.period import Period
from cityops.domain.workplan.progress import Month, validate_report
from cityops.domain.workplan.units import is_collective, normalise_name
from cityops.errors import ConflictError, NotFoundError, ValidationError
from cityops.services.workplan.events import record_event
from cityops.services.workplan.evidence import Evidence, EvidenceStore
from cityops.services.workplan.figures import FigureRegistry
from cityops.services.workplan.lookups import (
    city_time_zone,
    open_supervisions_by,
    task_unit_rows,
)


def _now(now: datetime | None) -> datetime:
    at = now or datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at


@dataclass(frozen=True)
class _TaskRow:
    id: int
    plan_id: int
    plan_year: int
    label: str


def _task(conn: Connection, task_id: int) -> _TaskRow:
    row = conn.execute(
        select(
            workplan_tasks.c.id, workplan_tasks.c.plan_id, workplans.c.year, workplan_tasks.c.label
        )
        .join(workplans, workplans.c.id == workplan_tasks.c.plan_id)
        .where(workplan_tasks.c.id == task_id)
    ).first()
    if row is None:
        raise NotFoundError(
            "workplan.task_not_found", f"没有编号为{task_id}的任务", task_id=task_id
        )
    return _TaskRow(int(row[0]), int(row[1]), int(row[2]), str(row[3]))


def _reporting_unit(
    conn: Connection, task_id: int, unit: str | None, code: str | None = None
) -> tuple[str, str | None]:
    """The reporting unit (name, code). It must be one of the task's units (by name or code)
    unless the task names a group of units ("各县市区…") or none at all; without ``unit``
    the first lead unit reports. With ``code``, the task's unit of that platform code (and
    name, if given): one name may stand for several units, one unit under several names."""
    rows = task_unit_rows(conn, task_id)
    if code is not None:
        wanted = normalise_name(unit or "")
        for r in rows:
            if r.unit_code == code and (not wanted or normalise_name(r.name) == wanted):
                return r.name, r.unit_code
        raise ValidationError(
            "workplan.report.unit_not_assigned",
            f"“{unit or code}”不是该任务的牵头或责任单位",
            unit=unit,
            unit_code=code,
            task_id=task_id,
            units=[r.name for r in rows],
        )
    if unit is None or not unit.strip():
        leads = [r for r in rows if r.role == "lead" and not is_collective(r.name)]
        if leads:
            return leads[0].name, leads[0].unit_code
        raise ValidationError(
            "workplan.report.unit_required",
            "该任务没有明确的牵头单位，请指明报送单位",
            task_id=task_id,
        )
    wanted = normalise_name(unit)
    for r in rows:
        if normalise_name(r.name) == wanted or (r.unit_code and r.unit_code == unit.strip()):
            return r.name, r.unit_code
    if not rows or any(is_collective(r.name) for r in rows):
        return unit.strip(), None
    raise ValidationError(
        "workplan.report.unit_not_assigned",
        f"“{unit}”不是该任务的牵头或责任单位",
        unit=unit,
        task_id=task_id,
        units=[r.name for r in rows],
    )


def report_progress(
    engine: Engine,
    task_id: int,
    *,
    percent: int,
    text: str,
    actor: str,
    unit: str | None = None,
    unit_code: str | None = None,
    month: Month | None = None,
    files: Sequence[Evidence] = (),
    store: EvidenceStore | None = None,
    now: datetime | None = None,
    time_zone: str | None = None,
) -> int:
    """A unit reports a task's progress for a month (default: the current month in the city's
    zone: ``time_zone``, else the active city profile's). Returns the report id. Reports are
    appended; the latest for a month counts."""
    at = _now(now)
    zone = ZoneInfo(time_zone or city_time_zone(engine))
    current = Month.of(at.astimezone(zone).date())
    month = month or current
    if files and store is None:
        raise ValueError("evidence files need an EvidenceStore")
    for evidence in files:
        assert store is not None
        store.check(evidence)
    # Words and percentage first, so a bad report stores no files; the month needs the plan.
    validate_report(percent=percent, text=text, month=month, plan_year=month.year, current=current)
    stored = [(e, store.put(e)) for e in files] if store is not None else []
    with engine.begin() as conn:
        task = _task(conn, task_id)
        validate_report(
            percent=percent, text=text, month=month, plan_year=task.plan_year, current=current
        )
        unit_name, unit_code = _reporting_unit(conn, task_id, unit, unit_code)
        report_id = conn.execute(
            insert(workplan_reports).values(
                task_id=task_id,
                month=str(month),
                percent=percent,
                text=text.strip(),
                unit=unit_name[:128],
                unit_code=unit_code,
                reported_by=actor,
                reported_at=at,
            )
        ).inserted_primary_key
        assert report_id is not None
        rid = int(report_id[0])
        for evidence, digest in stored:
            known = conn.execute(
                select(workplan_files.c.sha256).where(workplan_files.c.sha256 == digest)
            ).first()
            if known is None:
                conn.execute(
                    insert(workplan_files).values(
                        sha256=digest,
                        size=len(evidence.content),
                        mime=evidence.mime[:128],
                        created_at=at,
                    )
                )
            conn.execute(
                insert(workplan_report_files).values(
                    report_id=rid, sha256=digest, filename=evidence.filename[:255]
                )
            )
        record_event(
            conn,
            task.plan_id,
            task_id,
            "progress_reported",
            at,
            actor,
            {
                "report_id": rid,
                "month": str(month),
                "percent": percent,
                "unit": unit_name,
                "files": [d for _, d in stored],
            },
        )
    return rid


def supervise_task(
    engine: Engine,
    task_id: int,
    *,
    actor: str,
    note: str,
    leader: str | None = None,
    due: date | None = None,
    now: datetime | None = None,
) -> int:
    """A leader opens supervision (督办 / 挂旗督办) of a task; returns its id.

    ``actor`` is the leader's login id: it is recorded as the event's actor and tells leaders
    apart (one open supervision per leader and task). ``leader`` is the name printed in the
    list, the bulletin and the reminders (default: ``actor``)."""
    at = _now(now)
    actor = (actor or "").strip()
    name = (leader or "").strip() or actor
    if not actor:
        raise ValidationError("workplan.supervision.leader_required", "请填写督办领导")
    if not note or not note.strip():
        raise ValidationError("workplan.supervision.note_required", "请填写督办要求")
    with engine.begin() as conn:
        task = _task(conn, task_id)
        mine = open_supervisions_by(conn, actor=actor, name=name, task_id=task_id)
        if mine:
            sid = min(mine)
            raise ConflictError(
                "workplan.supervision.already_open",
                f"{name}对该任务的督办尚未解除（督办编号{sid}）",
                supervision_id=sid,
            )
        key = conn.execute(
            insert(workplan_supervisions).values(
                task_id=task_id, leader=name[:64], note=note.strip(), due=due, opened_at=at
            )
        ).inserted_primary_key
        assert key is not None
        sid = int(key[0])
        record_event(
            conn,
            task.plan_id,
            task_id,
            "supervision_opened",
            at,
            actor,
            {
                "supervision_id": sid,
                "leader": name,
                "note": note.strip(),
                "due": due.isoformat() if due else None,
            },
        )
    return sid


def lift_supervision(
    engine: Engine,
    supervision_id: int,
    *,
    actor: str,
    by: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """End a supervision (解除督办). ``actor`` is the login id recorded as the event's actor;
    ``by`` the name recorded as who lifted it, for printing (default: ``actor``)."""
    at = _now(now)
    actor = (actor or "").strip()
    name = (by or "").strip() or actor
    if not actor:
        raise ValidationError("workplan.supervision.leader_required", "请填写解除督办的领导")
    with engine.begin() as conn:
        row = conn.execute(
            select(workplan_supervisions.c.task_id, workplan_supervisions.c.closed_at).where(
                workplan_supervisions.c.id == supervision_id
            )
        ).first()
        if row is None:
            raise NotFoundError(
                "workplan.supervision_not_found",
                f"没有编号为{supervision_id}的督办",
                id=supervision_id,
            )
        if row.closed_at is not None:
            raise ConflictError("workplan.supervision.closed", "该督办已解除", id=supervision_id)
        task = _task(conn, int(row.task_id))
        conn.execute(
            update(workplan_supervisions)
            .where(workplan_supervisions.c.id == supervision_id)
            .values(closed_at=at, closed_by=name[:64], close_note=note)
        )
        record_event(
            conn,
            task.plan_id,
            task.id,
            "supervision_lifted",
            at,
            actor,
            {"supervision_id": supervision_id, "by": name, "note": note},
        )


def link_target(
    engine: Engine,
    target_id: int,
    figure: str | None,
    *,
    registry: FigureRegistry,
    actor: str,
    now: datetime | None = None,
) -> None:
    """Let a platform figure measure a target (``figure`` None removes the link)."""
    at = _now(now)
    if figure is not None:
        registry.get(figure)
    with engine.begin() as conn:
        row = conn.execute(
            select(workplan_targets.c.task_id).where(workplan_targets.c.id == target_id)
        ).first()
        if row is None:
            raise NotFoundError(
                "workplan.target_not_found", f"没有编号为{target_id}的指标", id=target_id
            )
        task = _task(conn, int(row.task_id))
        conn.execute(
            update(workplan_targets).where(workplan_targets.c.id == target_id).values(figure=figure)
        )
        record_event(
            conn,
            task.plan_id,
            task.id,
            "target_linked",
            at,
            actor,
            {"target_id": target_id, "figure": figure},
        )


@dataclass(frozen=True)
class Measurement:
    target_id: int
    figure: str
    value: Any  # Decimal, or None when the figure has no value for the period


def measure_targets(
    engine: Engine,
    plan_id: int,
    period: Period,
    *,
    registry: FigureRegistry,
    actor: str,
    now: datetime | None = None,
) -> list[Measurement]:
    """Ask each linked figure for its value over ``period`` and store the values."""
    at = _now(now)
    with engine.connect() as conn:
        if conn.execute(select(workplans.c.id).where(workplans.c.id == plan_id)).first() is None:
            raise NotFoundError(
                "workplan.plan_not_found", f"没有编号为{plan_id}的计划", plan_id=plan_id
            )
        linked = conn.execute(
            select(workplan_targets.c.id, workplan_targets.c.figure)
            .join(workplan_tasks, workplan_tasks.c.id == workplan_targets.c.task_id)
            .where(workplan_tasks.c.plan_id == plan_id, workplan_targets.c.figure.is_not(None))
            .order_by(workplan_targets.c.id)
        ).all()
    results = [
        Measurement(int(r.id), str(r.figure), registry.evaluate(str(r.figure), engine, period))
        for r in linked
    ]
    with engine.begin() as conn:
        for m in results:
            if m.value is None:
                continue
            conn.execute(
                insert(workplan_measurements).values(
                    target_id=m.target_id,
                    figure=m.figure,
                    period=period.label,
                    period_start=period.start,
                    period_end=period.end,
                    value=m.value,
                    measured_at=at,
                )
            )
        record_event(
            conn,
            plan_id,
            None,
            "targets_measured",
            at,
            actor,
            {"period": period.label, "values": {str(m.target_id): str(m.value) for m in results}},
        )
    return results
