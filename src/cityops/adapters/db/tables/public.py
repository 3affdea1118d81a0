"""Public reporting (随手拍) without an account: the intake ledger used for the per-address
rate limit, and the citizens' satisfaction ratings of closed cases."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, UTCDateTime

public_intake = Table(
    "public_intake",
    metadata,
    Column("case_id", BigId, ForeignKey("cases.id"), primary_key=True),
    Column("client_hash", String(64), nullable=False),  # keyed hash of the address, never the IP
    Column("at", UTCDateTime, nullable=False),
    Index("ix_public_intake_client_hash_at", "client_hash", "at"),
)

public_ratings = Table(
    "public_ratings",
    metadata,
    Column("case_id", BigId, ForeignKey("cases.id"), primary_key=True),  # one rating per case
    Column("score", Integer, nullable=False),  # 1 (very unsatisfied) … 5 (very satisfied)
    Column("comment", Text, nullable=False, default=""),
    Column("rated_at", UTCDateTime, nullable=False),
    Index("ix_public_ratings_rated_at", "rated_at"),
)
