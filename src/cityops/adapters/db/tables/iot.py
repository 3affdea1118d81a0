"""IoT monitoring (物联感知): the devices, their readings and their alarms (migration 0016)."""

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
)

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, UTCDateTime

iot_devices = Table(
    "iot_devices",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # the component instance code: 6-digit district code + 5-digit class + 6-digit sequence
    Column("code", String(32), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),  # a kind of the profile's iot.toml
    Column("name", String(128), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("grid_code", String(15)),
    Column("community_code", String(12)),
    Column("street_code", String(9)),
    Column("district_code", String(6)),
    Column("unit_code", String(64)),  # 养护单位 (maintainer)
    Column("active", Boolean, nullable=False, default=True),
    # the device's state (domain/iot/state.py), kept with each reading
    Column("level", String(16), nullable=False, default="normal"),
    Column("level_since", UTCDateTime),
    Column("streak", Integer, nullable=False, default=0),
    Column("reported", Boolean, nullable=False, default=False),
    Column("last_seen_at", UTCDateTime),
    Column("last_value", Float),
    Column("last_status", String(16)),
    Column("alarm_id", BigId),  # the open alarm, if any
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_iot_devices_kind_level", "kind", "level"),
    Index("ix_iot_devices_last_seen_at", "last_seen_at"),
)

iot_readings = Table(
    "iot_readings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("device_id", BigId, ForeignKey("iot_devices.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),  # when measured
    Column("value", Float),
    Column("status", String(16), nullable=False, default="ok"),
    Column("received_at", UTCDateTime, nullable=False),
    Index("ix_iot_readings_device_at", "device_id", "at"),
    Index("ix_iot_readings_received_at", "received_at"),
)

iot_alarms = Table(
    "iot_alarms",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("device_id", BigId, ForeignKey("iot_devices.id"), nullable=False),
    Column("level", String(16), nullable=False),  # warning, alarm, offline (the worst reached)
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("peak_value", Float),
    Column("case_id", BigId),  # the case reported when the alarm was confirmed
    Column("report_error", Text),  # why no case could be reported
    Index("ix_iot_alarms_device_started", "device_id", "started_at"),
    Index("ix_iot_alarms_open", "ended_at"),
)
