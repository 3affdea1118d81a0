"""API keys for Open311 clients: issued by cityops, shown once, stored as a SHA-256 digest.

A key names its client (``cityapp``, ``fixmystreet-jinan`` …). Reports made with it are made by
the actor ``open311.<name>`` in the role ``public``, so the audit trail says which client sent
each report. Names are never reused, not even after a revocation, so that the trail stays
unambiguous.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.open311 import open311_keys
from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from cityops.services.runtime import Runtime

KEY_PREFIX = "o311_"
ACTOR_PREFIX = "open311."
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,47}")
MAX_KEY_LENGTH = 128


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    key_prefix: str  # the first characters of the key, to tell keys apart
    note: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def actor_id(self) -> str:
        return ACTOR_PREFIX + self.name


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once; only its digest is stored


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def actor_for(key: ApiKey) -> Actor:
    """The citizen-role actor a client's reports are made by."""
    return Actor(key.actor_id, Role.PUBLIC, None, key.name)


def _key(row: Any) -> ApiKey:
    m = row._mapping
    return ApiKey(
        int(m["id"]), m["name"], m["key_prefix"], m["note"], m["created_at"], m["revoked_at"]
    )


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name or ""):
        raise ValidationError(
            "open311.key_name_invalid",
            "客户端名称须为1–48个小写字母、数字、点、横线或下划线，并以字母或数字开头",
            name=name,
        )
    return name


def create_key(rt: Runtime, name: str, note: str = "") -> IssuedKey:
    """Issue a new key for the client ``name``; the secret is returned once."""
    check_name(name)
    secret = KEY_PREFIX + secrets.token_urlsafe(24)
    values = {
        "name": name,
        "key_hash": hash_key(secret),
        "key_prefix": secret[: len(KEY_PREFIX) + 4],
        "note": note.strip()[:500],
        "created_at": rt.now(),
    }
    try:
        with rt.uow() as uow:
            uow.conn.execute(insert(open311_keys).values(**values))
            row = uow.conn.execute(select(open311_keys).where(open311_keys.c.name == name)).one()
            uow.commit()
    except IntegrityError:
        raise ConflictError(
            "open311.key_name_taken",
            f"客户端名称“{name}”已被使用（名称不可重复使用，即使原密钥已吊销）",
            name=name,
        ) from None
    return IssuedKey(_key(row), secret)


def list_keys(rt: Runtime) -> list[ApiKey]:
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(select(open311_keys).order_by(open311_keys.c.name)).all()
    return [_key(r) for r in rows]


def request_counts(rt: Runtime) -> dict[str, int]:
    """Reports made through each client, by client name."""
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(cases.c.reported_by, func.count())
            .where(cases.c.reported_by.like(ACTOR_PREFIX + "%"))
            .group_by(cases.c.reported_by)
        ).all()
    return {str(who)[len(ACTOR_PREFIX) :]: int(n) for who, n in rows}


def revoke_key(rt: Runtime, name: str) -> ApiKey:
    """Revoke the key of client ``name``; revoking twice is refused, so a typo is noticed."""
    with rt.uow() as uow:
        row = uow.conn.execute(select(open311_keys).where(open311_keys.c.name == name)).first()
        if row is None:
            raise NotFoundError("open311.key_unknown", f"没有名为“{name}”的密钥", name=name)
        if row.revoked_at is not None:
            raise ConflictError(
                "open311.key_already_revoked",
                f"客户端“{name}”的密钥已于{row.revoked_at:%Y-%m-%d %H:%M} UTC 吊销",
                name=name,
            )
        uow.conn.execute(
            update(open311_keys).where(open311_keys.c.id == row.id).values(revoked_at=rt.now())
        )
        row = uow.conn.execute(select(open311_keys).where(open311_keys.c.id == row.id)).one()
        uow.commit()
    return _key(row)


def authenticate(rt: Runtime, secret: str | None) -> ApiKey:
    """The active key ``secret`` belongs to; 403 (``open311.key_invalid``) otherwise."""
    if not secret:
        raise ForbiddenError(
            "open311.key_missing", "缺少 api_key：提交服务请求须使用平台签发的密钥"
        )
    if len(secret) > MAX_KEY_LENGTH:
        raise ForbiddenError("open311.key_invalid", "api_key 无效或已吊销")
    with rt.uow(readonly=True) as uow:
        row = uow.conn.execute(
            select(open311_keys).where(open311_keys.c.key_hash == hash_key(secret))
        ).first()
    if row is None or row.revoked_at is not None:
        raise ForbiddenError("open311.key_invalid", "api_key 无效或已吊销")
    return _key(row)
