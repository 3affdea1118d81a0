"""The monitoring rates of a device kind from its counts by level (table-driven)."""

from __future__ import annotations

import pytest

from cityops.domain.iot.figures import LevelCounts, kind_figures, percent
from tests.unit.test_iot_rules import LIGHT, WATER


@pytest.mark.parametrize(
    ("counts", "online", "intact"),
    [
        # 6 normal + 2 warning + 1 alarm + 1 offline: 9 of 10 online, 8 of 10 work
        (LevelCounts(normal=6, warning=2, alarm=1, offline=1), 90.0, 80.0),
        # a device never heard from is neither online nor intact
        (LevelCounts(normal=2, never_seen=1), 66.67, 66.67),
        (LevelCounts(alarm=3), 100.0, 0.0),
        (LevelCounts(offline=2, never_seen=2), 0.0, 0.0),
        (LevelCounts(), None, None),  # no devices: no rate, not 0 %
    ],
)
def test_online_and_intact_rates(counts: LevelCounts, online: float | None, intact: float | None):
    f = kind_figures(WATER, counts)
    assert (f.total, f.online_rate, f.intact_rate) == (counts.total, online, intact)
    assert f.lighting_rate is None  # only street lights have a lighting rate


def test_the_lighting_rate_is_the_share_of_street_lights_lit():
    f = kind_figures(LIGHT, LevelCounts.of({"normal": 95, "alarm": 3, "offline": 2}))
    assert (f.total, f.lighting_rate, f.online_rate) == (100, 95.0, 98.0)


def test_counts_read_from_levels_ignore_nothing_they_know():
    c = LevelCounts.of({"normal": 1, "warning": 2, "alarm": 3, "offline": 4}, never_seen=5)
    assert (c.normal, c.warning, c.alarm, c.offline, c.never_seen, c.total) == (1, 2, 3, 4, 5, 15)
    assert percent(1, 3) == 33.33 and percent(0, 0) is None
