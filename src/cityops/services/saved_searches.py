"""A user's saved searches of the case list (常用查询): named filters kept with the account,
so that they follow the user to any browser. Saving a name the user already has replaces
its filters. Each user sees and removes only their own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update

from cityops.adapters.db.tables.accounts import saved_searches
from cityops.errors import NotFoundError, ValidationError
from cityops.services.runtime import Runtime

MAX_PER_USER = 50
MAX_NAME = 40
MAX_QUERY_BYTES = 4096


@dataclass(frozen=True)
class SavedSearch:
    id: int
    name: str
    query: dict[str, Any]
    created_at: datetime


def _saved(row: Any) -> SavedSearch:
    return SavedSearch(int(row.id), row.name, dict(row.query), row.created_at)


def _check(name: str, query: dict[str, Any]) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise ValidationError(
            "saved_search.name_invalid", f"查询名称应为1至{MAX_NAME}个字", name=name[:80]
        )
    for key, value in query.items():
        plain = value is None or isinstance(value, str | int | float | bool)
        listed = isinstance(value, list) and all(isinstance(v, str | int) for v in value)
        if not (plain or listed):
            raise ValidationError(
                "saved_search.query_invalid",
                f"查询条件“{key}”的值应为文字、数字或它们的列表",
                field=key,
            )
    size = len(json.dumps(query, ensure_ascii=False).encode())
    if size > MAX_QUERY_BYTES:
        raise ValidationError(
            "saved_search.query_too_large",
            f"查询条件过多（{size}字节，至多{MAX_QUERY_BYTES}字节）",
            size=size,
        )
    return name


def list_saved(rt: Runtime, user_id: str) -> list[SavedSearch]:
    s = saved_searches
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(select(s).where(s.c.user_id == user_id).order_by(s.c.name))
        return [_saved(r) for r in rows]


def save_search(rt: Runtime, user_id: str, name: str, query: dict[str, Any]) -> SavedSearch:
    """Keep the filters under ``name`` (replacing those the user saved under it before)."""
    name = _check(name, query)
    s = saved_searches
    now = rt.now()
    with rt.uow() as uow:
        mine = s.c.user_id == user_id
        found = uow.conn.execute(select(s.c.id).where(and_(mine, s.c.name == name))).scalar()
        if found is not None:
            uow.conn.execute(update(s).where(s.c.id == found).values(query=query))
        else:
            count = uow.conn.execute(select(func.count()).where(mine)).scalar_one()
            if count >= MAX_PER_USER:
                raise ValidationError(
                    "saved_search.too_many",
                    f"常用查询至多{MAX_PER_USER}个，请先删除不用的",
                    limit=MAX_PER_USER,
                )
            uow.conn.execute(
                insert(s).values(user_id=user_id, name=name, query=query, created_at=now)
            )
        row = uow.conn.execute(select(s).where(and_(mine, s.c.name == name))).one()
        uow.commit()
    return _saved(row)


def delete_search(rt: Runtime, user_id: str, search_id: int) -> None:
    s = saved_searches
    with rt.uow() as uow:
        gone = uow.conn.execute(
            delete(s).where(and_(s.c.id == search_id, s.c.user_id == user_id))
        ).rowcount
        if not gone:
            raise NotFoundError(
                "saved_search.not_found", f"没有编号为{search_id}的常用查询", id=search_id
            )
        uow.commit()
