"""Working intervals as absolute instants, with cumulative working seconds: the lookup tables
behind every working-time computation, scalar (``bisect``) and vectorized (``searchsorted``).

Instants are integer seconds since the Unix epoch (UTC). Each working interval of each day of
a range of years is stored as ``[start, end)``; ``cum_before[k]`` is the working time of all
intervals before interval ``k``. A working *position* is the working time from the start of
the range to an instant; working time between two instants is the difference of their
positions, and the instant a working amount ends is found by searching the cumulative sums.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cityops.domain.clock.days import plan_day
from cityops.domain.clock.settings import CalendarSettings

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)

Int64Array = npt.NDArray[np.int64]


def to_epoch(dt: datetime) -> int:
    """Whole seconds since the epoch, rounded down (fractions of a second are dropped)."""
    return (dt - EPOCH) // ONE_SECOND


def from_epoch(t: int) -> datetime:
    return EPOCH + timedelta(seconds=int(t))


def local_instant(d: date, t: time, zone: ZoneInfo) -> int:
    """The instant of the local wall-clock time ``t`` on ``d``, computed for that very day
    (so a change of UTC offset between days is honoured)."""
    return to_epoch(datetime.combine(d, t, tzinfo=zone))


def year_intervals(
    settings: CalendarSettings, zone: ZoneInfo, year: int
) -> tuple[list[int], list[int]]:
    """Working intervals of every day of ``year`` as epoch seconds, in order."""
    starts: list[int] = []
    ends: list[int] = []
    d = date(year, 1, 1)
    one_day = timedelta(days=1)
    while d.year == year:
        plan = plan_day(settings, d)
        for s, e in plan.intervals:
            a, b = local_instant(d, s, zone), local_instant(d, e, zone)
            if ends and a < ends[-1]:  # only possible around a backward clock change
                a = ends[-1]
            if b > a:
                starts.append(a)
                ends.append(b)
        d += one_day
    return starts, ends


def _array(values: list[int]) -> Int64Array:
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class WorkTables:
    """Working intervals of the local years ``first_year..last_year``: instants ``[lo, hi)``."""

    first_year: int
    last_year: int
    lo: int
    hi: int
    starts: Int64Array
    ends: Int64Array
    cum_before: Int64Array
    cum_after: Int64Array
    _starts: list[int] = field(repr=False)
    _ends: list[int] = field(repr=False)
    _cum_before: list[int] = field(repr=False)
    _cum_after: list[int] = field(repr=False)

    @classmethod
    def assemble(
        cls, first_year: int, last_year: int, lo: int, hi: int, starts: list[int], ends: list[int]
    ) -> WorkTables:
        s, e = _array(starts), _array(ends)
        after = np.cumsum(e - s, dtype=np.int64)
        before = after - (e - s)
        return cls(
            first_year, last_year, lo, hi, s, e, before, after,
            starts, ends, before.tolist(), after.tolist(),
        )  # fmt: skip

    @property
    def total(self) -> int:
        """Working seconds in the whole range."""
        return self._cum_after[-1] if self._cum_after else 0

    def covers(self, t: int) -> bool:
        return self.lo <= t < self.hi

    # --- scalar ---------------------------------------------------------------------------

    def position(self, t: int) -> int:
        """Working seconds from ``lo`` to ``t`` (``t`` inside the range)."""
        k = bisect_right(self._starts, t) - 1
        if k < 0:
            return 0
        return self._cum_before[k] + min(t - self._starts[k], self._ends[k] - self._starts[k])

    def instant(self, p: int) -> int:
        """The earliest instant whose position is ``p`` (0 < p <= total)."""
        k = bisect_left(self._cum_after, p)
        return self._starts[k] + (p - self._cum_before[k])

    def is_working(self, t: int) -> bool:
        k = bisect_right(self._starts, t) - 1
        return k >= 0 and t < self._ends[k]

    # --- vectorized -----------------------------------------------------------------------

    def positions(self, t: Int64Array) -> Int64Array:
        if self.starts.size == 0:
            return np.zeros_like(t)
        k = np.searchsorted(self.starts, t, side="right") - 1
        np.maximum(k, 0, out=k)  # before the first interval: position 0 (t - start < 0 clips)
        start = self.starts[k]
        inside = np.clip(t - start, 0, self.ends[k] - start)
        return self.cum_before[k] + inside

    def instants(self, p: Int64Array) -> Int64Array:
        """Earliest instants of positions ``p`` (each 0 < p <= total)."""
        k = np.searchsorted(self.cum_after, p, side="left")
        return self.starts[k] + (p - self.cum_before[k])
