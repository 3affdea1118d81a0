"""12345 hotline work orders and petitions: the order event log (the truth) and its projection,
the protected callers' contacts and the record of who revealed them, settings, training
examples and models of the classifier, and the petition ledger.

``hotline_contacts`` is the only place holding a caller's full name and phone. It is read by
one service function (``services.hotline.contacts.reveal_contact``), for hotline desk roles,
and every read is recorded in ``hotline_contact_reveals`` (without the number). No export,
list or log touches it; on PostgreSQL a deployment can also revoke SELECT on it from reporting
roles (see ``docs/hotline.md``).
"""

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, JSONDoc, UTCDateTime

hotline_order_events = Table(
    "hotline_order_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("order_id", BigId, nullable=False),
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
    UniqueConstraint("order_id", "seq"),
    Index("ix_hotline_order_events_at", "at"),
    Index("ix_hotline_order_events_type_at", "type", "at"),
)

hotline_orders = Table(
    "hotline_orders",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("order_no", String(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("received_by", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("address", Text, nullable=False, default=""),
    Column("lon", Float),
    Column("lat", Float),
    Column("grid_code", String(15)),
    Column("community_code", String(12)),
    Column("street_code", String(9)),
    Column("district_code", String(6)),
    Column("location_level", String(16), nullable=False, default="none"),
    Column("location_confidence", Float, nullable=False, default=0.0),
    Column("location_matched", JSONDoc),
    Column("caller_name", String(64)),  # masked
    Column("caller_phone", String(32)),  # masked
    Column("caller_key", String(64)),
    Column("external_no", String(64)),
    Column("class_code", String(16)),
    Column("class_source", String(16)),
    Column("suggestion", JSONDoc),
    Column("revisit_required", Boolean, nullable=False, default=True),
    Column("unit", String(64)),
    Column("dispatched_at", UTCDateTime),
    Column("sign_deadline", UTCDateTime),
    Column("signed_at", UTCDateTime),
    Column("handling_limit", String(32)),
    Column("handling_deadline", UTCDateTime),
    Column("pending_extension", JSONDoc),
    Column("first_dispatched_at", UTCDateTime),
    Column("replied_at", UTCDateTime),
    Column("replied_by_unit", String(64)),
    Column("reply", Text),
    Column("resolved", Boolean),
    Column("replied_on_time", Boolean),
    Column("revisited_at", UTCDateTime),
    Column("satisfaction", String(24)),
    Column("revisit_attempts", Integer, nullable=False, default=0),
    Column("closed_at", UTCDateTime),
    Column("closed_resolved", Boolean),
    Column("reexamined_at", UTCDateTime),
    Column("reexam_finding", String(16)),
    Column("case_id", BigId),
    Column("duplicate_of", BigId),
    Column("dispatch_count", Integer, nullable=False, default=0),
    Column("transfer_count", Integer, nullable=False, default=0),
    Column("return_count", Integer, nullable=False, default=0),
    Column("reopen_count", Integer, nullable=False, default=0),
    Column("extension_count", Integer, nullable=False, default=0),
    Column("units_seen", JSONDoc),
    Column("extra", JSONDoc),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_hotline_orders_state_received_at", "state", "received_at"),
    Index("ix_hotline_orders_received_at", "received_at"),
    Index("ix_hotline_orders_unit_state", "unit", "state"),
    Index("ix_hotline_orders_class_received", "class_code", "received_at"),
    Index("ix_hotline_orders_grid_code", "grid_code"),
    Index("ix_hotline_orders_district_received", "district_code", "received_at"),
    Index("ix_hotline_orders_case_id", "case_id"),
    Index("ix_hotline_orders_external_no", "external_no"),
    Index("ix_hotline_orders_caller_key", "caller_key"),
    Index("ix_hotline_orders_closed_at", "closed_at"),
)

hotline_contacts = Table(
    "hotline_contacts",
    metadata,
    Column("order_id", BigId, ForeignKey("hotline_orders.id"), primary_key=True),
    Column("caller_name", String(64)),
    Column("caller_phone", String(32)),
    Column("created_at", UTCDateTime, nullable=False),
)

hotline_contact_reveals = Table(
    "hotline_contact_reveals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("order_id", BigId, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_hotline_contact_reveals_order_id", "order_id"),
    Index("ix_hotline_contact_reveals_at", "at"),
)

hotline_settings = Table(
    "hotline_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSONDoc, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
)

hotline_training_examples = Table(
    "hotline_training_examples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("order_id", BigId),
    Column("text", Text, nullable=False),
    Column("class_code", String(16)),
    Column("unit_code", String(64)),
    Column("source", String(16), nullable=False),  # correction | import
    Column("suggested_class", String(16)),
    Column("suggested_unit", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Index("ix_hotline_training_examples_created_at", "created_at"),
    Index("ix_hotline_training_examples_order_id", "order_id"),
)

hotline_models = Table(
    "hotline_models",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("examples", Integer, nullable=False),
    Column("metrics", JSONDoc, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Index("ix_hotline_models_active", "active"),
)

petitions = Table(
    "petitions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=False),
    Column("petition_no", String(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("category", String(64), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("petitioner_name", String(64)),  # masked
    Column("petitioner_key", String(64)),
    Column("people", Integer, nullable=False, default=1),
    Column("repeat_count", Integer, nullable=False, default=1),
    Column("first_unit", String(64)),
    Column("accept_deadline", UTCDateTime),
    Column("accepted_at", UTCDateTime),
    Column("answer_deadline", UTCDateTime),
    Column("extended_days", Integer, nullable=False, default=0),
    Column("answered_at", UTCDateTime),
    Column("answer", Text),
    Column("resolved", Boolean),
    Column("review_deadline", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("links", JSONDoc),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_petitions_state_received_at", "state", "received_at"),
    Index("ix_petitions_first_unit_state", "first_unit", "state"),
    Index("ix_petitions_petitioner_key_category", "petitioner_key", "category"),
)

petition_events = Table(
    "petition_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("petition_id", BigId, ForeignKey("petitions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("data", JSONDoc, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("petition_id", "seq"),
)

petition_links = Table(
    "petition_links",
    metadata,
    Column("petition_id", BigId, ForeignKey("petitions.id"), primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("ref_id", BigId, primary_key=True),
    Index("ix_petition_links_kind_ref_id", "kind", "ref_id"),
)

__all__ = [
    "hotline_contact_reveals",
    "hotline_contacts",
    "hotline_models",
    "hotline_order_events",
    "hotline_orders",
    "hotline_settings",
    "hotline_training_examples",
    "petition_events",
    "petition_links",
    "petitions",
]
