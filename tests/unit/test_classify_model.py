"""The two-head order classifier on small synthetic orders (deterministic)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from cityops.classify.errors import ClassifierError, ExampleError, NotTrainedError
from cityops.classify.model import (
    CLASS_HEAD,
    UNIT_HEAD,
    ModelConfig,
    OrderClassifier,
    order_text,
)
from cityops.classify.segment import Segmenter
from cityops.classify.synthetic import TEMPLATES, template_orders

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[str], list[str]]:
    return template_orders(240, seed=1)


@pytest.fixture(scope="module")
def model(segmenter: Segmenter, data) -> OrderClassifier:
    texts, classes, units = data
    return OrderClassifier(ModelConfig(seed=3), segmenter).fit(texts, classes, units, now=NOW)


def test_fit_then_predict_finds_the_class_of_unseen_orders(model: OrderClassifier):
    texts, classes, _ = template_orders(60, seed=99)
    top = [c[0].label for c in model.rank(texts, k=1)]
    assert np.mean([p == t for p, t in zip(top, classes, strict=True)]) >= 0.9


def test_both_heads_are_trained_and_suggested_together(model: OrderClassifier):
    s = model.suggest(["泉城路晚上路灯不亮一片漆黑，请尽快修理。"])[0]
    assert s.class_code == "01037"
    assert s.unit == "路灯管理所"
    assert set(model.labels(UNIT_HEAD)) == {t.unit for t in TEMPLATES}


def test_candidates_come_best_first_with_confidences_that_sum_to_one(model: OrderClassifier):
    (ranked,) = model.rank(["工地扬尘很大，渣土车带泥上路。"], k=len(TEMPLATES))
    confidences = [c.confidence for c in ranked]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert len(model.rank(["工地扬尘"], k=2)[0]) == 2


def test_below_the_threshold_there_is_no_suggestion(model: OrderClassifier):
    text = "请问办理居住证需要带什么材料。"
    best = model.rank([text], k=1)[0][0].confidence
    model.thresholds[CLASS_HEAD] = best + 0.01
    try:
        assert model.predict([text]) == [[]]
        assert model.suggest([text])[0].class_code is None
    finally:
        model.thresholds[CLASS_HEAD] = 0.5
    model.thresholds[CLASS_HEAD] = best - 0.01
    try:
        assert model.predict([text])[0][0].confidence == pytest.approx(best)
    finally:
        model.thresholds[CLASS_HEAD] = 0.5


def test_the_low_latency_path_gives_the_batch_path_numbers(model: OrderClassifier):
    texts, _, _ = template_orders(20, seed=5)
    batch = model.rank(texts, k=3)  # > FAST_BATCH texts: scikit-learn path
    single = [model.rank([t], k=3)[0] for t in texts]
    for b, s in zip(batch, single, strict=True):
        assert [c.label for c in b] == [c.label for c in s]
        assert np.allclose([c.confidence for c in b], [c.confidence for c in s], atol=1e-5)


def test_the_same_seed_gives_the_same_model(segmenter: Segmenter, data):
    texts, classes, units = data
    a = OrderClassifier(ModelConfig(seed=11), segmenter).fit(texts, classes, units, now=NOW)
    b = OrderClassifier(ModelConfig(seed=11), segmenter).fit(texts, classes, units, now=NOW)
    probe = template_orders(12, seed=8)[0]
    assert a.rank(probe, k=6) == b.rank(probe, k=6)


def test_a_head_without_labels_is_not_trained_and_suggests_nothing(segmenter: Segmenter, data):
    texts, classes, _ = data
    model = OrderClassifier(segmenter=segmenter).fit(texts, classes)
    assert UNIT_HEAD not in model.heads
    assert model.suggest([texts[0]])[0].units == ()
    assert model.predict([texts[0]], head=UNIT_HEAD) == [[]]


def test_each_head_learns_from_the_rows_that_have_its_label(segmenter: Segmenter, data):
    texts, classes, units = data
    half = len(texts) // 2
    some_classes = [c if i < half else None for i, c in enumerate(classes)]
    some_units = [u if i >= half else None for i, u in enumerate(units)]
    model = OrderClassifier(segmenter=segmenter).fit(texts, some_classes, some_units, now=NOW)
    assert model.info is not None
    assert sum(model.info.label_counts[CLASS_HEAD].values()) == half
    assert sum(model.info.label_counts[UNIT_HEAD].values()) == len(texts) - half
    assert model.info.trained_at == NOW


def test_training_needs_two_labels_somewhere(segmenter: Segmenter):
    with pytest.raises(ClassifierError) as err:
        OrderClassifier(segmenter=segmenter).fit(["路灯不亮", "路灯坏了"], ["01037", "01037"])
    assert err.value.code == "classify.too_few_labels"


def test_labels_and_weights_must_match_the_texts(segmenter: Segmenter):
    with pytest.raises(ExampleError):
        OrderClassifier(segmenter=segmenter).fit(["a", "b"], ["x"])
    with pytest.raises(ExampleError):
        OrderClassifier(segmenter=segmenter).fit(["路灯", "垃圾"], ["x", "y"], weights=[1, 0])


def test_an_untrained_model_says_so():
    with pytest.raises(NotTrainedError) as err:
        OrderClassifier().suggest(["路灯不亮"])
    assert err.value.code == "classify.not_trained"


def test_unknown_head_is_refused(model: OrderClassifier):
    with pytest.raises(ClassifierError) as err:
        model.rank(["路灯"], head="district")
    assert err.value.code == "classify.unknown_head"


def test_partial_fit_moves_a_prediction_towards_new_examples(segmenter: Segmenter, data):
    texts, classes, units = data
    model = OrderClassifier(ModelConfig(seed=3), segmenter).fit(texts, classes, units, now=NOW)
    text = "小区门口井盖松动"  # not in any template: the model has to guess
    before = dict(model.rank([text], k=6)[0])["06010"]
    model.partial_fit([text] * 3, classes=["06010"] * 3, weights=[3.0] * 3)
    after = dict(model.rank([text], k=6)[0])["06010"]
    assert after > before
    assert model.info is not None and model.info.updates == 1


def test_partial_fit_refuses_a_label_the_model_never_saw(model: OrderClassifier):
    probe = ["泉城路路灯不亮"]
    before = model.rank(probe, k=6)
    with pytest.raises(ClassifierError) as err:
        model.partial_fit(probe, classes=["01037"], units=["新单位"])
    assert err.value.code == "classify.unknown_label"
    assert model.rank(probe, k=6) == before  # nothing changed, not even the class head


def test_order_text_joins_title_and_body():
    assert order_text(" 路灯不亮 ", "东风路") == "路灯不亮。东风路"
    assert order_text("", "东风路") == "东风路"
