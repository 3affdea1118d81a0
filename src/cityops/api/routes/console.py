"""What the web console needs besides the case API: its configuration (city, map, working
calendar for live countdowns), the vocabularies its forms offer, and the case list as Excel.

The vocabularies come from the code's own enums and the active city profile, so the console
never offers a value the API would refuse.
"""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from cityops.api.deps import RT, Staff
from cityops.api.presenters import class_name
from cityops.api.routes.cases import _filter as case_filter
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.domain.cases.vocabulary import (
    CHANNEL_LABELS_ZH,
    EVENT_LABELS_ZH,
    ROLE_LABELS_ZH,
    STATE_LABELS_ZH,
    Channel,
    CloseOutcome,
    Light,
    RejectReason,
)
from cityops.domain.catalog.model import ClassKind, Stage, Urgency
from cityops.domain.clock.limits import LimitUnit
from cityops.domain.hotline import vocabulary as hv
from cityops.domain.hotline.petitions import (
    PETITION_EVENT_LABELS_ZH,
    PETITION_STATE_LABELS_ZH,
    PetitionChannel,
)
from cityops.services import case_queries as q
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/console", tags=["console 控制台"], responses=ERROR_RESPONSES)

PAST_DAYS = 60
FUTURE_DAYS = 180
EXPORT_MAX_ROWS = 10_000

STAGE_LABELS_ZH = {
    Stage.VERIFY: "核实",
    Stage.FILE: "立案",
    Stage.DISPATCH: "派遣",
    Stage.HANDLE: "处置",
    Stage.CHECK_DISPATCH: "派发核查",
    Stage.CHECK: "核查",
}
LIGHT_LABELS_ZH = {Light.GREEN: "正常", Light.YELLOW: "预警", Light.RED: "超期", Light.NONE: "—"}
REJECT_LABELS_ZH = {
    RejectReason.DUPLICATE: "重复上报",
    RejectReason.OUT_OF_SCOPE: "不属于受理范围",
    RejectReason.NO_CONDITION: "不符合立案条件",
    RejectReason.NOT_FOUND: "核实不属实",
    RejectReason.OTHER: "其他",
}
OUTCOME_LABELS_ZH = {
    CloseOutcome.FIXED: "已解决",
    CloseOutcome.NO_LONGER_PRESENT: "问题已消失",
    CloseOutcome.NOT_FIXABLE: "暂不具备处置条件",
}
URGENCY_LABELS_ZH = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急"}
REOPEN_LABELS_ZH = {
    hv.ReopenReason.UNSATISFIED: "回访不满意",
    hv.ReopenReason.RECURRED: "问题反弹",
    hv.ReopenReason.REEXAMINATION: "回头看未解决",
    hv.ReopenReason.OTHER: "其他",
}
REEXAM_LABELS_ZH = {
    hv.ReexamFinding.RESOLVED: "问题已解决",
    hv.ReexamFinding.UNRESOLVED: "问题仍未解决",
    hv.ReexamFinding.UNREASONABLE: "诉求不合理，已做解释",
}
PETITION_CHANNEL_LABELS_ZH = {
    PetitionChannel.LETTER: "来信",
    PetitionChannel.VISIT: "来访",
    PetitionChannel.ONLINE: "网上信访",
    PetitionChannel.PHONE: "电话",
    PetitionChannel.MAILBOX: "领导信箱",
}


class MapOut(BaseModel):
    tile_url: str = Field(description="Tile URL template; empty: vector layers only")
    crs: str = Field(default="wgs84", description="The coordinate system of every layer")
    centre: tuple[float, float] | None = Field(description="[lat, lon]")
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = Field(
        description="[[south, west], [north, east]]"
    )


class ConsoleConfigOut(BaseModel):
    city_code: str
    city_name: str
    profile_version: str
    time_zone: str
    map: MapOut
    work_periods: list[tuple[datetime, datetime]] = Field(
        description="Working intervals [start, end) in UTC around today, for countdowns"
    )
    generated_at: datetime


def _zone(rt: Runtime) -> ZoneInfo:
    return ZoneInfo(rt.policy.profile.calendar.time_zone)


def _map_extent(rt: Runtime) -> tuple[Any, Any]:
    from cityops.adapters.db.tables.geography import grids

    with rt.uow(readonly=True) as uow:
        row = uow.conn.execute(
            select(
                func.min(grids.c.min_lon),
                func.min(grids.c.min_lat),
                func.max(grids.c.max_lon),
                func.max(grids.c.max_lat),
            )
        ).first()
    if row is None or row[0] is None:
        return None, None
    w, s, e, n = (float(v) for v in row)
    return ((s + n) / 2, (w + e) / 2), ((s, w), (n, e))


def _work_periods(rt: Runtime, today: date) -> list[tuple[datetime, datetime]]:
    from cityops.domain.clock.calendar import calendar_for

    cal = calendar_for(rt.policy.profile.calendar)
    out: list[tuple[datetime, datetime]] = []
    for offset in range(-PAST_DAYS, FUTURE_DAYS + 1):
        out.extend(cal.working_intervals(today + timedelta(days=offset)))
    return out


def _cached(rt: Runtime, key: str, seconds: float, build: Any) -> Any:
    store: dict[str, tuple[float, Any]] = rt.__dict__.setdefault("_console_cache", {})
    hit = store.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return hit[1]
    value = build()
    store[key] = (time.monotonic(), value)
    return value


@router.get(
    "/config",
    summary="控制台配置 The console's configuration (no login needed)",
    description="City name, map centre and tile URL (`CITYOPS_MAP_TILE_URL`), and the working "
    "intervals the console counts down in.",
    response_model=ConsoleConfigOut,
)
def config(rt: RT) -> ConsoleConfigOut:
    profile = rt.policy.profile
    now = rt.now()
    today = now.astimezone(_zone(rt)).date()
    centre, bounds = _cached(rt, "extent", 300, lambda: _map_extent(rt))
    periods = _cached(rt, f"periods:{today}", 3600, lambda: _work_periods(rt, today))
    return ConsoleConfigOut(
        city_code=profile.city_code,
        city_name=profile.city_name,
        profile_version=profile.version,
        time_zone=profile.calendar.time_zone,
        map=MapOut(tile_url=rt.settings.map_tile_url, centre=centre, bounds=bounds),
        work_periods=periods,
        generated_at=now,
    )


def _labels(mapping: dict[Any, str]) -> list[dict[str, str]]:
    return [{"value": str(k.value), "label": v} for k, v in mapping.items()]


def _dictionary(rt: Runtime) -> dict[str, Any]:
    from cityops.services.geography import districts, streets

    profile = rt.policy.profile
    by_class: dict[str, list[dict[str, Any]]] = {}
    for c in sorted(profile.conditions.values(), key=lambda c: c.code):
        by_class.setdefault(c.class_code, []).append(
            {
                "code": c.code,
                "text": c.text,
                "limit": str(c.limit),
                "limit_label": c.limit.label_zh(),
                "working": c.limit.unit.is_working,
                "urgency": c.urgency.value,
                "closure_condition": c.closure_condition,
            }
        )
    filing = [
        {
            "code": code,
            "name": class_name(profile, code) or code,
            "major_code": profile.classes[code].major_code,
            "major_name": profile.classes[code].major_name,
            "conditions": conds,
        }
        for code, conds in sorted(by_class.items())
        if code in profile.classes
    ]
    units = [
        {"code": u.code, "name": u.name, "kind": u.kind.value, "parent": u.parent_code}
        for u in sorted(profile.units.values(), key=lambda u: u.code)
    ]
    matters = [
        {"code": c.code, "name": c.name, "major_code": c.major_code, "major_name": c.major_name}
        for c in sorted(profile.classes.values(), key=lambda c: c.code)
        if c.kind == ClassKind.MATTER
    ]
    return {
        "states": _labels(STATE_LABELS_ZH),
        "events": _labels(EVENT_LABELS_ZH),
        "roles": _labels(ROLE_LABELS_ZH),
        "channels": _labels(CHANNEL_LABELS_ZH),
        "stages": _labels(STAGE_LABELS_ZH),
        "lights": _labels(LIGHT_LABELS_ZH),
        "reject_reasons": _labels(REJECT_LABELS_ZH),
        "close_outcomes": _labels(OUTCOME_LABELS_ZH),
        "urgencies": _labels(URGENCY_LABELS_ZH),
        "limit_units": [{"value": u.value, "label": u.label_zh} for u in LimitUnit],
        "units": units,
        "filing": filing,
        "districts": [{"code": r.code, "name": r.name} for r in districts(rt.engine)],
        "streets": [
            {"code": r.code, "name": r.name, "parent": r.parent_code} for r in streets(rt.engine)
        ],
        "classes": matters,
        "hotline": {
            "states": _labels(hv.STATE_LABELS_ZH),
            "events": _labels(hv.EVENT_LABELS_ZH),
            "kinds": _labels(hv.KIND_LABELS_ZH),
            "channels": _labels(hv.CHANNEL_LABELS_ZH),
            "satisfactions": _labels(hv.SATISFACTION_LABELS_ZH),
            "negative_kinds": _labels(hv.NEGATIVE_LABELS_ZH),
            "reopen_reasons": _labels(REOPEN_LABELS_ZH),
            "reexam_findings": _labels(REEXAM_LABELS_ZH),
        },
        "petition": {
            "states": _labels(PETITION_STATE_LABELS_ZH),
            "events": _labels(PETITION_EVENT_LABELS_ZH),
            "channels": _labels(PETITION_CHANNEL_LABELS_ZH),
        },
    }


@router.get(
    "/dictionary",
    summary="表单字典 What the console's forms offer",
    description="States, events, roles, channels, stages, lights, reject reasons, close "
    "outcomes, limit units, the city's units, the classes that can be filed with their "
    "filing conditions, every matter class, districts and streets, and the hotline's and "
    "petitions' vocabularies (states, events, kinds, channels, revisit answers, reopen "
    "reasons, re-examination findings), all with Chinese labels.",
)
def dictionary(rt: RT, user: Staff) -> dict[str, Any]:
    key = f"dictionary:{rt.policy.profile.content_hash}"
    result: dict[str, Any] = _cached(rt, key, 600, lambda: _dictionary(rt))
    return result


EXPORT_COLUMNS = (
    ("case_no", "案卷编号", 20),
    ("state_label", "状态", 10),
    ("light_label", "预警", 8),
    ("class", "类别", 24),
    ("description", "问题描述", 48),
    ("address", "地址", 32),
    ("district_code", "区县代码", 10),
    ("street_code", "街道代码", 12),
    ("grid_code", "单元网格", 18),
    ("assigned_unit", "处置单位", 28),
    ("channel", "来源渠道", 12),
    ("reported_at", "上报时间", 18),
    ("deadline", "当前时限", 18),
    ("closed_at", "结案时间", 18),
    ("rework_count", "返工次数", 8),
)


def _local(rt: Runtime, dt: datetime | None) -> str:
    if dt is None:
        return ""
    return f"{dt.astimezone(_zone(rt)):%Y-%m-%d %H:%M}"


def _channel_label(value: str) -> str:
    try:
        return Channel(value).label_zh
    except ValueError:
        return value


def _xlsx(rt: Runtime, rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from cityops.domain.cases.vocabulary import CaseState

    profile = rt.policy.profile
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案卷")
    for i, (_, _, width) in enumerate(EXPORT_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for _, title, _ in EXPORT_COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for r in rows:
        state = CaseState(r["state"])
        deadline = r["handling_deadline"] if state == CaseState.DISPATCHED else r["stage_deadline"]
        unit = profile.units.get(r["assigned_unit"] or "")
        values = {
            "case_no": r["case_no"],
            "state_label": STATE_LABELS_ZH[state],
            "light_label": LIGHT_LABELS_ZH.get(Light(r["light"]), r["light"]),
            "class": f"{r['class_code']} {class_name(profile, r['class_code']) or ''}".strip()
            if r["class_code"]
            else "",
            "description": r["description"],
            "address": r["address"],
            "district_code": r["district_code"] or "",
            "street_code": r["street_code"] or "",
            "grid_code": r["grid_code"] or "",
            "assigned_unit": unit.name if unit else (r["assigned_unit"] or ""),
            "channel": _channel_label(r["channel"]),
            "reported_at": _local(rt, r["reported_at"]),
            "deadline": _local(rt, deadline),
            "closed_at": _local(rt, r["closed_at"]),
            "rework_count": r["rework_count"],
        }
        ws.append([values[key] for key, _, _ in EXPORT_COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@router.get(
    "/cases.xlsx",
    summary="导出案卷列表 Export the filtered case list to Excel",
    description=f"The same filters as `GET /api/v1/cases`, within the user's scope; at most "
    f"{EXPORT_MAX_ROWS} rows, in the order asked.",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
    },
)
def export_cases(
    rt: RT,
    user: Staff,
    f: Annotated[q.CaseFilter, Depends(case_filter)],
    sort: Annotated[
        str, Query(pattern=r"^-?(reported_at|deadline|updated_at|case_no)$")
    ] = "-reported_at",
) -> Response:
    rows: list[dict[str, Any]] = []
    page = 1
    while len(rows) < EXPORT_MAX_ROWS:
        chunk = q.list_cases(rt, user, f, page=page, page_size=q.MAX_PAGE_SIZE, sort=sort)
        rows.extend(chunk.items)
        if len(chunk.items) < q.MAX_PAGE_SIZE:
            break
        page += 1
    content = _xlsx(rt, rows[:EXPORT_MAX_ROWS])
    stamp = f"{rt.now().astimezone(_zone(rt)):%Y%m%d-%H%M}"
    name = f"案卷列表-{stamp}.xlsx"
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="cases-{stamp}.xlsx"; '
            f"filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


class PublicRatingOut(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str
    rated_at: datetime


@router.get(
    "/cases/{case_id}/rating",
    summary="市民评价 The reporter's satisfaction rating of a closed case",
    response_model=PublicRatingOut | None,
)
def case_rating(rt: RT, user: Staff, case_id: int) -> PublicRatingOut | None:
    from cityops.services.public_reports import rating_of

    q.get_visible_case(rt, user, case_id)
    rating = rating_of(rt, case_id)
    if rating is None:
        return None
    return PublicRatingOut(score=rating.score, comment=rating.comment, rated_at=rating.rated_at)
