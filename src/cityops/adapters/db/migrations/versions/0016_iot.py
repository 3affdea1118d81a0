"""iot: devices, readings and alarms of the city's sensors (物联感知)

Revision ID: 0016_iot
Revises: 0015_exchange
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cityops.adapters.db.types

revision: str = "0016_iot"
down_revision: str | None = "0015_exchange"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = cityops.adapters.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "iot_devices",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=True),
        sa.Column("community_code", sa.String(length=12), nullable=True),
        sa.Column("street_code", sa.String(length=9), nullable=True),
        sa.Column("district_code", sa.String(length=6), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("level_since", UTC, nullable=True),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", UTC, nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("alarm_id", BigId, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_devices")),
        sa.UniqueConstraint("code", name=op.f("uq_iot_devices_code")),
    )
    op.create_index("ix_iot_devices_kind_level", "iot_devices", ["kind", "level"], unique=False)
    op.create_index("ix_iot_devices_last_seen_at", "iot_devices", ["last_seen_at"], unique=False)
    op.create_table(
        "iot_alarms",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("device_id", BigId, nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("peak_value", sa.Float(), nullable=True),
        sa.Column("case_id", BigId, nullable=True),
        sa.Column("report_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["iot_devices.id"], name=op.f("fk_iot_alarms_device_id_iot_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_alarms")),
    )
    op.create_index(
        "ix_iot_alarms_device_started", "iot_alarms", ["device_id", "started_at"], unique=False
    )
    op.create_index("ix_iot_alarms_open", "iot_alarms", ["ended_at"], unique=False)
    op.create_table(
        "iot_readings",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("device_id", BigId, nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["iot_devices.id"], name=op.f("fk_iot_readings_device_id_iot_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iot_readings")),
    )
    op.create_index("ix_iot_readings_device_at", "iot_readings", ["device_id", "at"], unique=False)
    op.create_index("ix_iot_readings_received_at", "iot_readings", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("iot_readings")
    op.drop_table("iot_alarms")
    op.drop_index("ix_iot_devices_last_seen_at", table_name="iot_devices")
    op.drop_index("ix_iot_devices_kind_level", table_name="iot_devices")
    op.drop_table("iot_devices")
