"""Administration (role admin): users, inspectors' grids, the unit hierarchy of the active
profile, and the log of refused requests."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from cityops.api.deps import RT, Admin
from cityops.api.schemas.admin import (
    LOGIN_PATTERN,
    AccountIn,
    AccountOut,
    AccountPatch,
    DenialOut,
    GridsIn,
    PasswordIn,
    RevokedOut,
    UnitNode,
)
from cityops.api.schemas.common import ERROR_RESPONSES, PageOut
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ValidationError
from cityops.services import accounts
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/admin", tags=["admin 系统管理"], responses=ERROR_RESPONSES)

Login = Annotated[str, Path(pattern=LOGIN_PATTERN, examples=["handler.street.370102001"])]


def account_out(rt: Runtime, a: accounts.Account) -> AccountOut:
    unit = rt.policy.profile.units.get(a.unit or "")
    now = rt.now()
    return AccountOut(
        id=a.id,
        name=a.name,
        role=a.role,
        role_label=a.role.label_zh,
        unit=a.unit,
        unit_name=unit.name if unit else None,
        district=a.district,
        phone=a.phone,
        active=a.active,
        locked=a.locked_until is not None and a.locked_until > now,
        locked_until=a.locked_until,
        failed_logins=a.failed_logins,
        created_at=a.created_at,
        last_login_at=a.last_login_at,
        grids=list(a.grids),
    )


@router.get("/users", summary="用户列表 Users", response_model=PageOut[AccountOut])
def list_users(
    rt: RT,
    admin: Admin,
    role: Annotated[Role | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    active: Annotated[bool | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=64, description="Part of the login or name")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut[AccountOut]:
    found, total = accounts.search_accounts(
        rt, role=role, unit=unit, active=active, text=q, page=page, page_size=page_size
    )
    return PageOut[AccountOut](
        items=[account_out(rt, a) for a in found],
        total=total,
        total_is_lower_bound=False,
        page=page,
        page_size=page_size,
    )


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="新建用户 Create a user",
    response_model=AccountOut,
)
def create_user(rt: RT, admin: Admin, body: AccountIn) -> AccountOut:
    accounts.create_user(
        rt,
        body.login,
        name=body.name,
        role=body.role,
        password=body.password,
        unit=body.unit or None,
        district=body.district or None,
        phone=body.phone or None,
        grids=body.grids,
    )
    return account_out(rt, accounts.get_account(rt, body.login))


@router.get("/users/{login}", summary="用户详情 One user", response_model=AccountOut)
def get_user(rt: RT, admin: Admin, login: Login) -> AccountOut:
    return account_out(rt, accounts.get_account(rt, login))


@router.patch(
    "/users/{login}",
    summary="修改用户 Change name, role, unit, district or phone",
    response_model=AccountOut,
)
def update_user(rt: RT, admin: Admin, login: Login, body: AccountPatch) -> AccountOut:
    sent = body.model_fields_set
    if not sent:
        raise ValidationError("request.empty", "没有要修改的内容")
    if "name" in sent and body.name is None:
        raise ValidationError("account.name_required", "必须填写姓名或名称", field="name")
    if "role" in sent and body.role is None:
        raise ValidationError("account.role_required", "角色不能为空", field="role")
    changes = {k: getattr(body, k) for k in sent}
    return account_out(rt, accounts.update_user(rt, login, **changes))


@router.put(
    "/users/{login}/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="重置密码 Set a user's password (also ends a lockout)",
)
def set_password(rt: RT, admin: Admin, login: Login, body: PasswordIn) -> Response:
    accounts.set_password(rt, login, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users/{login}/activate", summary="启用 Activate", response_model=AccountOut)
def activate(rt: RT, admin: Admin, login: Login) -> AccountOut:
    accounts.set_active(rt, login, True)
    return account_out(rt, accounts.get_account(rt, login))


@router.post(
    "/users/{login}/deactivate",
    summary="停用 Deactivate (ends every login of the user)",
    response_model=AccountOut,
)
def deactivate(rt: RT, admin: Admin, login: Login) -> AccountOut:
    accounts.set_active(rt, login, False)
    return account_out(rt, accounts.get_account(rt, login))


@router.post("/users/{login}/unlock", summary="解除锁定 End a lockout", response_model=AccountOut)
def unlock(rt: RT, admin: Admin, login: Login) -> AccountOut:
    accounts.unlock(rt, login)
    return account_out(rt, accounts.get_account(rt, login))


@router.post(
    "/users/{login}/revoke-tokens",
    summary="强制下线 Revoke every login of a user",
    response_model=RevokedOut,
)
def revoke_tokens(rt: RT, admin: Admin, login: Login) -> RevokedOut:
    return RevokedOut(revoked=accounts.revoke_all(rt, login))


@router.put(
    "/users/{login}/grids",
    summary="分配网格 Set an inspector's unit grids",
    response_model=AccountOut,
)
def set_grids(rt: RT, admin: Admin, login: Login, body: GridsIn) -> AccountOut:
    accounts.set_grids(rt, login, body.grids)
    return account_out(rt, accounts.get_account(rt, login))


@router.get(
    "/units",
    summary="单位层级 The unit hierarchy of the active profile",
    response_model=list[UnitNode],
)
def units(rt: RT, admin: Admin) -> list[UnitNode]:
    profile = rt.policy.profile
    handlers: dict[str, int] = {}
    for u in accounts.list_users(rt, role=Role.HANDLER):
        if u["active"] and u["unit_code"]:
            handlers[str(u["unit_code"])] = handlers.get(str(u["unit_code"]), 0) + 1
    nodes = {
        u.code: UnitNode(
            code=u.code,
            name=u.name,
            kind=u.kind.value,
            parent=u.parent_code,
            region_code=u.region_code,
            handlers=handlers.get(u.code, 0),
        )
        for u in profile.units.values()
    }
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent or "")
        (parent.children if parent is not None else roots).append(node)
    return roots


@router.get(
    "/access-denials",
    summary="拒绝访问记录 Refused requests (403), newest first",
    response_model=PageOut[DenialOut],
)
def access_denials(
    rt: RT,
    admin: Admin,
    user: Annotated[str | None, Query(max_length=64)] = None,
    code: Annotated[str | None, Query(max_length=64, examples=["case.out_of_scope"])] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut[DenialOut]:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise ValidationError(
                "query.time_naive", f"{name} 须带时区，例如 2025-10-01T00:00:00+08:00", field=name
            )
    found, total = accounts.list_denials(
        rt, user_id=user, code=code, since=since, until=until, page=page, page_size=page_size
    )
    return PageOut[DenialOut](
        items=[DenialOut(**asdict(d)) for d in found],
        total=total,
        total_is_lower_bound=False,
        page=page,
        page_size=page_size,
    )
