"""Hotspots, repeated and periodic problems, patterns and trends: hand-checked small cases,
and the NumPy and DuckDB implementations agreeing on a large generated frame."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from cityops.domain.hotline.frame import OrderFrame
from cityops.domain.hotline.hotspots import spatial_clusters, top_grids, top_matters, top_pairs
from cityops.domain.hotline.recurrence import patterns, periodic_problems, repeated_series
from cityops.domain.hotline.trends import TrendTarget, evaluate_trend
from cityops.errors import ValidationError
from cityops.services.hotline import duck

DAY = 86400
MON = int(datetime(2025, 10, 20, tzinfo=UTC).timestamp()) - 8 * 3600  # Monday 00:00 Beijing


def frame(rows: list[tuple[int, str, str, float, float]]) -> OrderFrame:
    """rows: (utc seconds, class, grid, lon, lat)."""
    return OrderFrame.build(
        list(range(1, len(rows) + 1)),
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        [r[4] for r in rows],
    )


G1, G2 = "370102001001001", "370102001001002"


def test_top_matters_and_places_count_and_break_ties_by_code():
    f = frame(
        [
            (MON, "06010", G1, 117.0, 36.6),
            (MON, "06010", G2, 117.0, 36.6),
            (MON, "07001", G2, 117.0, 36.6),
            (MON, "09001", G2, 117.0, 36.6),
        ]
    )
    assert [(c.key, c.count) for c in top_matters(f, 2)] == [("06010", 2), ("07001", 1)]
    assert top_matters(f)[0].share == 0.5
    assert [(c.key, c.count) for c in top_grids(f)] == [(G2, 3), (G1, 1)]
    assert top_pairs(f, 1) == [(G1, "06010", 1)]


def test_touching_hot_cells_form_one_cluster_and_lone_points_none():
    rows = []
    for lon0 in (117.0, 117.0017):  # about 150 m apart: the same or neighbouring cells
        rows += [(MON, "06010", G1, lon0, 36.6005)] * 15
    rows += [(MON, "07001", G2, 117.05, 36.65), (MON, "07001", G2, 117.09, 36.69)]
    clusters = spatial_clusters(frame(rows), cell_m=200, min_count=5, relative=1.0)
    assert len(clusters) == 1
    (c,) = clusters
    assert c.orders == 30 and c.cells in (1, 2) and c.top_classes[0].key == "06010"
    assert 117.0 <= c.lon <= 117.005 and c.bbox[0] <= c.lon <= c.bbox[2]


def test_repeated_series_split_where_the_gap_exceeds_the_window():
    days = [0, 10, 25, 70, 80, 85, 200]  # a series of 3, then one of 3, then a lone one
    f = frame([(MON + d * DAY, "06010", G1, 117.0, 36.6) for d in days])
    series = repeated_series(f, window_days=30, min_orders=3)
    assert [(s.orders, s.order_ids) for s in series] == [(3, (1, 2, 3)), (3, (4, 5, 6))]
    assert series[0].first_t == MON and series[0].last_t == MON + 25 * DAY
    assert repeated_series(f, window_days=30, min_orders=4) == []


def test_periodic_problems_come_back_in_many_weeks_with_their_peak_time():
    rows = [(MON + w * 7 * DAY + 5 * DAY + 12 * 3600, "09010", G1, 117.0, 36.6) for w in range(6)]
    rows += [(MON + 2 * DAY, "06010", G2, 117.0, 36.6)]
    (p,) = periodic_problems(frame(rows), min_weeks=4)
    assert (p.class_code, p.weeks, p.orders, p.peak_weekday, p.peak_hour) == ("09010", 6, 6, 5, 12)


def test_patterns_count_by_local_weekday_hour_month_and_season():
    f = frame([(MON + 9 * 3600, "06010", G1, 117.0, 36.6)])
    p = patterns(f)
    assert p.weekday_hour[0][9] == 1 and p.peak_weekday == 0 and p.peak_hour == 9
    assert p.by_month[9] == 1 and p.by_season == {
        "spring": 0,
        "summer": 0,
        "autumn": 1,
        "winter": 0,
    }
    assert patterns(f, "07001").peak_hour is None


def test_trends_meet_a_fall_target_and_report_no_change_without_a_base():
    target = TrendTarget("06*", -0.10, "yoy", "市容环境类工单同比下降10%")
    assert target.covers("06010") and not target.covers("07001")
    met = evaluate_trend(target, 85, 100)
    assert met.met is True and met.change == pytest.approx(-0.15)
    assert evaluate_trend(target, 95, 100).met is False
    assert evaluate_trend(target, 5, 0).change is None
    assert evaluate_trend(TrendTarget("*", 0.05), 106, 100).met is True
    with pytest.raises(ValidationError):
        TrendTarget("*", -0.1, "mom")


def generated(n: int = 20000, seed: int = 3) -> OrderFrame:
    rng = np.random.default_rng(seed)
    grids = [f"370102{i:03d}001{j:03d}" for i in range(1, 6) for j in range(1, 9)]
    classes = ["06010", "06028", "07001", "09001", "09010", "01030"]
    g = rng.integers(0, len(grids), n)
    c = rng.choice(len(classes), n, p=[0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
    t = MON + rng.integers(0, 365 * DAY, n)
    return OrderFrame.build(
        np.arange(1, n + 1),
        t,
        [classes[i] for i in c],
        [grids[i] if i % 17 else None for i in g],
        117.0 + rng.random(n) * 0.1,
        36.6 + rng.random(n) * 0.1,
    )


def test_numpy_and_duckdb_agree_on_a_large_frame():
    f = generated()
    got = duck.report(f, top_n=10, window_days=30, min_orders=3)
    assert got["top_matters"] == top_matters(f, 10)
    assert got["top_grids"] == top_grids(f, 10)
    np_series = repeated_series(f, 30, 3, limit=50)
    assert len(np_series) == 50 and got["repeated"] == np_series
    np_periodic = periodic_problems(f, limit=30)
    assert len(np_periodic) == 30 and got["periodic"] == np_periodic
    assert got["weekday_hour"] == patterns(f).weekday_hour


def test_evenly_busy_cells_are_not_hot_however_many_orders_they_hold():
    rows = [(MON, "06010", G1, 117.0 + 0.003 * i, 36.6005) for i in range(10) for _ in range(30)]
    assert spatial_clusters(frame(rows), cell_m=200, min_count=5) == []
    rows += [(MON, "06010", G1, 117.05, 36.65)] * 200
    (hot,) = spatial_clusters(frame(rows), cell_m=200, min_count=5)
    assert hot.orders == 200
