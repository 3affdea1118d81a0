"""Evidence files of progress reports, on disk under the var dir, addressed by SHA-256
(stored once however often they are attached). Files are written before the database
transaction that references them; an unreferenced file left by a failed one is harmless."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cityops.errors import AttachmentError


@dataclass(frozen=True)
class Evidence:
    filename: str
    content: bytes
    mime: str = "application/octet-stream"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class EvidenceStore:
    def __init__(self, root: Path, max_bytes: int = 10 * 1024 * 1024) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def check(self, evidence: Evidence) -> None:
        if not evidence.content:
            raise AttachmentError(
                "workplan.evidence.empty",
                f"佐证材料“{evidence.filename}”是空文件",
                filename=evidence.filename,
            )
        if len(evidence.content) > self.max_bytes:
            raise AttachmentError(
                "workplan.evidence.too_large",
                f"佐证材料“{evidence.filename}”超过{self.max_bytes // (1024 * 1024)}MB",
                filename=evidence.filename,
                size=len(evidence.content),
                max_bytes=self.max_bytes,
            )

    def put(self, evidence: Evidence) -> str:
        digest = evidence.sha256
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(evidence.content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
