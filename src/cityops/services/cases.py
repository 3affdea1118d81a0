"""The closed loop's write path: one function per command, one transaction each.

Every function loads the case, lets the domain decide the event, applies it, appends the event
and updates the projection under the version it read (optimistic lock), links attachments and
queues an outbox message — all in one transaction. Nothing else changes a case's state.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.cases import attachments, intake_keys
from cityops.adapters.db.unit_of_work import SqlUnitOfWork
from cityops.domain.cases import machine
from cityops.domain.cases.attachments import check_attachment, check_kind
from cityops.domain.cases.duplicates import find_duplicates, search_box, window_start
from cityops.domain.cases.model import Actor, Attachment, Case, Event
from cityops.domain.cases.vocabulary import Channel, CloseOutcome, RejectReason
from cityops.domain.catalog.model import Urgency
from cityops.domain.catalog.routing import RoutingSuggestion, suggest_unit
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.geo.model import CoordSystem, Location
from cityops.domain.privacy import mask_name, mask_phone
from cityops.errors import ConflictError, ValidationError
from cityops.services.runtime import Runtime

TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as received (photo before/after, verification or check photo)."""

    content: bytes
    filename: str = ""
    kind: str = "before"


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A file uploaded earlier (``store_attachment``), referenced by its SHA-256."""

    sha256: str
    kind: str
    filename: str = ""


@dataclass(frozen=True, slots=True)
class ReportResult:
    case: Case
    created: bool  # False when an idempotency key returned an earlier report
    duplicates: list[dict[str, Any]]


# --------------------------------------------------------------------------- helpers


def _store_uploads(rt: Runtime, uploads: Sequence[Upload]) -> list[Attachment]:
    """Check every file first (nothing stored if one is bad), then write the blobs."""
    policy = rt.policy.profile.attachments
    checked = []
    for up in uploads:
        kind = check_kind(up.kind)
        f = check_attachment(up.content, policy, filename=up.filename)
        checked.append((up, f, kind))
    result = []
    for up, f, kind in checked:
        rt.blobs.put(f.sha256, up.content)
        result.append(Attachment(f.sha256, f.mime, f.size, kind, up.filename[:255]))
    return result


def _record_attachments(uow: SqlUnitOfWork, items: Sequence[Attachment], now: datetime) -> None:
    if not items:
        return
    rows = [{"sha256": a.sha256, "mime": a.mime, "size": a.size, "created_at": now} for a in items]
    dialect = uow.conn.dialect.name
    if dialect == "postgresql":
        uow.conn.execute(
            pg_insert(attachments).on_conflict_do_nothing(index_elements=["sha256"]), rows
        )
    elif dialect == "sqlite":
        uow.conn.execute(
            sqlite_insert(attachments).on_conflict_do_nothing(index_elements=["sha256"]), rows
        )
    else:  # pragma: no cover
        existing = set(uow.conn.execute(select(attachments.c.sha256)).scalars())
        new = [r for r in rows if r["sha256"] not in existing]
        if new:
            uow.conn.execute(insert(attachments), new)


def store_attachment(rt: Runtime, upload: Upload) -> Attachment:
    """Check and store one file ahead of the command that will reference it (phones on weak
    networks upload photos first, then submit the report or the handling result)."""
    (att,) = _store_uploads(rt, [upload])
    with rt.uow() as uow:
        _record_attachments(uow, [att], rt.now())
        uow.commit()
    return att


def _resolve_refs(uow: SqlUnitOfWork, refs: Sequence[AttachmentRef]) -> list[Attachment]:
    if not refs:
        return []
    wanted = {r.sha256 for r in refs}
    rows = {
        r.sha256: r
        for r in uow.conn.execute(
            select(attachments).where(attachments.c.sha256.in_(sorted(wanted)))
        )
    }
    missing = sorted(wanted - set(rows))
    if missing:
        raise ValidationError("attachment.unknown", "引用的附件不存在，请先上传", missing=missing)
    return [
        Attachment(
            r.sha256,
            rows[r.sha256].mime,
            int(rows[r.sha256].size),
            check_kind(r.kind),
            r.filename[:255],
        )
        for r in refs
    ]


def _outbox(uow: SqlUnitOfWork, event: Event, case: Case, now: datetime) -> None:
    uow.outbox.add(
        f"case.{event.type.value}",
        str(case.id),
        {
            "case_id": case.id,
            "case_no": case.case_no,
            "seq": event.seq,
            "type": event.type.value,
            "at": event.at.isoformat(),
            "state": case.state.value,
            "unit": case.assigned_unit,
            "grid_code": case.grid_code,
            "district_code": case.district_code,
            "class_code": case.class_code,
            "channel": case.channel.value,
        },
        now,
    )


def _apply(
    rt: Runtime,
    case_id: int,
    decide: Callable[[Case, datetime, list[Attachment]], Event],
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
    uploads: Sequence[Upload] = (),
    refs: Sequence[AttachmentRef] = (),
) -> Case:
    """The one write path for commands on an existing case."""
    when = at or rt.now()
    stored = _store_uploads(rt, uploads) if uploads else []
    with rt.uow() as uow:
        stored = stored + _resolve_refs(uow, refs)
        case = uow.cases.get(case_id)
        if expected_version is not None and case.version != expected_version:
            raise ConflictError(
                "case.stale_version",
                "案卷已被他人更新，请刷新后重试",
                case_id=case_id,
                expected_version=expected_version,
                current_version=case.version,
            )
        event = decide(case, when, stored)
        new = machine.evolve(case, event)
        now = rt.now()
        uow.cases.save(new, event, case.version, now, previous=case)
        _record_attachments(uow, stored, now)
        uow.cases.link_attachments(case.id, event.seq, [a.to_dict() for a in stored])
        _outbox(uow, event, new, now)
        uow.commit()
    return new


def _request_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _case_no(rt: Runtime, case_id: int, at: datetime) -> str:
    tz = ZoneInfo(rt.policy.profile.calendar.time_zone)
    return f"{at.astimezone(tz):%Y%m%d}{case_id:07d}"


# --------------------------------------------------------------------------- report


def locate(rt: Runtime, lon: float, lat: float, crs: CoordSystem) -> Location:
    for name, value, lo, hi in (("lon", lon, -180.0, 180.0), ("lat", lat, -90.0, 90.0)):
        if not (lo <= value <= hi):
            raise ValidationError(
                "location.out_of_range",
                f"坐标{name}={value}超出范围[{lo}, {hi}]",
                field=name,
                value=value,
            )
    loc = rt.locator.locate(lon, lat, crs)
    if loc.grid_code is None:
        raise ValidationError(
            "location.outside_city",
            "该位置不在本市任何单元网格内，请核对坐标及坐标系",
            lon=lon,
            lat=lat,
            crs=crs.value,
        )
    return loc


def duplicate_candidates(
    uow: SqlUnitOfWork, rt: Runtime, class_code: str | None, loc: Location, at: datetime
) -> list[dict[str, Any]]:
    if class_code is None:
        return []
    dup = rt.policy.profile.duplicates
    near = uow.cases.open_cases_near(
        class_code, search_box(loc.lon, loc.lat, dup.radius_m), window_start(at, dup), at
    )
    return [c.to_dict() for c in find_duplicates(class_code, loc.lon, loc.lat, at, near, dup)]


def report_case(
    rt: Runtime,
    actor: Actor,
    *,
    channel: Channel,
    description: str,
    lon: float,
    lat: float,
    crs: CoordSystem = CoordSystem.WGS84,
    address: str = "",
    class_code: str | None = None,
    urgency: Urgency = Urgency.NORMAL,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
    source_ref: str | None = None,
    photos: Sequence[Upload] = (),
    attachments: Sequence[AttachmentRef] = (),
    idempotency_key: str | None = None,
    verifier: str | None = None,
    extra: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ReportResult:
    """上报: locate, check for duplicates, start the first stage clock, append ``reported``."""
    when = at or rt.now()
    loc = locate(rt, lon, lat, crs)
    request_hash = ""
    if idempotency_key is not None:
        if not (1 <= len(idempotency_key) <= 128):
            raise ValidationError(
                "intake.idempotency_key_invalid", "Idempotency-Key 长度须为1–128个字符"
            )
        request_hash = _request_hash(
            {
                "actor": actor.id,
                "channel": channel.value,
                "description": description,
                "lon": lon,
                "lat": lat,
                "crs": crs.value,
                "class_code": class_code,
                "photos": [hashlib.sha256(p.content).hexdigest() for p in photos]
                + [r.sha256 for r in attachments],
            }
        )
    stored = _store_uploads(rt, photos)  # by content hash: storing again is harmless
    needs_verify = rt.policy.needs_verification(channel)
    try:
        with rt.uow() as uow:
            if idempotency_key is not None:
                earlier = _replay_in(uow, idempotency_key, request_hash)
                if earlier is not None:
                    return earlier
            stored = stored + _resolve_refs(uow, attachments)
            case_id = uow.cases.next_case_id()
            dups = duplicate_candidates(uow, rt, class_code, loc, when)
            event = machine.report(
                rt.policy,
                case_id=case_id,
                case_no=_case_no(rt, case_id, when),
                actor=actor,
                at=when,
                channel=channel,
                description=description,
                address=address,
                location=loc,
                class_code=class_code,
                urgency=urgency,
                reporter_name=mask_name(reporter_name),
                reporter_phone=mask_phone(reporter_phone),
                source_ref=source_ref,
                tracking_code="".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10)),
                verifier=(verifier or rt.inspector_for(loc)) if needs_verify else None,
                attachments=stored,
                duplicate_candidates=dups,
                extra=extra,
            )
            case = machine.evolve(None, event)
            now = rt.now()
            uow.cases.add(case, event, now)
            _record_attachments(uow, stored, now)
            uow.cases.link_attachments(case.id, 1, [a.to_dict() for a in stored])
            if idempotency_key is not None:
                uow.conn.execute(
                    _INSERT_INTAKE_KEY,
                    {
                        "key": idempotency_key,
                        "case_id": case.id,
                        "request_hash": request_hash,
                        "created_at": now,
                    },
                )
            _outbox(uow, event, case, now)
            uow.commit()
    except IntegrityError:
        if idempotency_key is None:
            raise
        earlier = _replay_intake(rt, idempotency_key, request_hash)  # a racing retry won
        if earlier is None:
            raise
        return earlier
    return ReportResult(case, True, dups)


def _replay_intake(rt: Runtime, key: str, request_hash: str) -> ReportResult | None:
    with rt.uow(readonly=True) as uow:
        return _replay_in(uow, key, request_hash)


_INSERT_INTAKE_KEY = insert(intake_keys)
_SELECT_INTAKE_KEY = select(intake_keys.c.case_id, intake_keys.c.request_hash).where(
    intake_keys.c.key == bindparam("key")
)


def _replay_in(uow: SqlUnitOfWork, key: str, request_hash: str) -> ReportResult | None:
    """The case an earlier report with this key created (None if there is none); the same
    key with another body is refused."""
    row = uow.conn.execute(_SELECT_INTAKE_KEY, {"key": key}).first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise ConflictError(
            "intake.idempotency_key_reused",
            "该 Idempotency-Key 已用于另一份不同的上报",
            idempotency_key=key,
            case_id=int(row.case_id),
        )
    case = uow.cases.get(int(row.case_id))
    dups = uow.cases.events(case.id)[0].data.get("duplicate_candidates", [])
    return ReportResult(case, False, list(dups))


# --------------------------------------------------------------------------- loop commands


def verify_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    found: bool,
    opinion: str = "",
    photos: Sequence[Upload] = (),
    attachments: Sequence[AttachmentRef] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, a: machine.verify(
            rt.policy, c, actor, t, found=found, opinion=opinion, attachments=a
        ),
        expected_version=expected_version,
        at=at,
        uploads=[_kind(p, "verify") for p in photos],
        refs=attachments,
    )


def reject_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    reason_code: RejectReason,
    reason: str,
    duplicate_of: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    if duplicate_of is not None:
        with rt.uow() as uow:
            uow.cases.get(duplicate_of)  # NotFoundError if the original does not exist
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.reject(
            rt.policy,
            c,
            actor,
            t,
            reason_code=reason_code,
            reason=reason,
            duplicate_of=duplicate_of,
        ),
        expected_version=expected_version,
        at=at,
    )


def file_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    class_code: str,
    condition_code: str,
    opinion: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.file(
            rt.policy,
            c,
            actor,
            t,
            class_code=class_code,
            condition_code=condition_code,
            opinion=opinion,
        ),
        expected_version=expected_version,
        at=at,
    )


def routing_suggestion(rt: Runtime, case: Case) -> RoutingSuggestion | None:
    if case.class_code is None:
        return None
    loc = Location(
        case.lon,
        case.lat,
        case.grid_code,
        case.community_code,
        case.street_code,
        case.district_code,
    )
    return suggest_unit(rt.policy.profile, case.class_code, loc, case.condition_code)


def dispatch_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    unit: str | None = None,
    opinion: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    """派遣. Without ``unit`` the routing suggestion is used (and must exist)."""

    def decide(c: Case, t: datetime, _a: list[Attachment]) -> Event:
        suggestion = routing_suggestion(rt, c)
        target = unit or (suggestion.unit_code if suggestion else None)
        if target is None:
            raise ValidationError("case.unit_required", "没有派遣建议，请指定处置单位")
        return machine.dispatch(
            rt.policy,
            c,
            actor,
            t,
            unit=target,
            opinion=opinion,
            suggested_unit=suggestion.unit_code if suggestion else None,
        )

    return _apply(rt, case_id, decide, expected_version=expected_version, at=at)


def return_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.return_case(rt.policy, c, actor, t, reason=reason),
        expected_version=expected_version,
        at=at,
    )


def request_extension(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    amount: TimeLimit,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.request_extension(
            rt.policy, c, actor, t, amount=amount, reason=reason
        ),
        expected_version=expected_version,
        at=at,
    )


def decide_extension(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    approved: bool,
    opinion: str = "",
    granted: TimeLimit | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.decide_extension(
            rt.policy, c, actor, t, approved=approved, opinion=opinion, granted=granted
        ),
        expected_version=expected_version,
        at=at,
    )


def suspend_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    reason: str,
    requested_by: str | None = None,
    until: datetime | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.suspend(
            rt.policy, c, actor, t, reason=reason, requested_by=requested_by, until=until
        ),
        expected_version=expected_version,
        at=at,
    )


def resume_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    opinion: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.resume(rt.policy, c, actor, t, opinion=opinion),
        expected_version=expected_version,
        at=at,
    )


def handle_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    opinion: str,
    photos: Sequence[Upload] = (),
    attachments: Sequence[AttachmentRef] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, a: machine.handle(rt.policy, c, actor, t, opinion=opinion, attachments=a),
        expected_version=expected_version,
        at=at,
        uploads=[_kind(p, "after") for p in photos],
        refs=attachments,
    )


def request_check(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    inspector: str | None = None,
    opinion: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    """派发核查. Without ``inspector`` the inspector of the case's grid is sent."""

    def decide(c: Case, t: datetime, _a: list[Attachment]) -> Event:
        loc = Location(c.lon, c.lat, c.grid_code, c.community_code, c.street_code, c.district_code)
        who = (
            inspector
            or rt.inspector_for(loc)
            or c.verifier
            or (c.reported_by if c.channel == Channel.INSPECTOR else None)
        )
        if not who:
            raise ValidationError("case.inspector_required", "该网格没有监督员，请指定核查监督员")
        return machine.request_check(rt.policy, c, actor, t, inspector=who, opinion=opinion)

    return _apply(rt, case_id, decide, expected_version=expected_version, at=at)


def rework_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    reason: str,
    photos: Sequence[Upload] = (),
    attachments: Sequence[AttachmentRef] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, a: machine.rework(rt.policy, c, actor, t, reason=reason, attachments=a),
        expected_version=expected_version,
        at=at,
        uploads=[_kind(p, "check") for p in photos],
        refs=attachments,
    )


def close_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    outcome: CloseOutcome = CloseOutcome.FIXED,
    opinion: str = "",
    photos: Sequence[Upload] = (),
    attachments: Sequence[AttachmentRef] = (),
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, a: machine.close(
            rt.policy, c, actor, t, outcome=outcome, opinion=opinion, attachments=a
        ),
        expected_version=expected_version,
        at=at,
        uploads=[_kind(p, "check") for p in photos],
        refs=attachments,
    )


def cancel_case(
    rt: Runtime,
    actor: Actor,
    case_id: int,
    *,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    return _apply(
        rt,
        case_id,
        lambda c, t, _a: machine.cancel(rt.policy, c, actor, t, reason=reason),
        expected_version=expected_version,
        at=at,
    )


def _kind(upload: Upload, default: str) -> Upload:
    return upload if upload.kind != "before" else Upload(upload.content, upload.filename, default)


# --------------------------------------------------------------------------- reads


def get_case(rt: Runtime, case_id: int) -> Case:
    with rt.uow(readonly=True) as uow:
        return uow.cases.get(case_id)


def case_events(rt: Runtime, case_id: int) -> list[Event]:
    with rt.uow(readonly=True) as uow:
        uow.cases.get(case_id)
        return uow.cases.events(case_id)
