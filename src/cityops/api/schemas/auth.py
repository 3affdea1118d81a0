from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class UserOut(BaseModel):
    id: str = Field(examples=["dispatcher.1"])
    name: str = Field(examples=["派遣员1"])
    role: str = Field(examples=["dispatcher"])
    role_label: str = Field(examples=["派遣员"])
    unit: str | None = Field(default=None, examples=["center"])
    district: str | None = None
    grid_count: int = 0


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserOut
