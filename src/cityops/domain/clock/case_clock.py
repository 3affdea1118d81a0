"""A clock that can be paused, resumed and extended: the handling clock of a case.

It counts the limit in its own measure (natural or working seconds). The unit holding the
case consumes time only while the clock runs: suspension (挂账) pauses it, and so does the time
between a handling report and a failed check (the case is not with the unit then).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from cityops.domain.cases.vocabulary import Light
from cityops.domain.clock.limits import TimeLimit
from cityops.domain.clock.protocol import WorkingTime

YELLOW_FRACTION = 0.8


def light_for(used: float, limit: float) -> Light:
    """Green below 80 % of the limit, yellow from 80 % to 100 %, red beyond."""
    if limit <= 0:
        return Light.RED
    if used > limit:
        return Light.RED
    if used >= YELLOW_FRACTION * limit:
        return Light.YELLOW
    return Light.GREEN


@dataclass(frozen=True, slots=True)
class PausableClock:
    working: bool
    limit_seconds: int  # including approved extensions
    used_seconds: int = 0  # consumed before ``running_since``
    running_since: datetime | None = None  # None: paused

    @classmethod
    def start(cls, limit: TimeLimit, at: datetime, cal: WorkingTime) -> PausableClock:
        return cls(limit.unit.is_working, limit.seconds(cal.day_seconds), 0, at)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def used_at(self, at: datetime, cal: WorkingTime) -> int:
        if self.running_since is None:
            return self.used_seconds
        return self.used_seconds + cal.elapsed(self.running_since, at, self.working)

    def pause(self, at: datetime, cal: WorkingTime) -> PausableClock:
        if self.running_since is None:
            return self
        return replace(self, used_seconds=self.used_at(at, cal), running_since=None)

    def resume(self, at: datetime) -> PausableClock:
        if self.running_since is not None:
            return self
        return replace(self, running_since=at)

    def extend(self, limit: TimeLimit, cal: WorkingTime) -> PausableClock:
        return replace(self, limit_seconds=self.limit_seconds + limit.seconds(cal.day_seconds))

    def deadline(self, cal: WorkingTime) -> datetime | None:
        if self.running_since is None:
            return None
        return cal.advance(
            self.running_since, max(0, self.limit_seconds - self.used_seconds), self.working
        )

    def yellow_at(self, cal: WorkingTime) -> datetime | None:
        if self.running_since is None:
            return None
        threshold = math.ceil(YELLOW_FRACTION * self.limit_seconds)
        return cal.advance(self.running_since, max(0, threshold - self.used_seconds), self.working)

    def light(self, at: datetime, cal: WorkingTime) -> Light:
        return light_for(self.used_at(at, cal), self.limit_seconds)

    def is_over(self, at: datetime, cal: WorkingTime) -> bool:
        return self.used_at(at, cal) > self.limit_seconds
