"""Login (OAuth2 password flow), logout, and the user's own profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from cityops.api.deps import RT, CurrentUser, oauth2
from cityops.api.schemas.auth import TokenOut, UserOut
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.me import MeOut, PasswordChangedOut, PasswordChangeIn, ProfileIn
from cityops.domain.access import User
from cityops.domain.catalog.model import CityProfile
from cityops.errors import ValidationError
from cityops.services import accounts

router = APIRouter(prefix="/auth", tags=["auth 登录"], responses=ERROR_RESPONSES)


def user_out(u: User) -> UserOut:
    return UserOut(
        id=u.id,
        name=u.name,
        role=u.role.value,
        role_label=u.role.label_zh,
        unit=u.unit,
        district=u.district,
        grid_count=len(u.grids),
    )


def me_out(u: User, profile: CityProfile) -> MeOut:
    unit = profile.units.get(u.unit or "")
    return MeOut(
        **user_out(u).model_dump(), unit_name=unit.name if unit else None, grids=sorted(u.grids)
    )


@router.post(
    "/token",
    summary="登录 Log in (OAuth2 password flow)",
    description="Form fields `username` and `password`. Five wrong passwords in a row lock the "
    "account for 15 minutes (`auth.locked`). The token expires at `expires_at`.",
    response_model=TokenOut,
)
def token(rt: RT, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    issued = accounts.login(rt, form.username, form.password)
    return TokenOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        user=user_out(issued.user),
    )


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, summary="退出 Log out (revoke this token)"
)
def logout(rt: RT, user: CurrentUser, raw: Annotated[str | None, Depends(oauth2)]) -> Response:
    if raw:
        accounts.logout(rt, raw)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="当前用户 Who am I", response_model=MeOut)
def me(rt: RT, user: CurrentUser) -> MeOut:
    return me_out(user, rt.policy.profile)


@router.patch("/me", summary="修改个人信息 Change my name or phone", response_model=MeOut)
def update_me(rt: RT, user: CurrentUser, body: ProfileIn) -> MeOut:
    sent = body.model_fields_set
    if not sent:
        raise ValidationError("request.empty", "没有要修改的内容")
    if "name" in sent and body.name is None:
        raise ValidationError("account.name_required", "必须填写姓名或名称", field="name")
    accounts.update_user(rt, user.id, **{k: getattr(body, k) for k in sent})
    return me_out(accounts.user_for(rt, user.id), rt.policy.profile)


@router.post(
    "/me/password",
    summary="修改密码 Change my password (other logins end)",
    response_model=PasswordChangedOut,
)
def change_password(
    rt: RT,
    user: CurrentUser,
    body: PasswordChangeIn,
    raw: Annotated[str | None, Depends(oauth2)],
) -> PasswordChangedOut:
    ended = accounts.change_own_password(
        rt, user.id, body.current_password, body.new_password, keep_token=raw
    )
    return PasswordChangedOut(other_logins_ended=ended)
