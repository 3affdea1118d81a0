"""What the rest of the domain needs from a working-time calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cityops.domain.clock.limits import TimeLimit


class WorkingTime(Protocol):
    @property
    def day_seconds(self) -> int:
        """Working seconds in one working day (the unit of ``working_days``)."""
        ...

    def advance(self, start: datetime, seconds: int, working: bool) -> datetime:
        """The earliest instant at which ``seconds`` of (working or natural) time have passed
        since ``start``. Aware datetimes in, aware UTC datetime out."""
        ...

    def elapsed(self, start: datetime, end: datetime, working: bool) -> int:
        """Seconds of (working or natural) time in [start, end); 0 if end <= start."""
        ...

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime: ...
