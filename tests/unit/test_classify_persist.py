"""Model files: round trip, metadata, and clear errors for files that cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import joblib
import pytest

from cityops.classify.errors import ModelFileError
from cityops.classify.model import CLASS_HEAD, ModelConfig, OrderClassifier
from cityops.classify.persist import FORMAT, load_model, read_payload, save_model
from cityops.classify.segment import Segmenter
from cityops.classify.synthetic import template_orders

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def model() -> OrderClassifier:
    texts, classes, units = template_orders(120, seed=2)
    seg = Segmenter(["泉城路"])
    m = OrderClassifier(ModelConfig(seed=5), seg).fit(texts, classes, units, now=NOW)
    m.info.metrics["cv_accuracy"] = 0.9  # type: ignore[union-attr]
    m.thresholds[CLASS_HEAD] = 0.42
    return m


def test_a_saved_model_predicts_the_same_after_loading(model: OrderClassifier, tmp_path: Path):
    path = tmp_path / "models" / "city.joblib"
    save_model(model, path)
    loaded = load_model(path)
    probe = template_orders(10, seed=77)[0] + ["路灯不亮"]
    assert loaded.rank(probe, k=3) == model.rank(probe, k=3)
    assert loaded.suggest(probe[:1]) == model.suggest(probe[:1])
    assert loaded.thresholds[CLASS_HEAD] == 0.42
    assert [w.word for w in loaded.segmenter.user_words] == ["泉城路"]


def test_the_file_carries_the_training_metadata(model: OrderClassifier, tmp_path: Path):
    path = tmp_path / "m.joblib"
    save_model(model, path)
    meta = read_payload(path)["metadata"]
    assert meta["trained_at"] == "2026-03-02T08:00:00+00:00"
    assert meta["n_texts"] == 120
    assert set(meta["label_counts"]["class"]) == {
        "06010",
        "06028",
        "09006",
        "01037",
        "08004",
        "07001",
    }
    assert meta["metrics"] == {"cv_accuracy": 0.9}
    assert meta["seed"] == 5
    assert meta["config"]["class_head"]["alpha"] == model.config.class_head.alpha


def test_a_failed_save_leaves_the_previous_file_intact(
    model: OrderClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "m.joblib"
    save_model(model, path)
    before = path.read_bytes()

    def broken_dump(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", broken_dump)
    with pytest.raises(OSError):
        save_model(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.joblib"]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"format": "something else", "version": 1}, "不是"),
        ({"format": FORMAT, "version": 999}, "版本"),
        (
            {"format": FORMAT, "version": 1, "libraries": {"scikit-learn": "0.1"}, "model": 1},
            "程序库",
        ),
    ],
)
def test_foreign_or_outdated_files_are_refused(tmp_path: Path, payload: dict, reason: str):
    path = tmp_path / "m.joblib"
    joblib.dump(payload, path)
    with pytest.raises(ModelFileError) as err:
        load_model(path)
    assert err.value.code == "classify.model_file"
    assert reason in err.value.message


def test_missing_and_damaged_files_are_refused(tmp_path: Path):
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "absent.joblib")
    path = tmp_path / "damaged.joblib"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ModelFileError) as err:
        load_model(path)
    assert "损坏" in err.value.message
