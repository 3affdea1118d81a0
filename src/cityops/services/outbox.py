"""The outbox relay: publishes committed messages to subscribers, after the transaction that
wrote them. Subscribers are in-process callables: the served app gives the case messages to
an MQTT broker when ``CITYOPS_EVENTS_MQTT_URL`` is set (``adapters/mqtt_publisher.py``). A
message is published at least once. A subscriber out of reach (``ConnectionError``,
``TimeoutError``) ends the run: the messages wait in order for the next run and nothing counts
against them. Any other failure is the message's: it is tried again at the next runs, up to
``max_attempts``, then stays with its error and no longer holds the others back. Nothing is
published inside a database transaction, so a slow subscriber never holds a lock."""

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
        with self.rt.uow(readonly=True) as uow:
            pending = uow.outbox.pending(limit, self.max_attempts)
        done: list[int] = []
        failed: list[tuple[int, str]] = []
        waiting: tuple[int, str] | None = None  # the subscriber is out of reach
        for msg in pending:
            try:
                for prefix, fn in self.subscribers:
                    if msg["topic"].startswith(prefix):
                        fn(msg["topic"], msg["payload"])
            except (ConnectionError, TimeoutError) as exc:
                waiting = (int(msg["id"]), f"{type(exc).__name__}: {exc}")
                break
            except Exception as exc:
                failed.append((int(msg["id"]), f"{type(exc).__name__}: {exc}"))
                continue
            done.append(int(msg["id"]))
        with self.rt.uow() as uow:
            for msg_id, error in failed:
                uow.outbox.mark_failed(msg_id, error)
            if waiting is not None:
                uow.outbox.note_error(*waiting)
            uow.outbox.mark_published(done, self.rt.now())
            uow.outbox.prune_published(self.rt.now() - self.keep_published, PRUNE_BATCH)
            uow.commit()
        return len(done)

    def relay_all(self, limit: int = 500, max_rounds: int = 100) -> int:
        """Relay batch after batch until fewer than ``limit`` were pending (or ``max_rounds``
        batches): a busy hour's messages do not queue up behind a batch a run."""
        total = 0
        for _ in range(max_rounds):
            n = self.relay_once(limit)
            total += n
            if n < limit:
                break
        return total
