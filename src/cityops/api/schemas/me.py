"""The logged-in user's own profile and password."""

from __future__ import annotations

from pydantic import BaseModel, Field

from cityops.api.schemas.auth import UserOut
from cityops.api.schemas.common import Strict


class MeOut(UserOut):
    unit_name: str | None = Field(default=None, examples=["济南市数字化城市管理监督指挥中心"])
    grids: list[str] = Field(
        default_factory=list, description="An inspector's unit grids", examples=[[]]
    )


class ProfileIn(Strict):
    """Only the fields sent change; ``phone: null`` removes the phone."""

    name: str | None = Field(default=None, min_length=1, max_length=64, examples=["张三"])
    phone: str | None = Field(
        default=None, max_length=32, description="Stored masked", examples=["13812345678"]
    )


class PasswordChangeIn(Strict):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256, examples=["a-new-long-secret"])


class PasswordChangedOut(BaseModel):
    other_logins_ended: int = Field(examples=[1])
