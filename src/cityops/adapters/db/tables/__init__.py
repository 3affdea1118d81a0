"""All tables, one module per domain area, on one MetaData (``metadata``)."""

from cityops.adapters.db.tables import (
    accounts,
    cases,
    catalog,
    evaluation,
    exchange,
    geography,
    hotline,
    open311,
    public,
    workplan,
)
from cityops.adapters.db.tables.base import metadata

__all__ = [
    "accounts",
    "cases",
    "catalog",
    "evaluation",
    "exchange",
    "geography",
    "hotline",
    "metadata",
    "open311",
    "public",
    "workplan",
]
