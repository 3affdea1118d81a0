"""Indicator registry: names a target or a work-plan ledger uses (“结案率”, “hotline.closure_rate”)
mapped to the engine's figures, and ``measure`` to read one.

Every rate and count of ``docs/evaluation.md`` is registered under its key (``closure_rate``,
``filed``) and its Chinese label (``结案率``, ``立案数``); the ``hotline.`` variants count only
the cases that came in through the 12345 hotline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from cityops.domain.evaluation.definitions import CITY_CODE, RATES, Count, ObjectKind
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.errors import NotFoundError, ValidationError
from cityops.services.evaluation.engine import engine_counts, reading
from cityops.services.evaluation.evaluate import inspector_assignment, period_of
from cityops.services.evaluation.facts import refresh_facts


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str  # registry key
    label_zh: str
    unit: str  # "%" or "件"
    rate: str | None = None  # a key of RATES
    count: Count | None = None
    channels: frozenset[str] | None = None  # only cases reported through these channels


def _registry() -> dict[str, Indicator]:
    items: list[Indicator] = []
    for key, rate in RATES.items():
        items.append(Indicator(key, rate.label_zh, "%", rate=key))
    for count in Count:
        items.append(Indicator(count.value, count.label_zh, "件", count=count))
    hotline = frozenset({"hotline"})
    for key in ("closure_rate", "on_time_closure_rate", "handling_rate", "on_time_handling_rate"):
        label = "热线" + RATES[key].label_zh.replace("结案", "办结")
        items.append(Indicator(f"hotline.{key}", label, "%", rate=key, channels=hotline))
    for count in (Count.REPORTED, Count.FILED, Count.CLOSED):
        items.append(
            Indicator(
                f"hotline.{count.value}",
                "热线" + count.label_zh,
                "件",
                count=count,
                channels=hotline,
            )
        )
    out: dict[str, Indicator] = {}
    for item in items:
        out[item.name] = item
        out.setdefault(item.label_zh, item)
    return out


REGISTRY: dict[str, Indicator] = _registry()


def indicator(name: str) -> Indicator:
    try:
        return REGISTRY[name.strip()]
    except KeyError:
        raise NotFoundError(
            "evaluation.indicator_unknown",
            f"没有名为“{name}”的评价指标",
            indicator=name,
            known=sorted({i.name for i in REGISTRY.values()}),
        ) from None


def indicators() -> list[Indicator]:
    """Each indicator once (by its key)."""
    seen: dict[str, Indicator] = {}
    for item in REGISTRY.values():
        seen.setdefault(item.name, item)
    return sorted(seen.values(), key=lambda i: i.name)


def parse_object(obj: object) -> tuple[ObjectKind, str]:
    """``None`` (the whole city), ``(kind, code)``, or ``"kind:code"`` (``district:370102``)."""
    if obj is None or obj == "" or obj == CITY_CODE:
        return ObjectKind.CITY, CITY_CODE
    if isinstance(obj, tuple) and len(obj) == 2:
        kind, code = obj
    elif isinstance(obj, str) and ":" in obj:
        kind, code = obj.split(":", 1)
    else:
        raise ValidationError(
            "evaluation.object_invalid",
            "评价对象应写作“类型:代码”，如 district:370102",
            object=str(obj),
        )
    try:
        return ObjectKind(str(kind)), str(code)
    except ValueError:
        raise ValidationError(
            "evaluation.object_kind_unknown",
            f"未知的评价对象类型“{kind}”",
            kind=str(kind),
            known=[k.value for k in ObjectKind],
        ) from None


def measure(
    engine: Engine,
    indicator_name: str,
    period: EvalPeriod | str | object,
    object: object = None,
) -> float | None:
    """The value of an indicator for an object (default: the whole city) in a period: a
    rate in percent, or a count; ``None`` when a rate has no denominator (no data)."""
    ind = indicator(indicator_name)
    kind, code = parse_object(object)
    p = period_of(engine, period)
    lo, hi = p.utc_bounds()
    refresh_facts(engine)
    with reading(engine) as conn:
        counts = engine_counts(conn, lo, hi, inspector_assignment(conn), ind.channels)
    c: Mapping[str, int] = counts.get((kind, code)) or {}
    if ind.rate is not None:
        value = RATES[ind.rate].value(c)
        return None if value is None else round(value, 4)
    assert ind.count is not None
    return float(c.get(ind.count, 0))


def measure_many(
    engine: Engine,
    names: Iterable[str],
    period: EvalPeriod | str | object,
    object: object = None,
) -> dict[str, float | None]:
    return {name: measure(engine, name, period, object) for name in names}


def register_into(registry: object, prefix: str = "evaluation.") -> int:
    """Register every indicator into a registry with ``register(name, fn, *, unit,
    description)`` — the work-plan figure registry — as ``fn(engine, period)`` (the whole
    city). Returns how many were registered."""
    n = 0
    for ind in indicators():

        def fn(engine: Engine, period: object, _name: str = ind.name) -> float | None:
            return measure(engine, _name, period)

        registry.register(  # type: ignore[attr-defined]
            prefix + ind.name, fn, unit=ind.unit, description=f"{ind.label_zh}（综合评价指标）"
        )
        n += 1
    return n
