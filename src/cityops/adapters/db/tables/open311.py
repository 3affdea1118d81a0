"""Open311 GeoReport v2: the API keys issued to client applications.

Only a SHA-256 of each key is stored (keys are long random strings, so a plain hash is
enough); ``key_prefix`` lets people tell keys apart in listings. Service requests need no
table of their own: the id is the case number and the Open311 details travel with the case
(``cases.extra["open311"]``), in the same transaction as the report.
"""

from sqlalchemy import Column, String, Table, Text

from cityops.adapters.db.tables.base import metadata
from cityops.adapters.db.types import BigId, UTCDateTime

open311_keys = Table(
    "open311_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(48), nullable=False, unique=True),  # the client, e.g. "cityapp"
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(16), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

__all__ = ["open311_keys"]
