"""The example store, corrections and retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cityops.classify.errors import ExampleError
from cityops.classify.examples import (
    Example,
    ExampleStore,
    Source,
    apply_corrections,
    retrain,
)
from cityops.classify.model import ModelConfig
from cityops.classify.segment import Segmenter
from cityops.classify.synthetic import template_orders

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# An order the templates do not cover: street-light words, but the city files it elsewhere.
ODD = "东风路口路灯杆上挂满了横幅和小广告"


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def history(n: int = 180) -> ExampleStore:
    texts, classes, units = template_orders(n, seed=4)
    return ExampleStore(
        Example(t, c, u, Source.HISTORY, T0 + timedelta(minutes=i))
        for i, (t, c, u) in enumerate(zip(texts, classes, units, strict=True))
    )


def test_a_correction_changes_the_prediction_after_retraining(segmenter: Segmenter):
    store = history()
    config = ModelConfig(seed=1)
    before = retrain(store, config, segmenter).rank([ODD], k=1)[0][0]
    target = "07001" if before.label != "07001" else "06010"
    for i in range(3):
        store.add_correction(f"{ODD}{'，请处理' * i}", T0 + timedelta(days=1, hours=i), target)
    after = retrain(store, config, segmenter).rank([ODD], k=1)[0][0]
    assert after.label == target != before.label


def test_the_latest_correction_replaces_other_labels_of_the_same_text():
    store = ExampleStore(
        [
            Example("路灯不亮", "01037", "路灯管理所", Source.HISTORY, T0),
            Example("路灯不亮", "01037", None, Source.CONFIRMATION, T0 + timedelta(hours=1)),
            Example("垃圾满了", "06010", "环卫处", Source.HISTORY, T0),
        ]
    )
    store.add_correction("路 灯不亮", T0 + timedelta(hours=3), class_code="06010")
    store.add_correction("路灯不亮", T0 + timedelta(hours=2), class_code="09006")  # older
    data = store.training_set()
    rows = list(zip(data.texts, data.classes, data.units, data.weights, strict=True))
    assert rows == [
        ("路灯不亮", None, "路灯管理所", 1.0),  # class superseded, unit kept
        ("垃圾满了", "06010", "环卫处", 1.0),
        ("路 灯不亮", "06010", None, 3.0),  # the latest correction, weighted
    ]


def test_store_weights_and_per_example_weights_apply():
    store = ExampleStore(
        weights={Source.HISTORY: 0.5, Source.CONFIRMATION: 1, Source.CORRECTION: 4}
    )
    store.extend([Example("甲", "a", None, Source.HISTORY, T0)])
    store.add_correction("乙", T0, class_code="b")
    store.add_correction("丙", T0, class_code="b", weight=10.0)
    assert store.training_set().weights == [0.5, 4.0, 10.0]


@pytest.mark.parametrize(
    "bad",
    [
        Example(" ", "a", None, Source.HISTORY, T0),
        Example("路灯", None, None, Source.HISTORY, T0),
        Example("路灯", "a", None, Source.HISTORY, datetime(2026, 1, 5, 9, 0)),
        Example("路灯", "a", None, Source.CORRECTION, T0, weight=0.0),
    ],
)
def test_a_bad_example_is_refused_and_the_batch_adds_nothing(bad: Example):
    store = history(12)
    with pytest.raises(ExampleError):
        store.extend([Example("好样本", "a", None, Source.HISTORY, T0), bad])
    assert len(store) == 12


def test_the_store_round_trips_through_json_lines(tmp_path: Path):
    path = tmp_path / "examples.jsonl"
    store = history(12)
    ExampleStore.append_jsonl(path, list(store))
    extra = Example("王先生反映路灯不亮", "01037", None, Source.CORRECTION, T0, weight=2.0)
    ExampleStore.append_jsonl(path, [extra])
    loaded = ExampleStore.load_jsonl(path)
    assert list(loaded) == [*store, extra]


def test_a_damaged_line_stops_the_load_with_its_number(tmp_path: Path):
    path = tmp_path / "examples.jsonl"
    good = json.dumps(Example("路灯", "a", None, Source.HISTORY, T0).to_json(), ensure_ascii=False)
    path.write_text(f'{good}\n{good}\n{{"text": "缺字段"}}\n', encoding="utf-8")
    with pytest.raises(ExampleError) as err:
        ExampleStore.load_jsonl(path)
    assert err.value.details["line"] == 3


def test_corrections_with_known_labels_update_in_place(segmenter: Segmenter):
    store = history()
    model = retrain(store, ModelConfig(seed=2), segmenter)
    fix = Example(ODD, "07001", None, Source.CORRECTION, T0 + timedelta(days=2))
    updated, how = apply_corrections(model, store, [fix])
    assert how == "partial_fit"
    assert updated is model
    assert len(store) == 181


def test_a_correction_with_a_new_label_retrains(segmenter: Segmenter):
    store = history()
    model = retrain(store, ModelConfig(seed=2), segmenter)
    fix = Example(ODD, "07003", "广告管理科", Source.CORRECTION, T0 + timedelta(days=2))
    updated, how = apply_corrections(model, store, [fix])
    assert how == "retrain"
    assert updated is not model
    assert "07003" in updated.labels("class")
    assert "广告管理科" in updated.labels("unit")
