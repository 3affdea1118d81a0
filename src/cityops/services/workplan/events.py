"""The ledger's record: every command appends one ``workplan_events`` row (what, when, who —
the login id —, and its data) in the command's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from cityops.adapters.db.tables.workplan import workplan_events


def record_event(
    conn: Connection,
    plan_id: int,
    task_id: int | None,
    type_: str,
    at: datetime,
    actor: str,
    data: dict[str, Any],
) -> None:
    conn.execute(
        insert(workplan_events).values(
            plan_id=plan_id, task_id=task_id, type=type_, at=at, actor=actor, data=data
        )
    )
