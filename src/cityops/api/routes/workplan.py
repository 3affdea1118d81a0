"""The year's task ledger (工作要点责任清单) over HTTP: import a plan (with a preview that
stores nothing), read plans and tasks with their status, report monthly progress with
evidence, supervise (督办), reminders, targets measured by platform figures, and the
responsibility list (.xlsx) and monthly bulletin (.docx) as downloads.

Who may do what is the table in ``docs/workplan.md`` ("API and access"): the bureau
(leader, evaluator, admin) sees every plan; a unit's handler sees and reports on the tasks
that name its unit (or a unit under it); leaders supervise. Rules live in the services and
the domain; this module only translates HTTP and applies the access table."""

from __future__ import annotations

import contextlib
import mimetypes
import re
from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cityops.api.deps import RT, require_roles
from cityops.api.schemas import workplan as s
from cityops.api.schemas.common import ERROR_RESPONSES, Strict
from cityops.domain.access import User
from cityops.domain.catalog.model import UnitKind
from cityops.domain.workplan.model import Role, number_json
from cityops.domain.workplan.outline import SourceLine
from cityops.domain.workplan.period import Period
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.reminders import reminders
from cityops.domain.workplan.status import TaskStatus
from cityops.domain.workplan.units import normalise_name
from cityops.errors import (
    CityopsError,
    ForbiddenError,
    NotFoundError,
    TooLargeError,
    ValidationError,
)
from cityops.services import workplan as wp
from cityops.services.runtime import Runtime
from cityops.services.workplan import access as acc
from cityops.services.workplan import lookups
from cityops.services.workplan.documents import SourceDocument
from cityops.services.workplan.evidence import evidence_store
from cityops.services.workplan.figures import platform_registry
from cityops.services.workplan.preview import preview_document, read_units_csv

MAX_ID = 2**62  # ids fit a signed 64-bit column on every database

router = APIRouter(
    prefix="/workplans", tags=["workplans 工作要点责任清单"], responses=ERROR_RESPONSES
)

# The access table (docs/workplan.md, "API and access"; cityops.services.workplan.access).
Bureau = Annotated[User, Depends(require_roles(*acc.BUREAU_ROLES))]
Reader = Annotated[User, Depends(require_roles(*acc.READ_ROLES))]
Reporter = Annotated[User, Depends(require_roles(*acc.REPORT_ROLES))]
Leader = Annotated[User, Depends(require_roles(*acc.SUPERVISE_ROLES))]

PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="The plan id")]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="The task id")]
AsOf = Annotated[
    date | None,
    Query(description="Day of reckoning for status and reminders (default: today, city time)"),
]

MAX_PLAN_BYTES = 20 * 1024 * 1024
MAX_EVIDENCE_FILES = 9
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReminderScope(StrEnum):
    MINE = "mine"
    ALL = "all"


# ----------------------------------------------------------------------------- helpers


def _zone(rt: Runtime) -> str:
    try:
        return rt.policy.profile.calendar.time_zone
    except CityopsError:  # no city profile installed yet
        return lookups.DEFAULT_TIME_ZONE


def _today(rt: Runtime) -> date:
    return rt.now().astimezone(ZoneInfo(_zone(rt))).date()


def _summary(rt: Runtime, user: User, plan_id: int) -> s.PlanSummaryOut:
    found = next((p for p in wp.list_plans(rt.engine) if p.id == plan_id), None)
    if found is None:
        raise acc.plan_not_found(plan_id)
    units = acc.scope(user)
    assigned = None
    if units is not None:
        assigned = lookups.assigned_plan_ids(rt.engine, units).get(plan_id, 0)
    return s.summary_out(found, assigned)


_FIELD_LABELS = {
    "filename": "文件名",
    "text": "工作进展",
    "unit": "报送单位",
    "month": "月份",
    "note": "说明",
    "name": "单位名称",
}


def _refuse_control_chars(**fields: str | None) -> None:
    """A NUL character cannot be stored (PostgreSQL refuses it in text): say so precisely."""
    for field, value in fields.items():
        if value and "\x00" in value:
            raise ValidationError(
                "workplan.text.control_char",
                f"{_FIELD_LABELS.get(field, field)}中含有无法保存的控制字符（\\0），请删除后重试",
                field=field,
            )


def _without_nul(document: SourceDocument) -> SourceDocument:
    """A PDF's text layer (or a damaged text file) may hold NUL characters; they carry no
    words and cannot be stored, so they are dropped before parsing."""
    if not any(
        "\x00" in line.text or "\x00" in (line.bold_prefix or "") for line in document.lines
    ):
        return document
    lines = [
        SourceLine(
            line.text.replace("\x00", ""),
            line.bold_prefix.replace("\x00", "") if line.bold_prefix is not None else None,
        )
        for line in document.lines
    ]
    return replace(document, lines=lines)


async def _document(f: UploadFile) -> SourceDocument:
    name = (f.filename or "").strip()[:255]
    _refuse_control_chars(filename=name)
    if not name:
        raise ValidationError(
            "workplan.file_name_missing",
            "上传的文件没有文件名，无法判断类型（.txt、.docx 或 .pdf）",
        )
    content = await f.read(MAX_PLAN_BYTES + 1)
    if len(content) > MAX_PLAN_BYTES:
        raise TooLargeError(
            "workplan.file_too_large",
            f"计划文件“{name}”超过{MAX_PLAN_BYTES // (1024 * 1024)}MB",
            name=name,
            max_bytes=MAX_PLAN_BYTES,
        )
    if not content:
        raise ValidationError("workplan.file_empty", f"上传的文件“{name}”是空的", name=name)
    return _without_nul(await run_in_threadpool(wp.read_bytes, name, content))


async def _known_units(
    rt: Runtime, units_csv: UploadFile | None
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The city profile's units, plus the rows and aliases of an uploaded units CSV."""
    known: list[tuple[str, str]] = []
    with contextlib.suppress(CityopsError):  # no city profile installed yet
        known = [(u.code, u.name) for u in rt.policy.profile.units.values()]
    aliases: dict[str, str] = {}
    if units_csv is not None and (units_csv.filename or units_csv.size):
        name = units_csv.filename or "units.csv"
        content = await units_csv.read(MAX_PLAN_BYTES + 1)
        if len(content) > MAX_PLAN_BYTES:
            raise TooLargeError(
                "workplan.units_csv.too_large", f"单位对照表“{name}”过大", name=name
            )
        extra, aliases = read_units_csv(name, content)
        known.extend(extra)
    return known, aliases


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _download(content: bytes, media_type: str, name: str, fallback: str) -> Response:
    """A file to save, with its UTF-8 name (RFC 6266 / 5987) and an ASCII fallback."""
    clean = _UNSAFE_NAME.sub("_", name).strip() or fallback
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(clean, safe='')}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


# ----------------------------------------------------------------------------- plans


PlanFile = Annotated[
    UploadFile,
    File(description="The plan: .txt (UTF-8, GB18030/GBK, UTF-16 with BOM), .docx, .pdf"),
]
UnitsFile = Annotated[
    UploadFile | None,
    File(
        description="Optional CSV code,name[,alias;alias…] matching the plan's unit names to "
        "platform units, in addition to the city profile's units"
    ),
]


@router.post(
    "/preview",
    summary="预览计划（不入库） Parse a plan without saving it",
    description="Multipart `file` (and optional `units` CSV). Answers what the parser reads: "
    "tasks with outline, units, targets and deadlines, the pieces it could not read, how each "
    "unit name matched, and `problems` with the codes an import would be refused with.",
    response_model=s.PreviewOut,
)
async def preview(rt: RT, user: Bureau, file: PlanFile, units: UnitsFile = None) -> s.PreviewOut:
    document = await _document(file)
    known, aliases = await _known_units(rt, units)
    p = await run_in_threadpool(
        lambda: preview_document(rt.engine, document, known_units=known, aliases=aliases)
    )
    return s.PreviewOut(
        source_name=document.name,
        sha256=document.sha256,
        **s.parsed_fields(p.parsed),
        units=[s.match_out(m) for m in p.matches],
        importable=p.importable,
        problems=[s.ProblemOut(code=x.code, message=x.message) for x in p.problems],
        already_imported=p.already_imported,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="导入计划 Import a plan into the ledger",
    description="Multipart `file` (.txt, .docx or .pdf) and optional `units` CSV. Refused: a "
    "file already imported (409 `workplan.already_imported`, details.plan_id), a plan without "
    "a readable year (`workplan.year_missing`) or without numbered tasks (`workplan.no_tasks`).",
    response_model=s.ImportOut,
)
async def import_plan(rt: RT, user: Bureau, file: PlanFile, units: UnitsFile = None) -> s.ImportOut:
    document = await _document(file)
    known, aliases = await _known_units(rt, units)
    result = await run_in_threadpool(
        lambda: wp.import_document(
            rt.engine, document, actor=user.id, known_units=known, aliases=aliases, now=rt.now()
        )
    )
    return s.ImportOut(
        plan=_summary(rt, user, result.plan_id),
        figures=result.parsed.figures(),
        units=[s.match_out(m) for m in result.matches],
    )


@router.get(
    "",
    summary="计划列表 Imported plans",
    description="The bureau sees every plan; a handler the plans with tasks of its unit "
    "(`assigned_tasks` says how many).",
    response_model=list[s.PlanSummaryOut],
)
def list_plans(rt: RT, user: Reader) -> list[s.PlanSummaryOut]:
    plans = wp.list_plans(rt.engine)
    units = acc.scope(user)
    if units is None:
        return [s.summary_out(p) for p in plans]
    assigned = lookups.assigned_plan_ids(rt.engine, units)
    return [s.summary_out(p, assigned[p.id]) for p in plans if p.id in assigned]


# ----------------------------------------------------------------------------- reminders


@router.get(
    "/reminders",
    summary="提醒 Overdue, due soon, no report this month, supervised",
    description="`scope=mine` (default): tasks of the user's unit (and units under it) and "
    "tasks the user supervises; `scope=all` (bureau only): every task. Plans of the year of "
    "`as_of`, or the one `plan_id`. Ordered: overdue, due soon, no report, supervised.",
    response_model=list[s.ReminderOut],
)
def list_reminders(
    rt: RT,
    user: Reader,
    scope: ReminderScope = ReminderScope.MINE,
    plan_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    as_of: AsOf = None,
) -> list[s.ReminderOut]:
    day = as_of or _today(rt)
    if scope is ReminderScope.ALL and acc.scope(user) is not None:
        raise ForbiddenError(
            "workplan.reminders.scope_forbidden",
            "只能查看本单位任务的提醒（scope=mine）",
            role=user.role.value,
        )
    if plan_id is not None:
        plan_ids = [plan_id]
        if acc.scope(user) is not None:
            acc.visible_ledger(rt.engine, user, plan_id, day)  # 404 outside the user's plans
    else:
        plan_ids = lookups.plan_ids_of_year(rt.engine, day.year)
    out: list[s.ReminderOut] = []
    for pid in plan_ids:
        ledger = wp.load_ledger(rt.engine, pid, day)
        if scope is ReminderScope.MINE:
            ledger = acc.my_tasks(rt.engine, user, ledger)
        out.extend(s.reminder_out(ledger, r) for r in reminders(ledger, day))
    return out


# ----------------------------------------------------------------------------- figures


@router.get(
    "/figures",
    summary="可关联的平台指标 Platform figures a target can be linked to",
    response_model=list[s.FigureOut],
)
def list_figures(user: Bureau) -> list[s.FigureOut]:
    return [
        s.FigureOut(name=f.name, unit=f.unit, description=f.description)
        for f in platform_registry().figures()
    ]


@router.put(
    "/targets/{target_id}/figure",
    summary="关联平台指标 Let a platform figure measure a target (null removes the link)",
    response_model=s.TargetOut,
)
def link_target(
    rt: RT,
    user: Bureau,
    target_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: s.LinkIn,
) -> s.TargetOut:
    figure = body.figure or None
    wp.link_target(
        rt.engine, target_id, figure, registry=platform_registry(), actor=user.id, now=rt.now()
    )
    task_id = lookups.target_task_id(rt.engine, target_id)
    ledger = wp.load_ledger(rt.engine, lookups.task_plan_id(rt.engine, task_id), _today(rt))
    target = next(g for t in ledger.tasks for g in t.targets if g.id == target_id)
    return s.target_out(target)


@router.post(
    "/{plan_id}/measurements",
    summary="计算指标实际值 Measure the plan's linked targets over a period",
    description="Each linked target asks its figure for the value over `period` (a month "
    "2025-06 or a year 2025, city time) and the value is stored; the plan's tasks then show "
    "it with `met`. A figure with nothing to measure answers null and stores nothing.",
    response_model=list[s.MeasurementOut],
)
def measure(rt: RT, user: Bureau, plan_id: PlanId, body: s.MeasureIn) -> list[s.MeasurementOut]:
    period = Period.parse(body.period, _zone(rt))
    results = wp.measure_targets(
        rt.engine, plan_id, period, registry=platform_registry(), actor=user.id, now=rt.now()
    )
    return [
        s.MeasurementOut(
            target_id=m.target_id,
            figure=m.figure,
            value=None if m.value is None else number_json(m.value),
        )
        for m in results
    ]


# ----------------------------------------------------------------------------- tasks


@router.get(
    "/tasks/{task_id}",
    summary="任务详情与历史 One task with its reports, supervision and record",
    response_model=s.TaskDetailOut,
)
def task_detail(rt: RT, user: Reader, task_id: TaskId, as_of: AsOf = None) -> s.TaskDetailOut:
    plan_id = acc.visible_task(rt.engine, user, task_id)
    day = as_of or _today(rt)
    ledger = wp.load_ledger(rt.engine, plan_id, day)
    task = next(t for t in ledger.tasks if t.id == task_id)
    base = s.task_out(plan_id, task).model_dump()
    base["supervisions"] = [
        s.supervision_out(x) for x in lookups.task_supervisions(rt.engine, task_id)
    ]
    return s.TaskDetailOut(
        **base,
        plan=_summary(rt, user, plan_id),
        as_of=day,
        reports=[s.report_out(r) for r in lookups.task_reports(rt.engine, task_id)],
        events=[s.event_out(e) for e in lookups.task_events(rt.engine, task_id)],
    )


class AssignUnitsIn(Strict):
    name: str = Field(
        min_length=1,
        max_length=128,
        description="A unit name of the task as written in the plan (or, with `role`, a unit "
        "to add to a task whose plan does not name it)",
        examples=["各区市政主管部门"],
    )
    codes: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=500,
        description="Platform unit codes; several only for a group name; none removes the match",
        examples=[["district.370102", "district.370103"]],
    )
    role: Role | None = Field(
        default=None, description="lead / responsible: only that role's name; required to add"
    )
    kind: UnitKind | None = Field(
        default=None, description="Add every platform unit of this kind (district, street, …)"
    )


class AssignUnitsOut(BaseModel):
    name: str = Field(description="The name as written in the plan")
    roles: list[Role]
    before: list[str] = Field(description="Platform unit codes before")
    after: list[str] = Field(description="and after")
    changed: bool = Field(description="false: already so, nothing recorded")
    task: s.TaskOut


@router.put(
    "/tasks/{task_id}/units",
    summary="认定责任单位 Assign a task's unit name to platform units (or fix the match)",
    description="Sets the platform units of one lead or responsible unit name of the task: "
    "match a name import left unmatched, fix a wrong match, expand a group (各县市区…) to "
    "several units (`codes`, or `kind` for every unit of a kind), or add a unit the plan does "
    "not name (`role` required). An empty `codes` removes the match. Recorded in the task's "
    "history (`units_assigned`, who, codes before and after); the units' handlers then see "
    "the task.",
    response_model=AssignUnitsOut,
)
def assign_units(rt: RT, user: Bureau, task_id: TaskId, body: AssignUnitsIn) -> AssignUnitsOut:
    _refuse_control_chars(name=body.name)
    result = wp.assign_task_units(
        rt.engine,
        task_id,
        name=body.name,
        codes=body.codes,
        role=body.role,
        kind=body.kind,
        units=rt.policy.profile.units,
        actor=user.id,
        now=rt.now(),
    )
    plan_id = lookups.task_plan_id(rt.engine, task_id)
    ledger = wp.load_ledger(rt.engine, plan_id, _today(rt))
    task = next(t for t in ledger.tasks if t.id == task_id)
    return AssignUnitsOut(
        name=result.name,
        roles=list(result.roles),
        before=list(result.before),
        after=list(result.after),
        changed=result.changed,
        task=s.task_out(plan_id, task),
    )


async def _evidence(store: wp.EvidenceStore, files: list[UploadFile]) -> list[wp.Evidence]:
    """The uploaded files; one over the size limit is refused (413) before it is read whole."""
    files = [f for f in files if f is not None and (f.filename or f.size)]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            "workplan.evidence.too_many",
            f"佐证材料最多{MAX_EVIDENCE_FILES}份，收到{len(files)}份",
            count=len(files),
            max_files=MAX_EVIDENCE_FILES,
        )
    out = []
    for f in files:
        name = (f.filename or "佐证材料").strip()[:255]
        _refuse_control_chars(filename=name)
        if f.size is not None and f.size > store.max_bytes:
            raise store.too_large(name, f.size)
        content = await f.read(store.max_bytes + 1)  # one byte over is enough to refuse it
        mime = f.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        evidence = wp.Evidence(name, content, mime)
        store.check(evidence)
        out.append(evidence)
    return out


@router.post(
    "/tasks/{task_id}/reports",
    status_code=status.HTTP_201_CREATED,
    summary="报送月度进展 Report a task's progress for a month",
    description="Multipart form: `percent` (whole number 0–100), `text` (本月工作进展), "
    "optional `month` (YYYY-MM, default this month; never a month to come), optional `unit` "
    "(name or code of one of the task's units; a handler reports for its own unit) and up to "
    "9 evidence `files`. Reports are appended; the latest for a month counts.",
    response_model=s.ReportOut,
)
async def report_progress(
    rt: RT,
    user: Reporter,
    task_id: TaskId,
    percent: Annotated[int, Form(description="完成进度 0–100", examples=[60])],
    text: Annotated[str, Form(description="本月工作进展", examples=["已设置潮汐摊区60处"])] = "",
    month: Annotated[str | None, Form(max_length=16, examples=["2025-06"])] = None,
    unit: Annotated[str | None, Form(max_length=128)] = None,
    files: Annotated[list[UploadFile] | None, File(description="佐证材料")] = None,
) -> s.ReportOut:
    acc.visible_task(rt.engine, user, task_id)
    _refuse_control_chars(text=text, unit=unit, month=month)
    store = evidence_store(rt.settings)
    evidence = await _evidence(store, files or [])
    reporting, reporting_code = acc.reporting_unit(rt.engine, user, task_id, unit)
    chosen = Month.parse(month) if month and month.strip() else None
    report_id = await run_in_threadpool(
        lambda: wp.report_progress(
            rt.engine,
            task_id,
            percent=percent,
            text=text,
            actor=user.id,
            unit=reporting,
            unit_code=reporting_code,
            month=chosen,
            files=evidence,
            store=store,
            now=rt.now(),
            time_zone=_zone(rt),
        )
    )
    return s.report_out(lookups.report(rt.engine, report_id))


@router.get(
    "/reports/{report_id}/files/{sha256}",
    summary="下载佐证材料 Download an evidence file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def evidence_file(
    rt: RT,
    user: Reader,
    report_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
) -> Response:
    task_id, f = lookups.report_file(rt.engine, report_id, sha256)
    acc.visible_task(rt.engine, user, task_id)
    try:
        content = evidence_store(rt.settings).get(sha256)
    except FileNotFoundError:
        raise NotFoundError(
            "workplan.evidence_missing", f"佐证材料“{f.filename}”的文件已不在存储中", sha256=sha256
        ) from None
    return _download(content, f.mime, f.filename, f"evidence-{sha256[:16]}")


@router.post(
    "/tasks/{task_id}/supervisions",
    status_code=status.HTTP_201_CREATED,
    summary="领导督办 Supervise a task (挂旗督办)",
    description="A leader opens supervision with a note and an optional deadline; one open "
    "supervision per leader and task (409 `workplan.supervision.already_open`).",
    response_model=s.SupervisionOut,
)
def supervise(rt: RT, user: Leader, task_id: TaskId, body: s.SuperviseIn) -> s.SupervisionOut:
    _refuse_control_chars(note=body.note)
    sid = wp.supervise_task(
        rt.engine,
        task_id,
        actor=user.id,
        leader=user.name,
        note=body.note,
        due=body.due,
        now=rt.now(),
    )
    return s.supervision_out(lookups.supervision(rt.engine, sid))


@router.post(
    "/supervisions/{supervision_id}/lift",
    summary="解除督办 Lift a supervision",
    response_model=s.SupervisionOut,
)
def lift(
    rt: RT,
    user: Leader,
    supervision_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: s.LiftIn | None = None,
) -> s.SupervisionOut:
    note = body.note if body is not None else ""
    _refuse_control_chars(note=note)
    wp.lift_supervision(
        rt.engine, supervision_id, actor=user.id, by=user.name, note=note, now=rt.now()
    )
    return s.supervision_out(lookups.supervision(rt.engine, supervision_id))


# ----------------------------------------------------------------------------- one plan


@router.get(
    "/{plan_id}",
    summary="计划与任务 One plan with its tasks, status and latest progress",
    description="Tasks with outline, units, targets, deadlines, status on `as_of` and the "
    "report that counts. Filters: `status` (repeatable), `supervised`, `unit` (code or name "
    "as written). A handler sees the tasks of its unit only.",
    response_model=s.PlanOut,
)
def plan_detail(
    rt: RT,
    user: Reader,
    plan_id: PlanId,
    as_of: AsOf = None,
    task_status: Annotated[list[TaskStatus] | None, Query(alias="status")] = None,
    supervised: bool | None = None,
    unit: Annotated[str | None, Query(max_length=128)] = None,
) -> s.PlanOut:
    day = as_of or _today(rt)
    ledger = acc.visible_ledger(rt.engine, user, plan_id, day)
    tasks = list(ledger.tasks)
    if task_status:
        tasks = [t for t in tasks if t.status.status in task_status]
    if supervised is not None:
        tasks = [t for t in tasks if t.supervised == supervised]
    if unit:
        wanted = normalise_name(unit)
        tasks = [
            t
            for t in tasks
            if any(u.code == unit or normalise_name(u.name) == wanted for u in t.units)
        ]
    unparsed = wp.plan_unparsed(rt.engine, plan_id) if acc.scope(user) is None else []
    return s.PlanOut(
        **_summary(rt, user, plan_id).model_dump(),
        as_of=day,
        counts=s.counts_out(ledger),
        items=[s.task_out(plan_id, t) for t in tasks],
        unparsed_items=[s.unparsed_out(u) for u in unparsed],
    )


@router.get(
    "/{plan_id}/ledger.xlsx",
    summary="下载责任清单 The responsibility list (.xlsx)",
    description="One row per task under the plan's parts, with status on `as_of`; a second "
    "sheet lists what the parser could not read. A handler gets the tasks of its unit.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def ledger_xlsx(rt: RT, user: Reader, plan_id: PlanId, as_of: AsOf = None) -> Response:
    import io

    from cityops.reports.workplan_ledger import ledger_title, write_ledger_xlsx

    day = as_of or _today(rt)
    ledger = acc.visible_ledger(rt.engine, user, plan_id, day)
    unparsed = wp.plan_unparsed(rt.engine, plan_id) if acc.scope(user) is None else []
    buf = io.BytesIO()
    write_ledger_xlsx(ledger, buf, unparsed)
    name = f"{ledger_title(ledger)}（截至{day.year}年{day.month}月{day.day}日）.xlsx"
    return _download(buf.getvalue(), XLSX, name, f"workplan-{plan_id}-ledger-{day}.xlsx")


@router.get(
    "/{plan_id}/bulletin.docx",
    summary="下载月度通报 The monthly progress bulletin (.docx)",
    description="`month=2025-06`: status as at the month's end (or today within the month). "
    "A month of the plan's year or the next, and not one still to come.",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}}},
)
def bulletin_docx(
    rt: RT,
    user: Bureau,
    plan_id: PlanId,
    month: Annotated[str, Query(max_length=16, examples=["2025-06"])],
) -> Response:
    import io

    from cityops.reports.workplan_bulletin import bulletin_title, write_bulletin_docx

    m = Month.parse(month)
    today = _today(rt)
    if m > Month.of(today):
        raise ValidationError(
            "workplan.bulletin.future_month",
            f"{m.label_zh}尚未到来，不能生成月度通报",
            month=str(m),
            current=str(Month.of(today)),
        )
    ledger = acc.visible_ledger(rt.engine, user, plan_id, min(m.last_day, max(today, m.first_day)))
    if m.year not in (ledger.year, ledger.year + 1):
        raise ValidationError(
            "workplan.bulletin.month_outside_plan",
            f"{m.label_zh}不在{ledger.year}年计划的通报期内",
            month=str(m),
            plan_year=ledger.year,
        )
    buf = io.BytesIO()
    write_bulletin_docx(ledger, m, buf)
    name = f"{bulletin_title(ledger, m)}.docx"
    return _download(buf.getvalue(), DOCX, name, f"workplan-{plan_id}-bulletin-{m}.docx")
