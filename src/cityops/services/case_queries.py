"""Reading cases: list, filter and search within the user's scope; work queues per role;
overdue lists. Reads never change anything and run in read-only units of work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.sql import Select

from cityops.adapters.db.tables.cases import attachments, case_attachments, cases
from cityops.domain.access import CaseScope, User, scope_of
from cityops.domain.cases.model import Case, Event
from cityops.domain.cases.vocabulary import CaseState, Light, Role
from cityops.errors import ValidationError
from cityops.services.runtime import Runtime

CASE_NO = re.compile(r"\d{15,20}")  # YYYYMMDD + the id, at least 7 digits
MAX_PAGE_SIZE = 200
# The open states in one fixed order: the partial indexes of migration 0009 are defined over
# exactly this list (``state IN (...)``), so queries that name it can use them.
OPEN_VALUES = [
    s.value
    for s in (
        CaseState.REPORTED,
        CaseState.VERIFYING,
        CaseState.FILED,
        CaseState.DISPATCHED,
        CaseState.HANDLED,
        CaseState.CHECKING,
    )
]
COUNT_CAP = 10_000

SORTS = {
    "reported_at": cases.c.reported_at,
    "deadline": func.coalesce(cases.c.stage_deadline, cases.c.handling_deadline),
    "updated_at": cases.c.updated_at,
    "case_no": cases.c.case_no,
}

SUMMARY_COLUMNS = (
    cases.c.id,
    cases.c.case_no,
    cases.c.version,
    cases.c.state,
    cases.c.channel,
    cases.c.class_code,
    cases.c.urgency,
    cases.c.description,
    cases.c.address,
    cases.c.lon,
    cases.c.lat,
    cases.c.grid_code,
    cases.c.street_code,
    cases.c.district_code,
    cases.c.assigned_unit,
    cases.c.stage,
    cases.c.stage_deadline,
    cases.c.handling_deadline,
    cases.c.handling_working,
    cases.c.area_class,
    cases.c.suspended,
    cases.c.light,
    cases.c.reported_at,
    cases.c.closed_at,
    cases.c.rework_count,
    cases.c.verifier,
    cases.c.checker,
    cases.c.reported_by,
    cases.c.pending_extension,
)


@dataclass(frozen=True)
class CaseFilter:
    states: tuple[CaseState, ...] = ()
    class_code: str | None = None  # exact code, or a major prefix ending in "*"
    area: str | None = None  # grid (15), community (12), street (9) or district (6) code
    unit: str | None = None
    lights: tuple[Light, ...] = ()
    channels: tuple[str, ...] = ()
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    text: str | None = None
    open_only: bool = False
    suspended: bool | None = None
    reported_by: str | None = None  # a login: that user's own reports


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    total_is_lower_bound: bool
    page: int
    page_size: int
    extra: dict[str, Any] = field(default_factory=dict)


def open_clause() -> ColumnElement[bool]:
    """``state IN (the open states)`` written out with literal values, exactly as the partial
    indexes of migration 0009 are defined, so both databases can match them (a bound
    parameter list cannot be proved to imply an index's condition)."""
    values = ", ".join(f"'{v}'" for v in OPEN_VALUES)
    return sql_text(f"cases.state IN ({values})")  # type: ignore[return-value]


def scope_clause(scope: CaseScope) -> ColumnElement[bool]:
    if scope.all_cases:
        return true()
    parts: list[ColumnElement[bool]] = []
    if scope.district:
        parts.append(cases.c.district_code == scope.district)
    if scope.units:
        parts.append(cases.c.assigned_unit.in_(sorted(scope.units)))
    if scope.grids:
        parts.append(cases.c.grid_code.in_(sorted(scope.grids)))
    if scope.people:
        people = sorted(scope.people)
        parts.append(cases.c.reported_by.in_(people))
        parts.append(cases.c.verifier.in_(people))
        parts.append(cases.c.checker.in_(people))
    if not parts:
        return false()
    if len(parts) == 1:
        return parts[0]
    # Several ways to see a case (an inspector: his grids, and cases he reported, verified or
    # checked): each part is answered by its own index and the ids are united, rather than
    # one OR that SQLite answers by reading every open case.
    ids = union_all(*[select(cases.c.id).where(part) for part in parts])
    return cases.c.id.in_(ids.scalar_subquery())


def _public_scope(user: User) -> ColumnElement[bool]:
    return cases.c.reported_by == user.id


def user_clause(user: User) -> ColumnElement[bool]:
    if user.role in (Role.PUBLIC, Role.SYSTEM):
        return _public_scope(user)
    return scope_clause(scope_of(user))


def filter_clause(f: CaseFilter) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if f.states:
        parts.append(cases.c.state.in_([s.value for s in f.states]))
    if f.open_only:
        parts.append(open_clause())
    if f.class_code:
        if f.class_code.endswith("*"):
            prefix = f.class_code[:-1]
            parts.append(cases.c.class_code.like(_escape_like(prefix) + "%", escape="\\"))
        else:
            parts.append(cases.c.class_code == f.class_code)
    if f.area:
        column = {
            15: cases.c.grid_code,
            12: cases.c.community_code,
            9: cases.c.street_code,
            6: cases.c.district_code,
        }.get(len(f.area))
        if column is None or not f.area.isdigit():
            raise ValidationError(
                "query.area_invalid",
                "区域代码须为6位区县、9位街道、12位社区或15位网格代码",
                area=f.area,
            )
        parts.append(column == f.area)
    if f.unit:
        parts.append(cases.c.assigned_unit == f.unit)
    if f.lights:
        parts.append(cases.c.light.in_([x.value for x in f.lights]))
    if f.channels:
        parts.append(cases.c.channel.in_(list(f.channels)))
    if f.reported_from:
        parts.append(cases.c.reported_at >= f.reported_from)
    if f.reported_to:
        parts.append(cases.c.reported_at < f.reported_to)
    if f.suspended is not None:
        parts.append(cases.c.suspended.is_(f.suspended))
    if f.reported_by:
        parts.append(cases.c.reported_by == f.reported_by)
    if f.text:
        text = f.text.strip()
        if len(text) > 100:
            raise ValidationError("query.text_too_long", "搜索文字不能超过100字")
        if CASE_NO.fullmatch(text):
            # a case number: the unique index answers at once (a LIKE would read every case)
            parts.append(cases.c.case_no == text)
        else:
            like = f"%{_escape_like(text)}%"
            parts.append(
                or_(
                    cases.c.description.like(like, escape="\\"),
                    cases.c.address.like(like, escape="\\"),
                )
            )
    return and_(*parts) if parts else true()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _page(rt: Runtime, base: Select[Any], page: int, page_size: int, order: list[Any]) -> Page:
    if page < 1:
        raise ValidationError("query.page_invalid", "页码从1开始", page=page)
    if not (1 <= page_size <= MAX_PAGE_SIZE):
        raise ValidationError(
            "query.page_size_invalid", f"每页条数须在1到{MAX_PAGE_SIZE}之间", page_size=page_size
        )
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            base.order_by(*order).limit(page_size).offset((page - 1) * page_size)
        ).mappings()
        items = [dict(r) for r in rows]
        capped = select(func.count()).select_from(
            base.with_only_columns(literal_column("1").label("one"), maintain_column_froms=True)
            .limit(COUNT_CAP + 1)
            .subquery()
        )
        total = int(uow.conn.execute(capped).scalar_one())
    return Page(items, min(total, COUNT_CAP), total > COUNT_CAP, page, page_size)


def list_cases(
    rt: Runtime,
    user: User,
    f: CaseFilter,
    *,
    page: int = 1,
    page_size: int = 20,
    sort: str = "-reported_at",
) -> Page:
    key = sort.lstrip("-")
    if key not in SORTS:
        raise ValidationError(
            "query.sort_unknown", f"不支持按“{key}”排序，可用：{', '.join(SORTS)}", sort=sort
        )
    column = SORTS[key]
    order = [column.desc() if sort.startswith("-") else column.asc(), cases.c.id.desc()]
    base = select(*SUMMARY_COLUMNS).where(and_(user_clause(user), filter_clause(f)))
    return _page(rt, base, page, page_size, order)


def queue_clause(user: User) -> ColumnElement[bool]:
    """What waits for this user's action, by role."""
    s = CaseState
    role = user.role
    if role == Role.INSPECTOR:
        return or_(
            and_(cases.c.state == s.VERIFYING.value, cases.c.verifier == user.id),
            and_(cases.c.state == s.CHECKING.value, cases.c.checker == user.id),
        )
    if role == Role.ACCEPTOR:
        return cases.c.state.in_([s.REPORTED.value, s.HANDLED.value])
    if role == Role.SHIFT_LEADER:
        return or_(
            cases.c.state.in_([s.REPORTED.value, s.HANDLED.value]),
            and_(open_clause(), cases.c.light == Light.RED.value),
        )
    if role == Role.DISPATCHER:
        # filed cases to dispatch, extension requests to decide, suspended cases to resume;
        # the last two are found in small partial indexes (migration 0013), which both
        # databases match with the conditions written as the indexes say them
        return or_(
            cases.c.state == s.FILED.value,
            and_(cases.c.state == s.DISPATCHED.value, cases.c.pending_extension.is_not(None)),
            and_(cases.c.state == s.DISPATCHED.value, sql_text("cases.suspended")),
        )
    if role == Role.HANDLER:
        return cases.c.state == s.DISPATCHED.value
    if role == Role.LEADER:
        return and_(open_clause(), cases.c.light == Light.RED.value)
    if role in (Role.PUBLIC, Role.SYSTEM):
        return true()
    return false()


def my_queue(rt: Runtime, user: User, *, page: int = 1, page_size: int = 50) -> Page:
    base = select(*SUMMARY_COLUMNS).where(
        and_(user_clause(user), queue_clause(user), open_clause())
    )
    deadline = SORTS["deadline"]
    order = [deadline.asc().nulls_last(), cases.c.id.asc()]
    return _page(rt, base, page, page_size, order)


def overdue(rt: Runtime, user: User, *, page: int = 1, page_size: int = 50) -> Page:
    f = CaseFilter(lights=(Light.RED,), open_only=True)
    return list_cases(rt, user, f, page=page, page_size=page_size, sort="deadline")


def get_visible_case(rt: Runtime, user: User, case_id: int) -> Case:
    """A case the user may see, else NotFound (so ids of others' cases reveal nothing) for the
    public, Forbidden for staff."""
    from cityops.domain.access import can_see
    from cityops.errors import ForbiddenError, NotFoundError

    with rt.uow(readonly=True) as uow:
        case = uow.cases.find(case_id)
    if case is None:
        raise NotFoundError("case.not_found", f"案卷{case_id}不存在", case_id=case_id)
    if not can_see(user, case):
        if user.role in (Role.PUBLIC, Role.SYSTEM):
            raise NotFoundError("case.not_found", f"案卷{case_id}不存在", case_id=case_id)
        raise ForbiddenError("case.out_of_scope", "该案卷不在您的权限范围内", case_id=case_id)
    return case


PUBLIC_ATTACHMENT_KINDS = ("before", "after")


def attachment_visible(rt: Runtime, user: User, sha256: str) -> bool:
    """An attachment may be read by whoever may see one of the cases it is attached to; the
    public only the before/after photos of their own reports (not verification or check
    photos taken by staff)."""
    cond = and_(case_attachments.c.sha256 == sha256, user_clause(user))
    if user.role in (Role.PUBLIC, Role.SYSTEM):
        cond = and_(cond, case_attachments.c.kind.in_(PUBLIC_ATTACHMENT_KINDS))
    with rt.uow(readonly=True) as uow:
        q = (
            select(cases.c.id)
            .join(case_attachments, case_attachments.c.case_id == cases.c.id)
            .where(cond)
            .limit(1)
        )
        return uow.conn.execute(q).first() is not None


def visible_case_ids(rt: Runtime, user: User, ids: list[int]) -> set[int]:
    """Those of ``ids`` the user may see."""
    if not ids:
        return set()
    if user.role not in (Role.PUBLIC, Role.SYSTEM) and scope_of(user).all_cases:
        return set(ids)
    with rt.uow(readonly=True) as uow:
        found = uow.conn.execute(
            select(cases.c.id).where(and_(cases.c.id.in_(sorted(set(ids))), user_clause(user)))
        ).scalars()
        return {int(i) for i in found}


def district_case_ids(rt: Runtime, district: str) -> set[int]:
    """Every case of one district (for district-scoped exports)."""
    with rt.uow(readonly=True) as uow:
        found = uow.conn.execute(
            select(cases.c.id).where(cases.c.district_code == district)
        ).scalars()
        return {int(i) for i in found}


def case_view(rt: Runtime, case_id: int) -> tuple[list[Event], list[dict[str, Any]]]:
    """A case's events and its attachments (with type and size), in one read."""
    ca, a = case_attachments, attachments
    with rt.uow(readonly=True) as uow:
        events = uow.cases.events(case_id)
        rows = uow.conn.execute(
            select(ca.c.seq, ca.c.sha256, ca.c.kind, ca.c.filename, a.c.mime, a.c.size)
            .join(a, a.c.sha256 == ca.c.sha256, isouter=True)
            .where(ca.c.case_id == case_id)
            .order_by(ca.c.seq, ca.c.id)
        ).mappings()
        atts = []
        for r in rows:
            item = dict(r)
            if item["size"] is not None:
                item["size"] = int(item["size"])
            atts.append(item)
    return events, atts


def case_attachments_of(rt: Runtime, case_id: int) -> list[dict[str, Any]]:
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(
                case_attachments.c.seq,
                case_attachments.c.sha256,
                case_attachments.c.kind,
                case_attachments.c.filename,
            )
            .where(case_attachments.c.case_id == case_id)
            .order_by(case_attachments.c.seq, case_attachments.c.id)
        ).mappings()
        return [dict(r) for r in rows]
