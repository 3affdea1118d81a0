"""Administration: users, their grids, the unit hierarchy, refused requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cityops.api.schemas.common import Strict
from cityops.domain.cases.vocabulary import Role

LOGIN_PATTERN = r"^[A-Za-z0-9_.\-]{3,64}$"
GRID_PATTERN = r"^\d{15}$"
GridCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=GRID_PATTERN)]


class AccountOut(BaseModel):
    id: str = Field(examples=["handler.street.370102001"], description="The login name")
    name: str = Field(examples=["解放路街道办事处"])
    role: Role
    role_label: str = Field(examples=["处置部门"])
    unit: str | None = Field(default=None, examples=["street.370102001"])
    unit_name: str | None = Field(default=None, examples=["解放路街道办事处"])
    district: str | None = Field(default=None, examples=[None])
    phone: str | None = Field(default=None, description="Masked", examples=["138****5678"])
    active: bool
    locked: bool = Field(description="Locked after repeated failed logins")
    locked_until: datetime | None = None
    failed_logins: int = 0
    created_at: datetime
    last_login_at: datetime | None = None
    grids: list[str] = Field(default_factory=list, examples=[["370102001001001"]])


class AccountIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "login": "handler.street.370102001.b",
                    "name": "解放路街道城管科",
                    "role": "handler",
                    "unit": "street.370102001",
                    "password": "a-long-secret",
                },
                {
                    "login": "inspector.zhang",
                    "name": "张监督员",
                    "role": "inspector",
                    "password": "a-long-secret",
                    "grids": ["370102001001001", "370102001001002"],
                },
            ]
        },
    )

    login: str = Field(pattern=LOGIN_PATTERN, description="3–64 letters, digits, _ . -")
    name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=256)
    unit: str | None = Field(default=None, max_length=64, description="Required for handlers")
    district: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="A centre role working for one district"
    )
    phone: str | None = Field(default=None, max_length=32, description="Stored masked")
    grids: list[GridCode] = Field(default_factory=list, max_length=2000)


class AccountPatch(Strict):
    """Only the fields sent change; ``null`` clears unit, district or phone."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"name": "解放路街道城管科", "unit": "street.370102001"}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=64)
    role: Role | None = None
    unit: str | None = Field(default=None, max_length=64)
    district: str | None = Field(default=None, pattern=r"^\d{6}$")
    phone: str | None = Field(default=None, max_length=32)


class PasswordIn(Strict):
    password: str = Field(min_length=8, max_length=256, examples=["a-new-long-secret"])


class GridsIn(Strict):
    grids: list[GridCode] = Field(
        max_length=2000, examples=[["370102001001001", "370102001001002"]]
    )


class RevokedOut(BaseModel):
    revoked: int = Field(description="Logins ended", examples=[2])


class UnitNode(BaseModel):
    code: str = Field(examples=["district.370102"])
    name: str = Field(examples=["历下区城市管理局"])
    kind: str = Field(examples=["district"])
    parent: str | None = None
    region_code: str | None = Field(default=None, examples=["370102"])
    handlers: int = Field(default=0, description="Active handler accounts of the unit")
    children: list[UnitNode] = Field(default_factory=list)


class DenialOut(BaseModel):
    id: int
    at: datetime
    user_id: str | None = Field(examples=["handler.street.370102001"])
    role: str | None = Field(examples=["handler"])
    method: str = Field(examples=["POST"])
    path: str = Field(examples=["/api/v1/cases/42/handle"])
    code: str = Field(examples=["case.out_of_scope"])
    detail: str = Field(examples=["该案卷不在您的权限范围内"])
