"""The majority and keyword baselines, and cross-validation."""

from __future__ import annotations

import math

import pytest

from cityops.classify.baselines import KeywordClassifier, MajorityClassifier
from cityops.classify.errors import ClassifierError
from cityops.classify.evaluate import CrossValidation, FoldScore, HeadOnly, cross_validate
from cityops.classify.model import Candidate, OrderClassifier
from cityops.classify.segment import Segmenter
from cityops.classify.synthetic import template_orders


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def test_majority_answers_the_most_frequent_label_with_its_share():
    model = MajorityClassifier().fit(["a", "b", "c", "d"], ["x", "y", "y", "z"])
    assert model.rank(["anything"], 2) == [[Candidate("y", 0.5), Candidate("x", 0.25)]]


def test_keywords_are_derived_from_the_words_that_set_a_label_apart(segmenter: Segmenter):
    texts, classes, _ = template_orders(120, seed=3)
    model = KeywordClassifier(per_label=5, segmenter=segmenter).fit(texts, classes)
    assert set(model.keywords) == set(classes)
    assert "路灯" in model.keywords["01037"]
    assert "路灯" not in model.keywords["06010"]
    assert all(
        len(words) <= 5 and all(w > 0 for w in words.values()) for words in model.keywords.values()
    )
    probe = template_orders(30, seed=50)
    top = [r[0].label for r in model.rank(probe[0], 1)]
    assert sum(p == t for p, t in zip(top, probe[1], strict=True)) >= 24


def test_given_keyword_lists_work_without_training(segmenter: Segmenter):
    model = KeywordClassifier({"01037": {"路灯": 1.0}, "06010": {"垃圾": 1.0, "清运": 0.5}})
    ranked = model.rank(["垃圾没有清运", "路灯不亮", "下水道堵了"], 2)
    assert ranked[0] == [Candidate("06010", 1.0), Candidate("01037", 0.0)]
    assert ranked[1][0].label == "01037"
    assert ranked[2] == []  # no keyword and no prior: nothing to say


def test_a_text_without_keywords_falls_back_to_the_majority(segmenter: Segmenter):
    model = KeywordClassifier(per_label=3, segmenter=segmenter).fit(
        ["路灯不亮", "路灯坏了", "垃圾满了"], ["light", "light", "garbage"]
    )
    assert model.rank(["下水道堵了"], 1)[0][0].label == "light"


def test_cross_validation_reports_per_fold_scores_and_out_of_fold_predictions(segmenter: Segmenter):
    texts, classes, _ = template_orders(60, seed=6)
    cv = cross_validate(lambda: HeadOnly(OrderClassifier(segmenter=segmenter)), texts, classes)
    assert len(cv.folds) == 5 and sum(f.n_test for f in cv.folds) == 60
    assert cv.accuracy.mean >= 0.8
    assert all(r for r in cv.ranked)
    majority = cross_validate(MajorityClassifier, texts, classes)
    assert majority.accuracy.mean < 0.25
    assert majority.macro_f1.mean < cv.macro_f1.mean


def test_cross_validation_is_repeatable_with_the_same_seed(segmenter: Segmenter):
    texts, classes, _ = template_orders(40, seed=7)
    runs = [
        cross_validate(lambda: KeywordClassifier(segmenter=segmenter), texts, classes, seed=4)
        for _ in range(2)
    ]
    assert runs[0].folds == runs[1].folds


def test_labels_too_rare_for_the_folds_are_named():
    with pytest.raises(ClassifierError) as err:
        cross_validate(MajorityClassifier, ["a"] * 7, ["x"] * 5 + ["y"] * 2)
    assert err.value.details["labels"] == ["y"]


def test_calibration_error_and_threshold_trade_off_are_computed_from_out_of_fold_answers():
    cv = CrossValidation(
        folds=[FoldScore(0.5, 0.5, 1.0, 4)],
        k=1,
        truth=["a", "a", "b", "b"],
        ranked=[
            [Candidate("a", 0.95)],
            [Candidate("a", 0.95)],
            [Candidate("a", 0.55)],
            [Candidate("b", 0.55)],
        ],
    )
    # bin (0.9, 1]: accuracy 1 vs 0.95; bin (0.5, 0.6]: accuracy 0.5 vs 0.55
    assert cv.expected_calibration_error() == pytest.approx(0.5 * 0.05 + 0.5 * 0.05)
    assert cv.at_threshold(0.9) == (0.5, 1.0)
    assert cv.at_threshold(0.5) == (1.0, 0.75)
    coverage, accuracy = cv.at_threshold(0.99)
    assert coverage == 0.0 and math.isnan(accuracy)
    assert str(cv.accuracy) == "0.500 ± 0.000"
