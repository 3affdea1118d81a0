"""Saved searches of the case list (常用查询): each staff member's own, kept with the account."""

from __future__ import annotations

from fastapi import APIRouter, Path

from cityops.api.deps import RT, Staff
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.saved_searches import SavedSearchIn, SavedSearchOut
from cityops.services import saved_searches as svc

router = APIRouter(prefix="/saved-searches", tags=["cases 案卷"], responses=ERROR_RESPONSES)


@router.get("", summary="我的常用查询 My saved searches", response_model=list[SavedSearchOut])
def list_saved(rt: RT, user: Staff) -> list[SavedSearchOut]:
    return [SavedSearchOut.model_validate(s) for s in svc.list_saved(rt, user.id)]


@router.post(
    "",
    status_code=201,
    summary="保存常用查询 Save a search (a name saved again is replaced)",
    response_model=SavedSearchOut,
)
def save(rt: RT, user: Staff, body: SavedSearchIn) -> SavedSearchOut:
    return SavedSearchOut.model_validate(svc.save_search(rt, user.id, body.name, body.query))


@router.delete("/{search_id}", status_code=204, summary="删除常用查询 Delete a saved search")
def remove(rt: RT, user: Staff, search_id: int = Path(ge=1, le=2**53)) -> None:
    svc.delete_search(rt, user.id, search_id)
