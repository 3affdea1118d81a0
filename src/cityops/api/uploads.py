"""Reading uploaded files with a size cap, so an oversize file is refused before it is stored
or even read whole."""

from __future__ import annotations

from fastapi import UploadFile

from cityops.errors import TooLargeError, ValidationError
from cityops.services.cases import Upload
from cityops.services.runtime import Runtime

MAX_FILES = 9


async def read_upload(rt: Runtime, f: UploadFile, kind: str) -> Upload:
    limit = rt.policy.profile.attachments.max_bytes
    name = (f.filename or "")[:255]
    if f.size is not None and f.size > limit:
        raise TooLargeError(
            "attachment.too_large",
            f"文件“{name}”大小{f.size}字节，超过上限{limit}字节",
            filename=name,
            size=f.size,
            max_bytes=limit,
        )
    content = await f.read(limit + 1)
    if len(content) > limit:
        raise TooLargeError(
            "attachment.too_large",
            f"文件“{name}”超过上限{limit}字节",
            filename=name,
            max_bytes=limit,
        )
    return Upload(content, name, kind)


async def read_uploads(rt: Runtime, files: list[UploadFile], kind: str) -> list[Upload]:
    files = [f for f in files if f is not None and (f.filename or f.size)]
    if len(files) > MAX_FILES:
        raise ValidationError("attachment.too_many", f"最多上传{MAX_FILES}个文件", count=len(files))
    return [await read_upload(rt, f, kind) for f in files]
