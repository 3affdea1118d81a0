"""Accounts: users, login with expiring tokens, logout and revocation, lockout after repeated
failures, inspectors' grids, and the record of refused requests."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, RowMapping, and_, delete, func, insert, select, update

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


class AuthError(CityopsError):
    http_status = 401
    default_code = "auth.invalid"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def units_below(profile: CityProfile, unit: str | None) -> frozenset[str]:
    """The unit and every unit under it in the profile's hierarchy."""
    if not unit:
        return frozenset()
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
    return frozenset(out)


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
    if password_hash is None:
        check_password(password)
    if role == Role.HANDLER and not unit:
        raise ValidationError("account.unit_required", "处置部门账号必须指定所属单位")
    if unit and unit not in rt.policy.profile.units:
        raise ValidationError("account.unit_unknown", f"单位“{unit}”不存在", unit=unit)
    with rt.uow() as uow:
        if uow.conn.execute(select(users.c.id).where(users.c.id == login)).first():
            raise ConflictError("account.exists", f"账号“{login}”已存在", login=login)
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
        codes = sorted(set(grids))
        if codes:
            uow.conn.execute(
                insert(user_grids), [{"user_id": login, "grid_code": g} for g in codes]
            )
        uow.commit()


def set_grids(rt: Runtime, login: str, grids: Iterable[str]) -> None:
    with rt.uow() as uow:
        _require_user(uow.conn, login)
        uow.conn.execute(delete(user_grids).where(user_grids.c.user_id == login))
        codes = sorted(set(grids))
        if codes:
            uow.conn.execute(
                insert(user_grids), [{"user_id": login, "grid_code": g} for g in codes]
            )
        uow.commit()


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


def set_active(rt: Runtime, login: str, active: bool) -> None:
    with rt.uow() as uow:
        _require_user(uow.conn, login)
        uow.conn.execute(update(users).where(users.c.id == login).values(active=active))
        if not active:
            uow.conn.execute(
                update(auth_tokens)
                .where(and_(auth_tokens.c.user_id == login, auth_tokens.c.revoked_at.is_(None)))
                .values(revoked_at=rt.now())
            )
        uow.commit()


def _require_user(conn: Connection, login: str) -> RowMapping:
    row = conn.execute(select(users).where(users.c.id == login)).mappings().first()
    if row is None:
        raise NotFoundError("account.not_found", f"账号“{login}”不存在", login=login)
    return row


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


def revoke_all(rt: Runtime, login_name: str) -> int:
    with rt.uow() as uow:
        result = uow.conn.execute(
            update(auth_tokens)
            .where(and_(auth_tokens.c.user_id == login_name, auth_tokens.c.revoked_at.is_(None)))
            .values(revoked_at=rt.now())
        )
        uow.commit()
    return int(result.rowcount or 0)


def user_for_token(rt: Runtime, token: str) -> User:
    now = rt.now()
    with rt.uow(readonly=True) as uow:
        row = uow.conn.execute(
            select(
                auth_tokens.c.user_id,
                auth_tokens.c.expires_at,
                auth_tokens.c.revoked_at,
                users.c.active,
            )
            .join(users, users.c.id == auth_tokens.c.user_id)
            .where(auth_tokens.c.token_hash == _token_hash(token))
        ).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise AuthError("auth.token_invalid", "登录已失效，请重新登录")
    if row.expires_at <= now:
        raise AuthError("auth.token_expired", "登录已过期，请重新登录")
    return user_for(rt, row.user_id)


def user_for(rt: Runtime, login_name: str) -> User:
    with rt.uow(readonly=True) as uow:
        row = _require_user(uow.conn, login_name)
        grids = frozenset(
            uow.conn.execute(
                select(user_grids.c.grid_code).where(user_grids.c.user_id == login_name)
            ).scalars()
        )
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


def list_users(
    rt: Runtime, role: Role | None = None, unit: str | None = None
) -> list[dict[str, object]]:
    q = select(
        users.c.id,
        users.c.name,
        users.c.role,
        users.c.unit_code,
        users.c.district_code,
        users.c.active,
    )
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


def install_demo_accounts(rt: Runtime) -> int:
    """Accounts for the demo city's staff (the same ids the simulator acts under): every role,
    one inspector per community with that community's grids, a handler for every unit, and a
    citizen and an administrator. All share the published demo password. Idempotent."""
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
    people = [(a, None) for a in staff.everyone()]
    people.append((Actor("citizen.demo", Role.PUBLIC, None, "市民演示账号"), None))
    people.append((Actor("admin", Role.ADMIN, None, "系统管理员"), None))
    for actor, _ in people:
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
