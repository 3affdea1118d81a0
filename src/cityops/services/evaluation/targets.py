"""Indicator targets: set a target for an indicator, an object and a period; measure every
target of a period and keep the measured value and status. One transaction per command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from cityops.adapters.db.tables.evaluation import evaluation_targets as t
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.evaluation.targets import Comparator, TargetStatus, status
from cityops.errors import ValidationError
from cityops.services.evaluation.evaluate import period_of
from cityops.services.evaluation.indicators import indicator, measure, parse_object


@dataclass(frozen=True, slots=True)
class Target:
    id: int
    indicator: str
    object_kind: str
    object_code: str
    period: str
    comparator: Comparator
    target: float
    note: str
    measured: float | None
    status: TargetStatus | None
    measured_at: datetime | None

    @property
    def label_zh(self) -> str:
        return f"{indicator(self.indicator).label_zh}{self.comparator.label_zh}{self.target:g}"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "indicator": self.indicator,
            "indicator_zh": indicator(self.indicator).label_zh,
            "object": f"{self.object_kind}:{self.object_code}",
            "period": self.period,
            "comparator": self.comparator.value,
            "target": self.target,
            "measured": self.measured,
            "status": self.status.value if self.status else None,
            "status_zh": self.status.label_zh if self.status else None,
            "note": self.note,
        }


def _row(r: object) -> Target:
    m = r._mapping  # type: ignore[attr-defined]
    return Target(
        id=int(m["id"]),
        indicator=m["indicator"],
        object_kind=m["object_kind"],
        object_code=m["object_code"],
        period=m["period"],
        comparator=Comparator(m["comparator"]),
        target=float(m["target"]),
        note=m["note"],
        measured=m["measured"],
        status=TargetStatus(m["status"]) if m["status"] else None,
        measured_at=m["measured_at"],
    )


def set_target(
    engine: Engine,
    *,
    indicator_name: str,
    period: EvalPeriod | str,
    comparator: str | Comparator,
    target: float,
    object: object = None,
    note: str = "",
    actor: str = "system",
    now: datetime | None = None,
) -> Target:
    """Set (or change) the target of an indicator for an object and a period."""
    ind = indicator(indicator_name)
    comp = comparator if isinstance(comparator, Comparator) else Comparator.parse(comparator)
    kind, code = parse_object(object)
    p = period_of(engine, period)
    if ind.unit == "%" and not 0 <= target <= 100:
        raise ValidationError(
            "evaluation.target_out_of_range", "比率指标的目标值应在0–100之间", target=target
        )
    at = now or datetime.now(UTC)
    key = (
        (t.c.indicator == ind.name)
        & (t.c.object_kind == kind.value)
        & (t.c.object_code == code)
        & (t.c.period == p.label)
    )
    with engine.begin() as conn:
        existing = conn.execute(select(t.c.id).where(key)).scalar()
        values = {"comparator": comp.value, "target": float(target), "note": note}
        if existing is None:
            conn.execute(
                insert(t).values(
                    indicator=ind.name,
                    object_kind=kind.value,
                    object_code=code,
                    period=p.label,
                    period_start=p.start,
                    period_end=p.end,
                    created_at=at,
                    created_by=actor,
                    **values,
                )
            )
        else:
            conn.execute(
                update(t)
                .where(t.c.id == existing)
                .values(measured=None, status=None, measured_at=None, **values)
            )
        return _row(conn.execute(select(t).where(key)).one())


def list_targets(engine: Engine, period: EvalPeriod | str | None = None) -> list[Target]:
    stmt = select(t).order_by(t.c.period_start, t.c.indicator, t.c.object_kind, t.c.object_code)
    if period is not None:
        p = period_of(engine, period)
        stmt = stmt.where(t.c.period == p.label)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(stmt)]


def measure_targets(
    engine: Engine, period: EvalPeriod | str | None = None, *, now: datetime | None = None
) -> list[Target]:
    """Measure the targets of a period (all targets when None) and store the values."""
    at = now or datetime.now(UTC)
    out: list[Target] = []
    for target in list_targets(engine, period):
        value = measure(
            engine,
            target.indicator,
            period_of(engine, target.period),
            (target.object_kind, target.object_code),
        )
        st = status(value, target.comparator, target.target)
        with engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id == target.id)
                .values(measured=value, status=st.value, measured_at=at)
            )
            out.append(_row(conn.execute(select(t).where(t.c.id == target.id)).one()))
    return out
