"""The outbox relay: publishes committed messages to subscribers, after the transaction that
wrote them. Subscribers are in-process callables (the live cockpit, webhooks, message-broker
adapters); a failing subscriber is retried on the next run and never blocks the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from cityops.services.runtime import Runtime

Subscriber = Callable[[str, dict[str, Any]], None]

# Published messages are kept this long (to see what went out), then deleted by the relay a
# batch at a time; the event log keeps everything they announced.
KEEP_PUBLISHED = timedelta(days=7)
PRUNE_BATCH = 5000


@dataclass
class OutboxRelay:
    rt: Runtime
    subscribers: list[tuple[str, Subscriber]] = field(default_factory=list)
    max_attempts: int = 10
    keep_published: timedelta = KEEP_PUBLISHED

    def subscribe(self, topic_prefix: str, fn: Subscriber) -> None:
        self.subscribers.append((topic_prefix, fn))

    def relay_once(self, limit: int = 500) -> int:
        """Publish up to ``limit`` pending messages; returns how many were published."""
        with self.rt.uow() as uow:
            pending = uow.outbox.pending(limit)
            done: list[int] = []
            for msg in pending:
                if msg["attempts"] >= self.max_attempts:
                    continue
                try:
                    for prefix, fn in self.subscribers:
                        if msg["topic"].startswith(prefix):
                            fn(msg["topic"], msg["payload"])
                except Exception as exc:
                    uow.outbox.mark_failed(int(msg["id"]), f"{type(exc).__name__}: {exc}")
                    continue
                done.append(int(msg["id"]))
            uow.outbox.mark_published(done, self.rt.now())
            uow.outbox.prune_published(self.rt.now() - self.keep_published, PRUNE_BATCH)
            uow.commit()
        return len(done)
