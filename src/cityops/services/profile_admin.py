"""Administering the city profile from the console: read a table, change one row, go back to an
earlier version, download a version's files.

Every change makes a new profile version (one transaction): the row is changed in the active
version's files (``domain/catalog/profile_edit.py``), the whole profile is validated again —
every problem listed with file, row, column and a Chinese message, and nothing installed if
there is any — and the result is installed and made active, with who changed what as its
source. A change made against a version that is no longer the active one is refused
(``profile.changed``), so two administrators never overwrite each other. Old versions stay:
activating one is a rollback.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, select

from cityops.adapters.db.tables.accounts import users
from cityops.adapters.db.tables.cases import OPEN_STATE_VALUES, cases
from cityops.domain.catalog.profile_edit import EditKind, apply_edit, read_table, table
from cityops.domain.catalog.profile_loader import inspect_profile, parse_profile
from cityops.errors import ConflictError, NotFoundError, ProfileError
from cityops.services.profile import (
    ProfileVersion,
    active_version,
    install_files,
    version_files,
)

KIND_ZH = {EditKind.ADD: "新增", EditKind.UPDATE: "修改", EditKind.DELETE: "删除"}


@dataclass(frozen=True)
class TableView:
    name: str
    label: str
    file: str
    key: tuple[str, ...]
    columns: list[str]
    rows: list[dict[str, str]]
    version: ProfileVersion


def _active(engine: Engine) -> tuple[ProfileVersion, dict[str, bytes]]:
    current = active_version(engine)
    if current is None:
        raise NotFoundError(
            "profile.none_installed", "尚未载入城市配置，请先运行“cityops profile load”"
        )
    return version_files(engine, current.id)


def table_view(engine: Engine, name: str) -> TableView:
    """The rows of one editable table of the active profile."""
    t = table(name)
    version, files = _active(engine)
    header, rows = read_table(t, files)
    return TableView(name, t.label, t.file, t.key, header, rows, version)


def edit_profile_table(
    engine: Engine,
    name: str,
    kind: EditKind,
    key: str,
    values: Mapping[str, str] | None = None,
    *,
    actor: str,
    expected_hash: str | None = None,
    now: datetime | None = None,
) -> ProfileVersion:
    """Add, replace or remove one row of table ``name`` and install the result as the new
    active version. ``expected_hash``: the content hash of the version the change was made
    against (refused with ``profile.changed`` if another is active now)."""
    t = table(name)
    version, files = _active(engine)
    if expected_hash and expected_hash != version.content_hash:
        raise ConflictError(
            "profile.changed",
            "城市配置已被他人修改，请刷新后再改",
            expected=expected_hash,
            current=version.content_hash,
        )
    if name == "units" and kind == EditKind.DELETE:
        _refuse_unit_in_use(engine, key)
    changed = apply_edit(files, name, kind, key, values)
    profile, problems = inspect_profile(changed)
    if problems or profile is None:
        first = problems[0].message if problems else "配置无效"
        raise ProfileError(
            "profile.edit.invalid",
            f"修改未通过校验（共{len(problems)}处）：{first}",
            problems=[p.to_dict() for p in problems],
        )
    source = f"控制台 {actor}：{KIND_ZH[kind]}{t.label}“{key}”"
    return install_files(engine, profile, changed, source, now=now)


def _refuse_unit_in_use(engine: Engine, code: str) -> None:
    with engine.connect() as conn:
        logins = list(
            conn.execute(select(users.c.id).where(users.c.unit_code == code).limit(5)).scalars()
        )
        open_cases = conn.execute(
            select(cases.c.id)
            .where(and_(cases.c.assigned_unit == code, cases.c.state.in_(OPEN_STATE_VALUES)))
            .limit(1)
        ).first()
    if logins:
        raise ConflictError(
            "profile.edit.unit_in_use",
            f"单位“{code}”还有账号：{'、'.join(logins)}；请先调整这些账号的单位",
            unit=code,
            logins=logins,
        )
    if open_cases is not None:
        raise ConflictError(
            "profile.edit.unit_has_cases",
            f"单位“{code}”还有在办案卷，办结或改派后才能删除",
            unit=code,
        )


def activate_version(
    engine: Engine, version_id: int, *, now: datetime | None = None
) -> ProfileVersion:
    """Make an earlier version the active one again (its files are validated again first)."""
    version, files = version_files(engine, version_id)
    profile = parse_profile(files, source=f"version {version_id}")
    return install_files(engine, profile, files, version.source, now=now)


def version_zip(engine: Engine, version_id: int) -> tuple[ProfileVersion, bytes]:
    """A version's files as a .zip (to keep them under version control or edit by hand)."""
    version, files = version_files(engine, version_id)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            z.writestr(name, data)
    return version, buf.getvalue()
