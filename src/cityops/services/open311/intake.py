"""``POST requests``: a report from an Open311 client enters the same closed loop as any other.

The fields are checked here (Open311 sends everything as form text), then ``report_case`` does
the rest in its one transaction: channel ``public``, the client's citizen-role actor, the
service's class, name and phone masked, and what else the client sent kept with the case
under ``extra["open311"]``. The answer is the case number (``service_request_id``) and the
case's tracking code as ``token``, the code the citizen can quote to follow the report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cityops.domain.cases.vocabulary import Channel
from cityops.domain.catalog.model import CityProfile, Urgency
from cityops.domain.geo.model import CoordSystem
from cityops.errors import NotFoundError, ValidationError
from cityops.services.cases import Upload, report_case
from cityops.services.open311.catalog import find_service, read_attributes
from cityops.services.open311.documents import EXTRA_KEY, mask_email, service_notice
from cityops.services.open311.keys import ApiKey, actor_for
from cityops.services.runtime import Runtime

_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]{1,64})\](?:\[\])?")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}")
LIMITS = {
    "description": 4000,
    "address_string": 500,
    "media_url": 500,
    "email": 254,
    "first_name": 32,
    "last_name": 32,
    "phone": 32,
    "device_id": 64,
    "account_id": 64,
}
DUPLICATE_NOTICE = (
    "附近已有同类问题正在处理，受理员可能将本次上报与之合并 / "
    "A similar problem nearby is already being handled; this report may be merged with it."
)


@dataclass(frozen=True)
class PostedRequest:
    service_code: str | None
    lat: float
    lon: float
    description: str
    crs: CoordSystem = CoordSystem.WGS84
    jurisdiction_id: str | None = None
    address: str = ""
    media_url: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def check_jurisdiction(profile: CityProfile, jurisdiction_id: str | None) -> None:
    """One city per endpoint: ``jurisdiction_id`` may be left out; if given it must be ours."""
    if jurisdiction_id and jurisdiction_id.strip() != profile.city_code:
        raise NotFoundError(
            "open311.jurisdiction_unknown",
            f"jurisdiction_id“{jurisdiction_id}”不存在，本平台为{profile.city_name}"
            f"（{profile.city_code}）",
            jurisdiction_id=jurisdiction_id,
            expected=profile.city_code,
        )


def _text(fields: Mapping[str, str], name: str) -> str | None:
    value = (fields.get(name) or "").strip()
    if not value:
        return None
    if len(value) > LIMITS[name]:
        raise ValidationError(
            "open311.field_too_long",
            f"{name} 不能超过{LIMITS[name]}个字符",
            field=name,
            max_length=LIMITS[name],
        )
    return value


def _coordinate(fields: Mapping[str, str], name: str, lo: float, hi: float) -> float:
    raw = (fields.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(
            "open311.location_invalid", f"{name}“{raw}”不是数字", field=name
        ) from None
    if not (lo <= value <= hi):
        raise ValidationError(
            "open311.location_invalid", f"{name}={value}超出范围[{lo}, {hi}]", field=name
        )
    return value


def _media_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            "open311.media_url_invalid", "media_url 须为 http(s) 网址", media_url=value
        )
    return value


def posted_request(fields: Mapping[str, str]) -> PostedRequest:
    """Read and check the form fields of ``POST requests``."""
    if not (fields.get("lat") or "").strip() or not (fields.get("long") or "").strip():
        hint = "（本平台无法按 address_string 定位）" if fields.get("address_string") else ""
        raise ValidationError(
            "open311.location_required",
            f"须提供 lat 和 long（WGS84 经纬度）{hint}：案卷须落在本市单元网格内",
        )
    description = _text(fields, "description")
    if description is None:
        raise ValidationError("open311.description_required", "缺少 description（问题描述）")
    crs_raw = (fields.get("crs") or "wgs84").strip().lower()
    try:
        crs = CoordSystem(crs_raw)
    except ValueError:
        raise ValidationError(
            "open311.crs_unknown",
            f"坐标系“{crs_raw}”不支持，可用：{', '.join(c.value for c in CoordSystem)}",
        ) from None
    email = _text(fields, "email")
    if email is not None and not _EMAIL.fullmatch(email):
        raise ValidationError("open311.email_invalid", "email 格式不正确")
    attributes: dict[str, str] = {}
    for key, value in fields.items():
        m = _ATTRIBUTE.fullmatch(key)
        if m:
            attributes[m.group(1)] = value
    return PostedRequest(
        service_code=(fields.get("service_code") or "").strip() or None,
        lat=_coordinate(fields, "lat", -90.0, 90.0),
        lon=_coordinate(fields, "long", -180.0, 180.0),
        description=description,
        crs=crs,
        jurisdiction_id=(fields.get("jurisdiction_id") or "").strip() or None,
        address=_text(fields, "address_string") or "",
        media_url=_media_url(_text(fields, "media_url")),
        email=email,
        first_name=_text(fields, "first_name"),
        last_name=_text(fields, "last_name"),
        phone=_text(fields, "phone"),
        device_id=_text(fields, "device_id"),
        account_id=_text(fields, "account_id"),
        attributes=attributes,
    )


def full_name(first: str | None, last: str | None) -> str | None:
    """Family name first for Chinese names (张 + 三 → 张三), given name first otherwise."""
    if not first and not last:
        return None
    if (first or "").isascii() and (last or "").isascii():
        return " ".join(p for p in (first, last) if p)
    return f"{last or ''}{first or ''}"


def _scoped(key: ApiKey, idempotency_key: str | None) -> str | None:
    """A client's ``Idempotency-Key`` in the client's own namespace, of a fixed length."""
    if not idempotency_key:
        return None
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()
    return f"open311:{key.id}:{digest}"


def submit_request(
    rt: Runtime,
    key: ApiKey,
    posted: PostedRequest,
    *,
    photo: Upload | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Report the problem as the client's citizen; the Open311 answer for it."""
    profile = rt.policy.profile
    check_jurisdiction(profile, posted.jurisdiction_id)
    service = find_service(profile, posted.service_code)
    chosen = read_attributes(service, posted.attributes)
    info = {
        "client": key.name,
        "service_code": service.code,
        "attributes": chosen.to_doc(),
        "media_url": posted.media_url,
        "device_id": posted.device_id,
        "account_id": posted.account_id,
        "email": mask_email(posted.email),
    }
    result = report_case(
        rt,
        actor_for(key),
        channel=Channel.PUBLIC,
        description=posted.description,
        lon=posted.lon,
        lat=posted.lat,
        crs=posted.crs,
        address=posted.address,
        class_code=service.code,
        urgency=Urgency.URGENT if chosen.urgent else Urgency.NORMAL,
        reporter_name=full_name(posted.first_name, posted.last_name),
        reporter_phone=posted.phone,
        photos=[photo] if photo is not None else [],
        idempotency_key=_scoped(key, idempotency_key),
        extra={EXTRA_KEY: {k: v for k, v in info.items() if v not in (None, {})}},
    )
    notices = [n for n in (service_notice(result.case),) if n]
    if result.duplicates:
        notices.append(DUPLICATE_NOTICE)
    return {
        "service_request_id": result.case.case_no,
        "token": result.case.tracking_code,
        "service_notice": "；".join(notices) or None,
        "account_id": posted.account_id,
    }
