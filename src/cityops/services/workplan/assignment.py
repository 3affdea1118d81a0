"""Assigning a task's lead or responsible unit after import (认定责任单位), one transaction:
a unit name of the plan is matched to a platform unit by hand, a wrong match is fixed or
removed, a group ("各县市区综合行政执法局") is expanded to several units, or a unit is given to a
task whose plan names none. The change is recorded as a ``units_assigned`` event (who, when,
the codes before and after)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, insert

from cityops.adapters.db.tables.workplan import workplan_task_units
from cityops.domain.catalog.model import Unit, UnitKind
from cityops.domain.workplan.model import Role
from cityops.domain.workplan.units import MatchHow, is_collective, normalise_name
from cityops.errors import ValidationError
from cityops.services.workplan.events import record_event
from cityops.services.workplan.lookups import plan_of_task, task_unit_rows

MAX_NAME = 128


@dataclass(frozen=True, slots=True)
class Assignment:
    task_id: int
    name: str  # as written in the plan (or as given, for a unit the plan did not name)
    roles: tuple[Role, ...]  # the roles the name holds in the task
    before: tuple[str, ...]  # platform unit codes before
    after: tuple[str, ...]  # and after

    @property
    def changed(self) -> bool:
        return self.before != self.after


def assign_task_units(
    engine: Engine,
    task_id: int,
    *,
    name: str,
    codes: Sequence[str] = (),
    actor: str,
    role: Role | None = None,
    kind: UnitKind | None = None,
    units: Mapping[str, Unit] | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Set the platform units of one unit name of a task.

    ``name`` is matched to the task's units as written (normalised: width, spaces and
    brackets do not matter), of ``role`` if given. Its units become ``codes`` plus, with
    ``kind``, every platform unit of that kind ("各区县" → every district); no code at all
    removes the match. Several units only for a group name (:func:`is_collective`). A name
    the task does not hold is added with ``role`` (required then). ``units`` are the platform
    units (default: the active city profile's). Assigning what is already there changes and
    records nothing."""
    at = now or datetime.now(UTC)
    wanted = _wanted_codes(
        name, codes, kind, units if units is not None else _profile_units(engine)
    )
    written = name.strip()
    with engine.begin() as conn:
        plan_id = plan_of_task(conn, task_id)
        rows = task_unit_rows(conn, task_id)
        key = normalise_name(written)
        hits = [r for r in rows if normalise_name(r.name) == key and role in (None, r.role)]
        if hits:
            written = hits[0].name
            roles = tuple(dict.fromkeys(Role(r.role) for r in hits))
            before = tuple(dict.fromkeys(r.unit_code for r in hits if r.unit_code))
        else:
            if role is None:
                raise ValidationError(
                    "workplan.assign.role_required",
                    f"该任务没有名为“{written}”的单位；新增单位请指明是牵头单位还是责任单位",
                    task_id=task_id,
                    name=written,
                    units=[r.name for r in rows],
                )
            if not wanted:
                raise ValidationError(
                    "workplan.assign.unit_required",
                    f"请为“{written}”指定平台单位",
                    task_id=task_id,
                    name=written,
                )
            roles, before = (role,), ()
        result = Assignment(task_id, written, roles, before, wanted)
        if not result.changed:
            return result
        position = min((r.position for r in hits), default=None)
        if position is None:
            position = 1 + max((r.position for r in rows), default=-1)
        stale = [r.id for r in hits]
        conn.execute(delete(workplan_task_units).where(workplan_task_units.c.id.in_(stale)))
        for r in roles:
            _insert_rows(conn, task_id, r, position, written, wanted)
        record_event(
            conn,
            plan_id,
            task_id,
            "units_assigned",
            at,
            actor,
            {
                "name": written,
                "roles": [r.value for r in roles],
                "before": list(before),
                "after": list(wanted),
            },
        )
    return result


def _profile_units(engine: Engine) -> Mapping[str, Unit]:
    from cityops.services.profile import active_profile

    return active_profile(engine).units


def _wanted_codes(
    name: str, codes: Sequence[str], kind: UnitKind | None, units: Mapping[str, Unit]
) -> tuple[str, ...]:
    written = name.strip()
    if not written:
        raise ValidationError("workplan.assign.name_required", "请填写计划中的单位名称")
    if len(written) > MAX_NAME:
        raise ValidationError(
            "workplan.assign.name_too_long",
            f"单位名称不能超过{MAX_NAME}个字",
            max_length=MAX_NAME,
        )
    wanted = [c.strip() for c in codes if c.strip()]
    if kind is not None:
        wanted.extend(sorted(u.code for u in units.values() if u.kind is kind))
    unique = tuple(dict.fromkeys(wanted))
    unknown = [c for c in unique if c not in units]
    if unknown:
        raise ValidationError(
            "workplan.assign.unit_unknown",
            f"平台上没有编码为“{'、'.join(unknown)}”的单位",
            codes=unknown,
        )
    if len(unique) > 1 and not is_collective(written):
        raise ValidationError(
            "workplan.assign.not_a_group",
            f"“{written}”是一个单位，只能认定为一个平台单位；"
            "“各县市区……”“局属各单位”这样的统称才能对应多个单位",
            name=written,
            codes=list(unique),
        )
    return unique


def _insert_rows(
    conn: Connection, task_id: int, role: Role, position: int, name: str, codes: Sequence[str]
) -> None:
    """One row per platform unit (the name as written on each); none: one unmatched row."""
    unmatched = MatchHow.COLLECTIVE if is_collective(name) else MatchHow.NONE
    targets: list[str | None] = [*codes] or [None]
    values = [
        {
            "task_id": task_id,
            "role": role.value,
            "position": position,
            "name": name[:MAX_NAME],
            "unit_code": code,
            "match": MatchHow.ASSIGNED.value if code else unmatched.value,
        }
        for code in targets
    ]
    conn.execute(insert(workplan_task_units), values)
