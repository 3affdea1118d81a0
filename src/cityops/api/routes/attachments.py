"""Attachments: upload ahead of a command, download with an access check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from cityops.api.deps import RT, CurrentUser
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.uploads import read_upload
from cityops.domain.cases.attachments import check_kind
from cityops.errors import NotFoundError
from cityops.services import case_queries as q
from cityops.services.cases import store_attachment

router = APIRouter(prefix="/attachments", tags=["attachments 附件"], responses=ERROR_RESPONSES)


class StoredOut(BaseModel):
    sha256: str
    mime: str
    size: int
    kind: str


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="上传照片 Upload a photo ahead of a command",
    description="Checks type (by content) and size before storing; answers the SHA-256 "
    "to reference in a later command.",
    response_model=StoredOut,
)
async def upload(
    rt: RT,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(pattern=r"^(before|after|verify|check|other)$")] = "after",
) -> StoredOut:
    up = await read_upload(rt, file, check_kind(kind))
    att = await run_in_threadpool(store_attachment, rt, up)
    return StoredOut(sha256=att.sha256, mime=att.mime, size=att.size, kind=kind)


@router.get(
    "/{sha256}",
    summary="下载附件 Download an attachment of a case you may see",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def download(rt: RT, user: CurrentUser, sha256: str) -> Response:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise NotFoundError("attachment.not_found", "附件不存在", sha256=sha256)
    if not q.attachment_visible(rt, user, sha256) or not rt.blobs.exists(sha256):
        raise NotFoundError("attachment.not_found", "附件不存在或无权查看", sha256=sha256)
    from cityops.domain.cases.attachments import sniff_mime

    content = rt.blobs.get(sha256)
    return Response(
        content,
        media_type=sniff_mime(content[:32]) or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{sha256}"'},
    )
