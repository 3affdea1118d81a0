"""Composite scores, volume steps, grades, rankings, targets and the district assessment."""

from __future__ import annotations

import pytest

from cityops.domain.catalog.profile_loader import load_profile
from cityops.domain.evaluation.assessment import AssessmentItem, ItemSource, assess, item_score
from cityops.domain.evaluation.definitions import RATES, ObjectKind, rates
from cityops.domain.evaluation.scoring import competition_ranks, composite, grade_for, step_score
from cityops.domain.evaluation.targets import Comparator, TargetStatus, status
from cityops.errors import ValidationError
from cityops.services.profile import demo_profile_path

K = ObjectKind


@pytest.fixture(scope="module")
def config():
    return load_profile(demo_profile_path()).evaluation


def test_step_tables_take_the_highest_step_reached_scaled_to_the_period():
    steps = [[0, 40], [300, 60], [800, 80], [1500, 100]]
    assert [step_score(n, steps) for n in (0, 299, 300, 799, 1500, 9999)] == [
        40,
        40,
        60,
        60,
        100,
        100,
    ]
    assert step_score(900, steps, months=3) == 60  # a quarter needs three times as many


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (90, "A"), (89.99, "B"), (75, "B"), (60, "C"), (40, "D"), (39.9, "E"), (0, "E")],
)
def test_grades(score, grade, config):
    assert grade_for(score, config["grades"]) == grade
    assert grade_for(None) is None


def test_department_score_by_hand(config):
    counts = {
        "received": 900,  # urban steps: 800 → 80
        "closure_due": 100,
        "closed": 95,  # 结案率 95
        "handling_due": 80,
        "handled_on_time": 72,  # 按期处置率 90
        "reworked": 10,  # 返工率 10 → 90
    }
    s = composite(K.DEPARTMENT, counts, config)
    assert s.items == {
        "filed_volume": 80.0,
        "closure_rate": 95.0,
        "on_time_handling_rate": 90.0,
        "rework_rate": 90.0,
    }
    assert s.total == pytest.approx((10 * 80 + 30 * 95 + 30 * 90 + 30 * 90) / 100)
    assert s.grade == "A"


def test_rural_districts_use_their_own_step_table(config):
    counts = {"filed": 250, "reported": 100, "closure_due": 10, "closed": 10, "closed_on_time": 10}
    urban = composite(K.DISTRICT, counts, config, area_class="urban")
    rural = composite(K.DISTRICT, counts, config, area_class="rural")
    assert urban.items["filed_volume"] == 40 and rural.items["filed_volume"] == 80
    assert rural.items["public_report_rate"] == 100.0  # no public reports: counts against


def test_inspector_missed_reports_count_against(config):
    counts = {
        "reported": 10,
        "reported_valid": 9,
        "grid_filed": 20,
        "missed": 5,
        "verified": 4,
        "verified_on_time": 4,
        "checked": 2,
        "checked_on_time": 1,
    }
    s = composite(K.INSPECTOR, counts, config)
    assert s.items["missed_report_rate"] == 75.0
    assert s.total == pytest.approx((40 * 90 + 20 * 75 + 20 * 100 + 20 * 50) / 100)


def test_items_without_data_are_left_out_and_no_data_gives_no_score(config):
    only_dispatch = {"dispatched": 10, "dispatch_due": 10, "dispatched_on_time": 5}
    s = composite(K.DISPATCHER, only_dispatch, config)
    # accurate_dispatch_rate has data too (10 − 0 wrong of 10 due)
    assert s.total == pytest.approx((20 * 40 + 40 * 50 + 40 * 100) / 100)
    assert composite(K.SHIFT_LEADER, {}, config).total is None
    leader = composite(K.SHIFT_LEADER, {"close_steps": 4, "close_steps_on_time": 3}, config)
    assert leader.total == 75.0 and leader.items["on_time_filing_rate"] is None
    assert leader.items["on_time_close_step_rate"] == 75.0


def test_rates_have_no_value_without_denominator():
    assert rates(K.DISTRICT, {})["closure_rate"] is None
    assert RATES["accurate_filing_rate"].value({"filed": 4, "filed_cancelled": 1}) == 75.0


def test_competition_ranks_share_equal_scores():
    assert competition_ranks({"a": 90, "b": 95, "c": 90, "d": None, "e": 10}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "e": 4,
    }


@pytest.mark.parametrize(
    ("measured", "comparator", "target", "want"),
    [
        (95.0, ">=", 95, TargetStatus.MET),
        (94.99, "≥", 95, TargetStatus.NOT_MET),
        (None, ">=", 95, TargetStatus.NO_DATA),
        (100.0, "=", 100, TargetStatus.MET),
        (3.0, "<", 5, TargetStatus.MET),
        (5.0, "<", 5, TargetStatus.NOT_MET),
    ],
)
def test_target_status(measured, comparator, target, want):
    assert status(measured, Comparator.parse(comparator), target) == want


def test_unknown_comparators_are_refused():
    with pytest.raises(ValidationError):
        Comparator.parse("about")


ITEMS = [
    AssessmentItem("closure", "结案率", ItemSource.PLATFORM, 50, "closure_rate"),
    AssessmentItem("survey", "满意度测评", ItemSource.SURVEY, 30),
    AssessmentItem("complaints", "投诉率", ItemSource.MANUAL, 20, lower_is_better=True),
]


def test_assessment_ranks_within_peer_groups_and_overall():
    values = {
        "370102": {"closure": 98, "survey": 90, "complaints": 10},  # 49 + 27 + 18 = 94
        "370103": {"closure": 90, "survey": 95, "complaints": 20},  # 45 + 28.5 + 16 = 89.5
        "370124": {"closure": 99, "survey": 96, "complaints": 5},  # 49.5 + 28.8 + 19 = 97.3
        "370126": {"closure": 80, "survey": 70},  # 40 + 21 + 0 (missing) = 61
    }
    groups = {"370102": "城区", "370103": "城区", "370124": "县域", "370126": "县域"}
    results = {r.district_code: r for r in assess(ITEMS, values, groups, sorted(values))}
    assert results["370102"].score == 94.0 and results["370102"].rank_in_group == 1
    assert results["370103"].rank_in_group == 2 and results["370103"].rank_overall == 3
    assert results["370124"].rank_overall == 1 and results["370124"].group == "县域"
    assert results["370126"].missing == ("complaints",) and results["370126"].score == 61.0


def test_assessment_items_are_checked():
    assert item_score(ITEMS[2], 30) == 70
    with pytest.raises(ValidationError):
        assess([AssessmentItem("x", "x", ItemSource.PLATFORM, 10)], {}, {}, [])
    with pytest.raises(ValidationError):
        assess([ITEMS[1], ITEMS[1]], {}, {}, [])


def test_every_composite_item_has_a_weight_in_the_demo_profile(config):
    from cityops.domain.evaluation.scoring import ITEMS, WEIGHT_GROUP

    for kind, items in ITEMS.items():
        assert {i.key for i in items} == set(config["weights"][WEIGHT_GROUP[kind]]), kind
