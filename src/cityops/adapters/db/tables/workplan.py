"""Work plans (工作要点) and the responsibility ledger (owned by the work-plan area).

A plan is imported once (its source file's SHA-256 is unique) with its tasks, the units
assigned to them (role lead/responsible), targets and deadlines. Progress reports,
supervision and measurements are appended afterwards; nothing is overwritten, and
``workplan_events`` records every command (who, when, what).
"""

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, JSONDoc, UTCDateTime

workplans = Table(
    "workplans",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("issuer", String(128)),
    Column("year", Integer, nullable=False),
    Column("title", String(255)),
    Column("source_name", String(255), nullable=False),
    Column("source_sha256", String(64), nullable=False, unique=True),
    Column("task_level", String(16)),
    Column("summary_items", Integer, nullable=False, default=0),
    Column("unparsed", JSONDoc, nullable=False),  # what the parser could not read, shown as is
    Column("notes", JSONDoc, nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    Column("imported_by", String(64), nullable=False),
)

workplan_tasks = Table(
    "workplan_tasks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("plan_id", BigId, ForeignKey("workplans.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # 1..N in document order
    Column("number", Integer, nullable=False),  # the document's own number
    Column("label", String(16), nullable=False),  # "5.", "（十五）", "一是"
    Column("level", String(16), nullable=False),
    Column("outline", JSONDoc, nullable=False),  # headings above the task
    Column("title", String(255)),
    Column("text", Text, nullable=False),
    Column("due", Date, nullable=False),  # latest dated deadline, else 31 Dec of the plan year
    UniqueConstraint("plan_id", "seq"),
)

workplan_task_units = Table(
    "workplan_task_units",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", BigId, ForeignKey("workplan_tasks.id"), nullable=False),
    Column("role", String(16), nullable=False),  # lead / responsible
    Column("position", Integer, nullable=False),
    Column("name", String(128), nullable=False),  # as written in the plan
    Column("unit_code", String(64)),  # the platform unit it was matched to
    Column("match", String(16), nullable=False),  # how: exact, normalised, alias, prefix, …
    Index("ix_workplan_task_units_task_id", "task_id"),
    Index("ix_workplan_task_units_unit_code", "unit_code"),
)

workplan_targets = Table(
    "workplan_targets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", BigId, ForeignKey("workplan_tasks.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("subject", String(128), nullable=False),
    Column("comparator", String(2), nullable=False),
    Column("value", Numeric(20, 4), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("source_text", Text, nullable=False),
    Column("figure", String(64)),  # a registered platform figure that measures it
    Index("ix_workplan_targets_task_id", "task_id"),
)

workplan_deadlines = Table(
    "workplan_deadlines",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", BigId, ForeignKey("workplan_tasks.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", String(64), nullable=False),
    Column("due", Date),
    Column("recurrence", String(16)),
    Index("ix_workplan_deadlines_task_id", "task_id"),
)

workplan_reports = Table(
    "workplan_reports",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", BigId, ForeignKey("workplan_tasks.id"), nullable=False),
    Column("month", String(7), nullable=False),  # "2025-06"
    Column("percent", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("unit", String(128), nullable=False),  # the reporting unit, as named
    Column("unit_code", String(64)),
    Column("reported_by", String(64), nullable=False),
    Column("reported_at", UTCDateTime, nullable=False),
    CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    Index("ix_workplan_reports_task_id_month", "task_id", "month"),
)

workplan_files = Table(
    "workplan_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("mime", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

workplan_report_files = Table(
    "workplan_report_files",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("report_id", BigId, ForeignKey("workplan_reports.id"), nullable=False),
    Column("sha256", String(64), ForeignKey("workplan_files.sha256"), nullable=False),
    Column("filename", String(255), nullable=False),
    Index("ix_workplan_report_files_report_id", "report_id"),
)

workplan_supervisions = Table(
    "workplan_supervisions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", BigId, ForeignKey("workplan_tasks.id"), nullable=False),
    Column("leader", String(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("due", Date),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Column("closed_by", String(64)),
    Column("close_note", Text),
    Index("ix_workplan_supervisions_task_id", "task_id"),
)

workplan_measurements = Table(
    "workplan_measurements",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("target_id", BigId, ForeignKey("workplan_targets.id"), nullable=False),
    Column("figure", String(64), nullable=False),
    Column("period", String(32), nullable=False),  # "2025-06", "2025"
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Numeric(20, 4), nullable=False),
    Column("measured_at", UTCDateTime, nullable=False),
    Index("ix_workplan_measurements_target_id", "target_id"),
)

workplan_events = Table(
    "workplan_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("plan_id", BigId, ForeignKey("workplans.id"), nullable=False),
    Column("task_id", BigId),
    Column("type", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("data", JSONDoc, nullable=False),
    Index("ix_workplan_events_plan_id_at", "plan_id", "at"),
)

__all__ = [
    "workplan_deadlines",
    "workplan_events",
    "workplan_files",
    "workplan_measurements",
    "workplan_report_files",
    "workplan_reports",
    "workplan_supervisions",
    "workplan_targets",
    "workplan_task_units",
    "workplan_tasks",
    "workplans",
]
