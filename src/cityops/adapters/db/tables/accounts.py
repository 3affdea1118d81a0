"""Users, their grids, login tokens, the record of refused requests and users' saved searches."""

from sqlalchemy import (
    Boolean,
    Column,
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

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),  # the login name
    Column("name", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("unit_code", String(64)),
    Column("district_code", String(6)),  # a centre role working for one district's sub-centre
    Column("phone", String(32)),  # masked
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime),
    Index("ix_users_role_unit", "role", "unit_code"),
)

user_grids = Table(
    "user_grids",
    metadata,
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("grid_code", String(15), primary_key=True),
    Index("ix_user_grids_grid_code", "grid_code"),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Index("ix_auth_tokens_user_id", "user_id"),
)

access_denials = Table(
    "access_denials",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", String(64)),
    Column("role", String(32)),
    Column("method", String(8), nullable=False),
    Column("path", String(512), nullable=False),
    Column("code", String(64), nullable=False),
    Column("detail", Text),
    Index("ix_access_denials_at", "at"),
)

# A user's saved searches of the case list (the console's 常用查询): a name and the filters.
saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", String(64), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("query", JSONDoc, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "name", name="uq_saved_searches_user_id_name"),
)
