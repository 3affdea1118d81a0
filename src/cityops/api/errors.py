"""One error shape everywhere: ``{code, message, details}`` with a stable code. Never a stack
trace, never a 500 for bad input. Refused requests (403) are recorded."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
            _record_denial(request, exc)
        return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _loc(e.get("loc", ())),
                "problem": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        fields = "、".join(sorted({e["field"] for e in errors if e["field"]})) or "请求"
        return JSONResponse(
            error_body("request.invalid", f"请求内容不符合要求：{fields}", {"errors": errors}),
            status_code=422,
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
