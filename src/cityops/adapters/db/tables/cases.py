"""Cases: the append-only event log (the truth), the case projection, outbox, warnings,
attachments and the intake idempotency keys."""

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, JSONDoc, UTCDateTime

case_events = Table(
    "case_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("unit", String(64)),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("data", JSONDoc, nullable=False),
    Column("schema_version", Integer, nullable=False, default=1),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("case_id", "seq"),
    Index("ix_case_events_type_at", "type", "at"),
    Index("ix_case_events_at", "at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("case_no", String(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("reported_by", String(64), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", Text, nullable=False, default=""),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("grid_code", String(15)),
    Column("community_code", String(12)),
    Column("street_code", String(9)),
    Column("district_code", String(6)),
    Column("area_class", String(16), nullable=False),
    Column("class_code", String(16)),
    Column("condition_code", String(32)),
    Column("urgency", String(16), nullable=False),
    Column("handling_limit", String(32)),
    Column("reporter_name", String(64)),
    Column("reporter_phone", String(32)),
    Column("source_ref", String(64)),
    Column("tracking_code", String(16), unique=True),
    Column("verifier", String(64)),
    Column("checker", String(64)),
    Column("assigned_unit", String(64)),
    Column("stage", String(32)),
    Column("stage_started_at", UTCDateTime),
    Column("stage_deadline", UTCDateTime),
    Column("stage_yellow_at", UTCDateTime),
    Column("handling_working", Boolean),
    Column("handling_limit_seconds", Integer),
    Column("handling_used_seconds", Integer),
    Column("handling_running_since", UTCDateTime),
    Column("handling_deadline", UTCDateTime),
    Column("handling_yellow_at", UTCDateTime),
    Column("suspended", Boolean, nullable=False, default=False),
    Column("pending_extension", JSONDoc),
    Column("light", String(8), nullable=False),
    Column("next_light_at", UTCDateTime),
    Column("verified_found", Boolean),
    Column("filed_at", UTCDateTime),
    Column("first_dispatched_at", UTCDateTime),
    Column("dispatched_at", UTCDateTime),
    Column("handled_at", UTCDateTime),
    Column("handled_on_time", Boolean),
    Column("closed_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
    Column("outcome", String(32)),
    Column("duplicate_of", BigId),
    Column("rework_count", Integer, nullable=False, default=0),
    Column("return_count", Integer, nullable=False, default=0),
    Column("dispatch_count", Integer, nullable=False, default=0),
    Column("extension_count", Integer, nullable=False, default=0),
    Column("suspension_count", Integer, nullable=False, default=0),
    Column("extra", JSONDoc),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_cases_state_reported_at", "state", "reported_at"),
    Index("ix_cases_reported_at", "reported_at"),
    Index("ix_cases_class_reported_at", "class_code", "reported_at"),
    Index("ix_cases_unit_state", "assigned_unit", "state"),
    Index("ix_cases_grid_state", "grid_code", "state"),
    Index("ix_cases_street_state", "street_code", "state"),
    Index("ix_cases_district_state", "district_code", "state"),
    Index("ix_cases_next_light_at", "next_light_at"),
    Index("ix_cases_light_state", "light", "state"),
    Index("ix_cases_verifier_state", "verifier", "state"),
    Index("ix_cases_checker_state", "checker", "state"),
    Index("ix_cases_source_ref", "source_ref"),
)

# Partial indexes over the open cases, by the deadline the lists sort on (migration 0009):
# the red list, the overdue list and the work queues read the most urgent cases first.
OPEN_STATE_VALUES = ("reported", "verifying", "filed", "dispatched", "handled", "checking")
# ``state IN (…)`` with the values written out: a query must say it this way for SQLite to
# match the partial indexes below (a bound list cannot be proved to imply their condition).
OPEN_STATES_SQL = "cases.state IN (" + ", ".join(f"'{v}'" for v in OPEN_STATE_VALUES) + ")"
_OPEN = cases.c.state.in_(list(OPEN_STATE_VALUES))
_DEADLINE = func.coalesce(cases.c.stage_deadline, cases.c.handling_deadline)
Index(
    "ix_cases_open_light_deadline",
    cases.c.light,
    _DEADLINE,
    sqlite_where=_OPEN,
    postgresql_where=_OPEN,
)
Index("ix_cases_open_deadline", _DEADLINE, sqlite_where=_OPEN, postgresql_where=_OPEN)
Index("ix_cases_reported_by", cases.c.reported_by, cases.c.reported_at)
# The dispatcher's decisions: extension requests and suspended cases (migration 0013).
_PENDING = cases.c.pending_extension.is_not(None)
Index("ix_cases_pending_extension", cases.c.state, sqlite_where=_PENDING, postgresql_where=_PENDING)
Index(
    "ix_cases_suspended",
    cases.c.state,
    sqlite_where=sql_text("suspended"),
    postgresql_where=sql_text("suspended"),
)
# The duplicate search: open cases of a class in a band of latitude (migration 0012).
Index(
    "ix_cases_open_class_lat",
    cases.c.class_code,
    cases.c.lat,
    sqlite_where=_OPEN,
    postgresql_where=_OPEN,
)

case_warnings = Table(
    "case_warnings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, ForeignKey("cases.id"), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("light", String(8), nullable=False),
    Column("deadline", UTCDateTime),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("unit", String(64)),
    Column("acknowledged_at", UTCDateTime),
    UniqueConstraint("case_id", "stage", "light", "deadline"),
    Index("ix_case_warnings_raised_at", "raised_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("topic", String(64), nullable=False),
    Column("key", String(64)),
    Column("payload", JSONDoc, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Index("ix_outbox_published_at_id", "published_at", "id"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("mime", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", BigId, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("sha256", String(64), ForeignKey("attachments.sha256"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("filename", String(255), nullable=False, default=""),
    Index("ix_case_attachments_case_id", "case_id"),
)

intake_keys = Table(
    "intake_keys",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("case_id", BigId, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigId, nullable=False),
)

__all__ = [
    "attachments",
    "case_attachments",
    "case_events",
    "case_warnings",
    "cases",
    "counters",
    "intake_keys",
    "outbox",
]
