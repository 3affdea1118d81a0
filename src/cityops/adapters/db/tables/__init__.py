"""All tables, one module per domain area, on one MetaData (``metadata``)."""

import cityops.adapters.db.tables.hotline  # noqa: F401  (12345 hotline orders, petitions)
import cityops.adapters.db.tables.open311  # noqa: F401  (Open311 API keys)
import cityops.adapters.db.tables.public  # noqa: F401  (public reporting: intake, ratings)
from cityops.adapters.db.tables import accounts, cases, catalog, evaluation, geography, workplan
from cityops.adapters.db.tables.base import metadata

__all__ = ["accounts", "cases", "catalog", "geography", "metadata", "workplan"]
