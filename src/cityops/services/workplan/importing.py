"""Importing a plan into the ledger: one transaction writes the plan, its tasks, the units
assigned to them, their targets and deadlines, and the import event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from cityops.adapters.db.tables.workplan import (
    workplan_deadlines,
    workplan_targets,
    workplan_task_units,
    workplan_tasks,
    workplans,
)
from cityops.domain.workplan.model import ParsedPlan, ParsedTask, Role
from cityops.domain.workplan.parser import parse_plan
from cityops.domain.workplan.units import UnitMatch, match_units, prefixes_for_issuer
from cityops.errors import ConflictError, ValidationError
from cityops.services.workplan.documents import SourceDocument, read_document
from cityops.services.workplan.events import record_event


@dataclass(frozen=True)
class ImportResult:
    plan_id: int
    parsed: ParsedPlan
    matches: list[UnitMatch]  # every distinct unit name of the plan and what it matched


def import_plan_file(
    engine: Engine,
    path: Path,
    *,
    actor: str,
    known_units: Iterable[tuple[str, str]] = (),
    aliases: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    return import_document(
        engine, read_document(path), actor=actor, known_units=known_units, aliases=aliases, now=now
    )


def import_document(
    engine: Engine,
    document: SourceDocument,
    *,
    actor: str,
    known_units: Iterable[tuple[str, str]] = (),
    aliases: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Parse and store a plan. Refuses a file already imported (same SHA-256), a plan whose
    year cannot be read (its deadlines would have no dates) and one without numbered tasks."""
    parsed = parse_plan(document.lines, wrapped=document.wrapped)
    if parsed.year is None:
        raise ValidationError(
            "workplan.year_missing",
            "无法识别计划的年度（标题中应有“2025年……工作要点”之类的字样）",
            name=document.name,
        )
    if not parsed.tasks:
        raise ValidationError(
            "workplan.no_tasks", f"“{document.name}”中没有找到带编号的任务", name=document.name
        )
    at = now or datetime.now(UTC)
    names = list(
        dict.fromkeys(n for t in parsed.tasks for n in (*t.lead_units, *t.responsible_units))
    )
    matches = match_units(
        names, list(known_units), aliases=aliases, prefixes=prefixes_for_issuer(parsed.issuer)
    )
    by_name = {m.name: m for m in matches}
    with engine.begin() as conn:
        existing = conn.execute(
            select(workplans.c.id).where(workplans.c.source_sha256 == document.sha256)
        ).scalar_one_or_none()
        if existing is not None:
            raise ConflictError(
                "workplan.already_imported",
                f"该文件已导入（计划编号{existing}）",
                plan_id=existing,
                sha256=document.sha256,
            )
        plan_id = _insert(
            conn,
            workplans,
            issuer=parsed.issuer,
            year=parsed.year,
            title=parsed.title,
            source_name=document.name[:255],
            source_sha256=document.sha256,
            task_level=parsed.task_level.value if parsed.task_level else None,
            summary_items=parsed.summary_items,
            unparsed=[u.to_dict() for u in parsed.unparsed],
            notes=list(parsed.notes),
            imported_at=at,
            imported_by=actor,
        )
        for task in parsed.tasks:
            _insert_task(conn, plan_id, parsed.year, task, by_name)
        record_event(
            conn,
            plan_id,
            None,
            "plan_imported",
            at,
            actor,
            {"source": document.name, "sha256": document.sha256, **parsed.figures()},
        )
    return ImportResult(plan_id, parsed, matches)


def _insert(conn: Connection, table: Any, **values: Any) -> int:
    result = conn.execute(insert(table).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _insert_task(
    conn: Connection, plan_id: int, year: int, task: ParsedTask, by_name: Mapping[str, UnitMatch]
) -> None:
    due = task.due(year)
    assert due is not None
    task_id = _insert(
        conn,
        workplan_tasks,
        plan_id=plan_id,
        seq=task.seq,
        number=task.number,
        label=task.label[:16],
        level=task.level.value,
        outline=[n.to_dict() for n in task.outline],
        title=task.title[:255] if task.title else None,
        text=task.text,
        due=due,
    )
    rows = [
        (role, name)
        for role, names in (
            (Role.LEAD, task.lead_units),
            (Role.RESPONSIBLE, task.responsible_units),
        )
        for name in names
    ]
    if rows:
        conn.execute(
            insert(workplan_task_units),
            [
                {
                    "task_id": task_id,
                    "role": role.value,
                    "position": i,
                    "name": name[:128],
                    "unit_code": by_name[name].code,
                    "match": by_name[name].how.value,
                }
                for i, (role, name) in enumerate(rows)
            ],
        )
    if task.targets:
        conn.execute(
            insert(workplan_targets),
            [
                {
                    "task_id": task_id,
                    "position": i,
                    "subject": t.subject[:128],
                    "comparator": t.comparator.value,
                    "value": t.value,
                    "unit": t.unit[:16],
                    "source_text": t.text,
                    "figure": None,
                }
                for i, t in enumerate(task.targets)
            ],
        )
    if task.deadlines:
        conn.execute(
            insert(workplan_deadlines),
            [
                {
                    "task_id": task_id,
                    "position": i,
                    "text": d.text[:64],
                    "due": d.due,
                    "recurrence": d.recurrence.value if d.recurrence else None,
                }
                for i, d in enumerate(task.deadlines)
            ],
        )
