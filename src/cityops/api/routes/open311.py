"""Open311 GeoReport v2 under ``/open311/v2``: every resource as ``.json`` and ``.xml``.

The routes only translate HTTP: parameters arrive as text and go to
``cityops.services.open311``, which checks them and answers documents; errors leave as
Open311 error lists (``[{code, description}]``) with the HTTP status 400, 403 or 404.
See ``docs/open311.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from cityops.api.deps import RT, runtime_of
from cityops.domain.cases.attachments import sniff_mime
from cityops.errors import CityopsError, ValidationError
from cityops.services.open311 import catalog, intake, queries
from cityops.services.open311.encoding import (
    FORMATS,
    MEDIA_TYPES,
    error_description,
    error_doc,
    open311_status,
    render,
)
from cityops.services.open311.keys import authenticate
from cityops.services.runtime import Runtime

log = logging.getLogger("cityops.api.open311")

MOUNT = ""
PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
router = APIRouter(prefix=PREFIX, tags=["open311 GeoReport v2"])

FORMAT_DOC = "Response format: `json` or `xml`."


def reply(fmt: str, root: str, doc: Any, status: int = 200) -> Response:
    return Response(render(fmt, root, doc), status_code=status, media_type=MEDIA_TYPES[fmt])


def error_reply(fmt: str, status: int, description: str) -> Response:
    fmt = fmt if fmt in FORMATS else "xml"  # XML is the format GeoReport v2 requires
    return reply(fmt, "errors", error_doc(status, description), status)


def refuse(request: Request, fmt: str, exc: CityopsError) -> Response:
    status = open311_status(exc)
    if status == 403:
        _record_denial(request, exc)
    return error_reply(fmt, status, error_description(exc))


def _record_denial(request: Request, exc: CityopsError) -> None:
    from cityops.services.accounts import record_denial

    try:
        record_denial(
            runtime_of(request), None, request.method, request.url.path, exc.code, exc.message
        )
    except Exception:
        log.exception("could not record a refused Open311 request")


def answer(request: Request, fmt: str, root: str, build: Callable[[], Any]) -> Response:
    """Run ``build`` and answer its document in ``fmt``, or the error it raised."""
    if fmt not in FORMATS:
        return unknown_format(fmt)
    try:
        return reply(fmt, root, build())
    except CityopsError as exc:
        return refuse(request, fmt, exc)
    except Exception:
        log.exception("Open311 %s %s failed", request.method, request.url.path)
        return error_reply(fmt, 500, "服务器内部错误，请稍后重试 [internal]")


def unknown_format(fmt: str) -> Response:
    return error_reply("xml", 404, f"不支持的格式“{fmt}”，可用：json、xml [open311.format_unknown]")


def params(request: Request) -> dict[str, str]:
    """Query parameters; a parameter given twice counts as a comma list."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def photo_url(request: Request) -> Callable[[str], str]:
    """Absolute URLs of published photos (resolved once: ``url_for`` walks every route)."""
    base = str(request.url_for("open311_media", sha256="0"))[:-1]
    return lambda sha256: base + sha256


def _checked_jurisdiction(rt: Runtime, request: Request) -> None:
    intake.check_jurisdiction(rt.policy.profile, request.query_params.get("jurisdiction_id"))


# --------------------------------------------------------------------------- discovery


@router.get(
    "/discovery.{fmt}",
    summary="Service discovery",
    description="Where the GeoReport v2 endpoint is and which formats it speaks. " + FORMAT_DOC,
)
def discovery(request: Request, rt: RT, fmt: str) -> Response:
    def build() -> dict[str, Any]:
        from cityops.services.profile import active_version

        profile = rt.policy.profile
        version = active_version(rt.engine)
        changeset = version.loaded_at.isoformat() if version else None
        return {
            "changeset": changeset,
            "contact": f"{profile.city_name}城市管理部门 / city management of {profile.city_name}",
            "key_service": "api_key 由平台管理员签发（cityops open311 key create NAME）",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": str(request.base_url).rstrip("/") + PREFIX,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }

    return answer(request, fmt, "discovery", build)


# --------------------------------------------------------------------------- services


@router.get(
    "/services.{fmt}",
    summary="Service list: the matter classes the city files",
    description="service_code is the matter class code, group its major class. " + FORMAT_DOC,
)
def service_list(request: Request, rt: RT, fmt: str) -> Response:
    def build() -> list[dict[str, Any]]:
        _checked_jurisdiction(rt, request)
        return [s.to_doc() for s in catalog.offered_services(rt.policy.profile)]

    return answer(request, fmt, "services", build)


@router.get(
    "/services/{service_code}.{fmt}",
    summary="Service definition: the attributes of one service",
    description=FORMAT_DOC,
)
def service_definition(request: Request, rt: RT, service_code: str, fmt: str) -> Response:
    def build() -> dict[str, Any]:
        _checked_jurisdiction(rt, request)
        return catalog.find_service(rt.policy.profile, service_code).definition_doc()

    return answer(request, fmt, "service_definition", build)


# --------------------------------------------------------------------------- requests


@router.post(
    "/requests.{fmt}",
    summary="Create a service request (needs api_key)",
    description=(
        "Form fields (urlencoded or multipart): `api_key`, `jurisdiction_id`, `service_code`, "
        "`lat`, `long` (WGS84; `crs=gcj02|bd09` for Chinese map coordinates), "
        "`address_string`, `description`, `media_url`, `email`, `first_name`, `last_name`, "
        "`phone`, `device_id`, `account_id`, `attribute[code]`; optionally a photo as the "
        "multipart file `media`. An `Idempotency-Key` header makes retries safe. " + FORMAT_DOC
    ),
)
async def create_request(request: Request, fmt: str) -> Response:
    if fmt not in FORMATS:
        return unknown_format(fmt)
    rt = runtime_of(request)
    try:
        try:
            form = await request.form()
        except StarletteHTTPException as exc:
            raise ValidationError("open311.form_invalid", f"表单无法解析：{exc.detail}") from None
        fields = dict(request.query_params)
        fields.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
        key = await run_in_threadpool(authenticate, rt, fields.get("api_key"))
        posted = intake.posted_request(fields)
        media = form.get("media")
        photo = None
        if isinstance(media, UploadFile) and (media.filename or media.size):
            from cityops.api.uploads import read_upload

            await run_in_threadpool(lambda: rt.policy)  # loads the profile off the event loop
            photo = await read_upload(rt, media, "before")  # type: ignore[arg-type]
        doc = await run_in_threadpool(
            lambda: intake.submit_request(
                rt,
                key,
                posted,
                photo=photo,
                idempotency_key=request.headers.get("Idempotency-Key"),
            )
        )
    except CityopsError as exc:
        return await run_in_threadpool(refuse, request, fmt, exc)
    return reply(fmt, "service_requests", [doc])


@router.get(
    "/requests.{fmt}",
    summary="Search service requests",
    description=(
        "Filters: `service_request_id` (comma list; overrides the others), `service_code` "
        "(comma list), `start_date`, `end_date` (W3C with zone), `status` (open, closed). "
        "Default: the last 90 days; at most 1000, newest first. " + FORMAT_DOC
    ),
)
def search_requests(request: Request, rt: RT, fmt: str) -> Response:
    def build() -> list[dict[str, Any]]:
        _checked_jurisdiction(rt, request)
        query = queries.request_query(params(request))
        return queries.find_requests(rt, query, photo_url(request))

    return answer(request, fmt, "service_requests", build)


@router.get(
    "/requests/{service_request_id}.{fmt}",
    summary="One service request",
    description=FORMAT_DOC,
)
def one_request(request: Request, rt: RT, service_request_id: str, fmt: str) -> Response:
    def build() -> list[dict[str, Any]]:
        _checked_jurisdiction(rt, request)
        return queries.get_request(rt, service_request_id, photo_url(request))

    return answer(request, fmt, "service_requests", build)


@router.get(
    "/tokens/{token}.{fmt}",
    summary="The service request id of a token",
    description=FORMAT_DOC,
)
def token(request: Request, rt: RT, token: str, fmt: str) -> Response:
    def build() -> list[dict[str, Any]]:
        _checked_jurisdiction(rt, request)
        return queries.resolve_token(rt, token)

    return answer(request, fmt, "service_requests", build)


@router.get(
    "/servicerequestupdates.{fmt}",
    summary="Service request updates (the widely used extension)",
    description=(
        "The public steps of the requests' timelines. Filters: `service_request_id` (comma "
        "list), `start_date`, `end_date`, `updated_after` (W3C with zone). At most 1000, "
        "oldest first. " + FORMAT_DOC
    ),
)
def request_updates(request: Request, rt: RT, fmt: str) -> Response:
    def build() -> list[dict[str, Any]]:
        _checked_jurisdiction(rt, request)
        query = queries.update_query(params(request))
        return queries.find_updates(rt, query, photo_url(request))

    return answer(request, fmt, "service_request_updates", build)


@router.get(
    "/media/{sha256}",
    name="open311_media",
    summary="A published photo: the responsible unit's result photo of a public request",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def media(request: Request, rt: RT, sha256: str) -> Response:
    try:
        content = queries.public_photo(rt, sha256)
    except CityopsError as exc:
        return refuse(request, "json", exc)
    return Response(
        content,
        media_type=sniff_mime(content[:32]) or "application/octet-stream",
        headers={
            "Cache-Control": "public, max-age=86400",
            "ETag": f'"{sha256}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# --------------------------------------------------------------------------- the rest


CATCH_ALL = PREFIX + "/{path:path}"


@router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def not_open311(request: Request, path: str) -> Response:
    """Unknown resources and wrong methods answer as Open311 errors too."""
    fmt = path.rsplit(".", 1)[-1] if "." in path else "xml"
    allowed = {
        method
        for method in ("GET", "POST")
        for route in router.routes
        if getattr(route, "path", "") != CATCH_ALL
        and route.matches({**request.scope, "method": method})[0] == Match.FULL
    }
    if allowed:
        message = f"不支持 {request.method} 方法 [open311.method_not_allowed]"
        response = error_reply(fmt, 405, message)
        response.headers["Allow"] = ", ".join(sorted(allowed))
        return response
    return error_reply(fmt, 404, f"没有资源“{path}” [open311.resource_unknown]")
