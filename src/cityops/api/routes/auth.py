"""Login (OAuth2 password flow) and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from cityops.api.deps import RT, CurrentUser, oauth2
from cityops.api.schemas.auth import TokenOut, UserOut
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.domain.access import User
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


@router.post("/token", summary="登录 Log in (OAuth2 password flow)", response_model=TokenOut)
def token(rt: RT, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    issued = accounts.login(rt, form.username, form.password)
    return TokenOut(
        access_token=issued.token, expires_at=issued.expires_at, user=user_out(issued.user)
    )


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, summary="退出 Log out (revoke this token)"
)
def logout(rt: RT, user: CurrentUser, raw: Annotated[str | None, Depends(oauth2)]) -> Response:
    if raw:
        accounts.logout(rt, raw)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="当前用户 Who am I", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return user_out(user)
