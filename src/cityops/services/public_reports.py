"""Public reporting (随手拍) without an account: anonymous intake with a per-address rate
limit, following a report by its tracking code, and one satisfaction rating per closed case.

Anonymous reports enter the normal write path (``report_case``) on the ``public`` channel under
one system actor, so they are verified on site like any public report. The reporter's phone is
masked before it is stored (``report_case`` does that). The client address is kept only as a
keyed hash, for the rate limit.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from cityops.adapters.db.tables.cases import cases, intake_keys
from cityops.adapters.db.tables.public import public_intake, public_ratings
from cityops.domain.cases.model import Actor, Case
from cityops.domain.cases.vocabulary import CaseState, Channel, Role
from cityops.domain.geo.model import CoordSystem
from cityops.errors import CityopsError, ConflictError, NotFoundError, ValidationError
from cityops.services.cases import AttachmentRef, ReportResult, Upload, report_case
from cityops.services.runtime import Runtime

ANONYMOUS = Actor("public.anonymous", Role.PUBLIC, None, "匿名市民")
TRACKING_CODE_LENGTH = 10
MAX_COMMENT = 500


class RateLimitedError(CityopsError):
    http_status = 429
    default_code = "public.rate_limited"


@dataclass(frozen=True, slots=True)
class Rating:
    score: int
    comment: str
    rated_at: datetime


def client_hash(rt: Runtime, client: str) -> str:
    """A keyed hash of the client address: enough to count, useless to identify."""
    key = (rt.settings.secret_key or rt.policy.profile.city_code).encode()
    return hmac.new(key, client.encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def report_anonymously(
    rt: Runtime,
    *,
    client: str,
    description: str,
    lon: float,
    lat: float,
    crs: CoordSystem,
    address: str = "",
    reporter_phone: str | None = None,
    photos: Sequence[Upload] = (),
    attachments: Sequence[AttachmentRef] = (),
    idempotency_key: str | None = None,
    max_per_hour: int = 10,
) -> ReportResult:
    """随手拍: a report from a citizen without an account. A retry with the same
    ``Idempotency-Key`` answers the first case and does not count against the limit."""
    who = client_hash(rt, client)
    since = rt.now() - timedelta(hours=1)
    with rt.uow(readonly=True) as uow:
        recent = uow.conn.execute(
            select(func.count())
            .select_from(public_intake)
            .where(public_intake.c.client_hash == who, public_intake.c.at >= since)
        ).scalar_one()
    if recent >= max_per_hour and not _known_key(rt, idempotency_key):
        raise RateLimitedError(
            "public.rate_limited",
            f"提交过于频繁：每小时最多上报{max_per_hour}次，请稍后再试",
            max_per_hour=max_per_hour,
        )
    result = report_case(
        rt,
        ANONYMOUS,
        channel=Channel.PUBLIC,
        description=description,
        lon=lon,
        lat=lat,
        crs=crs,
        address=address,
        reporter_phone=reporter_phone or None,
        photos=photos,
        attachments=attachments,
        idempotency_key=idempotency_key,
    )
    if result.created:
        with rt.uow() as uow:
            uow.conn.execute(
                insert(public_intake).values(case_id=result.case.id, client_hash=who, at=rt.now())
            )
            uow.commit()
    return result


def _known_key(rt: Runtime, key: str | None) -> bool:
    """Whether a retry repeats an accepted report (a replay never counts against the limit)."""
    if not key:
        return False
    with rt.uow(readonly=True) as uow:
        found = uow.conn.execute(select(intake_keys.c.key).where(intake_keys.c.key == key)).first()
    return found is not None


def case_by_tracking_code(rt: Runtime, code: str) -> Case:
    wanted = normalise_code(code)
    if len(wanted) != TRACKING_CODE_LENGTH or not wanted.isalnum():
        raise ValidationError(
            "public.tracking_code_invalid",
            f"查询码应为{TRACKING_CODE_LENGTH}位字母或数字",
            tracking_code=code[:32],
        )
    with rt.uow(readonly=True) as uow:
        case_id = uow.conn.execute(
            select(cases.c.id).where(cases.c.tracking_code == wanted)
        ).scalar_one_or_none()
        case = uow.cases.find(int(case_id)) if case_id is not None else None
    if case is None:
        raise NotFoundError(
            "public.tracking_code_unknown", "没有找到该查询码对应的上报，请核对后重试"
        )
    return case


def rating_of(rt: Runtime, case_id: int) -> Rating | None:
    with rt.uow(readonly=True) as uow:
        row = uow.conn.execute(
            select(public_ratings).where(public_ratings.c.case_id == case_id)
        ).first()
    return Rating(int(row.score), row.comment, row.rated_at) if row is not None else None


def rate_case(rt: Runtime, code: str, *, score: int, comment: str = "") -> Rating:
    """满意度评价: once per case, and only when the case is closed."""
    if not 1 <= score <= 5:
        raise ValidationError("public.score_invalid", "评价分值应为1至5分", score=score)
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            "public.comment_too_long", f"评价内容不能超过{MAX_COMMENT}字", max=MAX_COMMENT
        )
    case = case_by_tracking_code(rt, code)
    if case.state != CaseState.CLOSED:
        raise ConflictError("public.not_closed", "问题办结后才能评价", state=case.state.label_zh)
    rating = Rating(score, text, rt.now())
    try:
        with rt.uow() as uow:
            uow.conn.execute(
                insert(public_ratings).values(
                    case_id=case.id, score=score, comment=text, rated_at=rating.rated_at
                )
            )
            uow.commit()
    except IntegrityError:
        raise ConflictError("public.already_rated", "该上报已评价过，不能重复评价") from None
    return rating
