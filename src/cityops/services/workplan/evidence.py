"""Evidence files of progress reports: the size rules, over the platform's content-addressed
:class:`~cityops.adapters.blobstore.BlobStore` (stored once by SHA-256 however often they are
attached). Files are written before the database transaction that references them; an
unreferenced file left by a failed one is harmless."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cityops.adapters.blobstore import BlobStore
from cityops.config import Settings
from cityops.errors import AttachmentError, TooLargeError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Evidence:
    filename: str
    content: bytes
    mime: str = "application/octet-stream"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def size_zh(n: int) -> str:
    """A size as people read it: "10MB", "1.5MB", "500KB", "800字节" (1 KB = 1024 bytes)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            return f"{n / factor:.2f}".rstrip("0").rstrip(".") + unit
    return f"{n}字节"


class EvidenceStore:
    def __init__(self, blobs: BlobStore, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.blobs = blobs
        self.max_bytes = max_bytes

    def check(self, evidence: Evidence) -> None:
        """Refuse an empty file (422) or one over the limit (413) before anything is stored."""
        if not evidence.content:
            raise AttachmentError(
                "workplan.evidence.empty",
                f"佐证材料“{evidence.filename}”是空文件",
                filename=evidence.filename,
            )
        if len(evidence.content) > self.max_bytes:
            raise self.too_large(evidence.filename, len(evidence.content))

    def too_large(self, filename: str, size: int) -> TooLargeError:
        """The refusal of a file of ``size`` bytes over the limit (HTTP 413)."""
        return TooLargeError(
            "workplan.evidence.too_large",
            f"佐证材料“{filename}”超过{size_zh(self.max_bytes)}的上限",
            filename=filename,
            size=size,
            max_bytes=self.max_bytes,
        )

    def put(self, evidence: Evidence) -> str:
        """Store the file (once per content); returns its SHA-256."""
        digest = evidence.sha256
        self.blobs.put(digest, evidence.content)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.blobs.get(sha256)


def evidence_store(settings: Settings) -> EvidenceStore:
    """The store of the running platform: ``<var_dir>/workplan_files``, with the attachment
    size limit (``CITYOPS_MAX_ATTACHMENT_BYTES``)."""
    return EvidenceStore(
        BlobStore(settings.var_dir / "workplan_files"), settings.max_attachment_bytes
    )
