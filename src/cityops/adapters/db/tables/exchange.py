"""Exchange with other platforms (provincial, national, a district's own): the targets the case
event log is pushed to, each with its place in the log (migration 0015)."""

from sqlalchemy import Boolean, Column, Integer, String, Table, Text

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, JSONDoc, UTCDateTime

exchange_targets = Table(
    "exchange_targets",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("url", String(500), nullable=False),
    Column("secret", String(200), nullable=False),  # HMAC-SHA256 key of the signature header
    Column("event_types", JSONDoc),  # the event types sent; null: every type
    Column("active", Boolean, nullable=False, default=True),
    Column("cursor", BigId, nullable=False, default=0),  # the last event id delivered
    Column("delivered", BigId, nullable=False, default=0),  # records delivered so far
    Column("failures", Integer, nullable=False, default=0),  # consecutive failed attempts
    Column("last_error", Text),
    Column("last_attempt_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("next_attempt_at", UTCDateTime),  # after a failure: not before
    Column("lease_until", UTCDateTime),  # a process pushing to it holds it until then
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
)
