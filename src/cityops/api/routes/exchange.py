"""Exchange with other platforms (role admin): the targets the case event log is pushed to,
how far each has got, pause and resume, push now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from cityops.api.deps import RT, Admin
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.exchange import (
    ExchangeTargetCreated,
    ExchangeTargetIn,
    ExchangeTargetOut,
    ExchangeTargetPatch,
    PushOut,
)
from cityops.services import exchange as svc

router = APIRouter(prefix="/admin/exchange", tags=["admin 系统管理"], responses=ERROR_RESPONSES)

Name = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_.-]{1,63}$", examples=["province"])]


def target_out(t: svc.Target, end: int) -> ExchangeTargetOut:
    """A target as the API shows it: its fields, without its secret and place in the log,
    and how far it is behind the log's ``end``."""
    shown = {name: getattr(t, name) for name in ExchangeTargetOut.model_fields if name != "behind"}
    return ExchangeTargetOut.model_validate({**shown, "behind": max(0, end - t.cursor)})


@router.get(
    "/targets",
    summary="交换目标 Targets and their progress",
    response_model=list[ExchangeTargetOut],
)
def list_targets(rt: RT, admin: Admin) -> list[ExchangeTargetOut]:
    end = svc.log_end(rt)
    return [target_out(t, end) for t in svc.list_targets(rt)]


@router.post(
    "/targets",
    status_code=status.HTTP_201_CREATED,
    summary="新增交换目标 Add a target",
    description="Answers the signing secret once. Each push is `POST url` with the batch as "
    "JSON and `X-Cityops-Signature: sha256=<HMAC-SHA256 of the body>` (docs/exchange.md).",
    response_model=ExchangeTargetCreated,
)
def create_target(rt: RT, admin: Admin, body: ExchangeTargetIn) -> ExchangeTargetCreated:
    target, secret = svc.create_target(
        rt,
        body.name,
        body.url,
        actor=admin.id,
        secret=body.secret,
        event_types=[e.value for e in body.event_types] if body.event_types else None,
        from_start=body.from_start,
    )
    out = target_out(target, svc.log_end(rt))
    return ExchangeTargetCreated(**out.model_dump(), secret=secret)


@router.patch(
    "/targets/{name}",
    summary="暂停、恢复或修改 Pause, resume, change",
    response_model=ExchangeTargetOut,
)
def update_target(rt: RT, admin: Admin, name: Name, body: ExchangeTargetPatch) -> ExchangeTargetOut:
    types = body.event_types
    target = svc.update_target(
        rt,
        name,
        active=body.active,
        url=body.url,
        event_types=[e.value for e in types] if types else None,
        all_types=types is not None and len(types) == 0,
    )
    return target_out(target, svc.log_end(rt))


@router.delete(
    "/targets/{name}", status_code=status.HTTP_204_NO_CONTENT, summary="删除 Remove a target"
)
def delete_target(rt: RT, admin: Admin, name: Name) -> Response:
    svc.delete_target(rt, name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/push",
    summary="立即推送 Push now (one batch to every due target)",
    response_model=list[PushOut],
)
def push(rt: RT, admin: Admin) -> list[PushOut]:
    return [
        PushOut(target=r.target, sent=r.sent, cursor=r.cursor, error=r.error)
        for r in svc.push_once(rt)
    ]
