"""The hotline's settings, stored in ``hotline_settings``: the city's hotline policy (limits and
thresholds), the trend targets, and the key that turns callers' numbers into ``caller_key``.

The policy is cached per engine for a minute (and dropped at once when set in this process).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.hotline import hotline_settings
from cityops.domain.hotline.machine import HotlineRules
from cityops.domain.hotline.policy import HotlinePolicy, policy_from_mapping
from cityops.domain.hotline.trends import TrendTarget
from cityops.errors import ValidationError
from cityops.services.runtime import Runtime

POLICY_KEY = "policy"
TARGETS_KEY = "targets"
CALLER_KEY = "caller_salt"
CACHE_SECONDS = 60.0

_cache: weakref.WeakKeyDictionary[Engine, tuple[float, HotlinePolicy]] = weakref.WeakKeyDictionary()
_salts: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _read(conn: Connection, key: str) -> Any:
    return conn.execute(
        select(hotline_settings.c.value).where(hotline_settings.c.key == key)
    ).scalar()


def _write(conn: Connection, key: str, value: Any, actor: str, now: Any) -> None:
    done = conn.execute(
        update(hotline_settings)
        .where(hotline_settings.c.key == key)
        .values(value=value, updated_at=now, updated_by=actor)
    )
    if done.rowcount == 0:
        conn.execute(
            hotline_settings.insert().values(key=key, value=value, updated_at=now, updated_by=actor)
        )


def hotline_policy(rt: Runtime) -> HotlinePolicy:
    with _lock:
        hit = _cache.get(rt.engine)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    with rt.uow(readonly=True) as uow:
        doc = _read(uow.conn, POLICY_KEY)
    policy = policy_from_mapping(doc) if doc else HotlinePolicy()
    with _lock:
        _cache[rt.engine] = (time.monotonic(), policy)
    return policy


def set_policy(rt: Runtime, doc: Mapping[str, Any], actor: str) -> HotlinePolicy:
    """Validate and store the city's hotline policy (keys not given keep their defaults)."""
    policy = policy_from_mapping(doc)
    with rt.uow() as uow:
        _write(uow.conn, POLICY_KEY, policy.to_dict(), actor, rt.now())
        uow.commit()
    with _lock:
        _cache.pop(rt.engine, None)
    return policy


def rules(rt: Runtime) -> HotlineRules:
    return HotlineRules(hotline_policy(rt), rt.policy.calendar, rt.policy.profile)


# --------------------------------------------------------------------------- targets


def targets(rt: Runtime) -> list[TrendTarget]:
    with rt.uow(readonly=True) as uow:
        doc = _read(uow.conn, TARGETS_KEY) or []
    return [TrendTarget(**t) for t in doc]


def set_targets(rt: Runtime, items: list[Mapping[str, Any]], actor: str) -> list[TrendTarget]:
    parsed = []
    for i, item in enumerate(items):
        try:
            parsed.append(
                TrendTarget(
                    scope=str(item["scope"]),
                    change=float(item["change"]),
                    compare=str(item.get("compare", "yoy")),
                    label=str(item.get("label", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                "hotline.target_invalid", f"第{i + 1}个目标无效：须有 scope 和 change", index=i
            ) from exc
    doc = [
        {"scope": t.scope, "change": t.change, "compare": t.compare, "label": t.label}
        for t in parsed
    ]
    with rt.uow() as uow:
        _write(uow.conn, TARGETS_KEY, doc, actor, rt.now())
        uow.commit()
    return parsed


# --------------------------------------------------------------------------- callers


def _salt(rt: Runtime) -> bytes:
    with _lock:
        salt = _salts.get(rt.engine)
    if salt is not None:
        return salt
    with rt.uow(readonly=True) as uow:
        value = _read(uow.conn, CALLER_KEY)
    if value is None:
        fresh = secrets.token_hex(32)
        try:
            with rt.uow() as uow:
                if _read(uow.conn, CALLER_KEY) is None:
                    uow.conn.execute(
                        hotline_settings.insert().values(
                            key=CALLER_KEY,
                            value={"hex": fresh},
                            updated_at=rt.now(),
                            updated_by="system",
                        )
                    )
                    uow.commit()
        except IntegrityError:
            pass  # another process created it first
        with rt.uow(readonly=True) as uow:
            value = _read(uow.conn, CALLER_KEY)
    salt = bytes.fromhex(value["hex"])
    with _lock:
        _salts[rt.engine] = salt
    return salt


def digits_of(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def caller_key(rt: Runtime, phone: str | None) -> str | None:
    """A keyed hash of a phone number (HMAC-SHA256 with the database's own key): the same
    caller always gets the same key, and the number cannot be read back from it."""
    digits = digits_of(phone)
    if len(digits) >= 11 and digits.startswith("86"):
        digits = digits[-11:]
    if not digits:
        return None
    return hmac.new(_salt(rt), digits.encode(), hashlib.sha256).hexdigest()[:32]
