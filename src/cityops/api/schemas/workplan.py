"""Resources of the year's task ledger (工作要点责任清单) and the bodies of its commands, with
the functions that build them from the ledger's read models."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from cityops.api.schemas.common import Strict
from cityops.domain.workplan.ledger import LedgerPlan, LedgerTarget, LedgerTask
from cityops.domain.workplan.model import (
    Deadline,
    OutlineNode,
    ParsedPlan,
    ParsedTask,
    Unparsed,
    number_json,
)
from cityops.domain.workplan.reminders import Reminder
from cityops.domain.workplan.status import ProgressPoint, TaskStatus
from cityops.domain.workplan.units import UnitMatch
from cityops.services.workplan.lookups import (
    EventRecord,
    EvidenceRecord,
    ReportRecord,
    SupervisionRecord,
)
from cityops.services.workplan.queries import PlanSummary

ROLE_LABELS_ZH = {"lead": "牵头单位", "responsible": "责任单位"}
MATCH_LABELS_ZH = {
    "exact": "名称一致",
    "normalised": "名称一致（忽略空格和括号）",
    "alias": "别名",
    "prefix": "去掉市名或局名后一致",
    "collective": "泛指多个单位，未对应具体单位",
    "ambiguous": "对应多个单位，未选定",
    "none": "未找到对应单位",
}


# ----------------------------------------------------------------------------- pieces


class OutlineOut(BaseModel):
    level: str = Field(examples=["part"])
    number: int
    label: str = Field(examples=["二、"])
    heading: str = Field(examples=["坚持精细管理，提升城市品质"])


class DeadlineOut(BaseModel):
    text: str = Field(examples=["6月底前"])
    date: dt.date | None = Field(description="The day it falls on; null for a rhythm (每月)")
    recurrence: str | None = Field(examples=["monthly"])


class UnparsedOut(BaseModel):
    kind: str = Field(description="title, units, target, deadline, text, numbering, year, issuer")
    task: int | None = Field(description="The task's seq, if the piece is inside a task")
    text: str
    note: str


class UnitMatchOut(BaseModel):
    name: str = Field(description="As written in the plan", examples=["市容管理科"])
    code: str | None = Field(description="The platform unit it was matched to")
    how: str = Field(examples=["alias"])
    how_label: str
    candidates: list[str] = Field(description="The codes that matched, when ambiguous")


class TaskUnitOut(BaseModel):
    name: str
    code: str | None
    role: Literal["lead", "responsible"]
    role_label: str


class TargetOut(BaseModel):
    id: int
    subject: str = Field(examples=["亮灯率"])
    comparator: str = Field(examples=[">="])
    value: int | float = Field(examples=[99])
    unit: str = Field(examples=["%"])
    text: str = Field(examples=["亮灯率≥99%"])
    figure: str | None = Field(description="The platform figure that measures it")
    measured: int | float | None
    measured_period: str | None
    met: bool | None = Field(description="Whether the latest measurement meets the target")


class StatusOut(BaseModel):
    status: TaskStatus
    label: str = Field(examples=["进度滞后"])
    percent: int = Field(description="The percentage of the report that counts (0 without)")
    expected: int = Field(description="The expected percentage on the day of reckoning")
    late: bool = Field(description="Done, but after the due month (逾期完成)")
    reason: str


class ProgressOut(BaseModel):
    month: str = Field(examples=["2025-06"])
    percent: int
    unit: str
    text: str
    reported_at: datetime


class SupervisionOut(BaseModel):
    id: int
    task_id: int
    leader: str
    note: str
    due: date | None
    opened_at: datetime
    open: bool
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None = None


class EvidenceOut(BaseModel):
    sha256: str
    filename: str
    size: int
    mime: str
    url: str = Field(description="Download (same access as the task)")


class ReportOut(BaseModel):
    id: int
    task_id: int
    month: str
    percent: int
    text: str
    unit: str
    unit_code: str | None
    reported_by: str
    reported_at: datetime
    files: list[EvidenceOut]


class EventOut(BaseModel):
    id: int
    type: str = Field(examples=["progress_reported"])
    at: datetime
    actor: str
    data: dict[str, Any]


# ----------------------------------------------------------------------------- resources


class PlanSummaryOut(BaseModel):
    id: int
    issuer: str | None
    year: int
    title: str | None
    source_name: str
    tasks: int
    unparsed: int
    imported_at: datetime
    assigned_tasks: int | None = Field(
        default=None, description="For a unit's handler: how many tasks name the unit"
    )


class TaskOut(BaseModel):
    id: int
    plan_id: int
    seq: int
    number: int
    label: str = Field(examples=["5."])
    outline: list[OutlineOut]
    title: str | None
    heading: str = Field(description="The title, else the first words")
    text: str
    units: list[TaskUnitOut]
    targets: list[TargetOut]
    deadlines: list[DeadlineOut]
    due: date
    due_text: str = Field(examples=["6月底前、年底前"])
    status: StatusOut
    latest: ProgressOut | None = Field(description="The report that counts")
    supervised: bool
    supervisions: list[SupervisionOut]


class StatusCountOut(BaseModel):
    status: TaskStatus
    label: str
    tasks: int


class PlanOut(PlanSummaryOut):
    as_of: date
    counts: list[StatusCountOut] = Field(description="Visible tasks by status")
    items: list[TaskOut] = Field(description="The visible tasks that pass the filters")
    unparsed_items: list[UnparsedOut]


class TaskDetailOut(TaskOut):
    plan: PlanSummaryOut
    as_of: date
    reports: list[ReportOut] = Field(description="Every report, oldest first")
    events: list[EventOut] = Field(description="The task's record, oldest first")


class ParsedTargetOut(BaseModel):
    subject: str
    comparator: str
    value: int | float
    unit: str
    text: str


class ParsedTaskOut(BaseModel):
    seq: int
    number: int
    label: str
    level: str
    outline: list[OutlineOut]
    title: str | None
    text: str
    lead_units: list[str]
    responsible_units: list[str]
    targets: list[ParsedTargetOut]
    deadlines: list[DeadlineOut]
    due: date | None


class ProblemOut(BaseModel):
    code: str
    message: str


class PreviewOut(BaseModel):
    source_name: str
    sha256: str
    issuer: str | None
    year: int | None
    title: str | None
    task_level: str | None
    summary_items: int = Field(description="Items of a work summary before the plan part")
    figures: dict[str, int]
    tasks: list[ParsedTaskOut]
    unparsed: list[UnparsedOut]
    notes: list[str]
    units: list[UnitMatchOut]
    importable: bool
    problems: list[ProblemOut] = Field(description="What would refuse the import (same codes)")
    already_imported: int | None = Field(description="The plan imported from this same file")


class ImportOut(BaseModel):
    plan: PlanSummaryOut
    figures: dict[str, int]
    units: list[UnitMatchOut]


class ReminderOut(BaseModel):
    plan_id: int
    plan_title: str | None
    kind: str = Field(examples=["due_soon"])
    kind_label: str = Field(examples=["即将到期"])
    task_id: int
    task_label: str
    message: str
    due: date | None
    units: list[str] = Field(description="Who should act: the lead units, else the responsible")


class FigureOut(BaseModel):
    name: str = Field(examples=["cases.handled_on_time_rate"])
    unit: str
    description: str


class MeasurementOut(BaseModel):
    target_id: int
    figure: str
    value: int | float | None = Field(description="null when the figure has nothing to measure")


# ----------------------------------------------------------------------------- bodies


class SuperviseIn(Strict):
    note: str = Field(max_length=2000, examples=["6月底前完成潮汐摊区设置"])
    due: date | None = Field(default=None, description="The supervision's own deadline")


class LiftIn(Strict):
    note: str = Field(default="", max_length=2000, examples=["已完成"])


class LinkIn(Strict):
    figure: str | None = Field(
        max_length=64,
        description="A name from GET /workplans/figures; null removes the link",
        examples=["cases.handled_on_time_rate"],
    )


class MeasureIn(Strict):
    period: str = Field(max_length=16, description="A month 2025-06 or a year 2025")


# ----------------------------------------------------------------------------- builders


def _num(value: Any) -> int | float | None:
    return None if value is None else number_json(value)


def outline_out(node: OutlineNode) -> OutlineOut:
    return OutlineOut(
        level=node.level.value, number=node.number, label=node.label, heading=node.heading
    )


def deadline_out(d: Deadline) -> DeadlineOut:
    return DeadlineOut(
        text=d.text, date=d.due, recurrence=d.recurrence.value if d.recurrence else None
    )


def unparsed_out(item: Unparsed | dict[str, Any]) -> UnparsedOut:
    d = item.to_dict() if isinstance(item, Unparsed) else item
    return UnparsedOut(
        kind=str(d.get("kind", "")),
        task=d.get("task"),
        text=str(d.get("text", "")),
        note=str(d.get("note", "")),
    )


def match_out(m: UnitMatch) -> UnitMatchOut:
    return UnitMatchOut(
        name=m.name,
        code=m.code,
        how=m.how.value,
        how_label=MATCH_LABELS_ZH.get(m.how.value, m.how.value),
        candidates=list(m.candidates),
    )


def target_out(t: LedgerTarget) -> TargetOut:
    return TargetOut(
        id=t.id,
        subject=t.subject,
        comparator=t.comparator.value,
        value=number_json(t.value),
        unit=t.unit,
        text=t.text_zh,
        figure=t.figure,
        measured=_num(t.measured),
        measured_period=t.measured_period,
        met=t.met(),
    )


def progress_out(p: ProgressPoint | None) -> ProgressOut | None:
    if p is None:
        return None
    return ProgressOut(
        month=str(p.month), percent=p.percent, unit=p.unit, text=p.text, reported_at=p.reported_at
    )


def supervision_out(s: SupervisionRecord) -> SupervisionOut:
    return SupervisionOut(
        id=s.id,
        task_id=s.task_id,
        leader=s.leader,
        note=s.note,
        due=s.due,
        opened_at=s.opened_at,
        open=s.closed_at is None,
        closed_at=s.closed_at,
        closed_by=s.closed_by,
        close_note=s.close_note,
    )


def task_out(plan_id: int, t: LedgerTask) -> TaskOut:
    st = t.status
    return TaskOut(
        id=t.id,
        plan_id=plan_id,
        seq=t.seq,
        number=t.number,
        label=t.label,
        outline=[outline_out(n) for n in t.outline],
        title=t.title,
        heading=t.heading,
        text=t.text,
        units=[
            TaskUnitOut(
                name=u.name,
                code=u.code,
                role="lead" if u.role == "lead" else "responsible",
                role_label=ROLE_LABELS_ZH.get(u.role, u.role),
            )
            for u in t.units
        ],
        targets=[target_out(g) for g in t.targets],
        deadlines=[deadline_out(d) for d in t.deadlines],
        due=t.due,
        due_text=t.deadline_text(),
        status=StatusOut(
            status=st.status,
            label=st.status.label_zh,
            percent=st.percent,
            expected=st.expected,
            late=st.late,
            reason=st.reason_zh,
        ),
        latest=progress_out(st.latest),
        supervised=t.supervised,
        supervisions=[
            SupervisionOut(
                id=s.id,
                task_id=s.task_id,
                leader=s.leader,
                note=s.note,
                due=s.due,
                opened_at=s.opened_at,
                open=s.open,
                closed_at=s.closed_at,
                closed_by=s.closed_by,
            )
            for s in t.supervisions
        ],
    )


def summary_out(p: PlanSummary, assigned: int | None = None) -> PlanSummaryOut:
    return PlanSummaryOut(
        id=p.id,
        issuer=p.issuer,
        year=p.year,
        title=p.title,
        source_name=p.source_name,
        tasks=p.tasks,
        unparsed=p.unparsed,
        imported_at=p.imported_at,
        assigned_tasks=assigned,
    )


def counts_out(plan: LedgerPlan) -> list[StatusCountOut]:
    return [StatusCountOut(status=s, label=s.label_zh, tasks=n) for s, n in plan.counts().items()]


def evidence_out(report_id: int, f: EvidenceRecord) -> EvidenceOut:
    return EvidenceOut(
        sha256=f.sha256,
        filename=f.filename,
        size=f.size,
        mime=f.mime,
        url=f"/api/v1/workplans/reports/{report_id}/files/{f.sha256}",
    )


def report_out(r: ReportRecord) -> ReportOut:
    return ReportOut(
        id=r.id,
        task_id=r.task_id,
        month=r.month,
        percent=r.percent,
        text=r.text,
        unit=r.unit,
        unit_code=r.unit_code,
        reported_by=r.reported_by,
        reported_at=r.reported_at,
        files=[evidence_out(r.id, f) for f in r.files],
    )


def event_out(e: EventRecord) -> EventOut:
    return EventOut(id=e.id, type=e.type, at=e.at, actor=e.actor, data=e.data)


def parsed_task_out(t: ParsedTask, year: int | None) -> ParsedTaskOut:
    return ParsedTaskOut(
        seq=t.seq,
        number=t.number,
        label=t.label,
        level=t.level.value,
        outline=[outline_out(n) for n in t.outline],
        title=t.title,
        text=t.text,
        lead_units=list(t.lead_units),
        responsible_units=list(t.responsible_units),
        targets=[
            ParsedTargetOut(
                subject=g.subject,
                comparator=g.comparator.value,
                value=number_json(g.value),
                unit=g.unit,
                text=g.text,
            )
            for g in t.targets
        ],
        deadlines=[deadline_out(d) for d in t.deadlines],
        due=t.due(year),
    )


def parsed_fields(parsed: ParsedPlan) -> dict[str, Any]:
    return {
        "issuer": parsed.issuer,
        "year": parsed.year,
        "title": parsed.title,
        "task_level": parsed.task_level.value if parsed.task_level else None,
        "summary_items": parsed.summary_items,
        "figures": parsed.figures(),
        "tasks": [parsed_task_out(t, parsed.year) for t in parsed.tasks],
        "unparsed": [unparsed_out(u) for u in parsed.unparsed],
        "notes": list(parsed.notes),
    }


def reminder_out(plan: LedgerPlan, r: Reminder) -> ReminderOut:
    return ReminderOut(
        plan_id=plan.id,
        plan_title=plan.title,
        kind=r.kind.value,
        kind_label=r.kind.label_zh,
        task_id=r.task_id,
        task_label=r.task_label,
        message=r.message,
        due=r.due,
        units=list(r.units),
    )
