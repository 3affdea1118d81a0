"""One error shape everywhere: ``{code, message, details}`` with a stable code. Never a stack
trace, never a 500 for bad input. Refused requests (403) are recorded."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from cityops.errors import CityopsError, ForbiddenError

log = logging.getLogger("cityops.api")

_STATUS_CODES = {
    400: ("request.bad", "请求有误"),
    401: ("auth.required", "请先登录"),
    403: ("auth.forbidden", "无权执行此操作"),
    404: ("request.not_found", "请求的资源不存在"),
    405: ("request.method_not_allowed", "不支持该请求方法"),
    406: ("request.not_acceptable", "无法提供所要求的格式"),
    409: ("request.conflict", "请求冲突"),
    413: ("request.too_large", "请求内容过大"),
    415: ("request.unsupported_media_type", "不支持的内容类型"),
    422: ("request.invalid", "请求内容不符合要求"),
    429: ("request.too_many", "请求过于频繁"),
}


# Pydantic's error types in words a person understands; ``{...}`` takes the error's context.
_PROBLEMS_ZH = {
    "missing": "必须填写",
    "string_too_short": "至少{min_length}个字符",
    "string_too_long": "不能超过{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "须为文字",
    "string_unicode": "须为有效的UTF-8文字",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "finite_number": "须为有限的数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "greater_than": "须大于{gt}",
    "greater_than_equal": "不能小于{ge}",
    "less_than": "须小于{lt}",
    "less_than_equal": "不能大于{le}",
    "enum": "须为以下之一：{expected}",
    "literal_error": "须为以下之一：{expected}",
    "datetime_parsing": "须为ISO 8601时间，例如 2025-10-01T08:30:00+08:00",
    "datetime_from_date_parsing": "须为ISO 8601时间，例如 2025-10-01T08:30:00+08:00",
    "datetime_type": "须为ISO 8601时间，例如 2025-10-01T08:30:00+08:00",
    "timezone_aware": "须带时区，例如 2025-10-01T08:30:00+08:00",
    "date_parsing": "须为日期，例如 2025-10-01",
    "date_from_datetime_parsing": "须为日期，例如 2025-10-01",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "JSON格式错误",
    "json_type": "须为JSON",
    "model_type": "须为JSON对象",
    "model_attributes_type": "须为JSON对象",
    "dict_type": "须为JSON对象",
    "list_type": "须为列表",
    "too_long": "最多{max_length}项",
    "too_short": "至少{min_length}项",
    "bytes_type": "须为文件",
    "value_error": "{error}",
}


def problem_zh(error: dict[str, Any]) -> str:
    """The Chinese wording of one pydantic error (its English message as a fallback)."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = _PROBLEMS_ZH.get(kind)
    if template is None:
        return "不符合要求"
    try:
        return template.format(**{k: _plain(v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return "不符合要求"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header", "form"))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CityopsError)
    async def _domain(request: Request, exc: CityopsError) -> JSONResponse:
        headers = {}
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, ForbiddenError):
            await run_in_threadpool(_record_denial, request, exc)
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _loc(e.get("loc", ())),
                "problem": problem_zh(e),
                "type": e.get("type", ""),
                "detail": str(e.get("msg", "")),
            }
            for e in exc.errors()
        ]
        shown = [f"{e['field']}{e['problem']}" if e["field"] else e["problem"] for e in errors]
        message = "请求内容不符合要求：" + "；".join(shown[:5]) + ("……" if len(shown) > 5 else "")
        return JSONResponse(
            error_body("request.invalid", message, {"errors": errors}), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _STATUS_CODES.get(exc.status_code, (f"http.{exc.status_code}", "请求失败"))
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            return JSONResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
        details = {"detail": exc.detail} if isinstance(exc.detail, str) and exc.detail else {}
        return JSONResponse(
            error_body(code, message, details), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A number or text the validation let through but the database cannot hold (an id
        # beyond 64 bits, say): bad input, never a server error.
        log.warning(
            "value refused by the database on %s %s: %s", request.method, request.url.path, exc
        )
        return JSONResponse(
            error_body("request.out_of_range", "输入的数值或文字超出允许范围"), status_code=422
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal", "服务器内部错误，请稍后重试"), status_code=500)


def _record_denial(request: Request, exc: CityopsError) -> None:
    from cityops.services.accounts import record_denial

    rt = request.app.state.rt
    user = getattr(request.state, "user", None)
    try:
        record_denial(rt, user, request.method, request.url.path, exc.code, exc.message)
    except Exception:
        log.exception("could not record a refused request")
