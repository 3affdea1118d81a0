"""Synthetic photos for the simulator: small valid JPEG files from a bounded pool, so a
simulated year stores thousands of files, not millions (the store keeps each content once)."""

from __future__ import annotations

import random
import struct
import zlib

_POOL = 64


def _jpeg(seed: int) -> bytes:
    """A minimal baseline JPEG header followed by seeded bytes: recognised by type checks,
    distinct per seed. Not a decodable picture — the simulator needs files, not images."""
    rng = random.Random(seed)
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    body = bytes(rng.randrange(256) for _ in range(512))
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + body + b"\xff\xd9"


class PhotoPool:
    def __init__(self, seed: int) -> None:
        self._before = [_jpeg(seed * 1000 + i) for i in range(_POOL)]
        self._after = [_jpeg(seed * 1000 + _POOL + i) for i in range(_POOL)]
        self._field = [_jpeg(seed * 1000 + 2 * _POOL + i) for i in range(_POOL)]

    def before(self, key: str) -> bytes:
        return self._before[zlib.crc32(key.encode()) % _POOL]

    def after(self, case_id: int) -> bytes:
        return self._after[case_id % _POOL]

    def field(self, case_id: int) -> bytes:
        return self._field[case_id % _POOL]
