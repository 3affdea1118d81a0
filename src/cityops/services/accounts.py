"""Accounts: users, login with expiring tokens, logout and revocation, lockout after repeated
failures, inspectors' grids, administration of users, and the record of refused requests."""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Connection,
    RowMapping,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)

from cityops.adapters.db.tables.accounts import access_denials, auth_tokens, user_grids, users
from cityops.domain.access import User
from cityops.domain.accounts import after_failure, check_login, check_password
from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import CityProfile
from cityops.domain.privacy import mask_phone
from cityops.errors import CityopsError, ConflictError, NotFoundError, ValidationError
from cityops.services.runtime import Runtime

_hasher = PasswordHasher()

DEMO_PASSWORD = "cityops-demo"
MAX_NAME = 64
MAX_PAGE_SIZE = 200


class AuthError(CityopsError):
    http_status = 401
    default_code = "auth.invalid"


class _Unset:
    """Marks an argument that was not given (``None`` means "clear the value")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


_F = TypeVar("_F", bound=Callable[..., Any])


def _forgets_tokens(command: _F) -> _F:
    """A command that changes users, grids or tokens: once it has run (committed or not), the
    token cache of this process is cleared."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        finally:
            forget_tokens()

    return cast(_F, run)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


@dataclass(frozen=True)
class Account:
    """A user as the administration sees it (never the password hash)."""

    id: str
    name: str
    role: Role
    unit: str | None
    district: str | None
    phone: str | None
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    grids: tuple[str, ...]


@dataclass(frozen=True)
class Denial:
    id: int
    at: datetime
    user_id: str | None
    role: str | None
    method: str
    path: str
    code: str
    detail: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------- unit hierarchy

_below_cache: dict[tuple[int, str, str], frozenset[str]] = {}
_below_lock = threading.Lock()


def units_below(profile: CityProfile, unit: str | None) -> frozenset[str]:
    """The unit and every unit under it in the profile's hierarchy (cached per profile)."""
    if not unit:
        return frozenset()
    key = (id(profile), profile.content_hash, unit)
    found = _below_cache.get(key)
    if found is not None:
        return found
    children: dict[str, list[str]] = {}
    for u in profile.units.values():
        if u.parent_code:
            children.setdefault(u.parent_code, []).append(u.code)
    out, stack = set(), [unit]
    while stack:
        code = stack.pop()
        if code in out:
            continue
        out.add(code)
        stack.extend(children.get(code, ()))
    result = frozenset(out)
    with _below_lock:
        if len(_below_cache) > 4096:
            _below_cache.clear()
        _below_cache[key] = result
    return result


# --------------------------------------------------------------------------- validation


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("account.name_required", "必须填写姓名或名称", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(
            "account.name_too_long", f"姓名不能超过{MAX_NAME}字", field="name", max=MAX_NAME
        )
    return name


def _check_assignment(
    rt: Runtime, role: Role, unit: str | None, district: str | None
) -> tuple[str | None, str | None]:
    """A handler belongs to a unit of the profile; a centre role may work for one district."""
    profile = rt.policy.profile
    if role == Role.HANDLER and not unit:
        raise ValidationError("account.unit_required", "处置部门账号必须指定所属单位", field="unit")
    if unit and unit not in profile.units:
        raise ValidationError("account.unit_unknown", f"单位“{unit}”不存在", unit=unit)
    if district:
        known = set(profile.regions) or {
            u.region_code for u in profile.units.values() if u.region_code
        }
        if district not in known:
            raise ValidationError(
                "account.district_unknown", f"区县代码“{district}”不在本市", district=district
            )
    return unit or None, district or None


def _check_grids(conn: Connection, role: Role, grids: Iterable[str]) -> list[str]:
    from cityops.adapters.db.tables.geography import grids as grid_table

    codes = sorted({g.strip() for g in grids if g and g.strip()})
    if codes and role != Role.INSPECTOR:
        raise ValidationError(
            "account.grids_for_inspectors", "只有监督员可以分配单元网格", role=role.value
        )
    if not codes:
        return []
    known = set(
        conn.execute(select(grid_table.c.code).where(grid_table.c.code.in_(codes))).scalars()
    )
    missing = [c for c in codes if c not in known]
    if missing:
        raise ValidationError(
            "account.grid_unknown",
            f"单元网格不存在：{'、'.join(missing[:10])}" + ("等" if len(missing) > 10 else ""),
            missing=missing[:100],
        )
    return codes


# --------------------------------------------------------------------------- users


def create_user(
    rt: Runtime,
    login: str,
    *,
    name: str,
    role: Role,
    password: str,
    unit: str | None = None,
    district: str | None = None,
    phone: str | None = None,
    grids: Iterable[str] = (),
    password_hash: str | None = None,
) -> None:
    check_login(login)
    name = _check_name(name)
    if password_hash is None:
        check_password(password)
    unit, district = _check_assignment(rt, role, unit, district)
    with rt.uow() as uow:
        if uow.conn.execute(select(users.c.id).where(users.c.id == login)).first():
            raise ConflictError("account.exists", f"账号“{login}”已存在", login=login)
        codes = _check_grids(uow.conn, role, grids)
        uow.conn.execute(
            insert(users).values(
                id=login,
                name=name,
                role=role.value,
                unit_code=unit,
                district_code=district,
                phone=mask_phone(phone),
                password_hash=password_hash or _hasher.hash(password),
                active=True,
                failed_logins=0,
                created_at=rt.now(),
            )
        )
        if codes:
            uow.conn.execute(
                insert(user_grids), [{"user_id": login, "grid_code": g} for g in codes]
            )
        uow.commit()


@_forgets_tokens
def update_user(
    rt: Runtime,
    login: str,
    *,
    name: Any = UNSET,
    role: Any = UNSET,
    unit: Any = UNSET,
    district: Any = UNSET,
    phone: Any = UNSET,
) -> Account:
    """Change a user's name, role, unit, district or phone; arguments not given stay as they
    are, ``None`` clears. The role and unit together must still make sense (a handler keeps a
    unit; only inspectors keep grids: a user who stops being an inspector loses them)."""
    with rt.uow() as uow:
        row = _require_user(uow.conn, login)
        new_role = Role(role) if role is not UNSET else Role(row["role"])
        new_unit = row["unit_code"] if unit is UNSET else unit
        new_district = row["district_code"] if district is UNSET else district
        new_unit, new_district = _check_assignment(rt, new_role, new_unit, new_district)
        values: dict[str, Any] = {"role": new_role.value, "unit_code": new_unit}
        values["district_code"] = new_district
        if name is not UNSET:
            values["name"] = _check_name(name)
        if phone is not UNSET:
            values["phone"] = mask_phone(phone)
        if row["role"] == Role.ADMIN.value and new_role != Role.ADMIN:
            _keep_one_admin(uow.conn, login)
        uow.conn.execute(update(users).where(users.c.id == login).values(**values))
        if new_role != Role.INSPECTOR:
            uow.conn.execute(delete(user_grids).where(user_grids.c.user_id == login))
        uow.commit()
    return get_account(rt, login)


def _keep_one_admin(conn: Connection, login: str) -> None:
    others = conn.execute(
        select(func.count())
        .select_from(users)
        .where(
            and_(users.c.role == Role.ADMIN.value, users.c.active.is_(True), users.c.id != login)
        )
    ).scalar_one()
    if not others:
        raise ConflictError(
            "account.last_admin", "这是最后一个可用的系统管理员账号，不能停用或改为其他角色"
        )


@_forgets_tokens
def set_grids(rt: Runtime, login: str, grids: Iterable[str]) -> None:
    with rt.uow() as uow:
        row = _require_user(uow.conn, login)
        codes = _check_grids(uow.conn, Role(row["role"]), grids)
        uow.conn.execute(delete(user_grids).where(user_grids.c.user_id == login))
        if codes:
            uow.conn.execute(
                insert(user_grids), [{"user_id": login, "grid_code": g} for g in codes]
            )
        uow.commit()


@_forgets_tokens
def set_password(rt: Runtime, login: str, password: str) -> None:
    check_password(password)
    with rt.uow() as uow:
        _require_user(uow.conn, login)
        uow.conn.execute(
            update(users)
            .where(users.c.id == login)
            .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
        )
        uow.commit()


@_forgets_tokens
def change_own_password(
    rt: Runtime, login: str, current: str, new: str, keep_token: str | None = None
) -> int:
    """A user changes their own password: the current one must be right. Every other login
    of the user ends (returns how many were revoked); ``keep_token`` stays valid."""
    check_password(new)
    if current == new:
        raise ValidationError("account.password_unchanged", "新密码不能与原密码相同")
    with rt.uow() as uow:
        row = _require_user(uow.conn, login)
        try:
            _hasher.verify(row["password_hash"], current)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise ValidationError("account.password_wrong", "原密码不正确") from None
        uow.conn.execute(
            update(users).where(users.c.id == login).values(password_hash=_hasher.hash(new))
        )
        keep = _token_hash(keep_token) if keep_token else ""
        result = uow.conn.execute(
            update(auth_tokens)
            .where(
                and_(
                    auth_tokens.c.user_id == login,
                    auth_tokens.c.revoked_at.is_(None),
                    auth_tokens.c.token_hash != keep,
                )
            )
            .values(revoked_at=rt.now())
        )
        uow.commit()
    return int(result.rowcount or 0)


@_forgets_tokens
def set_active(rt: Runtime, login: str, active: bool) -> None:
    with rt.uow() as uow:
        row = _require_user(uow.conn, login)
        if not active and row["role"] == Role.ADMIN.value:
            _keep_one_admin(uow.conn, login)
        uow.conn.execute(update(users).where(users.c.id == login).values(active=active))
        if not active:
            uow.conn.execute(
                update(auth_tokens)
                .where(and_(auth_tokens.c.user_id == login, auth_tokens.c.revoked_at.is_(None)))
                .values(revoked_at=rt.now())
            )
        uow.commit()


@_forgets_tokens
def unlock(rt: Runtime, login: str) -> None:
    """End a lockout after repeated failed logins."""
    with rt.uow() as uow:
        _require_user(uow.conn, login)
        uow.conn.execute(
            update(users).where(users.c.id == login).values(failed_logins=0, locked_until=None)
        )
        uow.commit()


def _require_user(conn: Connection, login: str) -> RowMapping:
    row = conn.execute(select(users).where(users.c.id == login)).mappings().first()
    if row is None:
        raise NotFoundError("account.not_found", f"账号“{login}”不存在", login=login)
    return row


def _account(row: RowMapping, grids: Iterable[str]) -> Account:
    return Account(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        unit=row["unit_code"],
        district=row["district_code"],
        phone=row["phone"],
        active=bool(row["active"]),
        failed_logins=int(row["failed_logins"]),
        locked_until=row["locked_until"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        grids=tuple(sorted(grids)),
    )


def get_account(rt: Runtime, login: str) -> Account:
    with rt.uow(readonly=True) as uow:
        row = _require_user(uow.conn, login)
        grids = uow.conn.execute(
            select(user_grids.c.grid_code).where(user_grids.c.user_id == login)
        ).scalars()
        return _account(row, grids)


def search_accounts(
    rt: Runtime,
    *,
    role: Role | None = None,
    unit: str | None = None,
    active: bool | None = None,
    text: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Account], int]:
    """Users for the administration, filtered, one page at a time, with the total."""
    if page < 1 or not (1 <= page_size <= MAX_PAGE_SIZE):
        raise ValidationError("query.page_invalid", f"页码从1开始，每页1到{MAX_PAGE_SIZE}条")
    cond = []
    if role is not None:
        cond.append(users.c.role == role.value)
    if unit:
        cond.append(users.c.unit_code == unit)
    if active is not None:
        cond.append(users.c.active.is_(active))
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cond.append(or_(users.c.id.like(like, escape="\\"), users.c.name.like(like, escape="\\")))
    where = and_(*cond) if cond else None
    base = select(users)
    counted = select(func.count()).select_from(users)
    if where is not None:
        base, counted = base.where(where), counted.where(where)
    with rt.uow(readonly=True) as uow:
        total = int(uow.conn.execute(counted).scalar_one())
        rows = list(
            uow.conn.execute(
                base.order_by(users.c.role, users.c.id)
                .limit(page_size)
                .offset((page - 1) * page_size)
            ).mappings()
        )
        ids = [r["id"] for r in rows]
        grids: dict[str, list[str]] = {}
        if ids:
            for uid, code in uow.conn.execute(
                select(user_grids.c.user_id, user_grids.c.grid_code).where(
                    user_grids.c.user_id.in_(ids)
                )
            ):
                grids.setdefault(uid, []).append(code)
    return [_account(r, grids.get(r["id"], ())) for r in rows], total


# --------------------------------------------------------------------------- login


def login(rt: Runtime, login_name: str, password: str) -> IssuedToken:
    """Check the password; lock the account for a while after repeated failures."""
    now = rt.now()
    with rt.uow() as uow:
        row = uow.conn.execute(select(users).where(users.c.id == login_name)).mappings().first()
        if row is None or not row["active"]:
            raise AuthError("auth.invalid_credentials", "账号或密码错误")
        if row["locked_until"] is not None and row["locked_until"] > now:
            raise AuthError(
                "auth.locked",
                "连续登录失败次数过多，账号已暂时锁定，请稍后再试",
                locked_until=row["locked_until"].isoformat(),
            )
        try:
            _hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failed, locked = after_failure(int(row["failed_logins"]), now)
            uow.conn.execute(
                update(users)
                .where(users.c.id == login_name)
                .values(failed_logins=failed, locked_until=locked)
            )
            uow.commit()
            if locked is not None:
                raise AuthError(
                    "auth.locked",
                    "连续登录失败次数过多，账号已暂时锁定，请稍后再试",
                    locked_until=locked.isoformat(),
                ) from None
            raise AuthError("auth.invalid_credentials", "账号或密码错误") from None
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(minutes=rt.settings.token_minutes)
        uow.conn.execute(
            insert(auth_tokens).values(
                token_hash=_token_hash(token),
                user_id=login_name,
                created_at=now,
                expires_at=expires,
            )
        )
        uow.conn.execute(
            update(users)
            .where(users.c.id == login_name)
            .values(failed_logins=0, locked_until=None, last_login_at=now)
        )
        uow.commit()
    return IssuedToken(token, expires, user_for(rt, login_name))


@_forgets_tokens
def logout(rt: Runtime, token: str) -> None:
    with rt.uow() as uow:
        uow.conn.execute(
            update(auth_tokens)
            .where(
                and_(
                    auth_tokens.c.token_hash == _token_hash(token),
                    auth_tokens.c.revoked_at.is_(None),
                )
            )
            .values(revoked_at=rt.now())
        )
        uow.commit()


@_forgets_tokens
def revoke_all(rt: Runtime, login_name: str) -> int:
    with rt.uow() as uow:
        _require_user(uow.conn, login_name)
        result = uow.conn.execute(
            update(auth_tokens)
            .where(and_(auth_tokens.c.user_id == login_name, auth_tokens.c.revoked_at.is_(None)))
            .values(revoked_at=rt.now())
        )
        uow.commit()
    return int(result.rowcount or 0)


_USER_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.role,
    users.c.unit_code,
    users.c.district_code,
    users.c.active,
)


# Bearer tokens seen in the last few seconds, so a busy client does not cost a database read
# per request. Any change to accounts made in this process clears it once committed; another
# process sees a logout, revocation or deactivation within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 10_000
# (engine, token hash) → (user, token expiry, when cached)
_token_cache: dict[tuple[int, str], tuple[User, datetime, float]] = {}
_token_cache_lock = threading.Lock()
_generation = [0]


def forget_tokens() -> None:
    """Drop every cached token. Reads that began before this call do not enter the cache
    (each remembers the generation it started in)."""
    with _token_cache_lock:
        _token_cache.clear()
        _generation[0] += 1


def _cached(key: tuple[int, str], now: datetime) -> User | None:
    hit = _token_cache.get(key)
    if hit is not None and time.monotonic() - hit[2] < TOKEN_CACHE_SECONDS and hit[1] > now:
        return hit[0]
    return None


def cached_user(rt: Runtime, token: str) -> User | None:
    """The user of a token seen in the last few seconds, without touching the database (None:
    ask :func:`user_for_token`)."""
    return _cached((id(rt.engine), _token_hash(token)), rt.now())


def user_for_token(rt: Runtime, token: str) -> User:
    """The user a bearer token belongs to. Revoked, expired and deactivated logins are refused."""
    key = (id(rt.engine), _token_hash(token))
    now = rt.now()
    with _token_cache_lock:
        hit = _cached(key, now)
        generation = _generation[0]
    if hit is not None:
        return hit
    user, expires = _read_token(rt, token, now)
    with _token_cache_lock:
        if generation == _generation[0]:
            if len(_token_cache) >= TOKEN_CACHE_SIZE:
                _token_cache.clear()
            _token_cache[key] = (user, expires, time.monotonic())
    return user


def _read_token(rt: Runtime, token: str, now: datetime) -> tuple[User, datetime]:
    """Token, user and (for inspectors) grids in one read."""
    with rt.uow(readonly=True) as uow:
        # one statement: the token, its user and (one row per grid) the user's grids
        rows = (
            uow.conn.execute(
                select(
                    auth_tokens.c.expires_at,
                    auth_tokens.c.revoked_at,
                    *_USER_COLUMNS,
                    user_grids.c.grid_code,
                )
                .join(users, users.c.id == auth_tokens.c.user_id)
                .outerjoin(user_grids, user_grids.c.user_id == users.c.id)
                .where(auth_tokens.c.token_hash == _token_hash(token))
            )
            .mappings()
            .all()
        )
    row = rows[0] if rows else None
    if row is None or row["revoked_at"] is not None or not row["active"]:
        raise AuthError("auth.token_invalid", "登录已失效，请重新登录")
    if row["expires_at"] <= now:
        raise AuthError("auth.token_expired", "登录已过期，请重新登录")
    grids = frozenset(r["grid_code"] for r in rows if r["grid_code"] is not None)
    user = _user(rt, row, grids if row["role"] == Role.INSPECTOR.value else frozenset())
    return user, row["expires_at"]


def _grids_of(conn: Connection, row: RowMapping) -> frozenset[str]:
    return frozenset(
        conn.execute(
            select(user_grids.c.grid_code).where(user_grids.c.user_id == row["id"])
        ).scalars()
    )


def _user(rt: Runtime, row: RowMapping, grids: frozenset[str]) -> User:
    role = Role(row["role"])
    unit = row["unit_code"]
    return User(
        id=row["id"],
        name=row["name"],
        role=role,
        unit=unit,
        units_below=units_below(rt.policy.profile, unit) if role == Role.HANDLER else frozenset(),
        district=row["district_code"],
        grids=grids,
    )


def user_for(rt: Runtime, login_name: str) -> User:
    with rt.uow(readonly=True) as uow:
        row = _require_user(uow.conn, login_name)
        grids = _grids_of(uow.conn, row)
    return _user(rt, row, grids)


def list_users(
    rt: Runtime, role: Role | None = None, unit: str | None = None
) -> list[dict[str, object]]:
    q = select(*_USER_COLUMNS)
    if role is not None:
        q = q.where(users.c.role == role.value)
    if unit is not None:
        q = q.where(users.c.unit_code == unit)
    with rt.uow(readonly=True) as uow:
        return [dict(r._mapping) for r in uow.conn.execute(q.order_by(users.c.role, users.c.id))]


def count_users(rt: Runtime) -> int:
    with rt.uow(readonly=True) as uow:
        return int(uow.conn.execute(select(func.count()).select_from(users)).scalar_one())


def grid_inspectors(rt: Runtime) -> dict[str, str]:
    """grid code → the inspector who patrols it (the first, if several)."""
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(user_grids.c.grid_code, user_grids.c.user_id)
            .join(users, users.c.id == user_grids.c.user_id)
            .where(and_(users.c.role == Role.INSPECTOR.value, users.c.active.is_(True)))
            .order_by(user_grids.c.grid_code, user_grids.c.user_id)
        )
        out: dict[str, str] = {}
        for grid, user in rows:
            out.setdefault(grid, user)
    return out


# --------------------------------------------------------------------------- refused requests


def record_denial(
    rt: Runtime, user: User | None, method: str, path: str, code: str, detail: str = ""
) -> None:
    with rt.uow() as uow:
        uow.conn.execute(
            insert(access_denials).values(
                at=rt.now(),
                user_id=user.id if user else None,
                role=user.role.value if user else None,
                method=method[:8],
                path=path[:512],
                code=code[:64],
                detail=detail[:2000],
            )
        )
        uow.commit()


def list_denials(
    rt: Runtime,
    *,
    user_id: str | None = None,
    code: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Denial], int]:
    """Refused requests, newest first, with the total matching."""
    if page < 1 or not (1 <= page_size <= MAX_PAGE_SIZE):
        raise ValidationError("query.page_invalid", f"页码从1开始，每页1到{MAX_PAGE_SIZE}条")
    d = access_denials
    cond = []
    if user_id:
        cond.append(d.c.user_id == user_id)
    if code:
        cond.append(d.c.code == code)
    if since is not None:
        cond.append(d.c.at >= since)
    if until is not None:
        cond.append(d.c.at < until)
    where = and_(*cond) if cond else true()
    with rt.uow(readonly=True) as uow:
        total = int(uow.conn.execute(select(func.count()).select_from(d).where(where)).scalar_one())
        rows = uow.conn.execute(
            select(d)
            .where(where)
            .order_by(d.c.at.desc(), d.c.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).mappings()
        out = [
            Denial(
                int(r["id"]),
                r["at"],
                r["user_id"],
                r["role"],
                r["method"],
                r["path"],
                r["code"],
                r["detail"] or "",
            )
            for r in rows
        ]
    return out, total


# --------------------------------------------------------------------------- demo city


def install_demo_accounts(rt: Runtime) -> int:
    """Accounts for the demo city's staff (the same ids the simulator acts under): every role,
    one inspector per community with that community's grids, a handler for every unit, a
    citizen, machine reporters (video AI, sensors) and an administrator. All share the
    published demo password. Idempotent: only missing accounts are added."""
    from cityops.adapters.db.tables import geography as g
    from cityops.services.simulation.staff import demo_staff

    with rt.uow(readonly=True) as uow:
        existing = set(uow.conn.execute(select(users.c.id)).scalars())
        communities = [
            (r.code, r.name)
            for r in uow.conn.execute(
                select(g.regions.c.code, g.regions.c.name).where(g.regions.c.level == "community")
            )
        ]
        grids_by_community: dict[str, list[str]] = {}
        for code, community in uow.conn.execute(select(g.grids.c.code, g.grids.c.community_code)):
            grids_by_community.setdefault(community, []).append(code)
    staff = demo_staff(rt.policy.profile, communities)
    shared_hash = _hasher.hash(DEMO_PASSWORD)
    rows: list[dict[str, object]] = []
    grid_rows: list[dict[str, str]] = []
    now = rt.now()
    people = list(staff.everyone())
    people.append(Actor("citizen.demo", Role.PUBLIC, None, "市民演示账号"))
    # Machine reporters under the ids the simulator reports with (``system.<channel>``).
    people.append(Actor("system.video_ai", Role.SYSTEM, None, "视频智能识别"))
    people.append(Actor("system.sensor", Role.SYSTEM, None, "物联感知"))
    people.append(Actor("admin", Role.ADMIN, None, "系统管理员"))
    for actor in people:
        if actor.id in existing:
            continue
        rows.append(
            {
                "id": actor.id,
                "name": actor.name or actor.id,
                "role": actor.role.value,
                "unit_code": actor.unit,
                "district_code": None,
                "phone": None,
                "password_hash": shared_hash,
                "active": True,
                "failed_logins": 0,
                "created_at": now,
            }
        )
        if actor.role == Role.INSPECTOR:
            community = actor.id.split(".", 1)[1]
            grid_rows.extend(
                {"user_id": actor.id, "grid_code": c} for c in grids_by_community.get(community, [])
            )
    if rows:
        with rt.uow() as uow:
            uow.conn.execute(insert(users), rows)
            if grid_rows:
                uow.conn.execute(insert(user_grids), grid_rows)
            uow.commit()
    return len(rows)
