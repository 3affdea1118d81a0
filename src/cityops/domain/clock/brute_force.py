"""A deliberately naive reference for working-time arithmetic, used by the tests and the
benchmark to check the table-based calendar.

It shares only the day rule (``days.plan_day``) with the calendar. It walks time forward
minute by minute (second by second at the edges), converting each instant to the city's local
wall clock and comparing it with the day's timetable, instead of building absolute intervals
and cumulative sums. Timetables are given in whole minutes, so a working interval never
starts or ends inside a minute whose first and last second agree. Slow by design: keep spans
to days or weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cityops.domain.clock.days import DayPlan, plan_day
from cityops.domain.clock.settings import CalendarSettings


class BruteForceClock:
    def __init__(self, settings: CalendarSettings) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.time_zone)
        self._plans: dict[date, DayPlan] = {}
        self._epoch = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))

    def _plan(self, d: date) -> DayPlan:
        plan = self._plans.get(d)
        if plan is None:
            plan = self._plans[d] = plan_day(self.settings, d)
        return plan

    def is_working_second(self, t: int) -> bool:
        """Whether the second ``[t, t + 1)`` is working time."""
        local = (self._epoch + timedelta(seconds=t)).astimezone(self.zone)
        plan = self._plan(local.date())
        wall = local.time()
        return plan.working and any(s <= wall < e for s, e in plan.intervals)

    def _uniform_minute(self, t: int) -> bool | None:
        """Working status of the whole minute starting at ``t``, or None if it changes."""
        if t % 60:
            return None
        first = self.is_working_second(t)
        return first if first == self.is_working_second(t + 59) else None

    def advance(self, start: int, seconds: int, working: bool = True) -> int:
        if not working:
            return start + seconds
        t, left = start, seconds
        while left > 0:
            minute = self._uniform_minute(t)
            if minute is False:
                t += 60
            elif minute is True and left >= 60:
                t += 60
                left -= 60
            else:
                left -= self.is_working_second(t)
                t += 1
        return t

    def elapsed(self, start: int, end: int, working: bool = True) -> int:
        if end <= start:
            return 0
        if not working:
            return end - start
        t, total = start, 0
        while t < end:
            minute = self._uniform_minute(t) if end - t >= 60 else None
            if minute is not None:
                total += 60 * minute
                t += 60
            else:
                total += self.is_working_second(t)
                t += 1
        return total
