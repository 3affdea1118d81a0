"""Personal data of reporters and callers: masked for everyone who does not need it."""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str | None:
    """138****1234 for mobiles; keep the first 3 and last 4 digits of longer numbers, hide
    the middle; short numbers keep only their last 2 digits."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return None
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return "*" * (len(digits) - 2) + digits[-2:] if len(digits) > 2 else "*" * len(digits)


def mask_name(name: str | None) -> str | None:
    """张* / 欧阳** : the family name (first character) stays, the rest is hidden."""
    if not name:
        return None
    name = name.strip()
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)
