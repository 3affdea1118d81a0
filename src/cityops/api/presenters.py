"""Turn cases and events into API resources, showing each user only the fields they need."""

from __future__ import annotations

import hashlib
from typing import Any

from cityops.api.schemas.cases import (
    AttachmentOut,
    CaseOut,
    CaseSummaryOut,
    EventOut,
)
from cityops.api.schemas.public import PublicCaseOut
from cityops.domain.access import User, is_public_view, sees_contact
from cityops.domain.cases.attachments import sniff_mime
from cityops.domain.cases.machine import allowed_actions
from cityops.domain.cases.model import Actor, Case, Event
from cityops.domain.cases.policy import deadline_is_working
from cityops.domain.cases.vocabulary import (
    STATE_LABELS_ZH,
    CaseState,
    CloseOutcome,
    EventType,
    Role,
)
from cityops.domain.catalog.model import CityProfile
from cityops.services.cases import Upload

PUBLIC_OUTCOME_ZH = {
    CloseOutcome.FIXED.value: "已办结（问题已解决）",
    CloseOutcome.NO_LONGER_PRESENT.value: "已办结（现场问题已不存在）",
    CloseOutcome.NOT_FIXABLE.value: "已办结（暂不具备处置条件，未解决）",
}
REJECT_ZH = {
    "duplicate": "不予立案（与已受理的问题重复，将随原问题一并处理）",
    "out_of_scope": "不予立案（不属于城市管理受理范围）",
    "no_condition": "不予立案（未达到立案条件）",
    "not_found": "不予立案（现场核实未发现该问题）",
    "other": "不予立案",
}
PUBLIC_STEPS = {
    EventType.REPORTED: "已提交",
    EventType.VERIFIED: "已现场核实",
    EventType.FILED: "已受理立案",
    EventType.DISPATCHED: "已交办处置单位",
    EventType.HANDLED: "处置单位已反馈处理结果",
    EventType.REWORKED: "核查未通过，已要求重新处理",
    EventType.CLOSED: "已办结",
    EventType.REJECTED: "不予立案",
    EventType.CANCELLED: "已作废",
}


CONTACT_FIELDS = ("reporter_name", "reporter_phone", "tracking_code")
PUBLIC_ACTOR_ZH = "市民"


def mask_event_data(
    user: User, role: str, actor: str, data: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """An event's data and actor as ``user`` may see them: reporters' contact data and the
    login of a citizen who reported only for the roles that talk to reporters."""
    if sees_contact(user):
        return data, actor
    data = {k: v for k, v in data.items() if k not in CONTACT_FIELDS}
    if role == Role.PUBLIC.value:
        actor = PUBLIC_ACTOR_ZH
    return data, actor


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.role, user.unit, user.name)


def class_name(profile: CityProfile, code: str | None) -> str | None:
    if not code:
        return None
    cls = profile.classes.get(code)
    return cls.name if cls else None


def attachment_out(a: dict[str, Any]) -> AttachmentOut:
    return AttachmentOut(
        sha256=a["sha256"],
        mime=a.get("mime"),
        size=a.get("size"),
        kind=a.get("kind", "other"),
        filename=a.get("filename", ""),
        seq=a.get("seq"),
        url=f"/api/v1/attachments/{a['sha256']}",
    )


def upload_view(up: Upload, seq: int) -> dict[str, Any]:
    """An attachment just received, as ``attachment_out`` takes it (no need to read it back)."""
    return {
        "sha256": hashlib.sha256(up.content).hexdigest(),
        "mime": sniff_mime(up.content[:32]),
        "size": len(up.content),
        "kind": up.kind,
        "filename": up.filename[:255],
        "seq": seq,
    }


def summary_out(row: dict[str, Any], profile: CityProfile) -> CaseSummaryOut:
    state = CaseState(row["state"])
    deadline = row["handling_deadline"] if state == CaseState.DISPATCHED else row["stage_deadline"]
    return CaseSummaryOut(
        id=row["id"],
        case_no=row["case_no"],
        version=row["version"],
        state=state.value,
        state_label=STATE_LABELS_ZH[state],
        channel=row["channel"],
        class_code=row["class_code"],
        class_name=class_name(profile, row["class_code"]),
        urgency=row["urgency"],
        description=row["description"],
        address=row["address"],
        lon=row["lon"],
        lat=row["lat"],
        grid_code=row["grid_code"],
        street_code=row["street_code"],
        district_code=row["district_code"],
        assigned_unit=row["assigned_unit"],
        stage=row["stage"],
        deadline=deadline,
        deadline_working=deadline_is_working(
            profile,
            state.value,
            row["stage"],
            row["urgency"],
            row["area_class"],
            row["handling_working"],
        ),
        suspended=bool(row["suspended"]),
        light=row["light"],
        reported_at=row["reported_at"],
        closed_at=row["closed_at"],
        rework_count=row["rework_count"],
    )


def case_out(
    case: Case,
    user: User,
    profile: CityProfile,
    attachments: list[dict[str, Any]],
    first_event: Event | None = None,
    routing: dict[str, Any] | None = None,
    *,
    duplicate_candidates: list[dict[str, Any]] | None = None,
) -> CaseOut:
    contact = sees_contact(user)
    deadline = case.current_deadline()
    return CaseOut(
        id=case.id,
        case_no=case.case_no,
        version=case.version,
        state=case.state.value,
        state_label=STATE_LABELS_ZH[case.state],
        channel=case.channel.value,
        class_code=case.class_code,
        class_name=class_name(profile, case.class_code),
        urgency=case.urgency.value,
        description=case.description,
        address=case.address,
        lon=case.lon,
        lat=case.lat,
        grid_code=case.grid_code,
        community_code=case.community_code,
        street_code=case.street_code,
        district_code=case.district_code,
        assigned_unit=case.assigned_unit,
        stage=case.stage_clock.stage.value
        if case.stage_clock
        else ("handle" if case.state == CaseState.DISPATCHED else None),
        deadline=deadline,
        deadline_working=deadline_is_working(
            profile,
            case.state.value,
            case.stage_clock.stage.value if case.stage_clock else None,
            case.urgency.value,
            case.area_class.value,
            case.handling.working if case.handling else None,
        ),
        stage_deadline=case.stage_clock.deadline if case.stage_clock else None,
        suspended=case.suspended,
        light=case.light.value,
        reported_at=case.reported_at,
        closed_at=case.closed_at,
        rework_count=case.rework_count,
        condition_code=case.condition_code,
        handling_limit=case.handling_limit,
        handling_deadline=case.handling_deadline,
        reporter_name=case.reporter_name if contact else None,
        reporter_phone=case.reporter_phone if contact else None,
        source_ref=case.source_ref,
        tracking_code=case.tracking_code if contact else None,
        verifier=case.verifier,
        checker=case.checker,
        reported_by=_reporter(case, user, first_event),
        pending_extension=dict(case.pending_extension) if case.pending_extension else None,
        outcome=case.outcome,
        duplicate_of=case.duplicate_of,
        return_count=case.return_count,
        extension_count=case.extension_count,
        suspension_count=case.suspension_count,
        allowed_actions=[a.value for a in allowed_actions(case, actor_of(user))],
        attachments=[attachment_out(a) for a in attachments],
        duplicate_candidates=list(duplicate_candidates)
        if duplicate_candidates is not None
        else list(first_event.data.get("duplicate_candidates", []))
        if first_event
        else [],
        routing_suggestion=routing,
    )


def _reporter(case: Case, user: User, first_event: Event | None) -> str:
    """Who reported: staff logins are shown to staff; a citizen's login only to the roles that
    talk to reporters; handlers learn the channel only (they do not need more)."""
    if user.role == Role.HANDLER:
        return case.channel.label_zh
    if first_event is not None:
        by_public = first_event.role == Role.PUBLIC
    else:
        by_public = case.channel.value == "public"
    if by_public and not sees_contact(user):
        return case.channel.label_zh
    return case.reported_by


def public_status(case: Case) -> tuple[str, str]:
    state = case.state
    if state == CaseState.CLOSED:
        return f"closed_{case.outcome or 'fixed'}", PUBLIC_OUTCOME_ZH.get(
            case.outcome or "fixed", "已办结"
        )
    if state == CaseState.REJECTED:
        return "rejected", REJECT_ZH.get(case.outcome or "other", "不予立案")
    if state == CaseState.CANCELLED:
        return "cancelled", "已作废（案卷无效）"
    if state in (CaseState.REPORTED, CaseState.VERIFYING):
        return "received", "已受理，正在核实"
    return "in_progress", "处理中"


def public_out(
    case: Case, profile: CityProfile, events: list[Event], attachments: list[dict[str, Any]]
) -> PublicCaseOut:
    status, label = public_status(case)
    photos = [attachment_out(a) for a in attachments if a.get("kind") in ("before", "after")]
    progress = [
        {"at": e.at.isoformat(), "step": e.type.value, "label": PUBLIC_STEPS[e.type]}
        for e in events
        if e.type in PUBLIC_STEPS
    ]
    return PublicCaseOut(
        id=case.id,
        case_no=case.case_no,
        tracking_code=case.tracking_code,
        status=status,
        status_label=label,
        class_name=class_name(profile, case.class_code),
        description=case.description,
        address=case.address,
        reported_at=case.reported_at,
        closed_at=case.closed_at,
        photos=photos,
        progress=progress,
    )


def event_out(e: Event, user: User) -> EventOut:
    data, actor = mask_event_data(user, e.role.value, e.actor, dict(e.data))
    return EventOut(
        seq=e.seq,
        type=e.type.value,
        type_label=e.type.label_zh,
        at=e.at,
        actor=actor,
        role=e.role.value,
        unit=e.unit,
        from_state=e.from_state.value if e.from_state else None,
        to_state=e.to_state.value,
        data=data,
    )


def wants_public_view(user: User) -> bool:
    return is_public_view(user)
