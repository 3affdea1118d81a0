"""Petitions (信访): the ledger, each petition's history and commands, long-standing cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from cityops.api.deps import RT, require_roles
from cityops.api.presenters import actor_of
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.api.schemas.hotline import (
    MAX_ID,
    PetitionAcceptIn,
    PetitionAnswerIn,
    PetitionExtendIn,
    PetitionIn,
    PetitionLinkIn,
    PetitionNoteIn,
    PetitionOut,
    PetitionReasonIn,
)
from cityops.domain.access import CENTRE_ROLES, User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.hotline.petitions import (
    LONG_STANDING_LABELS_ZH,
    Petition,
    PetitionPolicy,
    PetitionState,
    long_standing_reasons,
)
from cityops.services.hotline import petitions as svc
from cityops.services.runtime import Runtime

PetitionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The petition id")]
router = APIRouter(prefix="/petitions", tags=["petitions 信访"], responses=ERROR_RESPONSES)
Desk = Annotated[User, Depends(require_roles(*sorted(CENTRE_ROLES | {Role.HANDLER})))]


def petition_out(rt: Runtime, p: Petition) -> PetitionOut:
    now = rt.now()
    reasons = long_standing_reasons(p, now, PetitionPolicy())
    deadline = p.current_deadline()
    return PetitionOut(
        id=p.id,
        petition_no=p.petition_no,
        version=p.version,
        state=p.state.value,
        state_label=p.state.label_zh,
        channel=p.channel.value,
        category=p.category,
        subject=p.subject,
        content=p.content,
        received_at=p.received_at,
        petitioner_name=p.petitioner_name,
        people=p.people,
        repeat_count=p.repeat_count,
        first_unit=p.first_unit,
        accept_deadline=p.accept_deadline,
        accepted_at=p.accepted_at,
        answer_deadline=p.answer_deadline,
        extended_days=p.extended_days,
        answered_at=p.answered_at,
        answer=p.answer,
        resolved=p.resolved,
        review_deadline=p.review_deadline,
        closed_at=p.closed_at,
        links=[{"kind": k, "id": i} for k, i in p.links],
        long_standing=reasons,
        long_standing_labels=[LONG_STANDING_LABELS_ZH[r] for r in reasons],
        overdue=deadline is not None and now > deadline,
    )


def _visible(user: User, p: Petition) -> None:
    from cityops.errors import NotFoundError

    if user.role == Role.HANDLER and p.first_unit not in (user.units_below or {user.unit}):
        raise NotFoundError("petition.not_found", f"信访事项{p.id}不存在", petition_id=p.id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="登记信访事项 Register",
    response_model=PetitionOut,
)
def register(rt: RT, user: Desk, body: PetitionIn) -> PetitionOut:
    reg = svc.register_petition(
        rt,
        actor_of(user),
        channel=body.channel,
        category=body.category,
        subject=body.subject,
        content=body.content,
        petitioner_name=body.petitioner_name,
        petitioner_phone=body.petitioner_phone,
        people=body.people,
        order_id=body.order_id,
        case_id=body.case_id,
    )
    return petition_out(rt, reg.petition)


@router.get("", summary="信访台账 The ledger", response_model=list[PetitionOut])
def ledger(
    rt: RT,
    user: Desk,
    state: PetitionState | None = None,
    first_unit: Annotated[str | None, Query(max_length=64)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    long_standing: Annotated[bool, Query(description="积案 only")] = False,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> list[PetitionOut]:
    if user.role == Role.HANDLER:
        first_unit = user.unit
    rows = svc.ledger(
        rt,
        state=state,
        first_unit=first_unit or None,
        category=category or None,
        long_standing_only=long_standing,
        limit=limit,
    )
    return [petition_out(rt, r.petition) for r in rows]


@router.get("/{petition_id}", summary="信访事项 A petition", response_model=PetitionOut)
def detail(rt: RT, user: Desk, petition_id: PetitionId) -> PetitionOut:
    p = svc.get_petition(rt, petition_id)
    _visible(user, p)
    return petition_out(rt, p)


@router.get("/{petition_id}/history", summary="办理过程 History")
def history(rt: RT, user: Desk, petition_id: PetitionId) -> list[dict[str, Any]]:
    _visible(user, svc.get_petition(rt, petition_id))
    return svc.petition_history(rt, petition_id)


def _cmd(rt: Runtime, user: User, petition_id: PetitionId) -> None:
    _visible(user, svc.get_petition(rt, petition_id))


@router.post("/{petition_id}/accept", summary="受理 Accept", response_model=PetitionOut)
def accept(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionAcceptIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    p = svc.accept_petition(
        rt, actor_of(user), petition_id, first_unit=body.first_unit, opinion=body.opinion
    )
    return petition_out(rt, p)


@router.post("/{petition_id}/not-accept", summary="不予受理", response_model=PetitionOut)
def not_accept(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionReasonIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    return petition_out(
        rt, svc.not_accept_petition(rt, actor_of(user), petition_id, reason=body.reason)
    )


@router.post("/{petition_id}/extend", summary="延期 Extend", response_model=PetitionOut)
def extend(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionExtendIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    p = svc.extend_petition(rt, actor_of(user), petition_id, days=body.days, reason=body.reason)
    return petition_out(rt, p)


@router.post("/{petition_id}/answer", summary="出具处理意见 Answer", response_model=PetitionOut)
def answer(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionAnswerIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    p = svc.answer_petition(rt, actor_of(user), petition_id, text=body.text, resolved=body.resolved)
    return petition_out(rt, p)


@router.post("/{petition_id}/review-request", summary="申请复查", response_model=PetitionOut)
def review_request(
    rt: RT, user: Desk, petition_id: PetitionId, body: PetitionReasonIn
) -> PetitionOut:
    _cmd(rt, user, petition_id)
    return petition_out(rt, svc.request_review(rt, actor_of(user), petition_id, reason=body.reason))


@router.post("/{petition_id}/review", summary="复查意见", response_model=PetitionOut)
def review(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionAnswerIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    p = svc.review_petition(rt, actor_of(user), petition_id, text=body.text, resolved=body.resolved)
    return petition_out(rt, p)


@router.post("/{petition_id}/close", summary="办结 Close", response_model=PetitionOut)
def close(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionNoteIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    return petition_out(rt, svc.close_petition(rt, actor_of(user), petition_id, note=body.note))


@router.post(
    "/{petition_id}/links",
    summary="关联工单或案卷 Link an order or a case",
    response_model=PetitionOut,
)
def link(rt: RT, user: Desk, petition_id: PetitionId, body: PetitionLinkIn) -> PetitionOut:
    _cmd(rt, user, petition_id)
    p = svc.link_petition(rt, actor_of(user), petition_id, kind=body.kind, ref_id=body.ref_id)
    return petition_out(rt, p)
