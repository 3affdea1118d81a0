"""evaluation speed: the evaluation's projection of the event log (typed event facts, per-case
figures, post and work keys, refresh state)

The projection is filled by ``services.evaluation.facts.refresh_facts`` (``cityops eval
refresh``), not here: an upgrade stays quick however long the log is, and an evaluation reads
from the log whatever the projection has not taken in yet.

Revision ID: 0011_evaluation_speed
Revises: 0010_public
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.adapters.db.types

revision: str = "0011_evaluation_speed"
down_revision: str | None = "0010_public"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = cityops.adapters.db.types.UTCDateTime
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FIGURES = (
    "ext",
    "rep_in",
    "f_any",
    "f_in",
    "f_ok",
    "canc",
    "d_n",
    "d_ok",
    "d_kept",
    "pending_over",
    "received",
    "hdue",
    "handled",
    "handled_ok",
    "ext_in",
    "overdue",
    "cdue",
    "closed",
    "closed_ok",
    "rw_in",
)


def upgrade() -> None:
    op.create_table(
        "evaluation_facts_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("watermark", BIG, nullable=False),
        sa.Column("refreshed_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_facts_state")),
    )
    op.create_table(
        "evaluation_post_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_post_keys")),
        sa.UniqueConstraint(
            "role", "actor", "type", name=op.f("uq_evaluation_post_keys_role_actor_type")
        ),
    )
    op.create_table(
        "evaluation_work_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("grid_code", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_work_keys")),
        sa.UniqueConstraint(
            "actor", "grid_code", name=op.f("uq_evaluation_work_keys_actor_grid_code")
        ),
    )
    op.create_table(
        "evaluation_event_facts",
        sa.Column("case_id", BIG, autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", BIG, nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("on_time", sa.SmallInteger(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("approved", sa.SmallInteger(), nullable=False),
        sa.Column("handled_on_time", sa.SmallInteger(), nullable=False),
        sa.Column("clock", sa.SmallInteger(), nullable=False),
        sa.Column("handling_deadline", UTC(timezone=True), nullable=True),
        sa.Column("handling_over", sa.SmallInteger(), nullable=False),
        sa.Column("stage_deadline", UTC(timezone=True), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("district_code", sa.String(6), nullable=True),
        sa.Column("street_code", sa.String(9), nullable=True),
        sa.Column("community_code", sa.String(12), nullable=True),
        sa.Column("grid_code", sa.String(32), nullable=True),
        sa.Column("post_key", sa.Integer(), nullable=True),
        sa.Column("work_key", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_evaluation_event_facts")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_evaluation_event_facts_post_key_at",
        "evaluation_event_facts",
        ["post_key", "at", "on_time", "event_id"],
        sqlite_where=sa.text("post_key IS NOT NULL"),
        postgresql_where=sa.text("post_key IS NOT NULL"),
    )
    op.create_index(
        "ix_evaluation_event_facts_work_key_at",
        "evaluation_event_facts",
        ["work_key", "at", "event_id"],
        sqlite_where=sa.text("work_key IS NOT NULL"),
        postgresql_where=sa.text("work_key IS NOT NULL"),
    )
    op.create_table(
        "evaluation_case_facts",
        sa.Column("case_id", BIG, autoincrement=False, nullable=False),
        sa.Column("first_at", UTC(timezone=True), nullable=False),
        sa.Column("last_at", UTC(timezone=True), nullable=False),
        sa.Column("ended", sa.SmallInteger(), nullable=False),
        sa.Column("long_span", sa.SmallInteger(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("district_code", sa.String(6), nullable=True),
        sa.Column("street_code", sa.String(9), nullable=True),
        sa.Column("community_code", sa.String(12), nullable=True),
        sa.Column("grid_code", sa.String(32), nullable=True),
        *(sa.Column(name, sa.SmallInteger(), nullable=False) for name in FIGURES),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("reporter", sa.String(100), nullable=True),
        sa.Column("filer", sa.String(100), nullable=True),
        sa.Column("d_actor", sa.String(110), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_evaluation_case_facts")),
    )
    op.create_index(
        "ix_evaluation_case_facts_long_span_first_at",
        "evaluation_case_facts",
        ["long_span", "first_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_evaluation_case_facts_long_span_first_at", table_name="evaluation_case_facts")
    op.drop_table("evaluation_case_facts")
    op.drop_index("ix_evaluation_event_facts_work_key_at", table_name="evaluation_event_facts")
    op.drop_index("ix_evaluation_event_facts_post_key_at", table_name="evaluation_event_facts")
    op.drop_table("evaluation_event_facts")
    op.drop_table("evaluation_work_keys")
    op.drop_table("evaluation_post_keys")
    op.drop_table("evaluation_facts_state")
