"""Evaluate a period: counts from the SQL engine, then rates, composite scores, grades,
rankings, names, and the changes against the previous period (环比) and a year before (同比).

An evaluation stores no figures (``record_scores`` in ``targets``/``assessment`` stores what
a city wants kept); it only brings the evaluation's projection of the event log up to date
first (``facts.refresh_facts``), which makes it fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from cityops.adapters.db.tables.accounts import user_grids, users
from cityops.adapters.db.tables.geography import regions
from cityops.domain.catalog.model import CityProfile
from cityops.domain.evaluation.definitions import (
    CITY_CODE,
    REGION_KINDS,
    Counts,
    ObjectKind,
    rates,
)
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.evaluation.results import Change, Evaluation, ObjectResult
from cityops.domain.evaluation.scoring import competition_ranks, composite
from cityops.services.evaluation.engine import engine_counts, reading
from cityops.services.evaluation.facts import refresh_facts
from cityops.services.profile import active_profile

K = ObjectKind
PARENT_LENGTH = {K.STREET: 6, K.COMMUNITY: 9, K.GRID: 12}


def period_of(
    engine: Engine, period: EvalPeriod | str | object, profile: CityProfile | None = None
) -> EvalPeriod:
    zone = (profile or active_profile(engine)).calendar.time_zone
    p = EvalPeriod.coerce(period, zone)
    return p if p.time_zone == zone else EvalPeriod(p.kind, p.start, p.end, zone)


def inspector_assignment(conn: Connection) -> dict[str, set[str]]:
    """Inspector id → the grids assigned to them in the accounts (empty if none are)."""
    out: dict[str, set[str]] = defaultdict(set)
    try:
        rows = conn.execute(
            select(user_grids.c.user_id, user_grids.c.grid_code)
            .join(users, users.c.id == user_grids.c.user_id)
            .where(users.c.role == "inspector")
        ).all()
    except SQLAlchemyError:  # accounts not migrated in this database
        conn.rollback()
        return {}
    for user, grid in rows:
        out[str(user)].add(str(grid))
    return dict(out)


def period_counts(
    engine: Engine,
    period: EvalPeriod,
    assignment: Mapping[str, Iterable[str]] | None = None,
    *,
    refresh: bool = True,
) -> Counts:
    lo, hi = period.utc_bounds()
    if refresh:
        refresh_facts(engine)
    with reading(engine) as conn:
        if assignment is None:
            assignment = inspector_assignment(conn)
        return engine_counts(conn, lo, hi, assignment)


def evaluate(
    engine: Engine,
    period: EvalPeriod | str | object,
    *,
    profile: CityProfile | None = None,
    compare: bool = True,
    assignment: Mapping[str, Iterable[str]] | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """The evaluation of every object in ``period`` (a text such as ``2025-10`` is read in
    the city's time zone)."""
    profile = profile or active_profile(engine)
    p = period_of(engine, period, profile)
    refresh_facts(engine)
    with reading(engine) as conn:
        if assignment is None:
            assignment = inspector_assignment(conn)
        names = object_names(conn, profile)
    counts = period_counts(engine, p, assignment, refresh=False)
    objects = build_objects(counts, profile, p, names)
    result = Evaluation(p, now or datetime.now(UTC), objects, profile.city_name)
    if compare:
        result.previous, result.year_ago = p.previous(), p.year_ago()
        for attr, other in (("mom", result.previous), ("yoy", result.year_ago)):
            before = build_objects(
                period_counts(engine, other, assignment, refresh=False), profile, other, names
            )
            _attach(objects, before, attr, other)
    return result


def _attach(
    objects: dict[ObjectKind, list[ObjectResult]],
    before: dict[ObjectKind, list[ObjectResult]],
    attr: str,
    period: EvalPeriod,
) -> None:
    for kind, objs in objects.items():
        previous = {o.code: o for o in before.get(kind, [])}
        for o in objs:
            b = previous.get(o.code)
            change = (
                Change(period.label, dict(b.counts), dict(b.rates), b.score)
                if b is not None
                else Change(period.label, {}, {k: None for k in o.rates}, None)
            )
            setattr(o, attr, change)


def area_class_of(kind: ObjectKind, code: str, profile: CityProfile) -> str:
    if kind in (K.DISTRICT, K.STREET, K.COMMUNITY, K.GRID):
        return profile.area_class(code[:6]).value
    if kind == K.DEPARTMENT:
        unit = profile.units.get(code)
        if unit is not None and unit.region_code:
            return profile.area_class(unit.region_code[:6]).value
    return "urban"


def build_objects(
    counts: Counts, profile: CityProfile, period: EvalPeriod, names: Mapping[str, str]
) -> dict[ObjectKind, list[ObjectResult]]:
    config = profile.evaluation or {}
    by_kind: dict[ObjectKind, list[ObjectResult]] = defaultdict(list)
    for (kind, code), c in counts.items():
        plain = {str(k): int(v) for k, v in c.items() if v}
        if not plain and kind != K.CITY:
            continue
        score = composite(
            kind,
            plain,
            config,
            area_class=area_class_of(kind, code, profile),
            months=period.months,
        )
        by_kind[kind].append(
            ObjectResult(
                kind=kind,
                code=code,
                name=_name(kind, code, profile, names),
                counts=plain,
                rates=rates(kind, plain),
                score=score.total,
                grade=score.grade,
                items=score.items,
                parent=code[: PARENT_LENGTH[kind]] if kind in PARENT_LENGTH else None,
            )
        )
    if K.CITY not in by_kind:
        by_kind[K.CITY].append(
            ObjectResult(K.CITY, CITY_CODE, profile.city_name or "全市", {}, rates(K.CITY, {}))
        )
    for objs in by_kind.values():
        ranks = competition_ranks({o.code: o.score for o in objs})
        for o in objs:
            o.rank = ranks.get(o.code)
        objs.sort(key=lambda o: (o.rank is None, o.rank or 0, o.code))
    order = [*REGION_KINDS, K.DEPARTMENT, K.INSPECTOR, K.ACCEPTOR, K.SHIFT_LEADER, K.DISPATCHER]
    return {k: by_kind[k] for k in order if k in by_kind}


def _name(kind: ObjectKind, code: str, profile: CityProfile, names: Mapping[str, str]) -> str:
    if kind == K.CITY:
        return profile.city_name or "全市"
    if kind == K.DEPARTMENT:
        unit = profile.units.get(code)
        return unit.name if unit else code
    if kind == K.DISTRICT and code in profile.regions and profile.regions[code].name:
        return names.get(code) or profile.regions[code].name
    return names.get(code, code)


def object_names(conn: Connection, profile: CityProfile) -> dict[str, str]:
    """Region codes and user ids → names, from the geography and accounts tables (each
    optional: an object without a stored name is shown by its code)."""
    out: dict[str, str] = {code: r.name for code, r in profile.regions.items() if r.name}
    for stmt in (
        select(regions.c.code, regions.c.name),
        select(users.c.id, users.c.name),
    ):
        try:
            for code, name in conn.execute(stmt):
                if name:
                    out[str(code)] = str(name)
        except SQLAlchemyError:
            conn.rollback()
    return out
