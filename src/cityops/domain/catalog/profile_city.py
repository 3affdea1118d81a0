"""``city.toml``: who the city is, its working calendar, duplicate and attachment policies,
which channels are verified on site first, and whether the legacy catalog is enabled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from cityops.domain.cases.vocabulary import Channel
from cityops.domain.catalog.model import AttachmentPolicy, DuplicatePolicy
from cityops.domain.catalog.problems import ProblemLog
from cityops.domain.catalog.profile_files import check_keys
from cityops.domain.clock.settings import CalendarSettings, calendar_settings_from_dict

FILE = "city.toml"
TOP_KEYS = (
    "city_code",
    "city_name",
    "version",
    "calendar",
    "duplicates",
    "attachments",
    "verification_channels",
    "catalog",
)
DEFAULT_VERIFICATION_CHANNELS = ("public", "hotline", "media")
_CITY_CODE = re.compile(r"[0-9]{6}")
_MIME = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")


@dataclass(frozen=True)
class CitySettings:
    city_code: str
    city_name: str
    version: str
    calendar: CalendarSettings | None  # None only when the [calendar] table has problems
    calendar_raw: dict[str, Any]  # JSON-friendly copy of [calendar], to rebuild from storage
    duplicates: DuplicatePolicy
    attachments: AttachmentPolicy
    verification_channels: tuple[str, ...]
    legacy_catalog: bool


def parse_city(log: ProblemLog, doc: dict[str, Any]) -> CitySettings:
    check_keys(log, FILE, doc, TOP_KEYS)
    city_code = _string(log, doc, "city_code", "城市行政区划代码")
    if city_code and not _CITY_CODE.fullmatch(city_code):
        log.add(
            FILE,
            None,
            "city_code",
            "profile.city_code_invalid",
            f"城市代码“{city_code}”必须为6位数字",
        )
    city_name = _string(log, doc, "city_name", "城市名称")
    version = _string(log, doc, "version", "配置版本号")
    calendar_raw = doc.get("calendar")
    calendar: CalendarSettings | None = None
    if not isinstance(calendar_raw, dict):
        log.add(FILE, None, "calendar", "profile.calendar_missing", "缺少[calendar]工作日历配置")
        calendar_raw = {}
    else:
        calendar = parse_calendar(log, calendar_raw)
    catalog = _table(log, doc, "catalog")
    check_keys(log, FILE, catalog, ("legacy",), "catalog.")
    legacy = _bool(log, catalog, "legacy", "catalog.legacy", False)
    return CitySettings(
        city_code=city_code,
        city_name=city_name,
        version=version,
        calendar=calendar,
        calendar_raw=json_safe(calendar_raw),
        duplicates=_duplicates(log, _table(log, doc, "duplicates")),
        attachments=_attachments(log, _table(log, doc, "attachments")),
        verification_channels=_channels(log, doc.get("verification_channels")),
        legacy_catalog=legacy,
    )


def parse_calendar(log: ProblemLog, raw: dict[str, Any]) -> CalendarSettings | None:
    try:
        return calendar_settings_from_dict(raw)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = exc.args[0] if exc.args else exc.__class__.__name__
        log.add(FILE, None, "calendar", "profile.calendar_invalid", f"工作日历配置有误：{reason}")
        return None


def json_safe(value: Any) -> Any:
    """TOML dates and times as ISO strings, so the table survives a JSON round trip."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _string(log: ProblemLog, doc: dict[str, Any], key: str, label: str) -> str:
    value = doc.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        log.add(FILE, None, key, "profile.value_required", f"{label}（{key}）不能为空")
        return ""
    if not isinstance(value, str):
        log.add(FILE, None, key, "profile.type_invalid", f"{label}（{key}）必须是带引号的文字")
        return str(value)
    return value.strip()


def _table(log: ProblemLog, doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        log.add(FILE, None, key, "profile.type_invalid", f"[{key}]必须是表")
        return {}
    return value


def _bool(log: ProblemLog, table: dict[str, Any], key: str, name: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        log.add(FILE, None, name, "profile.type_invalid", f"{name}必须是true或false")
        return default
    return value


def _positive(log: ProblemLog, table: dict[str, Any], key: str, name: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        log.add(
            FILE,
            None,
            name,
            "profile.limit_not_positive",
            f"{name}必须是大于0的数字，现为“{value}”",
        )
        return default
    return float(value)


def _duplicates(log: ProblemLog, table: dict[str, Any]) -> DuplicatePolicy:
    check_keys(log, FILE, table, ("radius_m", "window_hours"), "duplicates.")
    d = DuplicatePolicy()
    return DuplicatePolicy(
        radius_m=_positive(log, table, "radius_m", "duplicates.radius_m", d.radius_m),
        window_hours=_positive(
            log, table, "window_hours", "duplicates.window_hours", d.window_hours
        ),
    )


def _attachments(log: ProblemLog, table: dict[str, Any]) -> AttachmentPolicy:
    check_keys(
        log, FILE, table, ("handled_requires_photo", "max_bytes", "allowed_types"), "attachments."
    )
    d = AttachmentPolicy()
    max_bytes = table.get("max_bytes", d.max_bytes)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        log.add(
            FILE,
            None,
            "attachments.max_bytes",
            "profile.limit_not_positive",
            f"attachments.max_bytes必须是大于0的整数（字节），现为“{max_bytes}”",
        )
        max_bytes = d.max_bytes
    types = table.get("allowed_types", list(d.allowed_types))
    if not isinstance(types, list) or not types:
        log.add(
            FILE,
            None,
            "attachments.allowed_types",
            "profile.type_invalid",
            "allowed_types必须是非空列表",
        )
        types = list(d.allowed_types)
    for t in types:
        if not isinstance(t, str) or not _MIME.fullmatch(t):
            log.add(
                FILE,
                None,
                "attachments.allowed_types",
                "profile.mime_invalid",
                f"“{t}”不是有效的文件类型（例如image/jpeg）",
            )
    return AttachmentPolicy(
        handled_requires_photo=_bool(
            log, table, "handled_requires_photo", "attachments.handled_requires_photo", True
        ),
        max_bytes=max_bytes,
        allowed_types=tuple(str(t) for t in types),
    )


def _channels(log: ProblemLog, value: Any) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_VERIFICATION_CHANNELS
    if not isinstance(value, list):
        log.add(
            FILE,
            None,
            "verification_channels",
            "profile.type_invalid",
            "verification_channels必须是列表",
        )
        return DEFAULT_VERIFICATION_CHANNELS
    allowed = {c.value for c in Channel}
    out: list[str] = []
    for v in value:
        if v not in allowed:
            log.add(
                FILE,
                None,
                "verification_channels",
                "profile.channel_unknown",
                f"未知的上报渠道“{v}”，可用：{'、'.join(sorted(allowed))}",
            )
        elif v not in out:
            out.append(v)
    return tuple(out)
