"""Chinese numerals as they number a plan's parts and sections (一 … 九十九)."""

from __future__ import annotations

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CHINESE_NUMERAL_CHARS = "零〇一二两三四五六七八九十百"


def chinese_to_int(text: str) -> int:
    """``"十五"`` → 15, ``"二十三"`` → 23, ``"一百零二"`` → 102. Raises ``ValueError`` on
    anything else."""
    if not text or any(c not in CHINESE_NUMERAL_CHARS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total = 0
    current = 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = DIGITS[char]
    return total + current


def number_of(label: str) -> int:
    """The number in a heading label written with Arabic or Chinese digits."""
    digits = "".join(c for c in label if c.isdigit())
    if digits:
        return int(digits)
    chinese = "".join(c for c in label if c in CHINESE_NUMERAL_CHARS)
    return chinese_to_int(chinese)
