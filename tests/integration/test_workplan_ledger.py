"""The work-plan ledger through its services, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import Engine, func, insert, select

from cityops.adapters.blobstore import BlobStore
from cityops.adapters.db.tables import metadata
from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.workplan import (
    workplan_deadlines,
    workplan_events,
    workplan_files,
    workplan_measurements,
    workplan_report_files,
    workplan_reports,
    workplan_targets,
    workplan_task_units,
    workplan_tasks,
    workplans,
)
from cityops.domain.workplan.period import Period
from cityops.domain.workplan.progress import Month
from cityops.domain.workplan.reminders import ReminderKind
from cityops.domain.workplan.status import TaskStatus
from cityops.errors import ConflictError, NotFoundError, TooLargeError, ValidationError
from cityops.reports.workplan_bulletin import write_bulletin_docx
from cityops.reports.workplan_ledger import COLUMNS, HEADER_ROW, write_ledger_xlsx
from cityops.services import workplan as wp
from cityops.services.workplan import Evidence, EvidenceStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workplans"
JINING = next(FIXTURES.glob("000_*.txt"))
KNOWN = [("U-SR", "济宁市城市管理局市容管理科"), ("U-ZD", "济宁市城市管理综合执法支队")]
JUNE = datetime(2025, 6, 15, 2, tzinfo=UTC)
SMALL_PLAN = "\n".join(
    [
        "某市城市管理局",
        "2025年工作要点",
        "一、市容",
        "1. 规范摊区设置。6月底前至少设置20处潮汐摊区。"
        "（牵头单位：市容管理科；责任单位：执法支队）",
        "2. 提升照明品质。确保亮灯率99%以上。（牵头单位：市政设施科；责任单位：各区市政主管部门）",
        "二、保障",
        "3. 优化工作流程。建立标准化工作体系。",
    ]
)


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def import_small(engine: Engine) -> int:
    document = wp.read_bytes("small.txt", SMALL_PLAN.encode())
    return wp.import_document(engine, document, actor="tester", now=JUNE).plan_id


def task_ids(engine: Engine, plan_id: int) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(workplan_tasks.c.number, workplan_tasks.c.id).where(
                workplan_tasks.c.plan_id == plan_id
            )
        ).all()
    return {int(n): int(i) for n, i in rows}


def test_migration_matches_the_tables(engine: Engine) -> None:
    def ours(name: str | None, type_: str, *_: object) -> bool:
        return type_ != "table" or bool(name and name.startswith("workplan"))

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": ours, "include_object": lambda o, n, t, *a: ours(n, t)}
        )
        diffs = compare_metadata(context, metadata)
    assert diffs == []


def test_importing_a_real_plan_stores_tasks_units_targets_and_deadlines(engine: Engine) -> None:
    result = wp.import_plan_file(engine, JINING, actor="tester", known_units=KNOWN, now=JUNE)
    assert count(engine, workplan_tasks) == 38
    assert count(engine, workplan_targets) == sum(len(t.targets) for t in result.parsed.tasks) > 20
    assert (
        count(engine, workplan_deadlines) == sum(len(t.deadlines) for t in result.parsed.tasks) > 5
    )
    with engine.connect() as conn:
        plan = conn.execute(select(workplans)).one()
        assert (plan.issuer, plan.year, plan.imported_by) == ("济宁市城市管理局", 2025, "tester")
        leads = conn.execute(
            select(
                workplan_task_units.c.name,
                workplan_task_units.c.unit_code,
                workplan_task_units.c.match,
            )
            .join(workplan_tasks, workplan_tasks.c.id == workplan_task_units.c.task_id)
            .where(workplan_tasks.c.number == 5, workplan_task_units.c.role == "lead")
        ).all()
        assert [tuple(r) for r in leads] == [("市容管理科", "U-SR", "prefix")]
        due = conn.execute(
            select(workplan_tasks.c.due).where(workplan_tasks.c.number == 5)
        ).scalar_one()
        assert due == date(2025, 6, 30)
        target = conn.execute(
            select(workplan_targets.c.subject, workplan_targets.c.value)
            .join(workplan_tasks, workplan_tasks.c.id == workplan_targets.c.task_id)
            .where(workplan_tasks.c.number == 16)
            .order_by(workplan_targets.c.position)
        ).all()
        assert [(s, Decimal(v)) for s, v in target] == [("装灯率", 100), ("亮灯率", 99)]
        event = conn.execute(select(workplan_events)).one()
        assert event.type == "plan_imported" and event.data["tasks"] == 38
    assert [p.tasks for p in wp.list_plans(engine)] == [38]


def test_the_same_file_is_not_imported_twice(engine: Engine) -> None:
    first = wp.import_plan_file(engine, JINING, actor="tester", now=JUNE)
    with pytest.raises(ConflictError) as info:
        wp.import_plan_file(engine, JINING, actor="tester", now=JUNE)
    assert info.value.code == "workplan.already_imported"
    assert info.value.details["plan_id"] == first.plan_id
    assert count(engine, workplans) == 1 and count(engine, workplan_tasks) == 38


def test_a_plan_without_a_year_or_tasks_is_refused_and_nothing_is_stored(engine: Engine) -> None:
    with pytest.raises(ValidationError) as info:
        wp.import_document(
            engine,
            wp.read_bytes("x.txt", "某局\n1. 甲。乙丙丁。\n2. 乙。丙丁戊。".encode()),
            actor="t",
        )
    assert info.value.code == "workplan.year_missing"
    with pytest.raises(ValidationError) as info:
        wp.import_document(
            engine, wp.read_bytes("y.txt", "2025年工作要点\n只有一段话。".encode()), actor="t"
        )
    assert info.value.code == "workplan.no_tasks"
    assert count(engine, workplans) == 0


def test_progress_reports_with_evidence_files(engine: Engine, tmp_path: Path) -> None:
    plan_id = import_small(engine)
    ids = task_ids(engine, plan_id)
    store = EvidenceStore(BlobStore(tmp_path / "files"))
    photo = Evidence("现场.jpg", b"\xff\xd8photo", "image/jpeg")
    rid = wp.report_progress(
        engine,
        ids[1],
        percent=60,
        text="已设置12处",
        actor="clerk",
        month=Month(2025, 6),
        files=[photo, Evidence("副本.jpg", photo.content, "image/jpeg")],
        store=store,
        now=JUNE,
    )
    assert count(engine, workplan_files) == 1 and count(engine, workplan_report_files) == 2
    assert store.get(photo.sha256) == photo.content
    assert [name for name, _ in wp.queries.report_files(engine, rid)] == ["现场.jpg", "副本.jpg"]
    with engine.connect() as conn:
        report = conn.execute(select(workplan_reports)).one()
    assert (report.unit, report.month, report.percent) == (
        "市容管理科",
        "2025-06",
        60,
    )  # lead by default
    wp.report_progress(
        engine,
        ids[1],
        percent=70,
        text="执法支队配合",
        actor="c",
        unit="执法支队",
        month=Month(2025, 6),
        now=JUNE,
    )
    ledger = wp.load_ledger(engine, plan_id, date(2025, 6, 20))
    assert ledger.tasks[0].status.percent == 70


@pytest.mark.parametrize(
    ("task_number", "kwargs", "code"),
    [
        (1, {"percent": 120}, "workplan.report.percent"),
        (1, {"unit": "财务科"}, "workplan.report.unit_not_assigned"),
        (3, {}, "workplan.report.unit_required"),  # task 3 names no unit
        (1, {"month": Month(2025, 7)}, "workplan.report.future_month"),
    ],
)
def test_bad_reports_store_nothing(
    engine: Engine, tmp_path: Path, task_number: int, kwargs: dict[str, object], code: str
) -> None:
    plan_id = import_small(engine)
    ids = task_ids(engine, plan_id)
    store = EvidenceStore(BlobStore(tmp_path / "files"))
    args: dict[str, object] = {"percent": 50, "text": "进展", "actor": "c", "month": Month(2025, 6)}
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        wp.report_progress(
            engine,
            ids[task_number],
            files=[Evidence("a.pdf", b"%PDF")],
            store=store,
            now=JUNE,
            **args,
        )  # type: ignore[arg-type]
    assert info.value.code == code
    assert count(engine, workplan_reports) == 0 and count(engine, workplan_files) == 0
    assert count(engine, workplan_events) == 1  # the import only


def test_reports_for_an_unknown_task_and_oversized_files_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError):
        wp.report_progress(
            engine, 999, percent=1, text="x", actor="c", unit="甲", month=Month(2025, 6), now=JUNE
        )
    plan_id = import_small(engine)
    store = EvidenceStore(BlobStore(tmp_path / "files"), max_bytes=4)
    with pytest.raises(TooLargeError) as info:
        wp.report_progress(
            engine,
            task_ids(engine, plan_id)[1],
            percent=1,
            text="x",
            actor="c",
            files=[Evidence("big.jpg", b"12345")],
            store=store,
            now=JUNE,
        )
    assert info.value.code == "workplan.evidence.too_large" and info.value.http_status == 413
    assert info.value.message == "佐证材料“big.jpg”超过4字节的上限"
    assert not (tmp_path / "files").exists()


def test_status_supervision_and_reminders_over_a_plan(engine: Engine) -> None:
    plan_id = import_small(engine)
    ids = task_ids(engine, plan_id)
    wp.report_progress(
        engine, ids[2], percent=100, text="完成", actor="c", month=Month(2025, 6), now=JUNE
    )
    sid = wp.supervise_task(
        engine,
        ids[1],
        actor="zhang",
        leader="张局长",
        note="月底前完成",
        due=date(2025, 6, 25),
        now=JUNE,
    )
    with pytest.raises(ConflictError):
        wp.supervise_task(engine, ids[1], actor="zhang", leader="张局长", note="再督办", now=JUNE)
    ledger = wp.load_ledger(engine, plan_id, date(2025, 7, 2))
    statuses = {t.number: t.status.status for t in ledger.tasks}
    assert statuses == {1: TaskStatus.OVERDUE, 2: TaskStatus.DONE, 3: TaskStatus.AT_RISK}
    kinds = [(r.kind, r.task_id) for r in wp.plan_reminders(engine, plan_id, date(2025, 6, 20))]
    assert (ReminderKind.DUE_SOON, ids[1]) in kinds
    assert (ReminderKind.NO_REPORT, ids[3]) in kinds and (
        ReminderKind.NO_REPORT,
        ids[2],
    ) not in kinds
    assert (ReminderKind.SUPERVISED, ids[1]) in kinds
    wp.lift_supervision(
        engine, sid, actor="li", by="李局长", note="已完成", now=JUNE + timedelta(days=10)
    )
    with pytest.raises(ConflictError):
        wp.lift_supervision(engine, sid, actor="zhang", by="张局长", now=JUNE + timedelta(days=11))
    assert ReminderKind.SUPERVISED not in [
        r.kind for r in wp.plan_reminders(engine, plan_id, date(2025, 6, 20))
    ]
    with engine.connect() as conn:
        events = conn.execute(
            select(
                workplan_events.c.type, workplan_events.c.actor, workplan_events.c.data
            ).order_by(workplan_events.c.id)
        ).all()
    assert [(e.type, e.actor) for e in events] == [
        ("plan_imported", "tester"),
        ("progress_reported", "c"),
        ("supervision_opened", "zhang"),  # the login id, not the printed name
        ("supervision_lifted", "li"),
    ]
    assert (events[2].data["leader"], events[3].data["by"]) == ("张局长", "李局长")
    [sup] = wp.load_ledger(engine, plan_id, date(2025, 7, 2)).tasks[0].supervisions
    assert (sup.leader, sup.closed_by) == ("张局长", "李局长")  # names for printing


def test_leaders_are_told_apart_by_login_id_not_by_the_printed_name(engine: Engine) -> None:
    plan_id = import_small(engine)
    task = task_ids(engine, plan_id)[1]
    mine = wp.supervise_task(engine, task, actor="leader.1", leader="局领导", note="甲", now=JUNE)
    # another leader with the same display name keeps a supervision of their own
    theirs = wp.supervise_task(engine, task, actor="leader.2", leader="局领导", note="乙", now=JUNE)
    assert theirs != mine
    # the same leader under another name is still the same leader
    with pytest.raises(ConflictError) as info:
        wp.supervise_task(engine, task, actor="leader.1", leader="张局长", note="丙", now=JUNE)
    assert info.value.details["supervision_id"] == mine
    with engine.connect() as conn:
        assert wp.lookups.open_supervisions_by(conn, actor="leader.2", name="局领导") == {
            theirs: task
        }
    assert wp.lookups.supervised_task_ids(engine, plan_id, actor="leader.3", name="局领导") == set()
    # a record from before login ids were kept names the leader by display name as actor
    with engine.begin() as conn:
        conn.execute(
            workplan_events.update()
            .where(workplan_events.c.actor == "leader.1")
            .values(actor="局领导")
        )
    assert wp.lookups.supervised_task_ids(engine, plan_id, actor="leader.1", name="局领导") == {
        task
    }
    assert wp.lookups.supervised_task_ids(engine, plan_id, actor="leader.1", name="张局长") == set()


def add_case(
    engine: Engine, case_id: int, filed_at: datetime, handled_on_time: bool | None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(cases).values(
                id=case_id,
                case_no=f"C{case_id}",
                version=1,
                state="filed",
                channel="inspector",
                reported_at=filed_at,
                reported_by="i1",
                description="暴露垃圾",
                address="",
                lon=117.0,
                lat=36.6,
                area_class="urban",
                urgency="normal",
                light="green",
                suspended=False,
                rework_count=0,
                return_count=0,
                dispatch_count=0,
                extension_count=0,
                suspension_count=0,
                updated_at=filed_at,
                filed_at=filed_at,
                handled_at=filed_at if handled_on_time is not None else None,
                handled_on_time=handled_on_time,
            )
        )


def test_a_target_linked_to_a_platform_figure_measures_itself(engine: Engine) -> None:
    plan_id = import_small(engine)
    registry = wp.default_registry()
    with engine.connect() as conn:
        target_id = conn.execute(
            select(workplan_targets.c.id).where(workplan_targets.c.subject == "亮灯率")
        ).scalar_one()
    with pytest.raises(NotFoundError):
        wp.link_target(engine, target_id, "no.such.figure", registry=registry, actor="t")
    wp.link_target(engine, target_id, "cases.handled_on_time_rate", registry=registry, actor="t")
    # June in Shanghai: 31 May 16:00 UTC .. 30 June 16:00 UTC.
    add_case(engine, 1, datetime(2025, 5, 31, 17, tzinfo=UTC), True)
    add_case(engine, 2, datetime(2025, 6, 10, tzinfo=UTC), True)
    add_case(engine, 3, datetime(2025, 6, 20, tzinfo=UTC), False)
    add_case(engine, 4, datetime(2025, 6, 30, 17, tzinfo=UTC), False)  # 1 July local
    june = Period.parse("2025-06")
    assert registry.evaluate("cases.filed", engine, june) == 3
    assert registry.evaluate("cases.closed", engine, june) == 0
    [m] = wp.measure_targets(engine, plan_id, june, registry=registry, actor="t")
    assert m.value == Decimal("66.67")
    assert count(engine, workplan_measurements) == 1
    ledger = wp.load_ledger(engine, plan_id, date(2025, 6, 30))
    target = next(t for task in ledger.tasks for t in task.targets if t.id == target_id)
    assert (target.measured, target.met()) == (Decimal("66.67"), False)
    assert (
        wp.measure_targets(engine, plan_id, Period.parse("2024-01"), registry=registry, actor="t")[
            0
        ].value
        is None
    )


def test_the_responsibility_list_and_the_bulletin_from_the_ledger(engine: Engine) -> None:
    result = wp.import_plan_file(engine, JINING, actor="tester", now=JUNE)
    ids = task_ids(engine, result.plan_id)
    wp.report_progress(
        engine,
        ids[5],
        percent=40,
        text="已设置40处潮汐摊区",
        actor="c",
        month=Month(2025, 6),
        now=JUNE,
    )
    wp.report_progress(
        engine, ids[1], percent=100, text="已完成", actor="c", month=Month(2025, 6), now=JUNE
    )
    wp.supervise_task(engine, ids[5], actor="zhang", leader="张局长", note="6月底前完成", now=JUNE)
    ledger = wp.load_ledger(engine, result.plan_id, date(2025, 7, 1))

    xlsx = io.BytesIO()
    write_ledger_xlsx(ledger, xlsx, wp.plan_unparsed(engine, result.plan_id))
    wb = load_workbook(io.BytesIO(xlsx.getvalue()))
    ws = wb["责任清单"]
    assert ws.cell(1, 1).value == "济宁市城市管理局2025年工作要点责任清单"
    assert [ws.cell(HEADER_ROW, c).value for c in range(1, 8)] == [name for name, _ in COLUMNS]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert (
        ws.page_setup.orientation == "landscape"
        and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    )
    assert ws.column_dimensions["B"].width == 62
    rows = {
        r[0].value: r for r in ws.iter_rows(min_row=HEADER_ROW + 1) if isinstance(r[0].value, int)
    }
    assert len(rows) == 38
    five = [c.value for c in rows[5]]
    assert five[1].startswith("规范潮汐摊区设置。") and "牵头单位" not in five[1]
    assert (five[2], five[3]) == ("市容管理科", "市城市管理综合执法支队、各区综合行政执法局")
    assert five[4] == "潮汐摊区、疏导点或夜市摊点群≥100处"
    assert (
        five[5].startswith("6月底前")
        and "逾期未完成（进度40%）" in five[6]
        and "【督办】" in five[6]
    )
    assert rows[5][1].alignment.wrap_text is True
    assert "已完成" in rows[1][6].value
    assert [c.value for c in wb["未识别内容"][1]] == ["任务序号", "类别", "原文", "说明"]

    docx = io.BytesIO()
    write_bulletin_docx(ledger, Month(2025, 6), docx)
    doc = Document(io.BytesIO(docx.getvalue()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "济宁市城市管理局2025年工作要点推进情况月报（2025年6月）"
    assert any("共38项任务" in t and "已完成1项" in t and "逾期未完成1项" in t for t in texts)
    assert "（二）实施“四大”提升攻坚行动" in texts
    overdue = texts[texts.index("三、逾期未完成任务") + 1]
    assert overdue.startswith("1. 任务5 规范潮汐摊区设置。") and "市容管理科" in overdue
    assert texts.index("四、进度滞后任务") < texts.index("五、领导督办事项")
    assert any(
        t.startswith("1. 任务5") and "张局长" in t for t in texts[texts.index("五、领导督办事项") :]
    )
    summary, *parts = doc.tables
    assert [c.text for c in summary.rows[0].cells] == ["状态", "任务数", "占比"]
    assert len(parts) == 7 and sum(len(t.rows) - 1 for t in parts) == 38
    first_part_row = [c.text for c in parts[0].rows[1].cells]
    assert first_part_row == [
        "1",
        "加强思想建设。",
        "机关党委",
        "已完成",
        "100%",
        "机关党委：已完成",
    ]
