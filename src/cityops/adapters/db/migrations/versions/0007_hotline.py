"""hotline work orders, petitions

Revision ID: 0007_hotline
Revises: 0006_evaluation
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cityops.adapters.db.types

revision: str = "0007_hotline"
down_revision: str | None = "0006_evaluation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = cityops.adapters.db.types.UTCDateTime
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)


def upgrade() -> None:
    op.create_table(
        "hotline_contact_reveals",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("order_id", BIG, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_contact_reveals")),
    )
    op.create_index(
        "ix_hotline_contact_reveals_at", "hotline_contact_reveals", ["at"], unique=False
    )
    op.create_index(
        "ix_hotline_contact_reveals_order_id", "hotline_contact_reveals", ["order_id"], unique=False
    )
    op.create_table(
        "hotline_models",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_models")),
    )
    op.create_index("ix_hotline_models_active", "hotline_models", ["active"], unique=False)
    op.create_table(
        "hotline_order_events",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("order_id", BIG, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_order_events")),
        sa.UniqueConstraint("order_id", "seq", name=op.f("uq_hotline_order_events_order_id_seq")),
    )
    op.create_index("ix_hotline_order_events_at", "hotline_order_events", ["at"], unique=False)
    op.create_index(
        "ix_hotline_order_events_type_at", "hotline_order_events", ["type", "at"], unique=False
    )
    op.create_table(
        "hotline_orders",
        sa.Column("id", BIG, autoincrement=False, nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTC(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("community_code", sa.String(length=12), nullable=True),
        sa.Column("street_code", sa.String(length=9), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("location_level", sa.String(length=16), nullable=False),
        sa.Column("location_confidence", sa.Float(), nullable=False),
        sa.Column("location_matched", JSON, nullable=True),
        sa.Column("caller_name", sa.String(length=64), nullable=True),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("caller_key", sa.String(length=64), nullable=True),
        sa.Column("external_no", sa.String(length=64), nullable=True),
        sa.Column("class_code", sa.String(length=16), nullable=True),
        sa.Column("class_source", sa.String(length=16), nullable=True),
        sa.Column("suggestion", JSON, nullable=True),
        sa.Column("revisit_required", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("dispatched_at", UTC(timezone=True), nullable=True),
        sa.Column("sign_deadline", UTC(timezone=True), nullable=True),
        sa.Column("signed_at", UTC(timezone=True), nullable=True),
        sa.Column("handling_limit", sa.String(length=32), nullable=True),
        sa.Column("handling_deadline", UTC(timezone=True), nullable=True),
        sa.Column("pending_extension", JSON, nullable=True),
        sa.Column("first_dispatched_at", UTC(timezone=True), nullable=True),
        sa.Column("replied_at", UTC(timezone=True), nullable=True),
        sa.Column("replied_by_unit", sa.String(length=64), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("replied_on_time", sa.Boolean(), nullable=True),
        sa.Column("revisited_at", UTC(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.String(length=24), nullable=True),
        sa.Column("revisit_attempts", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.Column("closed_resolved", sa.Boolean(), nullable=True),
        sa.Column("reexamined_at", UTC(timezone=True), nullable=True),
        sa.Column("reexam_finding", sa.String(length=16), nullable=True),
        sa.Column("case_id", BIG, nullable=True),
        sa.Column("duplicate_of", BIG, nullable=True),
        sa.Column("dispatch_count", sa.Integer(), nullable=False),
        sa.Column("transfer_count", sa.Integer(), nullable=False),
        sa.Column("return_count", sa.Integer(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("extension_count", sa.Integer(), nullable=False),
        sa.Column("units_seen", JSON, nullable=True),
        sa.Column("extra", JSON, nullable=True),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_orders")),
        sa.UniqueConstraint("order_no", name=op.f("uq_hotline_orders_order_no")),
    )
    op.create_index("ix_hotline_orders_caller_key", "hotline_orders", ["caller_key"], unique=False)
    op.create_index("ix_hotline_orders_case_id", "hotline_orders", ["case_id"], unique=False)
    op.create_index(
        "ix_hotline_orders_class_received",
        "hotline_orders",
        ["class_code", "received_at"],
        unique=False,
    )
    op.create_index("ix_hotline_orders_closed_at", "hotline_orders", ["closed_at"], unique=False)
    op.create_index(
        "ix_hotline_orders_district_received",
        "hotline_orders",
        ["district_code", "received_at"],
        unique=False,
    )
    op.create_index(
        "ix_hotline_orders_external_no", "hotline_orders", ["external_no"], unique=False
    )
    op.create_index("ix_hotline_orders_grid_code", "hotline_orders", ["grid_code"], unique=False)
    op.create_index(
        "ix_hotline_orders_received_at", "hotline_orders", ["received_at"], unique=False
    )
    op.create_index(
        "ix_hotline_orders_state_received_at",
        "hotline_orders",
        ["state", "received_at"],
        unique=False,
    )
    op.create_index(
        "ix_hotline_orders_unit_state", "hotline_orders", ["unit", "state"], unique=False
    )
    op.create_table(
        "hotline_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_hotline_settings")),
    )
    op.create_table(
        "hotline_training_examples",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("order_id", BIG, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("class_code", sa.String(length=16), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("suggested_class", sa.String(length=16), nullable=True),
        sa.Column("suggested_unit", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_training_examples")),
    )
    op.create_index(
        "ix_hotline_training_examples_created_at",
        "hotline_training_examples",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        "ix_hotline_training_examples_order_id",
        "hotline_training_examples",
        ["order_id"],
        unique=False,
    )
    op.create_table(
        "petitions",
        sa.Column("id", BIG, autoincrement=False, nullable=False),
        sa.Column("petition_no", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_at", UTC(timezone=True), nullable=False),
        sa.Column("petitioner_name", sa.String(length=64), nullable=True),
        sa.Column("petitioner_key", sa.String(length=64), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("repeat_count", sa.Integer(), nullable=False),
        sa.Column("first_unit", sa.String(length=64), nullable=True),
        sa.Column("accept_deadline", UTC(timezone=True), nullable=True),
        sa.Column("accepted_at", UTC(timezone=True), nullable=True),
        sa.Column("answer_deadline", UTC(timezone=True), nullable=True),
        sa.Column("extended_days", sa.Integer(), nullable=False),
        sa.Column("answered_at", UTC(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("review_deadline", UTC(timezone=True), nullable=True),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.Column("links", JSON, nullable=True),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
        sa.UniqueConstraint("petition_no", name=op.f("uq_petitions_petition_no")),
    )
    op.create_index(
        "ix_petitions_first_unit_state", "petitions", ["first_unit", "state"], unique=False
    )
    op.create_index(
        "ix_petitions_petitioner_key_category",
        "petitions",
        ["petitioner_key", "category"],
        unique=False,
    )
    op.create_index(
        "ix_petitions_state_received_at", "petitions", ["state", "received_at"], unique=False
    )
    op.create_table(
        "hotline_contacts",
        sa.Column("order_id", BIG, nullable=False),
        sa.Column("caller_name", sa.String(length=64), nullable=True),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["hotline_orders.id"],
            name=op.f("fk_hotline_contacts_order_id_hotline_orders"),
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_hotline_contacts")),
    )
    op.create_table(
        "petition_events",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("petition_id", BIG, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("recorded_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"], ["petitions.id"], name=op.f("fk_petition_events_petition_id_petitions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_events")),
        sa.UniqueConstraint("petition_id", "seq", name=op.f("uq_petition_events_petition_id_seq")),
    )
    op.create_table(
        "petition_links",
        sa.Column("petition_id", BIG, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ref_id", BIG, nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"], ["petitions.id"], name=op.f("fk_petition_links_petition_id_petitions")
        ),
        sa.PrimaryKeyConstraint("petition_id", "kind", "ref_id", name=op.f("pk_petition_links")),
    )
    op.create_index(
        "ix_petition_links_kind_ref_id", "petition_links", ["kind", "ref_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index("ix_petition_links_kind_ref_id", table_name="petition_links")
    op.drop_table("petition_links")
    op.drop_table("petition_events")
    op.drop_table("hotline_contacts")
    op.drop_index("ix_petitions_state_received_at", table_name="petitions")
    op.drop_index("ix_petitions_petitioner_key_category", table_name="petitions")
    op.drop_index("ix_petitions_first_unit_state", table_name="petitions")
    op.drop_table("petitions")
    op.drop_index("ix_hotline_training_examples_order_id", table_name="hotline_training_examples")
    op.drop_index("ix_hotline_training_examples_created_at", table_name="hotline_training_examples")
    op.drop_table("hotline_training_examples")
    op.drop_table("hotline_settings")
    op.drop_index("ix_hotline_orders_unit_state", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_state_received_at", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_received_at", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_grid_code", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_external_no", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_district_received", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_closed_at", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_class_received", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_case_id", table_name="hotline_orders")
    op.drop_index("ix_hotline_orders_caller_key", table_name="hotline_orders")
    op.drop_table("hotline_orders")
    op.drop_index("ix_hotline_order_events_type_at", table_name="hotline_order_events")
    op.drop_index("ix_hotline_order_events_at", table_name="hotline_order_events")
    op.drop_table("hotline_order_events")
    op.drop_index("ix_hotline_models_active", table_name="hotline_models")
    op.drop_table("hotline_models")
    op.drop_index("ix_hotline_contact_reveals_order_id", table_name="hotline_contact_reveals")
    op.drop_index("ix_hotline_contact_reveals_at", table_name="hotline_contact_reveals")
    op.drop_table("hotline_contact_reveals")
