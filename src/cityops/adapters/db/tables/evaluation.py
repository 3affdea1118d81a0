"""Evaluation (owned by the evaluation area): indicator targets and the district
comprehensive assessment (综合考评) — its schemes, items, peer groups, manual and survey
entries, and the results kept per period.

Evaluations themselves are not stored: they are recomputed from the event log, and a past
period always gives the same figures (only events before the period's end count).
"""

from sqlalchemy import (
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
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

__all__ = [
    "assessment_entries",
    "assessment_groups",
    "assessment_items",
    "assessment_results",
    "assessment_schemes",
    "evaluation_targets",
]
