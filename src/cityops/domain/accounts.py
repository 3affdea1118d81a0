"""Account rules: password policy and lockout after repeated failures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cityops.errors import ValidationError

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
LOGIN_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
# Actor ids the platform gives to machines and external clients; no person may log in as one.
RESERVED_PREFIXES = ("open311.", "system.", "public.")


def check_login(login: str) -> str:
    if not LOGIN_RE.match(login or ""):
        raise ValidationError(
            "account.login_invalid", "账号须为3–64位字母、数字、下划线、点或连字符", login=login
        )
    if login.lower().startswith(RESERVED_PREFIXES):
        raise ValidationError(
            "account.login_reserved",
            "以 open311.、system.、public. 开头的账号名为系统保留",
            login=login,
        )
    return login


def check_password(password: str) -> str:
    if len(password or "") < 8:
        raise ValidationError("account.password_too_short", "密码至少8位")
    if len(password) > 256:
        raise ValidationError("account.password_too_long", "密码不能超过256位")
    return password


def after_failure(failed: int, now: datetime) -> tuple[int, datetime | None]:
    """New failure count and, when the limit is reached, the end of the lockout."""
    failed += 1
    if failed >= MAX_FAILED_LOGINS:
        return failed, now + LOCKOUT
    return failed, None
