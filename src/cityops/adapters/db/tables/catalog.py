"""Catalog and city profile tables (owned by the catalog area).

``profile_versions`` holds every installed profile: its content hash (unique: installing the
same files twice adds nothing), the full document the ``CityProfile`` is rebuilt from, and
the ``active`` flag (at most one row is active, enforced by a partial unique index). The
other tables are the same profile normalised for querying and reporting, each row tied to
its version; old versions stay for history.
"""

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
    text,
)

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, JSONDoc, UTCDateTime


def _version_fk() -> Column[int]:
    return Column(
        "profile_version_id",
        BigId,
        ForeignKey("profile_versions.id", ondelete="CASCADE"),
        primary_key=True,
    )


profile_versions = Table(
    "profile_versions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("city_code", String(6), nullable=False),
    Column("city_name", String(64), nullable=False),
    Column("version", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("document", JSONDoc, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("source", Text, nullable=False, default=""),
    # the text of the files the version was read from, by file name (migration 0014)
    Column("files", JSONDoc),
    Index(
        "uq_profile_versions_active",
        "active",
        unique=True,
        sqlite_where=text("active"),
        postgresql_where=text("active"),
    ),
)

catalog_classes = Table(
    "catalog_classes",
    metadata,
    _version_fk(),
    Column("kind", String(16), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("standard", String(32), nullable=False),
    Column("major_code", String(4), nullable=False),
    Column("major_name", String(64), nullable=False),
    Column("name", String(128), nullable=False),
    Column("aliases", JSONDoc, nullable=False),
    Column("weight", Float, nullable=False, default=0.0),
)

filing_conditions = Table(
    "filing_conditions",
    metadata,
    _version_fk(),
    Column("code", String(32), primary_key=True),
    Column("class_code", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("limit_value", Float, nullable=False),
    Column("limit_unit", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("closure_condition", Text, nullable=False),
    Column("default_unit", String(64)),
    Column("weight", Float, nullable=False),
    Index("ix_filing_conditions_version_class", "profile_version_id", "class_code"),
)

profile_units = Table(
    "profile_units",
    metadata,
    _version_fk(),
    Column("code", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("parent_code", String(64)),
    Column("region_code", String(15)),
)

routing_rules = Table(
    "routing_rules",
    metadata,
    _version_fk(),
    Column("position", Integer, primary_key=True),
    Column("class_pattern", String(16), nullable=False),
    Column("area_code", String(15), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("note", Text, nullable=False, default=""),
)

stage_limits = Table(
    "stage_limits",
    metadata,
    _version_fk(),
    Column("position", Integer, primary_key=True),
    Column("stage", String(32), nullable=False),
    Column("urgency", String(16)),
    Column("area_class", String(16)),
    Column("limit_value", Float, nullable=False),
    Column("limit_unit", String(16), nullable=False),
)

profile_regions = Table(
    "profile_regions",
    metadata,
    _version_fk(),
    Column("code", String(6), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("area_class", String(16), nullable=False),
)

__all__ = [
    "catalog_classes",
    "filing_conditions",
    "profile_regions",
    "profile_units",
    "profile_versions",
    "routing_rules",
    "stage_limits",
]
