"""All tables, one module per domain area, on one MetaData (``metadata``)."""

from cityops.adapters.db.tables import (
    accounts,
    cases,
    catalog,
    evaluation,
    exchange,
    geography,
    hotline,
    iot,
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
    "iot",
    "metadata",
    "open311",
    "public",
    "workplan",
]
