"""The petition ledger (信访台账): one transaction per command, an event per change, the
projection row updated under the version read; links to hotline orders and cases kept in
``petition_links`` for lookups both ways; long-standing cases (积案) listed by rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, insert, select, update

from cityops.adapters.db.case_repository import CaseRepository
from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.hotline import (
    hotline_orders,
    petition_events,
    petition_links,
    petitions,
)
from cityops.domain.cases.model import Actor
from cityops.domain.hotline import petitions as rules
from cityops.domain.hotline.petitions import (
    PETITION_OPEN,
    Petition,
    PetitionChannel,
    PetitionEvent,
    PetitionEventType,
    PetitionPolicy,
    PetitionState,
    long_standing_reasons,
)
from cityops.domain.privacy import mask_name
from cityops.errors import ConflictError, NotFoundError, ValidationError
from cityops.services.hotline.settings import caller_key
from cityops.services.runtime import Runtime

POLICY = PetitionPolicy()


def _to_row(p: Petition, now: datetime) -> dict[str, Any]:
    return {
        "id": p.id,
        "petition_no": p.petition_no,
        "version": p.version,
        "state": p.state.value,
        "channel": p.channel.value,
        "category": p.category,
        "subject": p.subject[:200],
        "content": p.content,
        "received_at": p.received_at,
        "petitioner_name": p.petitioner_name,
        "petitioner_key": p.petitioner_key,
        "people": p.people,
        "repeat_count": p.repeat_count,
        "first_unit": p.first_unit,
        "accept_deadline": p.accept_deadline,
        "accepted_at": p.accepted_at,
        "answer_deadline": p.answer_deadline,
        "extended_days": p.extended_days,
        "answered_at": p.answered_at,
        "answer": p.answer,
        "resolved": p.resolved,
        "review_deadline": p.review_deadline,
        "closed_at": p.closed_at,
        "links": [list(x) for x in p.links],
        "updated_at": now,
    }


def _from_row(r: Any) -> Petition:
    return Petition(
        id=int(r["id"]),
        petition_no=r["petition_no"],
        version=int(r["version"]),
        state=PetitionState(r["state"]),
        channel=PetitionChannel(r["channel"]),
        category=r["category"],
        subject=r["subject"],
        content=r["content"],
        received_at=r["received_at"],
        petitioner_name=r["petitioner_name"],
        petitioner_key=r["petitioner_key"],
        people=int(r["people"]),
        repeat_count=int(r["repeat_count"]),
        first_unit=r["first_unit"],
        accept_deadline=r["accept_deadline"],
        accepted_at=r["accepted_at"],
        answer_deadline=r["answer_deadline"],
        extended_days=int(r["extended_days"]),
        answered_at=r["answered_at"],
        answer=r["answer"],
        resolved=r["resolved"],
        review_deadline=r["review_deadline"],
        closed_at=r["closed_at"],
        links=tuple((str(k), int(v)) for k, v in (r["links"] or [])),
    )


def _event_row(e: PetitionEvent, now: datetime) -> dict[str, Any]:
    return {
        "petition_id": e.petition_id,
        "seq": e.seq,
        "type": e.type.value,
        "at": e.at,
        "actor": e.actor,
        "role": e.role.value,
        "from_state": e.from_state.value if e.from_state else None,
        "to_state": e.to_state.value,
        "data": dict(e.data),
        "recorded_at": now,
    }


def _get(conn: Connection, petition_id: int) -> Petition:
    row = conn.execute(select(petitions).where(petitions.c.id == petition_id)).mappings().first()
    if row is None:
        raise NotFoundError(
            "petition.not_found", f"信访事项{petition_id}不存在", petition_id=petition_id
        )
    return _from_row(row)


@dataclass(frozen=True)
class Registered:
    petition: Petition
    long_standing: list[str]


def register_petition(
    rt: Runtime,
    actor: Actor,
    *,
    channel: PetitionChannel,
    category: str,
    subject: str,
    content: str,
    petitioner_name: str | None = None,
    petitioner_phone: str | None = None,
    people: int = 1,
    order_id: int | None = None,
    case_id: int | None = None,
    at: datetime | None = None,
) -> Registered:
    """登记. A petitioner's earlier petitions in the same category (recognised by the keyed
    hash of the phone) make this one a repeat petition (重复信访)."""
    when = at or rt.now()
    key = caller_key(rt, petitioner_phone)
    with rt.uow() as uow:
        earlier = 0
        if key:
            earlier = int(
                uow.conn.execute(
                    select(func.count())
                    .select_from(petitions)
                    .where(
                        and_(petitions.c.petitioner_key == key, petitions.c.category == category)
                    )
                ).scalar_one()
            )
        pid = CaseRepository(uow.conn).next_counter("petition_id")
        tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
        e = rules.register(
            POLICY,
            petition_id=pid,
            petition_no=f"XF{when.astimezone(tz):%Y%m%d}{pid:06d}",
            actor=actor,
            at=when,
            channel=channel,
            category=category,
            subject=subject,
            content=content,
            petitioner_name=mask_name(petitioner_name),
            petitioner_key=key,
            people=people,
            earlier_same=earlier,
        )
        p = rules.evolve(None, e)
        events = [e]
        for kind, ref in (("order", order_id), ("case", case_id)):
            if ref is not None:
                _check_ref(uow.conn, kind, ref)
                link = rules.link(POLICY, p, actor, when, kind=kind, ref_id=ref)
                p = rules.evolve(p, link)
                events.append(link)
        now = rt.now()
        uow.conn.execute(insert(petitions).values(**_to_row(p, now)))
        uow.conn.execute(insert(petition_events), [_event_row(x, now) for x in events])
        if p.links:
            uow.conn.execute(
                insert(petition_links),
                [{"petition_id": p.id, "kind": k, "ref_id": r} for k, r in p.links],
            )
        uow.commit()
    return Registered(p, long_standing_reasons(p, when, POLICY))


def _check_ref(conn: Connection, kind: str, ref_id: int) -> None:
    table = hotline_orders if kind == "order" else cases
    if conn.execute(select(table.c.id).where(table.c.id == ref_id)).first() is None:
        raise NotFoundError(
            f"petition.{kind}_not_found",
            f"要关联的{'工单' if kind == 'order' else '案卷'}{ref_id}不存在",
            ref_id=ref_id,
        )


def _apply(
    rt: Runtime,
    petition_id: int,
    decide: Callable[[Petition, datetime], PetitionEvent],
    *,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Petition:
    when = at or rt.now()
    with rt.uow() as uow:
        before = _get(uow.conn, petition_id)
        if expected_version is not None and expected_version != before.version:
            raise ConflictError(
                "petition.stale_version",
                "信访事项已被他人更新，请刷新后重试",
                petition_id=petition_id,
            )
        e = decide(before, when)
        if e.type == PetitionEventType.LINKED:
            _check_ref(uow.conn, str(e.data["kind"]), int(e.data["ref_id"]))
        p = rules.evolve(before, e)
        now = rt.now()
        row = _to_row(p, now)
        row.pop("id")
        done = uow.conn.execute(
            update(petitions)
            .where(and_(petitions.c.id == p.id, petitions.c.version == before.version))
            .values(**row)
        )
        if done.rowcount != 1:
            raise ConflictError("petition.conflict", "信访事项已被他人更新，请刷新后重试")
        uow.conn.execute(insert(petition_events).values(**_event_row(e, now)))
        if e.type == PetitionEventType.LINKED:
            uow.conn.execute(
                insert(petition_links).values(
                    petition_id=p.id, kind=e.data["kind"], ref_id=e.data["ref_id"]
                )
            )
        uow.commit()
    return p


def accept_petition(
    rt: Runtime,
    actor: Actor,
    petition_id: int,
    *,
    first_unit: str,
    opinion: str = "",
    at: datetime | None = None,
) -> Petition:
    if first_unit not in rt.policy.profile.units:
        raise ValidationError("petition.unit_unknown", f"单位“{first_unit}”不存在", unit=first_unit)
    return _apply(
        rt,
        petition_id,
        lambda p, t: rules.accept(POLICY, p, actor, t, first_unit=first_unit, opinion=opinion),
        at=at,
    )


def not_accept_petition(
    rt: Runtime, actor: Actor, petition_id: int, *, reason: str, at: datetime | None = None
) -> Petition:
    return _apply(
        rt, petition_id, lambda p, t: rules.not_accept(POLICY, p, actor, t, reason=reason), at=at
    )


def extend_petition(
    rt: Runtime,
    actor: Actor,
    petition_id: int,
    *,
    days: int,
    reason: str,
    at: datetime | None = None,
) -> Petition:
    return _apply(
        rt,
        petition_id,
        lambda p, t: rules.extend(POLICY, p, actor, t, days=days, reason=reason),
        at=at,
    )


def answer_petition(
    rt: Runtime,
    actor: Actor,
    petition_id: int,
    *,
    text: str,
    resolved: bool,
    at: datetime | None = None,
) -> Petition:
    return _apply(
        rt,
        petition_id,
        lambda p, t: rules.answer(POLICY, p, actor, t, text=text, resolved=resolved),
        at=at,
    )


def request_review(
    rt: Runtime, actor: Actor, petition_id: int, *, reason: str, at: datetime | None = None
) -> Petition:
    return _apply(
        rt,
        petition_id,
        lambda p, t: rules.request_review(POLICY, p, actor, t, reason=reason),
        at=at,
    )


def review_petition(
    rt: Runtime,
    actor: Actor,
    petition_id: int,
    *,
    text: str,
    resolved: bool,
    at: datetime | None = None,
) -> Petition:
    return _apply(
        rt,
        petition_id,
        lambda p, t: rules.review(POLICY, p, actor, t, text=text, resolved=resolved),
        at=at,
    )


def close_petition(
    rt: Runtime, actor: Actor, petition_id: int, *, note: str = "", at: datetime | None = None
) -> Petition:
    return _apply(rt, petition_id, lambda p, t: rules.close(POLICY, p, actor, t, note=note), at=at)


def link_petition(
    rt: Runtime,
    actor: Actor,
    petition_id: int,
    *,
    kind: str,
    ref_id: int,
    at: datetime | None = None,
) -> Petition:
    return _apply(
        rt,
        petition_id,
        lambda p, t: rules.link(POLICY, p, actor, t, kind=kind, ref_id=ref_id),
        at=at,
    )


# --------------------------------------------------------------------------- reads


def get_petition(rt: Runtime, petition_id: int) -> Petition:
    with rt.uow(readonly=True) as uow:
        return _get(uow.conn, petition_id)


def petition_history(rt: Runtime, petition_id: int) -> list[dict[str, Any]]:
    e = petition_events
    with rt.uow(readonly=True) as uow:
        _get(uow.conn, petition_id)
        rows = uow.conn.execute(
            select(
                e.c.seq,
                e.c.type,
                e.c.at,
                e.c.actor,
                e.c.role,
                e.c.from_state,
                e.c.to_state,
                e.c.data,
            )
            .where(e.c.petition_id == petition_id)
            .order_by(e.c.seq)
        ).mappings()
        return [dict(r) for r in rows]


def petitions_linked_to(rt: Runtime, kind: str, ref_id: int) -> list[Petition]:
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(petitions)
            .join(petition_links, petition_links.c.petition_id == petitions.c.id)
            .where(and_(petition_links.c.kind == kind, petition_links.c.ref_id == ref_id))
            .order_by(petitions.c.id)
        ).mappings()
        return [_from_row(r) for r in rows]


@dataclass(frozen=True)
class LedgerRow:
    petition: Petition
    long_standing: list[str]
    overdue: bool


def ledger(
    rt: Runtime,
    *,
    state: PetitionState | None = None,
    first_unit: str | None = None,
    category: str | None = None,
    long_standing_only: bool = False,
    limit: int = 500,
) -> list[LedgerRow]:
    """The ledger: every petition (newest first) with its long-standing reasons as of now."""
    now = rt.now()
    q = select(petitions)
    if state is not None:
        q = q.where(petitions.c.state == state.value)
    elif long_standing_only:
        q = q.where(
            petitions.c.state.in_([s.value for s in PETITION_OPEN])
            | (petitions.c.repeat_count >= POLICY.repeat_threshold)
        )
    if first_unit:
        q = q.where(petitions.c.first_unit == first_unit)
    if category:
        q = q.where(petitions.c.category == category)
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(q.order_by(petitions.c.received_at.desc()).limit(limit)).mappings()
        items = [_from_row(r) for r in rows]
    out = []
    for p in items:
        reasons = long_standing_reasons(p, now, POLICY)
        if long_standing_only and not reasons:
            continue
        deadline = p.current_deadline()
        out.append(LedgerRow(p, reasons, bool(deadline and now > deadline)))
    return out
