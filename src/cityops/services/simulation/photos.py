"""Photos for the simulator: small real JPEG pictures from a bounded pool, so a simulated year
stores hundreds of files, not millions (the store keeps each content once), and the console
shows real images. Each picture is a street-like scene in a seeded colour scheme with a label
(现场 / 处置后 / 核查), drawn with Pillow."""

from __future__ import annotations

import io
import random
import zlib

from PIL import Image, ImageDraw

_POOL = 48
_SIZE = (320, 240)


def _picture(seed: int, label: str) -> bytes:
    rng = random.Random(seed)
    sky = (rng.randrange(150, 220), rng.randrange(180, 230), rng.randrange(200, 255))
    ground = (rng.randrange(90, 140), rng.randrange(90, 130), rng.randrange(80, 120))
    img = Image.new("RGB", _SIZE, sky)
    draw = ImageDraw.Draw(img)
    w, h = _SIZE
    horizon = rng.randrange(h // 3, h // 2)
    draw.rectangle((0, horizon, w, h), fill=ground)
    for _ in range(rng.randrange(3, 7)):  # buildings
        x = rng.randrange(0, w - 40)
        bw, bh = rng.randrange(30, 80), rng.randrange(30, horizon)
        shade = rng.randrange(120, 200)
        draw.rectangle((x, horizon - bh, x + bw, horizon), fill=(shade, shade - 10, shade - 20))
    draw.polygon(
        [(w * 0.35, h), (w * 0.65, h), (w * 0.52, horizon), (w * 0.48, horizon)], fill=(70, 70, 75)
    )
    cx, cy = rng.randrange(60, w - 60), rng.randrange(horizon + 20, h - 30)  # the problem
    colour = (rng.randrange(150, 255), rng.randrange(40, 120), rng.randrange(20, 80))
    draw.ellipse((cx - 22, cy - 14, cx + 22, cy + 14), fill=colour, outline=(40, 40, 40))
    draw.rectangle((0, 0, 64, 18), fill=(0, 0, 0))
    draw.text((4, 3), label, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=70)
    return out.getvalue()


class PhotoPool:
    def __init__(self, seed: int) -> None:
        self._before = [_picture(seed * 1000 + i, "before") for i in range(_POOL)]
        self._after = [_picture(seed * 1000 + _POOL + i, "after") for i in range(_POOL)]
        self._field = [_picture(seed * 1000 + 2 * _POOL + i, "check") for i in range(_POOL)]

    def before(self, key: str) -> bytes:
        return self._before[zlib.crc32(key.encode()) % _POOL]

    def after(self, case_id: int) -> bytes:
        return self._after[case_id % _POOL]

    def field(self, case_id: int) -> bytes:
        return self._field[case_id % _POOL]
