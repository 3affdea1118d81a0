"""Attachment rules: what a photo may be. The type is read from the content's magic bytes,
never trusted from the client's declaration or file name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cityops.domain.catalog.model import AttachmentPolicy
from cityops.errors import AttachmentError, TooLargeError

KINDS = frozenset({"before", "after", "verify", "check", "other"})

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
)


def sniff_mime(head: bytes) -> str | None:
    for magic, offset, mime in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        return "video/mp4"
    return None


@dataclass(frozen=True, slots=True)
class CheckedFile:
    sha256: str
    mime: str
    size: int


def check_attachment(
    content: bytes, policy: AttachmentPolicy, *, filename: str = ""
) -> CheckedFile:
    """Refuse empty, oversize or wrongly typed files before anything is stored."""
    size = len(content)
    if size == 0:
        raise AttachmentError("attachment.empty", f"文件“{filename}”为空", filename=filename)
    if size > policy.max_bytes:
        raise TooLargeError(
            "attachment.too_large",
            f"文件“{filename}”大小{size}字节，超过上限{policy.max_bytes}字节",
            filename=filename,
            size=size,
            max_bytes=policy.max_bytes,
        )
    mime = sniff_mime(content[:32])
    if mime is None or mime not in policy.allowed_types:
        raise AttachmentError(
            "attachment.type_not_allowed",
            f"文件“{filename}”的类型不被接受，允许：{', '.join(policy.allowed_types)}",
            filename=filename,
            detected=mime,
            allowed=list(policy.allowed_types),
        )
    return CheckedFile(hashlib.sha256(content).hexdigest(), mime, size)


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise AttachmentError(
            "attachment.kind_unknown",
            f"附件用途“{kind}”无效，可用：{', '.join(sorted(KINDS))}",
            kind=kind,
        )
    return kind
