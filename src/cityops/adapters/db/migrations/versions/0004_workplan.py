"""work plans: tasks, units, targets, deadlines, progress, supervision

Revision ID: 0004_workplan
Revises: 0003_geography
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cityops.adapters.db.types

revision: str = "0004_workplan"
down_revision: str | None = "0003_geography"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workplan_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=128), nullable=False),
        sa.Column(
            "created_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_workplan_files")),
    )
    op.create_table(
        "workplans",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("issuer", sa.String(length=128), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("task_level", sa.String(length=16), nullable=True),
        sa.Column("summary_items", sa.Integer(), nullable=False),
        sa.Column(
            "unparsed",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "notes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "imported_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplans")),
        sa.UniqueConstraint("source_sha256", name=op.f("uq_workplans_source_sha256")),
    )
    op.create_table(
        "workplan_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["workplans.id"], name=op.f("fk_workplan_events_plan_id_workplans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_events")),
    )
    with op.batch_alter_table("workplan_events", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_events_plan_id_at", ["plan_id", "at"], unique=False)

    op.create_table(
        "workplan_tasks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column(
            "outline",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["workplans.id"], name=op.f("fk_workplan_tasks_plan_id_workplans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_tasks")),
        sa.UniqueConstraint("plan_id", "seq", name=op.f("uq_workplan_tasks_plan_id_seq")),
    )
    op.create_table(
        "workplan_deadlines",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=64), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("recurrence", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["workplan_tasks.id"],
            name=op.f("fk_workplan_deadlines_task_id_workplan_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_deadlines")),
    )
    with op.batch_alter_table("workplan_deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_deadlines_task_id", ["task_id"], unique=False)

    op.create_table(
        "workplan_reports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column(
            "reported_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "percent >= 0 AND percent <= 100", name=op.f("ck_workplan_reports_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["workplan_tasks.id"],
            name=op.f("fk_workplan_reports_task_id_workplan_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_reports")),
    )
    with op.batch_alter_table("workplan_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workplan_reports_task_id_month", ["task_id", "month"], unique=False
        )

    op.create_table(
        "workplan_supervisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("leader", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column(
            "opened_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("closed_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["workplan_tasks.id"],
            name=op.f("fk_workplan_supervisions_task_id_workplan_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_supervisions")),
    )
    with op.batch_alter_table("workplan_supervisions", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_supervisions_task_id", ["task_id"], unique=False)

    op.create_table(
        "workplan_targets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("comparator", sa.String(length=2), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("figure", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["workplan_tasks.id"],
            name=op.f("fk_workplan_targets_task_id_workplan_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_targets")),
    )
    with op.batch_alter_table("workplan_targets", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_targets_task_id", ["task_id"], unique=False)

    op.create_table(
        "workplan_task_units",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("task_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("match", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["workplan_tasks.id"],
            name=op.f("fk_workplan_task_units_task_id_workplan_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_task_units")),
    )
    with op.batch_alter_table("workplan_task_units", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_task_units_task_id", ["task_id"], unique=False)
        batch_op.create_index("ix_workplan_task_units_unit_code", ["unit_code"], unique=False)

    op.create_table(
        "workplan_measurements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "target_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("figure", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column(
            "measured_at", cityops.adapters.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["workplan_targets.id"],
            name=op.f("fk_workplan_measurements_target_id_workplan_targets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_measurements")),
    )
    with op.batch_alter_table("workplan_measurements", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_measurements_target_id", ["target_id"], unique=False)

    op.create_table(
        "workplan_report_files",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["workplan_reports.id"],
            name=op.f("fk_workplan_report_files_report_id_workplan_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["workplan_files.sha256"],
            name=op.f("fk_workplan_report_files_sha256_workplan_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplan_report_files")),
    )
    with op.batch_alter_table("workplan_report_files", schema=None) as batch_op:
        batch_op.create_index("ix_workplan_report_files_report_id", ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workplan_report_files", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_report_files_report_id")

    op.drop_table("workplan_report_files")
    with op.batch_alter_table("workplan_measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_measurements_target_id")

    op.drop_table("workplan_measurements")
    with op.batch_alter_table("workplan_task_units", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_task_units_unit_code")
        batch_op.drop_index("ix_workplan_task_units_task_id")

    op.drop_table("workplan_task_units")
    with op.batch_alter_table("workplan_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_targets_task_id")

    op.drop_table("workplan_targets")
    with op.batch_alter_table("workplan_supervisions", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_supervisions_task_id")

    op.drop_table("workplan_supervisions")
    with op.batch_alter_table("workplan_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_reports_task_id_month")

    op.drop_table("workplan_reports")
    with op.batch_alter_table("workplan_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_deadlines_task_id")

    op.drop_table("workplan_deadlines")
    op.drop_table("workplan_tasks")
    with op.batch_alter_table("workplan_events", schema=None) as batch_op:
        batch_op.drop_index("ix_workplan_events_plan_id_at")

    op.drop_table("workplan_events")
    op.drop_table("workplans")
    op.drop_table("workplan_files")
