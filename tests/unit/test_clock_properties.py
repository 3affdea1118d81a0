"""Properties of working-time arithmetic: the scalar path, the vectorized path and the
brute-force walk agree; advance and elapsed are inverse; both are monotonic."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time
from importlib import resources

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cityops.domain.clock import vectorized
from cityops.domain.clock.brute_force import BruteForceClock
from cityops.domain.clock.calendar import calendar_for
from cityops.domain.clock.settings import (
    CalendarSettings,
    DayOverride,
    Timetable,
    calendar_settings_from_dict,
)

TEXT = resources.files("cityops").joinpath("data/cities/jinan-demo/city.toml").read_text()
DEMO_SETTINGS = calendar_settings_from_dict(tomllib.loads(TEXT)["calendar"])
CAL = calendar_for(DEMO_SETTINGS)
BRUTE = BruteForceClock(DEMO_SETTINGS)

DAY = 27000  # one working day of the demo city


def epoch(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


# late 2025 to early 2027: National Day, Spring Festival, the summer switches and the end of
# the official data
starts = st.integers(epoch(2025, 9, 1), epoch(2027, 3, 1))
working_amounts = st.integers(0, 3 * DAY)
natural_amounts = st.integers(0, 10 * 86400)


@st.composite
def requests(draw: st.DrawFn) -> tuple[int, int, bool]:
    working = draw(st.booleans())
    amount = draw(working_amounts if working else natural_amounts)
    return draw(starts), amount, working


@given(st.lists(requests(), min_size=1, max_size=60))
@settings(max_examples=80, deadline=None)
def test_scalar_equals_vectorized(batch: list[tuple[int, int, bool]]) -> None:
    s, a, w = (np.array(x) for x in zip(*batch, strict=True))
    expected = [CAL.advance_epoch(*r) for r in batch]
    assert vectorized.deadlines(CAL, s, a, w).tolist() == expected
    back = vectorized.elapsed(CAL, s, np.array(expected), w)
    assert back.tolist() == a.tolist()


@given(starts, st.integers(0, int(1.5 * DAY)), st.booleans())
@settings(max_examples=60, deadline=None)
def test_scalar_equals_brute_force(start: int, amount: int, working: bool) -> None:
    due = CAL.advance_epoch(start, amount, working)
    assert due == BRUTE.advance(start, amount, working)


@given(starts, st.integers(0, 4 * 86400), st.booleans())
@settings(max_examples=40, deadline=None)
def test_elapsed_equals_brute_force(start: int, span: int, working: bool) -> None:
    assert CAL.elapsed_epoch(start, start + span, working) == BRUTE.elapsed(
        start, start + span, working
    )


@given(starts, working_amounts, st.booleans())
@settings(max_examples=200, deadline=None)
def test_elapsed_undoes_advance(start: int, amount: int, working: bool) -> None:
    due = CAL.advance_epoch(start, amount, working)
    assert CAL.elapsed_epoch(start, due, working) == amount
    if amount > 0:  # earliest: one second less is not enough
        assert CAL.elapsed_epoch(start, due - 1, working) == amount - 1


@given(starts, st.integers(0, 20 * 86400))
@settings(max_examples=200, deadline=None)
def test_advance_of_elapsed_is_no_later_than_the_end(start: int, span: int) -> None:
    end = start + span
    used = CAL.elapsed_epoch(start, end, True)
    back = CAL.advance_epoch(start, used, True)
    assert back <= end
    assert CAL.elapsed_epoch(back, end, True) == 0


@given(starts, working_amounts, working_amounts)
@settings(max_examples=200, deadline=None)
def test_advance_is_monotonic_in_the_amount(start: int, a1: int, a2: int) -> None:
    lo, hi = sorted((a1, a2))
    assert CAL.advance_epoch(start, lo) <= CAL.advance_epoch(start, hi)
    if lo < hi:
        assert CAL.advance_epoch(start, lo) < CAL.advance_epoch(start, hi)


@given(starts, starts, working_amounts)
@settings(max_examples=200, deadline=None)
def test_advance_is_monotonic_in_the_start(t1: int, t2: int, amount: int) -> None:
    lo, hi = sorted((t1, t2))
    assert CAL.advance_epoch(lo, amount) <= CAL.advance_epoch(hi, amount)
    assert CAL.elapsed_epoch(lo, hi) >= 0


@given(starts, working_amounts)
@settings(max_examples=100, deadline=None)
def test_deadline_is_working_time_or_an_interval_end(start: int, amount: int) -> None:
    due = CAL.advance_epoch(start, amount)
    if amount > 0:  # the last counted second is a working second
        assert BRUTE.is_working_second(due - 1)


# --- a zone with daylight saving time, across both clock changes of 2025 ---

# an early shift over the clock change (01:30–03:30 local) and the two Sundays of the change
# declared working, so the skipped and the repeated hour fall into working time
BERLIN = CalendarSettings(
    time_zone="Europe/Berlin",
    timetables=(Timetable("regular", ((time(1, 30), time(3, 30)), (time(9), time(17)))),),
    official_holidays=False,
    overrides=(DayOverride(date(2025, 3, 30), True), DayOverride(date(2025, 10, 26), True)),
)


def test_clock_change_days_count_absolute_time() -> None:
    cal = calendar_for(BERLIN)
    # 30 Mar: 01:30 CET (00:30 UTC) to 03:30 CEST (01:30 UTC) is one hour, not two
    spring = cal.working_intervals(date(2025, 3, 30))[0]
    assert (spring[1] - spring[0]).total_seconds() == 3600
    # 26 Oct: 01:30 CEST (23:30 UTC) to 03:30 CET (02:30 UTC) is three hours
    autumn = cal.working_intervals(date(2025, 10, 26))[0]
    assert (autumn[1] - autumn[0]).total_seconds() == 3 * 3600


@given(
    st.one_of(
        st.integers(epoch(2025, 3, 27), epoch(2025, 4, 2)),
        st.integers(epoch(2025, 10, 23), epoch(2025, 10, 29)),
    ),
    st.integers(0, 3 * 10 * 3600),
)
@settings(max_examples=60, deadline=None)
def test_daylight_saving_zone_matches_brute_force(start: int, amount: int) -> None:
    cal = calendar_for(BERLIN)
    assert cal.advance_epoch(start, amount) == BruteForceClock(BERLIN).advance(start, amount)
    assert vectorized.deadlines(cal, [start], [amount], [True]).tolist() == [
        cal.advance_epoch(start, amount)
    ]
