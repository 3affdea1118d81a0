"""Cases in the database: the event log (append-only) and the projection row, written together.

The projection row's ``version`` is the seq of the last event. Saving a changed case appends
its event and updates the row ``WHERE version = <the version the command read>``; if another
command got there first, nothing is written and ``ConflictError`` is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.cases import (
    OPEN_STATES_SQL,
    case_attachments,
    case_events,
    cases,
    counters,
)
from cityops.domain.cases.duplicates import OpenCaseRef
from cityops.domain.cases.model import Case, Event, StageClock
from cityops.domain.cases.vocabulary import OPEN_STATES, CaseState, Channel, EventType, Light, Role
from cityops.domain.catalog.model import AreaClass, Stage, Urgency
from cityops.domain.clock.case_clock import PausableClock
from cityops.errors import ConflictError, NotFoundError


def case_to_row(case: Case, now: datetime) -> dict[str, Any]:
    sc = case.stage_clock
    h = case.handling
    return {
        "id": case.id,
        "case_no": case.case_no,
        "version": case.version,
        "state": case.state.value,
        "channel": case.channel.value,
        "reported_at": case.reported_at,
        "reported_by": case.reported_by,
        "description": case.description,
        "address": case.address,
        "lon": case.lon,
        "lat": case.lat,
        "grid_code": case.grid_code,
        "community_code": case.community_code,
        "street_code": case.street_code,
        "district_code": case.district_code,
        "area_class": case.area_class.value,
        "class_code": case.class_code,
        "condition_code": case.condition_code,
        "urgency": case.urgency.value,
        "handling_limit": case.handling_limit,
        "reporter_name": case.reporter_name,
        "reporter_phone": case.reporter_phone,
        "source_ref": case.source_ref,
        "tracking_code": case.tracking_code,
        "verifier": case.verifier,
        "checker": case.checker,
        "assigned_unit": case.assigned_unit,
        "stage": sc.stage.value
        if sc
        else (Stage.HANDLE.value if case.state == CaseState.DISPATCHED else None),
        "stage_started_at": sc.started_at if sc else None,
        "stage_deadline": sc.deadline if sc else None,
        "stage_yellow_at": sc.yellow_at if sc else None,
        "handling_working": h.working if h else None,
        "handling_limit_seconds": h.limit_seconds if h else None,
        "handling_used_seconds": h.used_seconds if h else None,
        "handling_running_since": h.running_since if h else None,
        "handling_deadline": case.handling_deadline,
        "handling_yellow_at": case.handling_yellow_at,
        "suspended": case.suspended,
        "pending_extension": dict(case.pending_extension) if case.pending_extension else None,
        "light": case.light.value,
        "next_light_at": case.next_light_change(),
        "verified_found": case.verified_found,
        "filed_at": case.filed_at,
        "first_dispatched_at": case.first_dispatched_at,
        "dispatched_at": case.dispatched_at,
        "handled_at": case.handled_at,
        "handled_on_time": case.handled_on_time,
        "closed_at": case.closed_at,
        "ended_at": case.ended_at,
        "outcome": case.outcome,
        "duplicate_of": case.duplicate_of,
        "rework_count": case.rework_count,
        "return_count": case.return_count,
        "dispatch_count": case.dispatch_count,
        "extension_count": case.extension_count,
        "suspension_count": case.suspension_count,
        "extra": dict(case.extra) if case.extra else None,
        "updated_at": now,
    }


def row_to_case(r: Mapping[Any, Any]) -> Case:
    stage_clock = None
    if (
        r["stage_deadline"] is not None
        and r["stage"] is not None
        and r["stage"] != Stage.HANDLE.value
    ):
        stage_clock = StageClock(
            Stage(r["stage"]), r["stage_started_at"], r["stage_deadline"], r["stage_yellow_at"]
        )
    handling = None
    if r["handling_limit_seconds"] is not None:
        handling = PausableClock(
            working=bool(r["handling_working"]),
            limit_seconds=int(r["handling_limit_seconds"]),
            used_seconds=int(r["handling_used_seconds"] or 0),
            running_since=r["handling_running_since"],
        )
    return Case(
        id=int(r["id"]),
        case_no=r["case_no"],
        version=int(r["version"]),
        state=CaseState(r["state"]),
        channel=Channel(r["channel"]),
        reported_at=r["reported_at"],
        reported_by=r["reported_by"],
        description=r["description"],
        address=r["address"] or "",
        lon=float(r["lon"]),
        lat=float(r["lat"]),
        grid_code=r["grid_code"],
        community_code=r["community_code"],
        street_code=r["street_code"],
        district_code=r["district_code"],
        area_class=AreaClass(r["area_class"]),
        class_code=r["class_code"],
        condition_code=r["condition_code"],
        urgency=Urgency(r["urgency"]),
        handling_limit=r["handling_limit"],
        reporter_name=r["reporter_name"],
        reporter_phone=r["reporter_phone"],
        source_ref=r["source_ref"],
        tracking_code=r["tracking_code"],
        verifier=r["verifier"],
        checker=r["checker"],
        assigned_unit=r["assigned_unit"],
        stage_clock=stage_clock,
        handling=handling,
        handling_deadline=r["handling_deadline"],
        handling_yellow_at=r["handling_yellow_at"],
        suspended=bool(r["suspended"]),
        pending_extension=r["pending_extension"],
        light=Light(r["light"]),
        verified_found=r["verified_found"],
        filed_at=r["filed_at"],
        first_dispatched_at=r["first_dispatched_at"],
        dispatched_at=r["dispatched_at"],
        handled_at=r["handled_at"],
        handled_on_time=r["handled_on_time"],
        closed_at=r["closed_at"],
        ended_at=r["ended_at"],
        outcome=r["outcome"],
        duplicate_of=r["duplicate_of"],
        rework_count=int(r["rework_count"]),
        return_count=int(r["return_count"]),
        dispatch_count=int(r["dispatch_count"]),
        extension_count=int(r["extension_count"]),
        suspension_count=int(r["suspension_count"]),
        extra=r["extra"] or {},
    )


def event_to_row(event: Event, now: datetime) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "seq": event.seq,
        "type": event.type.value,
        "at": event.at,
        "actor": event.actor,
        "role": event.role.value,
        "unit": event.unit,
        "from_state": event.from_state.value if event.from_state else None,
        "to_state": event.to_state.value,
        "data": dict(event.data),
        "schema_version": event.schema_version,
        "recorded_at": now,
    }


def row_to_event(r: Mapping[Any, Any]) -> Event:
    return Event(
        case_id=int(r["case_id"]),
        seq=int(r["seq"]),
        type=EventType(r["type"]),
        at=r["at"],
        actor=r["actor"],
        role=Role(r["role"]),
        unit=r["unit"],
        from_state=CaseState(r["from_state"]) if r["from_state"] else None,
        to_state=CaseState(r["to_state"]),
        data=r["data"],
        schema_version=int(r["schema_version"]),
    )


# Statements built once: the values travel as parameters, so SQLAlchemy compiles each
# statement once per process instead of once per call.
_INSERT_CASE = insert(cases)
_INSERT_EVENT = insert(case_events)
_INSERT_LINK = insert(case_attachments)
_SELECT_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_UPDATE_CASE = update(cases).where(
    and_(cases.c.id == bindparam("b_id"), cases.c.version == bindparam("b_expected"))
)
_NEXT_COUNTER = (
    update(counters)
    .where(counters.c.name == bindparam("b_name"))
    .values(value=counters.c.value + 1)
    .returning(counters.c.value)
)
# Open cases of one class reported in a time window inside a box (the duplicate check).
_OPEN_CASES_NEAR = select(
    cases.c.id,
    cases.c.case_no,
    cases.c.class_code,
    cases.c.lon,
    cases.c.lat,
    cases.c.reported_at,
    cases.c.state,
).where(
    and_(
        cases.c.class_code == bindparam("class_code"),
        sql_text(OPEN_STATES_SQL),  # as the partial index ix_cases_open_class_lat says it
        cases.c.reported_at >= bindparam("since"),
        cases.c.reported_at <= bindparam("until"),
        cases.c.lon.between(bindparam("minx"), bindparam("maxx")),
        cases.c.lat.between(bindparam("miny"), bindparam("maxy")),
    )
)


class CaseRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ids ---------------------------------------------------------------
    def next_case_id(self) -> int:
        if self.conn.dialect.name == "postgresql":
            return int(self.conn.exec_driver_sql("SELECT nextval('case_id_seq')").scalar_one())
        return self.next_counter("case_id")

    def next_counter(self, name: str) -> int:
        updated = self.conn.execute(_NEXT_COUNTER, {"b_name": name}).first()
        if updated is not None:
            return int(updated[0])
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(counters).values(name=name, value=1))
            return 1
        except IntegrityError:
            return self.next_counter(name)

    # reads ---------------------------------------------------------------
    def get(self, case_id: int) -> Case:
        row = self.conn.execute(_SELECT_CASE, {"case_id": case_id}).mappings().first()
        if row is None:
            raise NotFoundError("case.not_found", f"案卷{case_id}不存在", case_id=case_id)
        return row_to_case(row)

    def find(self, case_id: int) -> Case | None:
        row = self.conn.execute(_SELECT_CASE, {"case_id": case_id}).mappings().first()
        return row_to_case(row) if row else None

    def get_by_tracking_code(self, code: str) -> Case | None:
        row = (
            self.conn.execute(select(cases).where(cases.c.tracking_code == code)).mappings().first()
        )
        return row_to_case(row) if row else None

    def events(self, case_id: int) -> list[Event]:
        rows = self.conn.execute(
            select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
        ).mappings()
        return [row_to_event(r) for r in rows]

    def events_after(
        self, after_id: int, *, until_id: int | None = None, limit: int = 5000
    ) -> list[tuple[int, Event]]:
        """Up to ``limit`` events recorded after ``after_id`` (and not after ``until_id``),
        in recording order, with their ids."""
        where = [case_events.c.id > after_id]
        if until_id is not None:
            where.append(case_events.c.id <= until_id)
        rows = self.conn.execute(
            select(case_events).where(and_(*where)).order_by(case_events.c.id).limit(limit)
        ).mappings()
        return [(int(r["id"]), row_to_event(r)) for r in rows]

    def iter_events(self, batch: int = 5000, since_id: int = 0) -> Iterator[tuple[int, Event]]:
        """All events in recording order, streamed in batches (for export and rebuilds)."""
        last = since_id
        while found := self.events_after(last, limit=batch):
            yield from found
            last = found[-1][0]

    def open_cases_near(
        self,
        class_code: str,
        box: tuple[float, float, float, float],
        since: datetime,
        until: datetime,
    ) -> list[OpenCaseRef]:
        minx, miny, maxx, maxy = box
        params = {
            "class_code": class_code,
            "since": since,
            "until": until,
            "minx": minx,
            "maxx": maxx,
            "miny": miny,
            "maxy": maxy,
        }
        return [
            OpenCaseRef(
                int(r.id),
                r.case_no,
                r.class_code,
                float(r.lon),
                float(r.lat),
                r.reported_at,
                r.state,
            )
            for r in self.conn.execute(_OPEN_CASES_NEAR, params)
        ]

    def open_cases(self) -> list[Case]:
        """Every case not yet closed, rejected or cancelled, oldest first."""
        rows = self.conn.execute(
            select(cases)
            .where(cases.c.state.in_([s.value for s in OPEN_STATES]))
            .order_by(cases.c.id)
        ).mappings()
        return [row_to_case(r) for r in rows]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(cases)).scalar_one())

    # writes --------------------------------------------------------------
    def add(self, case: Case, event: Event, now: datetime) -> None:
        self.conn.execute(_INSERT_CASE, case_to_row(case, now))
        self.conn.execute(_INSERT_EVENT, event_to_row(event, now))

    def save(
        self,
        case: Case,
        event: Event,
        expected_version: int,
        now: datetime,
        previous: Case | None = None,
    ) -> None:
        """Append ``event`` and write ``case`` over the row read at ``expected_version``.
        Given the ``previous`` case, only the columns that changed are written."""
        row = case_to_row(case, now)
        row.pop("id")
        if previous is not None:
            before = case_to_row(previous, now)
            row = {k: v for k, v in row.items() if k == "updated_at" or before[k] != v}
        row["b_id"] = case.id
        row["b_expected"] = expected_version
        result = self.conn.execute(_UPDATE_CASE, row)
        if result.rowcount != 1:
            raise ConflictError(
                "case.conflict",
                "案卷已被他人更新，请刷新后重试",
                case_id=case.id,
                expected_version=expected_version,
            )
        try:
            self.conn.execute(_INSERT_EVENT, event_to_row(event, now))
        except IntegrityError as exc:  # the (case_id, seq) unique key: a racing writer
            raise ConflictError(
                "case.conflict", "案卷已被他人更新，请刷新后重试", case_id=case.id, seq=event.seq
            ) from exc

    def link_attachments(self, case_id: int, seq: int, items: Iterable[Mapping[str, Any]]) -> None:
        rows = [
            {
                "case_id": case_id,
                "seq": seq,
                "sha256": a["sha256"],
                "kind": a["kind"],
                "filename": a.get("filename", ""),
            }
            for a in items
        ]
        if rows:
            self.conn.execute(_INSERT_LINK, rows)

    def set_light(
        self, case_id: int, version: int, light: Light, next_light_at: datetime | None
    ) -> bool:
        """The sweep's write: the light only, guarded by version so it never overwrites a
        command that moved the case meanwhile."""
        result = self.conn.execute(
            update(cases)
            .where(and_(cases.c.id == case_id, cases.c.version == version))
            .values(light=light.value, next_light_at=next_light_at)
        )
        return result.rowcount == 1
