"""Evidence files of progress reports: the size rules and their messages, over the platform's
content-addressed blob store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityops.adapters.blobstore import BlobStore
from cityops.errors import AttachmentError, TooLargeError
from cityops.services.workplan.evidence import Evidence, EvidenceStore, size_zh


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (800, "800字节"),
        (1024, "1KB"),
        (500_000, "488.28KB"),
        (512 * 1024, "512KB"),
        (1024 * 1024, "1MB"),
        (1_600_000, "1.53MB"),
        (10 * 1024 * 1024, "10MB"),
    ],
)
def test_sizes_are_said_in_the_unit_that_fits(size: int, words: str) -> None:
    assert size_zh(size) == words


def test_a_file_over_a_limit_under_one_megabyte_says_the_limit(tmp_path: Path) -> None:
    store = EvidenceStore(BlobStore(tmp_path), max_bytes=512 * 1024)
    with pytest.raises(TooLargeError) as info:
        store.check(Evidence("照片.jpg", b"x" * (512 * 1024 + 1)))
    assert info.value.http_status == 413 and info.value.code == "workplan.evidence.too_large"
    assert info.value.message == "佐证材料“照片.jpg”超过512KB的上限"
    assert info.value.details == {
        "filename": "照片.jpg",
        "size": 512 * 1024 + 1,
        "max_bytes": 512 * 1024,
    }
    store.check(Evidence("照片.jpg", b"x" * (512 * 1024)))  # the limit itself is allowed


def test_an_empty_file_is_refused() -> None:
    store = EvidenceStore(BlobStore(Path("unused")))
    with pytest.raises(AttachmentError) as info:
        store.check(Evidence("空.pdf", b""))
    assert info.value.code == "workplan.evidence.empty" and info.value.http_status == 422


def test_files_go_to_the_platform_blob_store_once_by_sha256(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    store = EvidenceStore(blobs)
    photo = Evidence("现场.jpg", b"\xff\xd8photo", "image/jpeg")
    assert store.put(photo) == photo.sha256
    assert store.put(Evidence("副本.jpg", photo.content)) == photo.sha256
    assert blobs.exists(photo.sha256) and blobs.get(photo.sha256) == photo.content
    assert store.get(photo.sha256) == photo.content
    assert [p.name for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == [photo.sha256]
