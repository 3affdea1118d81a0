"""Evaluation (owned by the evaluation area): indicator targets and the district
comprehensive assessment (综合考评) — its schemes, items, peer groups, manual and survey
entries, and the results kept per period.

Evaluations themselves are not stored: they are recomputed from the event log, and a past
period always gives the same figures (only events before the period's end count). To make
that fast, the evaluation keeps a *projection* of the log (the ``evaluation_*_facts`` tables):
typed facts of every event and the whole-history figures of every case, extended by event id
(``services.evaluation.facts``). The log stays the truth; events the projection has not yet
taken in are read from the log directly.
"""

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, JSONDoc, UTCDateTime

evaluation_targets = Table(
    "evaluation_targets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("indicator", String(64), nullable=False),  # a registry name, e.g. "closure_rate"
    Column("object_kind", String(16), nullable=False),  # city | district | … | department
    Column("object_code", String(64), nullable=False),  # "*" for the whole city
    Column("period", String(32), nullable=False),  # "2025-10", "2025-Q3", "2025"
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("comparator", String(2), nullable=False),  # >= <= > < =
    Column("target", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("measured", Float),
    Column("status", String(8)),  # met | not_met | no_data
    Column("measured_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("indicator", "object_kind", "object_code", "period"),
    Index("ix_evaluation_targets_period_start", "period_start"),
)

assessment_schemes = Table(
    "assessment_schemes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
)

assessment_items = Table(
    "assessment_items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("scheme_id", BigId, ForeignKey("assessment_schemes.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("source", String(16), nullable=False),  # platform | manual | survey
    Column("indicator", String(64)),  # registry name, for platform items
    Column("weight", Float, nullable=False),
    Column("lower_is_better", Integer, nullable=False, default=0),
    Column("position", Integer, nullable=False),
    UniqueConstraint("scheme_id", "code"),
)

assessment_groups = Table(
    "assessment_groups",
    metadata,
    Column("scheme_id", BigId, ForeignKey("assessment_schemes.id"), primary_key=True),
    Column("district_code", String(12), primary_key=True),
    Column("group_name", String(64), nullable=False),  # 同序列, e.g. 城区 / 县域
)

assessment_entries = Table(
    "assessment_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("scheme_id", BigId, ForeignKey("assessment_schemes.id"), nullable=False),
    Column("item_code", String(32), nullable=False),
    Column("period", String(32), nullable=False),
    Column("district_code", String(12), nullable=False),
    Column("value", Float, nullable=False),
    Column("source_note", Text, nullable=False, default=""),  # e.g. the survey company
    Column("entered_at", UTCDateTime, nullable=False),
    Column("entered_by", String(64), nullable=False),
    Index("ix_assessment_entries_lookup", "scheme_id", "period", "item_code", "district_code"),
)

assessment_results = Table(
    "assessment_results",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("scheme_id", BigId, ForeignKey("assessment_schemes.id"), nullable=False),
    Column("period", String(32), nullable=False),
    Column("district_code", String(12), nullable=False),
    Column("group_name", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("rank_in_group", Integer, nullable=False),
    Column("rank_overall", Integer, nullable=False),
    Column("details", JSONDoc, nullable=False),  # item → value, score, missing
    Column("computed_at", UTCDateTime, nullable=False),
    Column("computed_by", String(64), nullable=False),
    Column("version", Integer, nullable=False),  # recomputing a period adds a new version
    UniqueConstraint("scheme_id", "period", "district_code", "version"),
)

# ---------------------------------------------------------------- the evaluation projection

evaluation_facts_state = Table(
    "evaluation_facts_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # one row: 1
    Column("version", Integer, nullable=False),  # of the projection's definition
    Column("watermark", BigId, nullable=False),  # every event with id <= watermark is in
    Column("refreshed_at", UTCDateTime, nullable=False),
)

# (role, actor, event type) of the events that count for a post (监督员, 受理员, 值班长, 派遣员).
evaluation_post_keys = Table(
    "evaluation_post_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("role", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    UniqueConstraint("role", "actor", "type"),
)

# (inspector, grid of the case) of the inspectors' own steps: the grids they worked in.
evaluation_work_keys = Table(
    "evaluation_work_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(64), nullable=False),
    Column("grid_code", String(32), nullable=False),
    UniqueConstraint("actor", "grid_code"),
)

# One row per event of the log, with the few fields of ``data`` the evaluation reads as
# typed columns. Location and channel are on the ``reported`` row only.
evaluation_event_facts = Table(
    "evaluation_event_facts",
    metadata,
    Column("case_id", BigId, primary_key=True, autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("event_id", BigId, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("type", String(32), nullable=False),
    Column("role", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("state", SmallInteger, nullable=False),  # to_state as a code (facts_sql.STATE_CODES)
    Column("on_time", SmallInteger, nullable=False),  # data.on_time of a timed event
    Column("unit", String(64)),  # data.unit of a dispatch
    Column("approved", SmallInteger, nullable=False),  # an approved extension
    Column("handled_on_time", SmallInteger, nullable=False),  # data.handled_on_time of a closure
    Column("clock", SmallInteger, nullable=False),  # records the handling clock
    Column("handling_deadline", UTCDateTime),  # of that clock (none while it is paused)
    Column("handling_over", SmallInteger, nullable=False),  # used > limit in that clock
    Column("stage_deadline", UTCDateTime),  # dispatch stage deadline when to_state is filed
    Column("channel", String(32)),
    Column("district_code", String(6)),
    Column("street_code", String(9)),
    Column("community_code", String(12)),
    Column("grid_code", String(32)),
    Column("post_key", Integer),  # evaluation_post_keys.id
    Column("work_key", Integer),  # evaluation_work_keys.id
    Index(
        "ix_evaluation_event_facts_post_key_at",
        "post_key",
        "at",
        "on_time",
        "event_id",
        sqlite_where=text("post_key IS NOT NULL"),
        postgresql_where=text("post_key IS NOT NULL"),
    ),
    Index(
        "ix_evaluation_event_facts_work_key_at",
        "work_key",
        "at",
        "event_id",
        sqlite_where=text("work_key IS NOT NULL"),
        postgresql_where=text("work_key IS NOT NULL"),
    ),
    sqlite_with_rowid=False,
)

# One row per case: its span, and its figures over its whole history (as an evaluation of a
# period holding all its events would count them). Columns after ``long_span`` are the
# per-case figures the engine sums (services.evaluation.facts_sql.FIGURES).
evaluation_case_facts = Table(
    "evaluation_case_facts",
    metadata,
    Column("case_id", BigId, primary_key=True, autoincrement=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("ended", SmallInteger, nullable=False),  # closed, rejected or cancelled
    Column("long_span", SmallInteger, nullable=False),  # open, or longer than SPAN_DAYS
    Column("channel", String(32)),
    Column("district_code", String(6)),
    Column("street_code", String(9)),
    Column("community_code", String(12)),
    Column("grid_code", String(32)),
    *(
        Column(name, SmallInteger, nullable=False)
        for name in (
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
    ),
    Column("unit", String(64)),
    Column("reporter", String(100)),  # role|actor
    Column("filer", String(100)),
    Column("d_actor", String(110)),  # zero-padded seq + role|actor of the last dispatch
    Index("ix_evaluation_case_facts_long_span_first_at", "long_span", "first_at"),
)

__all__ = [
    "assessment_entries",
    "assessment_groups",
    "assessment_items",
    "assessment_results",
    "assessment_schemes",
    "evaluation_case_facts",
    "evaluation_event_facts",
    "evaluation_facts_state",
    "evaluation_post_keys",
    "evaluation_targets",
    "evaluation_work_keys",
]
