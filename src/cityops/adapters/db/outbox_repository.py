"""The transactional outbox: messages written in the same transaction as the change they
announce, published after commit by the relay (``services/outbox.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, update

from cityops.adapters.db.tables.cases import outbox

_INSERT = insert(outbox)


class OutboxRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, topic: str, key: str | None, payload: dict[str, Any], now: datetime) -> None:
        self.conn.execute(
            _INSERT,
            {"topic": topic, "key": key, "payload": payload, "created_at": now, "attempts": 0},
        )

    def pending(self, limit: int = 500, max_attempts: int | None = None) -> list[dict[str, Any]]:
        """The oldest unpublished messages; with ``max_attempts``, not those that failed that
        often (they stay, with their last error, for someone to look at)."""
        where: list[ColumnElement[bool]] = [outbox.c.published_at.is_(None)]
        if max_attempts is not None:
            where.append(outbox.c.attempts < max_attempts)
        rows = self.conn.execute(
            select(outbox).where(and_(*where)).order_by(outbox.c.id).limit(limit)
        ).mappings()
        return [dict(r) for r in rows]

    def mark_published(self, ids: list[int], now: datetime) -> None:
        if ids:
            self.conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(published_at=now))

    def mark_failed(self, msg_id: int, error: str) -> None:
        self.conn.execute(
            update(outbox)
            .where(and_(outbox.c.id == msg_id))
            .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
        )

    def note_error(self, msg_id: int, error: str) -> None:
        """Why a message is still waiting, without counting it as its failure."""
        self.conn.execute(
            update(outbox).where(outbox.c.id == msg_id).values(last_error=error[:2000])
        )

    def prune_published(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` messages published before ``before`` (oldest first); the
        event log keeps what they announced. Returns how many were deleted."""
        ids = (
            select(outbox.c.id)
            .where(and_(outbox.c.published_at.is_not(None), outbox.c.published_at < before))
            .order_by(outbox.c.published_at, outbox.c.id)
            .limit(limit)
            .scalar_subquery()
        )
        result = self.conn.execute(delete(outbox).where(outbox.c.id.in_(ids)))
        return int(result.rowcount or 0)
