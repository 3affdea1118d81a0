"""Platform figures that measure a plan's targets: a registry name → callable(engine, period).

A target ("案件按期处置率 ≥ 90 %") linked to a figure measures itself: ``measure_targets``
asks the registry for the figure's value over a period and stores it. :func:`default_registry`
holds the figures below, counted from the ``cases`` table; :func:`platform_registry` adds the
evaluation engine's indicators (``evaluation.<name>``) and is the one every entry point (API,
command line) links and measures with, so a link made through one is measured by the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, and_, func, select

from cityops.adapters.db.tables.cases import cases
from cityops.domain.workplan.period import Period
from cityops.errors import NotFoundError, ValidationError

FigureFn = Callable[[Engine, Period], Decimal | int | float | None]


@dataclass(frozen=True)
class Figure:
    name: str
    fn: FigureFn
    unit: str
    description: str


class FigureRegistry:
    def __init__(self) -> None:
        self._figures: dict[str, Figure] = {}

    def register(self, name: str, fn: FigureFn, *, unit: str, description: str) -> None:
        if name in self._figures:
            raise ValidationError("workplan.figure.duplicate", f"指标“{name}”已登记", name=name)
        self._figures[name] = Figure(name, fn, unit, description)

    def get(self, name: str) -> Figure:
        try:
            return self._figures[name]
        except KeyError:
            raise NotFoundError(
                "workplan.figure.unknown",
                f"没有名为“{name}”的平台指标",
                name=name,
                known=sorted(self._figures),
            ) from None

    def names(self) -> list[str]:
        return sorted(self._figures)

    def figures(self) -> list[Figure]:
        return [self._figures[n] for n in self.names()]

    def evaluate(self, name: str, engine: Engine, period: Period) -> Decimal | None:
        value = self.get(name).fn(engine, period)
        return None if value is None else Decimal(str(value))


def _count(engine: Engine, column_name: str, period: Period) -> int:
    lo, hi = period.utc_bounds()
    column = cases.c[column_name]
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(cases).where(and_(column >= lo, column < hi))
            ).scalar_one()
        )


def cases_filed(engine: Engine, period: Period) -> int:
    """立案数: cases filed in the period."""
    return _count(engine, "filed_at", period)


def cases_closed(engine: Engine, period: Period) -> int:
    """结案数: cases closed in the period."""
    return _count(engine, "closed_at", period)


def handled_on_time_rate(engine: Engine, period: Period) -> Decimal | None:
    """按期处置率 (%): of the cases handled in the period, the share handled within their limit;
    None when none was handled."""
    lo, hi = period.utc_bounds()
    handled = and_(cases.c.handled_at >= lo, cases.c.handled_at < hi)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(cases).where(handled)).scalar_one()
        on_time = conn.execute(
            select(func.count())
            .select_from(cases)
            .where(handled, cases.c.handled_on_time.is_(True))
        ).scalar_one()
    if not total:
        return None
    return (Decimal(on_time) * 100 / Decimal(total)).quantize(Decimal("0.01"))


def default_registry() -> FigureRegistry:
    registry = FigureRegistry()
    registry.register("cases.filed", cases_filed, unit="件", description="立案数（期内立案的案件）")
    registry.register(
        "cases.closed", cases_closed, unit="件", description="结案数（期内结案的案件）"
    )
    registry.register(
        "cases.handled_on_time_rate",
        handled_on_time_rate,
        unit="%",
        description="按期处置率（期内处置的案件中按期处置的比例）",
    )
    return registry


def platform_registry() -> FigureRegistry:
    """Every figure a target can be linked to: the case counts of :func:`default_registry`
    and the evaluation indicators (``evaluation.<name>``)."""
    from cityops.services.evaluation.indicators import register_into

    registry = default_registry()
    register_into(registry)
    return registry
