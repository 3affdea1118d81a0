"""The overdue sweep (超时预警): turns lights yellow and red as clocks run, and raises a warning
for each change. It writes no case events (a light is a function of the case and the time);
it updates the projection's light under the case's version and queues notifications."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from cityops.adapters.db.case_repository import row_to_case
from cityops.adapters.db.tables.cases import case_warnings, cases
from cityops.domain.cases import machine
from cityops.domain.cases.vocabulary import OPEN_STATES, Light
from cityops.services.runtime import Runtime


@dataclass
class SweepResult:
    examined: int = 0
    yellow: int = 0
    red: int = 0
    skipped: int = 0  # moved by a command meanwhile; the next sweep looks again


def sweep_overdue(rt: Runtime, at: datetime | None = None, batch: int = 1000) -> SweepResult:
    when = at or rt.now()
    result = SweepResult()
    last_id = -1
    while True:
        with rt.uow() as uow:
            rows = (
                uow.conn.execute(
                    select(cases)
                    .where(
                        and_(
                            cases.c.next_light_at <= when,
                            cases.c.state.in_([s.value for s in OPEN_STATES]),
                            cases.c.id > last_id,
                        )
                    )
                    .order_by(cases.c.id)
                    .limit(batch)
                )
                .mappings()
                .all()
            )
            if not rows:
                return result
            last_id = int(rows[-1]["id"])
            ins = pg_insert if uow.conn.dialect.name == "postgresql" else sqlite_insert
            for row in rows:
                result.examined += 1
                case = row_to_case(row)
                light = machine.light_now(case, when, rt.policy)
                updated = replace(case, light=light)
                if not uow.cases.set_light(
                    case.id, case.version, light, updated.next_light_change()
                ):
                    result.skipped += 1
                    continue
                if light == case.light or light not in (Light.YELLOW, Light.RED):
                    continue
                if light == Light.YELLOW:
                    result.yellow += 1
                else:
                    result.red += 1
                stage = row["stage"] or "none"
                deadline = case.current_deadline()
                uow.conn.execute(
                    ins(case_warnings)
                    .values(
                        case_id=case.id,
                        stage=stage,
                        light=light.value,
                        deadline=deadline,
                        raised_at=when,
                        unit=case.assigned_unit,
                    )
                    .on_conflict_do_nothing()
                )
                uow.outbox.add(
                    "case.warning",
                    str(case.id),
                    {
                        "case_id": case.id,
                        "case_no": case.case_no,
                        "light": light.value,
                        "stage": stage,
                        "deadline": deadline.isoformat() if deadline else None,
                        "unit": case.assigned_unit,
                    },
                    when,
                )
            uow.commit()
