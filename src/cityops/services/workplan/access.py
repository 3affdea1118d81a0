"""Who may see and do what in the task ledger (the table in ``docs/workplan.md``, "API and
access"), as reads the HTTP API applies before it calls a command.

* The bureau — leaders, evaluators, administrators — sees every plan and task, imports
  plans, links and measures targets and prints the list and the bulletin.
* A unit's handler sees the tasks that name its unit, or a unit under it, as lead or
  responsible unit (matched at import), and reports progress on them for that unit only.
  Another unit's task is "not found", never "forbidden", so its existence is not revealed.
* Evaluators and administrators may report on behalf of any of a task's units.
* Leaders supervise (督办) and lift supervision.
* Everyone else (the supervision and command centre's desk roles, inspectors, the public and
  machines) has no access to the ledger.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import Engine

from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.workplan.ledger import LedgerPlan
from cityops.domain.workplan.units import normalise_name
from cityops.errors import ForbiddenError, NotFoundError, ValidationError
from cityops.services.workplan.lookups import (
    assigned_task_ids,
    supervised_task_ids,
    task_plan_id,
    task_units,
)
from cityops.services.workplan.queries import load_ledger

BUREAU_ROLES = (Role.LEADER, Role.EVALUATOR, Role.ADMIN)
READ_ROLES = (*BUREAU_ROLES, Role.HANDLER)
REPORT_ROLES = (Role.HANDLER, Role.EVALUATOR, Role.ADMIN)
SUPERVISE_ROLES = (Role.LEADER,)


def own_units(user: User) -> frozenset[str]:
    """The user's unit and every unit under it."""
    return user.units_below or (frozenset({user.unit}) if user.unit else frozenset())


def scope(user: User) -> frozenset[str] | None:
    """None: every task. Otherwise the units whose tasks the user may see."""
    return None if user.role in BUREAU_ROLES else own_units(user)


def plan_not_found(plan_id: int) -> NotFoundError:
    return NotFoundError("workplan.plan_not_found", f"没有编号为{plan_id}的计划", plan_id=plan_id)


def visible_task(engine: Engine, user: User, task_id: int) -> int:
    """The task's plan id; a task outside the user's scope is not found."""
    plan_id = task_plan_id(engine, task_id)
    units = scope(user)
    if units is not None and task_id not in assigned_task_ids(engine, units, plan_id):
        raise NotFoundError(
            "workplan.task_not_found", f"没有编号为{task_id}的任务", task_id=task_id
        )
    return plan_id


def visible_ledger(engine: Engine, user: User, plan_id: int, as_of: date) -> LedgerPlan:
    """The plan on ``as_of`` with the tasks the user may see (not found if none)."""
    ledger = load_ledger(engine, plan_id, as_of)
    units = scope(user)
    if units is None:
        return ledger
    mine = assigned_task_ids(engine, units, plan_id)
    if not mine:
        raise plan_not_found(plan_id)
    return replace(ledger, tasks=tuple(t for t in ledger.tasks if t.id in mine))


def my_tasks(engine: Engine, user: User, ledger: LedgerPlan) -> LedgerPlan:
    """The tasks that are the user's own business: those of the user's unit (and the units
    under it) and those the user supervises (an open supervision the user opened)."""
    mine = assigned_task_ids(engine, own_units(user), ledger.id)
    mine |= supervised_task_ids(engine, ledger.id, actor=user.id, name=user.name)
    return replace(ledger, tasks=tuple(t for t in ledger.tasks if t.id in mine))


def reporting_unit(
    engine: Engine, user: User, task_id: int, unit: str | None
) -> tuple[str | None, str | None]:
    """The unit a report is made for, as (name, platform code). A handler reports for its own
    unit: the one named if it is one of the task's units within the handler's scope, else the
    first such unit (lead units come first); the code says which, since one group name
    ("各区…") may stand for several units. Others report on behalf of the named unit (or,
    without one, the lead unit), which the command checks against the task."""
    if user.role is not Role.HANDLER:
        return unit, None
    mine = own_units(user)
    rows = task_units(engine, task_id)
    if not unit or not unit.strip():
        for r in rows:
            if r.code in mine:
                return r.name, r.code
        raise NotFoundError(
            "workplan.task_not_found", f"没有编号为{task_id}的任务", task_id=task_id
        )
    wanted = normalise_name(unit)
    named = [r for r in rows if r.code == unit.strip() or normalise_name(r.name) == wanted]
    for r in named:
        if r.code in mine:
            return r.name, r.code
    if named:
        raise ForbiddenError(
            "workplan.report.unit_forbidden",
            f"只能以本单位名义报送，“{unit}”不是本单位",
            unit=unit,
            task_id=task_id,
        )
    raise ValidationError(
        "workplan.report.unit_not_assigned",
        f"“{unit}”不是该任务的牵头或责任单位",
        unit=unit,
        task_id=task_id,
        units=[r.name for r in rows],
    )
