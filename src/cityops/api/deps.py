"""Request dependencies: the runtime, the logged-in user, role checks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.errors import ForbiddenError
from cityops.services.accounts import AuthError, cached_user, user_for_token
from cityops.services.runtime import Runtime

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# The cheap dependencies are coroutines: a plain function would cost each request a trip to
# the thread pool and back.
def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


async def get_rt(request: Request) -> Runtime:
    return runtime_of(request)


RT = Annotated[Runtime, Depends(get_rt)]


async def current_user(
    request: Request, rt: RT, token: Annotated[str | None, Depends(oauth2)]
) -> User:
    if not token:
        raise AuthError("auth.required", "请先登录")
    user = cached_user(rt, token)
    if user is None:
        user = await run_in_threadpool(user_for_token, rt, token)
    request.state.user = user
    return user


async def optional_user(
    request: Request, rt: RT, token: Annotated[str | None, Depends(oauth2)]
) -> User | None:
    if not token:
        return None
    return await current_user(request, rt, token)


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[User], Coroutine[Any, Any, User]]:
    allowed = frozenset(roles)

    async def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise ForbiddenError(
                "auth.role_forbidden",
                f"{user.role.label_zh}无权访问此功能",
                role=user.role.value,
                allowed=sorted(r.value for r in allowed),
            )
        return user

    return check


STAFF_ROLES = (
    Role.INSPECTOR,
    Role.ACCEPTOR,
    Role.SHIFT_LEADER,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.LEADER,
    Role.EVALUATOR,
    Role.ADMIN,
)
Staff = Annotated[User, Depends(require_roles(*STAFF_ROLES))]
Admin = Annotated[User, Depends(require_roles(Role.ADMIN))]
