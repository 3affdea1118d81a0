"""Saved searches of the case list (常用查询)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cityops.services.saved_searches import MAX_NAME


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["本周超期·历下区"])
    query: dict[str, Any] = Field(
        description="The case list's filters, as the console sends them to GET /cases",
        examples=[{"district": "370102", "light": "red", "state": ["dispatched"]}],
    )


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    query: dict[str, Any]
    created_at: datetime
