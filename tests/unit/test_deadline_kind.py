"""Whether the deadline a case shows runs in working or natural time: what the console's
countdowns follow (the demo city's stage limits, table-driven)."""

from __future__ import annotations

import pytest

from cityops.domain.cases.policy import deadline_is_working
from cityops.domain.catalog.model import CityProfile
from cityops.domain.catalog.profile_loader import load_profile
from cityops.services.profile import demo_profile_path


@pytest.fixture(scope="module")
def demo() -> CityProfile:
    return load_profile(demo_profile_path())


@pytest.mark.parametrize(
    ("state", "stage", "urgency", "area", "handling", "expected"),
    [
        ("reported", "file", "normal", "urban", None, True),  # 0.5 working hours
        ("reported", "file", "urgent", "urban", None, False),  # 10 minutes
        ("verifying", "verify", "normal", "rural", None, True),  # 2 working hours
        ("verifying", "verify", "urgent", "rural", None, False),  # urgency beats the area
        ("filed", "dispatch", "urgent", "urban", None, False),
        ("checking", "check", "urgent", "urban", None, True),  # no urgent check limit
        ("dispatched", None, "normal", "urban", True, True),  # the handling clock decides
        ("dispatched", None, "urgent", "urban", False, False),
        ("closed", None, "normal", "urban", None, None),  # no deadline
        ("reported", "no_such_stage", "normal", "urban", None, None),
    ],
)
def test_the_deadline_kind_follows_the_clock_that_set_it(
    demo: CityProfile,
    state: str,
    stage: str | None,
    urgency: str,
    area: str,
    handling: bool | None,
    expected: bool | None,
) -> None:
    assert deadline_is_working(demo, state, stage, urgency, area, handling) is expected
