"""Small reads of the ledger beyond :mod:`queries`: which plan a task, target or supervision
belongs to, which tasks a set of platform units is assigned, a task's reports with their
evidence files, its supervisions (and which are a given leader's) and its event record, one
evidence file's metadata, and the city's time zone. The HTTP API uses them to check access
and to show a task's history."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from cityops.adapters.db.tables.workplan import (
    workplan_events,
    workplan_files,
    workplan_report_files,
    workplan_reports,
    workplan_supervisions,
    workplan_targets,
    workplan_task_units,
    workplan_tasks,
    workplans,
)
from cityops.errors import NotFoundError

DEFAULT_TIME_ZONE = "Asia/Shanghai"  # before a city profile is installed


@dataclass(frozen=True, slots=True)
class TaskUnitRecord:
    role: str  # lead / responsible
    name: str  # as written in the plan
    code: str | None  # the platform unit it was matched to


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    sha256: str
    filename: str
    size: int
    mime: str


@dataclass(frozen=True, slots=True)
class ReportRecord:
    id: int
    task_id: int
    month: str
    percent: int
    text: str
    unit: str
    unit_code: str | None
    reported_by: str
    reported_at: datetime
    files: tuple[EvidenceRecord, ...]


@dataclass(frozen=True, slots=True)
class SupervisionRecord:
    id: int
    task_id: int
    leader: str
    note: str
    due: date | None
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    type: str
    at: datetime
    actor: str
    data: dict[str, Any]


def _task_missing(task_id: int) -> NotFoundError:
    return NotFoundError("workplan.task_not_found", f"没有编号为{task_id}的任务", task_id=task_id)


def plan_of_task(conn: Connection, task_id: int) -> int:
    """The plan of a task (``workplan.task_not_found`` if there is no such task)."""
    plan_id = conn.execute(
        select(workplan_tasks.c.plan_id).where(workplan_tasks.c.id == task_id)
    ).scalar_one_or_none()
    if plan_id is None:
        raise _task_missing(task_id)
    return int(plan_id)


def task_plan_id(engine: Engine, task_id: int) -> int:
    with engine.connect() as conn:
        return plan_of_task(conn, task_id)


def plan_exists(engine: Engine, plan_id: int) -> bool:
    with engine.connect() as conn:
        found = conn.execute(select(workplans.c.id).where(workplans.c.id == plan_id)).first()
    return found is not None


def plan_ids_of_year(engine: Engine, year: int) -> list[int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplans.c.id).where(workplans.c.year == year).order_by(workplans.c.id)
        ).scalars()
        return [int(r) for r in rows]


def plan_by_sha256(engine: Engine, sha256: str) -> int | None:
    """The plan imported from a file with this SHA-256, if any."""
    with engine.connect() as conn:
        found = conn.execute(
            select(workplans.c.id).where(workplans.c.source_sha256 == sha256)
        ).scalar_one_or_none()
    return None if found is None else int(found)


def task_unit_rows(conn: Connection, task_id: int) -> list[Any]:
    """A task's ``workplan_task_units`` rows in plan order (lead units first, as imported; a
    group assigned to several units has a row per unit, in one position)."""
    return list(
        conn.execute(
            select(workplan_task_units)
            .where(workplan_task_units.c.task_id == task_id)
            .order_by(workplan_task_units.c.position, workplan_task_units.c.id)
        ).all()
    )


def task_units(engine: Engine, task_id: int) -> list[TaskUnitRecord]:
    """A task's units in plan order (lead units first, as imported)."""
    with engine.connect() as conn:
        rows = task_unit_rows(conn, task_id)
    return [TaskUnitRecord(r.role, r.name, r.unit_code) for r in rows]


def assigned_task_ids(
    engine: Engine, unit_codes: Collection[str], plan_id: int | None = None
) -> set[int]:
    """Tasks for which one of ``unit_codes`` is a lead or responsible unit."""
    if not unit_codes:
        return set()
    query = (
        select(workplan_task_units.c.task_id)
        .join(workplan_tasks, workplan_tasks.c.id == workplan_task_units.c.task_id)
        .where(workplan_task_units.c.unit_code.in_(sorted(unit_codes)))
    )
    if plan_id is not None:
        query = query.where(workplan_tasks.c.plan_id == plan_id)
    with engine.connect() as conn:
        return {int(t) for t in conn.execute(query).scalars()}


def assigned_plan_ids(engine: Engine, unit_codes: Collection[str]) -> dict[int, int]:
    """Plan id → how many of its tasks ``unit_codes`` are assigned."""
    if not unit_codes:
        return {}
    query = (
        select(workplan_tasks.c.plan_id, workplan_tasks.c.id)
        .join(workplan_task_units, workplan_task_units.c.task_id == workplan_tasks.c.id)
        .where(workplan_task_units.c.unit_code.in_(sorted(unit_codes)))
    )
    with engine.connect() as conn:
        pairs = {(int(p), int(t)) for p, t in conn.execute(query).all()}
    out: dict[int, int] = {}
    for plan_id, _ in pairs:
        out[plan_id] = out.get(plan_id, 0) + 1
    return out


def target_task_id(engine: Engine, target_id: int) -> int:
    with engine.connect() as conn:
        task_id = conn.execute(
            select(workplan_targets.c.task_id).where(workplan_targets.c.id == target_id)
        ).scalar_one_or_none()
    if task_id is None:
        raise NotFoundError(
            "workplan.target_not_found", f"没有编号为{target_id}的指标", id=target_id
        )
    return int(task_id)


def _evidence(conn: Any, report_ids: list[int]) -> dict[int, list[EvidenceRecord]]:
    out: dict[int, list[EvidenceRecord]] = {}
    if not report_ids:
        return out
    rows = conn.execute(
        select(
            workplan_report_files.c.report_id,
            workplan_report_files.c.sha256,
            workplan_report_files.c.filename,
            workplan_files.c.size,
            workplan_files.c.mime,
        )
        .join(workplan_files, workplan_files.c.sha256 == workplan_report_files.c.sha256)
        .where(workplan_report_files.c.report_id.in_(report_ids))
        .order_by(workplan_report_files.c.id)
    ).all()
    for r in rows:
        out.setdefault(int(r.report_id), []).append(
            EvidenceRecord(r.sha256, r.filename, int(r.size), r.mime)
        )
    return out


def _report(row: Any, files: list[EvidenceRecord]) -> ReportRecord:
    return ReportRecord(
        id=int(row.id),
        task_id=int(row.task_id),
        month=row.month,
        percent=int(row.percent),
        text=row.text,
        unit=row.unit,
        unit_code=row.unit_code,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
        files=tuple(files),
    )


def task_reports(engine: Engine, task_id: int) -> list[ReportRecord]:
    """Every report on a task in the order received, with its evidence files."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplan_reports)
            .where(workplan_reports.c.task_id == task_id)
            .order_by(workplan_reports.c.id)
        ).all()
        files = _evidence(conn, [int(r.id) for r in rows])
    return [_report(r, files.get(int(r.id), [])) for r in rows]


def report(engine: Engine, report_id: int) -> ReportRecord:
    with engine.connect() as conn:
        row = conn.execute(
            select(workplan_reports).where(workplan_reports.c.id == report_id)
        ).first()
        if row is None:
            raise NotFoundError(
                "workplan.report_not_found", f"没有编号为{report_id}的进展报送", id=report_id
            )
        files = _evidence(conn, [report_id])
    return _report(row, files.get(report_id, []))


def report_file(engine: Engine, report_id: int, sha256: str) -> tuple[int, EvidenceRecord]:
    """(task id, file) of one evidence file of a report."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                workplan_reports.c.task_id,
                workplan_report_files.c.filename,
                workplan_files.c.size,
                workplan_files.c.mime,
            )
            .join(workplan_reports, workplan_reports.c.id == workplan_report_files.c.report_id)
            .join(workplan_files, workplan_files.c.sha256 == workplan_report_files.c.sha256)
            .where(
                workplan_report_files.c.report_id == report_id,
                workplan_report_files.c.sha256 == sha256,
            )
            .order_by(workplan_report_files.c.id)
        ).first()
    if row is None:
        raise NotFoundError(
            "workplan.evidence_not_found",
            "该进展报送没有这份佐证材料",
            report_id=report_id,
            sha256=sha256,
        )
    return int(row.task_id), EvidenceRecord(sha256, row.filename, int(row.size), row.mime)


def _supervision(row: Any) -> SupervisionRecord:
    return SupervisionRecord(
        id=int(row.id),
        task_id=int(row.task_id),
        leader=row.leader,
        note=row.note,
        due=row.due,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        close_note=row.close_note,
    )


def task_supervisions(engine: Engine, task_id: int) -> list[SupervisionRecord]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplan_supervisions)
            .where(workplan_supervisions.c.task_id == task_id)
            .order_by(workplan_supervisions.c.id)
        ).all()
    return [_supervision(r) for r in rows]


def supervision(engine: Engine, supervision_id: int) -> SupervisionRecord:
    with engine.connect() as conn:
        row = conn.execute(
            select(workplan_supervisions).where(workplan_supervisions.c.id == supervision_id)
        ).first()
    if row is None:
        raise NotFoundError(
            "workplan.supervision_not_found",
            f"没有编号为{supervision_id}的督办",
            id=supervision_id,
        )
    return _supervision(row)


def task_events(engine: Engine, task_id: int) -> list[EventRecord]:
    """The task's record (reports, supervision, target links), oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplan_events)
            .where(workplan_events.c.task_id == task_id)
            .order_by(workplan_events.c.id)
        ).all()
    return [EventRecord(int(r.id), r.type, r.at, r.actor, dict(r.data or {})) for r in rows]


def city_time_zone(engine: Engine) -> str:
    """The active city profile's time zone (Asia/Shanghai before any profile is installed)."""
    from cityops.services.profile import active_profile

    try:
        return active_profile(engine).calendar.time_zone
    except NotFoundError:
        return DEFAULT_TIME_ZONE


def open_supervisions_by(
    conn: Connection,
    *,
    actor: str,
    name: str | None = None,
    task_id: int | None = None,
    plan_id: int | None = None,
) -> dict[int, int]:
    """The open supervisions (id → task id) a leader opened, of one task or one plan.

    The leader is the login id recorded as the actor of the ``supervision_opened`` event.
    Records made before the login id was recorded carry the display name as actor: those
    count when ``name`` is that display name and the supervision's leader."""
    sup, ev = workplan_supervisions, workplan_events
    query = select(sup.c.id, sup.c.task_id, sup.c.leader).where(sup.c.closed_at.is_(None))
    events = select(ev.c.actor, ev.c.data).where(ev.c.type == "supervision_opened")
    if task_id is not None:
        query = query.where(sup.c.task_id == task_id)
        events = events.where(ev.c.task_id == task_id)
    if plan_id is not None:
        query = query.join(workplan_tasks, workplan_tasks.c.id == sup.c.task_id).where(
            workplan_tasks.c.plan_id == plan_id
        )
        events = events.where(ev.c.plan_id == plan_id)
    open_rows = conn.execute(query).all()
    if not open_rows:
        return {}
    opened_by = _openers(conn.execute(events.where(ev.c.actor.in_({actor, name or actor}))))
    return {
        int(r.id): int(r.task_id)
        for r in open_rows
        if (who := opened_by.get(int(r.id))) == actor or (name and who == name == r.leader)
    }


def _openers(rows: Iterable[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for r in rows:
        sid = (r.data or {}).get("supervision_id")
        if sid is not None:
            out[int(sid)] = r.actor
    return out


def supervised_task_ids(engine: Engine, plan_id: int, *, actor: str, name: str) -> set[int]:
    """The plan's tasks under an open supervision of this leader (login id, display name)."""
    with engine.connect() as conn:
        return set(open_supervisions_by(conn, actor=actor, name=name, plan_id=plan_id).values())
