"""A case as a public Open311 service request.

Open311 ``GET requests`` needs no key: everything here is public. So:

- Only cases found in public space are published: citizen reports (``public``), inspectors'
  reports and machine reports (``video_ai``, ``sensor``). Hotline orders, leaders' instructions,
  media reports and cases forwarded by other platforms belong to other processes and stay out.
- A citizen's own words are published only when they came through Open311, a public protocol;
  a report from the city's own app shows its service name instead.
- Every published text is scrubbed of phone numbers, e-mail addresses and ID card numbers.
- Never a reporter's name or phone, a tracking code, or a staff member's id or opinion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cityops.domain.cases.model import Case
from cityops.domain.cases.vocabulary import Channel
from cityops.domain.catalog.model import CityProfile, UnitKind
from cityops.domain.privacy import mask_phone
from cityops.services.open311.status import limit_notice, request_status

PUBLISHED_CHANNELS = (Channel.PUBLIC, Channel.INSPECTOR, Channel.VIDEO_AI, Channel.SENSOR)
EXTRA_KEY = "open311"  # cases.extra["open311"]: what the client sent besides the report

_ID_CARD = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[1-9][0-9]{1,2}[- ]?[0-9]{7,8}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mask_email(email: str | None) -> str | None:
    """``zhang.san@example.com`` → ``z***@example.com``."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.strip().partition("@")
    return f"{local[:1]}***@{domain}"


def scrub(text: str) -> str:
    """Hide phone numbers, e-mail addresses and ID card numbers in a published text."""
    text = _ID_CARD.sub(lambda m: m.group(0)[:1] + "*" * 16 + m.group(0)[-1:], text)
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)) or "***", text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)) or "***", text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group(0)) or "***", text)


def from_open311(case: Case) -> bool:
    return EXTRA_KEY in (case.extra or {})


def client_media_url(case: Case) -> str | None:
    info = (case.extra or {}).get(EXTRA_KEY) or {}
    url = info.get("media_url") if isinstance(info, Mapping) else None
    return str(url) if url else None


def public_description(case: Case, profile: CityProfile) -> str:
    if case.channel == Channel.PUBLIC and not from_open311(case):
        cls = profile.classes.get(case.class_code or "")
        return cls.name if cls else "市民上报的城市管理问题"
    return scrub(case.description)


def agency_name(case: Case, profile: CityProfile) -> str | None:
    """The unit handling the case; before dispatch, the city's supervision centre."""
    if case.assigned_unit:
        unit = profile.units.get(case.assigned_unit)
        return unit.name if unit else None
    centre = next((u for u in profile.units.values() if u.kind == UnitKind.CENTER), None)
    return centre.name if centre else None


def w3c(dt: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 in the city's zone with its offset, to the second."""
    if dt is None:
        return None
    return dt.astimezone(tz).replace(microsecond=0).isoformat()


def service_notice(case: Case) -> str | None:
    if case.handling_limit:
        return limit_notice(case.handling_limit)
    if case.state.value == "verifying":
        return "市民上报的问题须经监督员现场核实后立案 / Verified on site before it is filed."
    return None


def request_doc(
    case: Case,
    profile: CityProfile,
    *,
    updated_at: datetime | None,
    photo_url: Callable[[str], str],
    after_photo: str | None = None,
) -> dict[str, Any]:
    """The Open311 ``request`` of a published case. ``after_photo``: the SHA-256 of the unit's
    latest result photo, published through ``photo_url``."""
    tz = ZoneInfo(profile.calendar.time_zone)
    st = request_status(case)
    cls = profile.classes.get(case.class_code or "")
    media = client_media_url(case) or (photo_url(after_photo) if after_photo else None)
    return {
        "service_request_id": case.case_no,
        "status": st.status,
        "status_notes": st.notes,
        "detailed_status": st.detailed,
        "service_name": cls.name if cls else None,
        "service_code": case.class_code,
        "description": public_description(case, profile),
        "agency_responsible": agency_name(case, profile),
        "service_notice": service_notice(case),
        "requested_datetime": w3c(case.reported_at, tz),
        "updated_datetime": w3c(updated_at or case.reported_at, tz),
        "expected_datetime": w3c(case.handling_deadline, tz),
        "address": scrub(case.address) if case.address else None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": media,
    }
