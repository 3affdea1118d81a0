"""The city profile's administration (role admin): its editable tables — filing conditions,
local classes, units, routing rules — changed a row at a time, each change a new validated
version; the versions, a rollback, and a version's files to download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from starlette.concurrency import run_in_threadpool

from cityops.api.deps import RT, Admin
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.profile_admin import ProfileEditIn, ProfileTableOut, ProfileVersionOut
from cityops.domain.catalog.profile_edit import TABLES
from cityops.domain.catalog.profile_edit import table as editable_table
from cityops.services import accounts
from cityops.services import profile as profiles
from cityops.services import profile_admin as svc
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/admin/profile", tags=["admin 系统管理"], responses=ERROR_RESPONSES)

TableName = Annotated[
    str,
    Path(pattern="^(" + "|".join(TABLES) + ")$", examples=["conditions"]),
]
VersionId = Annotated[int, Path(ge=1, le=2**31, examples=[3])]


def version_out(v: profiles.ProfileVersion) -> ProfileVersionOut:
    return ProfileVersionOut(
        id=v.id,
        city_code=v.city_code,
        city_name=v.city_name,
        version=v.version,
        content_hash=v.content_hash,
        loaded_at=v.loaded_at,
        active=v.active,
        source=v.source,
    )


def _changed(rt: Runtime) -> None:
    """A new version is active: this process reads it at once (others within seconds)."""
    rt.invalidate()
    accounts.forget_tokens()


@router.get(
    "/versions", summary="城市配置版本 Profile versions", response_model=list[ProfileVersionOut]
)
def versions(rt: RT, admin: Admin) -> list[ProfileVersionOut]:
    return [version_out(v) for v in profiles.list_versions(rt.engine)]


@router.get(
    "/tables/{name}",
    summary="配置表 An editable table of the active profile",
    description="`conditions` (立案条件), `classes` (本地扩展分类), `units` (处置单位), "
    "`routing` (派遣规则): the rows as the city's files hold them.",
    response_model=ProfileTableOut,
)
def read_table(rt: RT, admin: Admin, name: TableName) -> ProfileTableOut:
    view = svc.table_view(rt.engine, name)
    return ProfileTableOut(
        name=view.name,
        label=view.label,
        file=view.file,
        key=list(view.key),
        columns=view.columns,
        choices={c: list(v) for c, v in editable_table(name).choices.items()},
        rows=view.rows,
        version=version_out(view.version),
    )


@router.post(
    "/tables/{name}/edits",
    status_code=status.HTTP_201_CREATED,
    summary="修改配置 Add, change or remove one row: a new profile version",
    description="The row is changed in the active version's files and the whole profile is "
    "validated again; any problem answers 422 `profile.edit.invalid` with "
    "`details.problems` (file, row, column, code, Chinese message) and nothing changes. "
    "A change made against a version no longer active answers 409 `profile.changed`.",
    response_model=ProfileVersionOut,
)
def edit_table(rt: RT, admin: Admin, name: TableName, body: ProfileEditIn) -> ProfileVersionOut:
    version = svc.edit_profile_table(
        rt.engine,
        name,
        body.kind,
        body.key,
        body.values,
        actor=admin.id,
        expected_hash=body.expected_hash,
        now=rt.now(),
    )
    _changed(rt)
    return version_out(version)


@router.post(
    "/versions/{version_id}/activate",
    summary="启用历史版本 Make an earlier version active again (rollback)",
    response_model=ProfileVersionOut,
)
def activate(rt: RT, admin: Admin, version_id: VersionId) -> ProfileVersionOut:
    version = svc.activate_version(rt.engine, version_id, now=rt.now())
    _changed(rt)
    return version_out(version)


@router.get(
    "/versions/{version_id}/files.zip",
    summary="下载配置文件 A version's files (.zip)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def files_zip(rt: RT, admin: Admin, version_id: VersionId) -> Response:
    version, data = await run_in_threadpool(svc.version_zip, rt.engine, version_id)
    name = f"profile-{version.city_code}-{version.id}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
