from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from cityops import __version__
from cityops.api.deps import RT

router = APIRouter(tags=["system 系统"])


class HealthOut(BaseModel):
    status: str
    version: str
    database: str
    city: str | None


@router.get("/health", summary="健康检查 Health", response_model=HealthOut)
def health(rt: RT) -> HealthOut:
    with rt.engine.connect() as conn:
        conn.execute(text("select 1"))
    try:
        city = rt.policy.profile.city_name
    except Exception:
        city = None
    return HealthOut(status="ok", version=__version__, database=rt.engine.dialect.name, city=city)
