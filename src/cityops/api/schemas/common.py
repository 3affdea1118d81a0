from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ErrorOut(BaseModel):
    """Every error has this shape. ``code`` is stable; ``message`` is for people."""

    code: str = Field(examples=["case.invalid_transition"])
    message: str = Field(examples=["案卷当前为“待立案”，不能执行“派遣”"])
    details: dict[str, Any] = Field(
        default_factory=dict, examples=[{"state": "reported", "action": "dispatched"}]
    )


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Matching items, counted up to 10,000")
    total_is_lower_bound: bool = Field(description="True when more than 10,000 match")
    page: int
    page_size: int


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad request"},
    401: {"model": ErrorOut, "description": "Not logged in, or the token is invalid or expired"},
    403: {"model": ErrorOut, "description": "The role or unit may not do this"},
    404: {"model": ErrorOut, "description": "Not found (or not visible to this user)"},
    409: {"model": ErrorOut, "description": "Conflict: state changed, or stale version"},
    413: {"model": ErrorOut, "description": "Request or file too large"},
    422: {"model": ErrorOut, "description": "Invalid input"},
}
